"""Each shipped stack evaluated once per test session through the offline preview (the real __main__.py)."""

from __future__ import annotations

import functools
from pathlib import Path

from offline.preview import PreviewResult, preview

ROOT = Path(__file__).resolve().parent.parent
STACKS = sorted(p.name[len("Pulumi."):-len(".yaml")] for p in ROOT.glob("Pulumi.*.yaml"))


@functools.cache
def evaluated(stack: str) -> PreviewResult:
    result = preview(stack, ROOT)
    assert not result.errors, result.errors
    return result
