"""The rule registry (config/rules.py): every rule is triggered by a bad case that asserts its key and message, every rule
has a source, every id the checks report is registered, and README.md lists the registry.

The bad cases are the tables the other test modules assert on (tests/test_config.py BAD_CASES, tests/test_strict.py CASES,
tests/test_routing.py BAD, tests/test_onprem.py BAD, tests/test_attach.py ATTACH_BAD): each is replayed here and the rule
of every problem at the case's key whose message holds the case's fragment counts as triggered.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from config.problems import Problem
from config.rules import README, RULES, _SECTIONS, known, render_readme
from tests import test_attach, test_config, test_names, test_onprem, test_routing, test_strict

ROOT = Path(__file__).resolve().parent.parent
# (table, its cases (id, mutation, key, fragment of the message), how a mutation becomes problems)
TABLES: list[tuple[str, Sequence[tuple[str, Any, str, str]], Callable[[Any], list[Problem]]]] = [
    ("test_config.BAD_CASES", test_config.BAD_CASES, test_config.problem_objects),
    ("test_strict.CASES", test_strict.CASES, test_config.problem_objects),
    ("test_routing.BAD", test_routing.BAD, test_config.problem_objects),
    ("test_onprem.BAD", test_onprem.BAD, test_onprem.problem_objects),
    ("test_attach.ATTACH_BAD", test_attach.ATTACH_BAD, test_attach.problem_objects),
    ("test_names.NAMES_BAD", test_names.NAMES_BAD, test_names.problem_objects),
]


def _replayed() -> Iterator[tuple[str, str]]:
    """(rule, case) for every problem a bad case asserts: at its key, with its fragment in the message."""
    for table, cases, problems_of in TABLES:
        for name, mutate, key, fragment in cases:
            for problem in problems_of(mutate):
                if problem.key == key and fragment in problem.message and problem.rule:
                    yield problem.rule, f"{table}[{name}]"


@pytest.fixture(scope="module")
def triggered() -> dict[str, list[str]]:
    by_rule: dict[str, list[str]] = {}
    for rule, case in _replayed():
        by_rule.setdefault(rule, []).append(case)
    return by_rule


def test_every_rule_is_triggered_by_a_bad_case_asserting_its_key_and_message(triggered: dict[str, list[str]]) -> None:
    untested = sorted(set(RULES) - set(triggered))
    assert not untested, f"rules no bad case triggers (add a case that asserts the key and message): {untested}"


def test_every_rule_has_an_id_a_statement_and_a_source() -> None:
    ids = [rule_id for rules in _SECTIONS.values() for rule_id, _, _ in rules]
    assert len(ids) == len(set(ids)), "a rule id is registered twice"
    for rule in RULES.values():
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.id), rule.id
        assert rule.statement.strip() and rule.statement.endswith("."), rule.id
        assert rule.source.strip(), f"{rule.id} names no source"


# How the checks name their rule: `_add("id", ...)` (plan.py), `add("id", ...)` (onprem.py), `rule="id"` (names.py,
# limits.py), `known("id")`, and in plan.py the ids chosen at run time (`rule = "id"`, `rule, why = "id", ...`).
_NAMED = re.compile(r'(?:add\(|_require_subnet\(|rule=|known(?:_rule)?\(|\brule(?:, why)? = (?:"[a-z0-9-]+" if .* else )?)"([a-z0-9-]+)"')


def test_every_rule_id_the_checks_name_is_registered() -> None:
    named = {match for path in (ROOT / "config").glob("*.py") for match in _NAMED.findall(path.read_text())}
    assert len(named) > len(RULES) // 2, "the pattern no longer finds how the checks name their rules"
    assert named - set(RULES) == set(), "ids a check reports but config/rules.py lacks"


def test_the_readme_lists_the_registry() -> None:
    text = README.read_text()
    assert render_readme(text) == text, "README.md's rule list is stale: run `.venv/bin/python -m config.rules`"


def test_a_misspelled_rule_id_names_itself() -> None:
    assert known("list-no-repeats") == "list-no-repeats"
    with pytest.raises(KeyError, match="'list-no-repeat' is not a rule of config/rules.py"):
        known("list-no-repeat")
