"""The mutation score `make mutation` prints: mutmut's counts, read from its CI/CD stats file.

killed / (killed + survived): mutants no test ran (no_tests) or that timed out are listed apart, not hidden.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

STATS = Path("mutants/mutmut-cicd-stats.json")


def score_line(stats: dict[str, int]) -> str:
    killed, survived = stats.get("killed", 0), stats.get("survived", 0)
    checked = killed + survived
    percent = 100 * killed / checked if checked else 0.0
    others = {k: stats.get(k, 0) for k in ("no_tests", "timeout", "suspicious", "skipped") if stats.get(k, 0)}
    extra = "".join(f", {k} {v}" for k, v in others.items())
    return f"mutation score: {killed} killed / {checked} checked = {percent:.1f}% ({survived} survived{extra})"


def main() -> int:
    if not STATS.exists():
        print("no mutmut stats: run `make mutation` first", file=sys.stderr)
        return 2
    print(score_line(json.loads(STATS.read_text())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
