"""`make mutation`'s score line: killed over checked, with what was not checked shown, not hidden."""

import tomllib

import pytest

from offline.mutation import EQUIVALENTS, equivalents, sample, score_line, survivors
from tests.stacks import ROOT


def test_score_counts_killed_over_killed_and_survived() -> None:
    assert score_line({"killed": 45, "survived": 5, "not checked": 60, "no tests": 10}) == (
        "mutation score: 45 killed / 50 checked = 90.0% (5 survived, no tests 10)")


def test_score_of_nothing_checked_is_zero() -> None:
    assert score_line({"not checked": 3}) == "mutation score: 0 killed / 0 checked = 0.0% (0 survived)"


def test_a_sampled_score_gives_its_95_percent_interval() -> None:
    # 1.96 * sqrt(0.9 * 0.1 / 400) = 2.94 points
    assert score_line({"killed": 360, "survived": 40}, sampled_from=400) == (
        "mutation score: 360 killed / 400 checked = 90.0% (40 survived); a random sample of 400 mutants: "
        "95% interval 87.1-92.9%")


def test_a_sample_is_seeded_and_drawn_from_every_mutant() -> None:
    names = [f"config.a.x_f__mutmut_{i}" for i in range(1, 101)]
    first = sample(names, 10, seed=14)
    assert first == sample(list(reversed(names)), 10, seed=14) and len(set(first)) == 10 and set(first) <= set(names)
    assert sample(names, 500, seed=14) == sorted(names)


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
