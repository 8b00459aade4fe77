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
    """Cache an evaluation for the session. Under mutmut: never while it maps tests to the functions they reach
    ("stats"), or every component function would be credited to the first test that evaluated the stack; and per
    mutant otherwise (mutmut forks each mutant's run from a process that may hold the clean evaluation)."""

    @functools.cache
    def cached(mutant: str | None, *args: object) -> T:
        return evaluate(*args)

    def call(*args: object) -> T:
        mutant = os.environ.get("MUTANT_UNDER_TEST")
        return evaluate(*args) if mutant == "stats" else cached(mutant, *args)

    return call


@once_per_session
def evaluated(stack: str) -> PreviewResult:
    result = preview(stack, ROOT)
    assert not result.errors, result.errors
    return result
