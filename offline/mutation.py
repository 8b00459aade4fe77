"""The mutation score `make mutation` prints, from `mutmut results --all true` (mutants/results.txt).

killed / (killed + survived): mutants no test reaches (no tests) or that timed out are listed apart, not hidden.
Surviving mutants reviewed as equivalent (the program behaves the same) are listed with why in
tests/mutation-equivalents.txt; the score is also given with them set aside, and every survivor not reviewed is printed.
The whole of config/ and components/ is about 11,000 mutants (hours on 2 cores): `make mutation SAMPLE=600` measures a
seeded random sample instead (`--sample`), and the score line then gives the sample's 95% confidence interval.
"""

from __future__ import annotations

import argparse
import math
import random
import re
import sys
from collections import Counter
from pathlib import Path

RESULTS = Path("mutants/results.txt")  # `mutmut results --all true` (the Makefile writes it)
SAMPLED = Path("mutants/sample.txt")  # the sampled names, when `make mutation SAMPLE=n` ran
EQUIVALENTS = Path(__file__).resolve().parent.parent / "tests" / "mutation-equivalents.txt"


def statuses(results: str) -> dict[str, str]:
    """Each mutant's status in `mutmut results` output (killed, survived, no tests, not checked, timeout, ...)."""
    return {m.group(1): m.group(2).strip() for m in re.finditer(r"^\s*(\S+__mutmut_\d+): (.+)$", results, re.MULTILINE)}


def survivors(results: str) -> list[str]:
    """Names of the surviving mutants in `mutmut results` output."""
    return [name for name, status in statuses(results).items() if status == "survived"]


def score_line(counts: Counter[str] | dict[str, int], equivalent: int = 0, sampled_from: int = 0) -> str:
    killed, survived = counts.get("killed", 0), counts.get("survived", 0)
    checked = killed + survived
    percent = 100 * killed / checked if checked else 0.0
    others = {k: counts.get(k, 0) for k in ("no tests", "timeout", "suspicious", "skipped") if counts.get(k, 0)}
    extra = "".join(f", {k} {v}" for k, v in others.items())
    line = f"mutation score: {killed} killed / {checked} checked = {percent:.1f}% ({survived} survived{extra})"
    if sampled_from and checked:
        margin = 196 * math.sqrt(percent / 100 * (1 - percent / 100) / checked)  # normal approximation, in points
        line += f"; a random sample of {sampled_from} mutants: 95% interval {percent - margin:.1f}-{min(100.0, percent + margin):.1f}%"
    if equivalent:
        rest = checked - equivalent
        line += (f"; {equivalent} survivors reviewed as equivalent, so {killed} killed / {rest} = "
                 f"{100 * killed / rest if rest else 0.0:.1f}% of the mutants that change behaviour")
    return line


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


def sample(names: list[str], size: int, seed: int) -> list[str]:
    return sorted(random.Random(seed).sample(sorted(names), min(size, len(names))))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m offline.mutation", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", type=int, help="print a random sample of this many mutant names (from `mutmut results --all true` on stdin)")
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args(argv)
    if args.sample:
        print("\n".join(sample(list(statuses(sys.stdin.read())), args.sample, args.seed)))
        return 0
    if not RESULTS.exists():
        print("no mutmut results: run `make mutation` first", file=sys.stderr)
        return 2
    status = statuses(RESULTS.read_text())
    chosen = SAMPLED.read_text().split() if SAMPLED.exists() else []
    if chosen:
        status = {name: status[name] for name in chosen if name in status}
    reviewed = equivalents(EQUIVALENTS.read_text()) if EQUIVALENTS.exists() else {}
    surviving = [name for name, s in status.items() if s == "survived"]
    unreviewed = [name for name in surviving if name not in reviewed]
    print(score_line(Counter(status.values()), sum(name in reviewed for name in surviving), len(chosen)))
    if unreviewed:
        print(f"{len(unreviewed)} survivors not reviewed (kill them with a test, or list them in {EQUIVALENTS.name} with why):")
        print("\n".join(f"  {name}" for name in unreviewed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
