"""Each shipped stack evaluated once per test session through the offline preview (the real __main__.py)."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from offline.preview import PreviewResult, preview

ROOT = Path(__file__).resolve().parent.parent
STACKS = sorted(p.name[len("Pulumi."):-len(".yaml")] for p in ROOT.glob("Pulumi.*.yaml"))
T = TypeVar("T")


def once_per_session(evaluate: Callable[..., T]) -> Callable[..., T]:
    """Cache an evaluation for the session, except while mutmut maps tests to the functions they reach ("stats"):
    a cached evaluation would credit every component function to the first test that evaluated the stack, and a
    mutant would then run only that test, not the ones that assert what it changes."""
    cached = functools.cache(evaluate)

    def call(*args: object) -> T:
        return evaluate(*args) if os.environ.get("MUTANT_UNDER_TEST") == "stats" else cached(*args)

    return call


@once_per_session
def evaluated(stack: str) -> PreviewResult:
    result = preview(stack, ROOT)
    assert not result.errors, result.errors
    return result
