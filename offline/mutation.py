"""The mutation score `make mutation` prints: mutmut's counts, read from its CI/CD stats file, and its survivors.

killed / (killed + survived): mutants no test ran (no_tests) or that timed out are listed apart, not hidden. Surviving
mutants reviewed as equivalent (the program behaves the same) are listed with why in tests/mutation-equivalents.txt;
the score is also given with them set aside, and every survivor not reviewed is printed.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

STATS = Path("mutants/mutmut-cicd-stats.json")
RESULTS = Path("mutants/results.txt")  # `mutmut results` (the Makefile writes it)
EQUIVALENTS = Path(__file__).resolve().parent.parent / "tests" / "mutation-equivalents.txt"


def score_line(stats: dict[str, int], equivalent: int = 0) -> str:
    killed, survived = stats.get("killed", 0), stats.get("survived", 0)
    checked = killed + survived
    percent = 100 * killed / checked if checked else 0.0
    others = {k: stats.get(k, 0) for k in ("no_tests", "timeout", "suspicious", "skipped") if stats.get(k, 0)}
    extra = "".join(f", {k} {v}" for k, v in others.items())
    line = f"mutation score: {killed} killed / {checked} checked = {percent:.1f}% ({survived} survived{extra})"
    if equivalent:
        rest = checked - equivalent
        line += (f"; {equivalent} survivors reviewed as equivalent, so {killed} killed / {rest} = "
                 f"{100 * killed / rest if rest else 0.0:.1f}% of the mutants that change behaviour")
    return line


def survivors(results: str) -> list[str]:
    """Names of the surviving mutants in `mutmut results` output."""
    return [m.group(1) for m in re.finditer(r"^\s*(\S+): survived\s*$", results, re.MULTILINE)]


def equivalents(text: str) -> dict[str, str]:
    """tests/mutation-equivalents.txt: `<mutant name>  <why it changes nothing>` per line, # comments."""
    listed: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, why = line.partition(" ")
        if not why.strip():
            raise ValueError(f"{EQUIVALENTS.name}:{number}: {name} has no reason")
        listed[name] = why.strip()
    return listed


def main() -> int:
    if not STATS.exists():
        print("no mutmut stats: run `make mutation` first", file=sys.stderr)
        return 2
    surviving = survivors(RESULTS.read_text()) if RESULTS.exists() else []
    reviewed = equivalents(EQUIVALENTS.read_text()) if EQUIVALENTS.exists() else {}
    unreviewed = [name for name in surviving if name not in reviewed]
    print(score_line(json.loads(STATS.read_text()), sum(name in reviewed for name in surviving)))
    if unreviewed:
        print(f"{len(unreviewed)} survivors not reviewed (kill them with a test, or list them in {EQUIVALENTS.name} with why):")
        print("\n".join(f"  {name}" for name in unreviewed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
