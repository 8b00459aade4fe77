"""`make mutation`'s score line: killed over checked, with what was not checked shown, not hidden."""

import tomllib

import pytest

from offline.mutation import EQUIVALENTS, equivalents, score_line, survivors
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


def test_score_sets_reviewed_equivalents_aside() -> None:
    assert score_line({"killed": 90, "survived": 10}, equivalent=4) == (
        "mutation score: 90 killed / 100 checked = 90.0% (10 survived); 4 survivors reviewed as equivalent, so "
        "90 killed / 96 = 93.8% of the mutants that change behaviour")


def test_survivors_are_read_from_mutmut_results() -> None:
    results = ("    config.a.x_f__mutmut_1: survived\n    config.a.x_f__mutmut_2: killed\n"
               "    config.a.x_g__mutmut_3: no tests\n    components.b.xǁCǁm__mutmut_4: survived\n")
    assert survivors(results) == ["config.a.x_f__mutmut_1", "components.b.xǁCǁm__mutmut_4"]


def test_every_listed_equivalent_says_why() -> None:
    assert equivalents("# c\nconfig.a.x_f__mutmut_1  strips the same dot\n") == {"config.a.x_f__mutmut_1": "strips the same dot"}
    with pytest.raises(ValueError, match="config.a.x_f__mutmut_1 has no reason"):
        equivalents("config.a.x_f__mutmut_1\n")
    listed = equivalents(EQUIVALENTS.read_text())  # the shipped list parses: every entry has its reason
    assert all(reason for reason in listed.values())
