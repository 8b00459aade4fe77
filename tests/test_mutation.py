"""`make mutation`'s score line: killed over checked, with what was not checked shown, not hidden."""

import tomllib

from offline.mutation import score_line
from tests.stacks import ROOT


def test_score_counts_killed_over_killed_and_survived() -> None:
    assert score_line({"killed": 45, "survived": 5, "total": 60, "no_tests": 10}) == (
        "mutation score: 45 killed / 50 checked = 90.0% (5 survived, no_tests 10)")


def test_score_of_nothing_checked_is_zero() -> None:
    assert score_line({"total": 0}) == "mutation score: 0 killed / 0 checked = 0.0% (0 survived)"


def test_mutmut_copies_every_stack_file_the_tests_read() -> None:
    """mutmut runs the suite in a copy (mutants/) holding only what also_copy lists; a stack file left out fails
    its stats run."""
    also_copy = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"]["also_copy"]
    assert {p.name for p in ROOT.glob("Pulumi.*yaml")} <= set(also_copy)
