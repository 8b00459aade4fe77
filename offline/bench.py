"""`make bench`: what a whole offline preview costs, against a verified bare program doing the same registrations.

    python -m offline.bench            # 10, 50, 200, 500 spokes (12-15 minutes on a 2-core machine)
    python -m offline.bench --readme   # the same, then the tables replace README.md's bench block
    BENCH_QUICK=1 python -m offline.bench   # a smoke run: 10 and 50 spokes, 2 repeats, linearity at 50/200

Per size, on a synthetic stack (offline/synthetic.py) written as a project directory:
1. verify (before any timing): run the project's preview once, generate the bare program from what it
   registered (offline/bare.py) and run that under the same mocks; the bench stops unless both register
   the same resources, inputs, dependencies, providers and options;
2. time whole processes, as a user pays them: `python -m offline.preview --stack bench` (what `make preview`
   runs: interpreter start, imports, config, the program, policies, critical path, rendering) and
   `python -m offline.bare run bare.py` (interpreter start, imports, the registrations). N rounds, the
   order of the modes rotating each round, so the machine's drift hits every mode alike. A third mode,
   bare+gc, is the bare program with the project's garbage-collector tuning: it shows how much of the
   project's lead is that tuning and what it costs in memory.
Each process's CPU seconds (user + system) and peak RSS come from wait4(); seconds are CPU seconds (the
process is single-threaded, so on an idle machine wall time is the same), every cell is the median of the
N runs with [min-max]; a ratio is the median of the rounds' paired ratios.

Then the linearity figures: the project's own steps (plan check, address-plan table, policies, critical
path, rendering), the fastest of 5 runs each with the collector paused, at 125 and 500 spokes (500 peerings is
the most a hub VNet takes, so the limit check refuses a 2,000-spoke stack); the time per spoke at 500 over that
at 125 is about 1 for a linear step and 4 for a quadratic one. Last,
the critical path of the dev and prod stacks, and the summary line (plan_check_500_s is the fastest load
and check of the config).
"""

from __future__ import annotations

import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from config.readme import replace_block

ROOT = Path(__file__).resolve().parent.parent
QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
SIZES = (10, 50) if QUICK else (10, 50, 200, 500)
REPEATS = {10: 2, 50: 2} if QUICK else {10: 7, 50: 5, 200: 3, 500: 3}
LINEAR_SIZES = (50, 200) if QUICK else (125, 500)  # a hub takes at most 500 peerings (azure-subscription-service-limits)
STACK = "bench"
MODES = ("project", "bare", "bare+gc")


@dataclass
class Run:
    mode: str
    cpu: float
    wall: float
    mib: float


def _command(mode: str, directory: Path) -> list[str]:
    if mode == "project":
        return [sys.executable, "-m", "offline.preview", "--stack", STACK, "--project-dir", str(directory)]
    program = directory / ("bare_gc.py" if mode == "bare+gc" else "bare.py")
    return [sys.executable, "-m", "offline.bare", "run", str(program), "--stack", STACK]


def timed(mode: str, directory: Path) -> Run:
    """One whole process: CPU seconds and peak RSS from wait4, wall seconds around it."""
    with tempfile.TemporaryFile() as stderr:  # a file, not a pipe: a chatty child can't block before wait4
        started = time.perf_counter()
        process = subprocess.Popen(_command(mode, directory), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=stderr)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            stderr.seek(0)
            raise SystemExit(f"{mode} at {directory} exited {process.returncode}: {stderr.read().decode()[-2000:]}")
    return Run(mode, usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss / 1024)


# --- children (each in its own process, so memory and gc state are their own) ---------------------------


def verify(directory: Path) -> dict[str, Any]:
    """Preview the project once, generate the bare programs, and prove they register the same things."""
    from offline.bare import compare, generate, recorded_states, run_bare
    from offline.preview import preview

    result = preview(STACK, directory)
    if result.exit_code != 0:
        return {"problems": [*result.errors, *map(str, result.mandatory_violations)]}
    states = recorded_states()
    bare = generate(result.registrations, states)
    (directory / "bare.py").write_text(bare.source)
    (directory / "bare_gc.py").write_text(generate(result.registrations, states, tune_gc=True).source)
    problems = compare(result.registrations, run_bare(directory / "bare.py", STACK))
    problems += [f"bare+gc: {p}" for p in compare(result.registrations, run_bare(directory / "bare_gc.py", STACK))]
    return {"resources": bare.resources, "wrapped": bare.wrapped_inputs, "depends_on": bare.explicit_depends_on,
            "outputs": bare.outputs_passed, "problems": problems}


def phases(directory: Path, repeats: int = 5) -> dict[str, float]:
    """The project's own steps of a preview, each timed `repeats` times with the collector paused (as timeit
    does), the fastest counting: the steps are deterministic and the machine's noise only ever adds, so this
    shows how a step's own work grows (the collector's share is in the whole-preview table)."""
    import config.loader
    from config import load_stack
    from config.plan import address_plan_rows
    from offline.critical_path import estimate
    from offline.preview import _policy_record, preview, read_stack_file, render_text
    from policy.evaluate import evaluate, load_levels

    def fastest(step: Any) -> float:
        times = []
        for _ in range(repeats):
            config.loader._load_once.cache_clear()  # time the parse and check, not the memo
            gc.disable()
            started = time.perf_counter()
            step()
            times.append(time.perf_counter() - started)
            gc.enable()
        return min(times)

    stack_file = read_stack_file(directory, STACK)
    stack = load_stack(stack_file.config, stack_file.secret_keys)
    result = preview(STACK, directory)  # the program tunes the collector for the rest of this process, as in a preview
    assert result.exit_code == 0, result.errors
    records = [_policy_record(r) for r in result.registrations]
    return {"plan_check": fastest(lambda: load_stack(stack_file.config, stack_file.secret_keys)),
            "plan_rows": fastest(lambda: address_plan_rows(stack)),
            "policies": fastest(lambda: evaluate(records, load_levels(STACK))),
            "critical_path": fastest(lambda: estimate(result.registrations)),
            "render": fastest(lambda: render_text(result)),
            "resources": sum(1 for r in result.registrations if r.custom)}


def _child(*args: str) -> dict[str, Any]:
    output = subprocess.run([sys.executable, "-m", "offline.bench", *args], cwd=ROOT, capture_output=True, text=True)
    if output.returncode != 0:
        raise SystemExit(f"bench child {args} failed: {output.stderr[-3000:]}")
    return dict(json.loads(output.stdout.strip().splitlines()[-1]))


# --- the report -------------------------------------------------------------------------------------------


def _spread(values: list[float], digits: int = 2) -> str:
    return f"{statistics.median(values):.{digits}f} [{min(values):.{digits}f}-{max(values):.{digits}f}]"


def _ratios(runs: list[dict[str, Run]], over: str) -> list[float]:
    return [round_["project"].cpu / round_[over].cpu for round_ in runs]


def _write_readme(report: list[str]) -> None:
    """Replace the README's bench block with this run's tables (python -m offline.bench --readme)."""
    readme = ROOT / "README.md"
    readme.write_text(replace_block(readme.read_text(), "<!-- bench:start -->", "<!-- bench:end -->", "\n".join([*report, "```"])))


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["--verify"]:
        print(json.dumps(verify(Path(args[1]))))
        return 0
    if args[:1] == ["--phases"]:
        print(json.dumps(phases(Path(args[1]))))
        return 0

    from offline.preview import preview
    from offline.synthetic import write_project

    update_readme = "--readme" in args

    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs; seconds are CPU seconds of the whole process, "
          "median [min-max] of N rounds; ratios are medians of the rounds' paired ratios", flush=True)
    header = ("spokes", "resources", "N", "project s", "project MiB", "bare s", "bare MiB", "project/bare",
              "bare+gc s", "bare+gc MiB", "project/bare+gc")
    rows: list[tuple[str, ...]] = []
    summary: dict[int, tuple[float, float]] = {}
    with tempfile.TemporaryDirectory(prefix="hybrid-aks-bench-") as tmp:
        for spokes in SIZES:
            directory = write_project(Path(tmp) / str(spokes), spokes, STACK)
            check = _child("--verify", str(directory))
            if check["problems"]:
                print(f"{spokes} spokes: the bare program does not register what the project does:", *check["problems"][:20], sep="\n  ")
                return 1
            print(f"{spokes} spokes: bare program verified: {check['resources']} resources, {check['outputs']} inputs passed as "
                  f"another resource's Output, {check['depends_on']} explicit depends_on, {check['wrapped']} untraceable "
                  "input(s) wrapped in Output.all(...).apply", flush=True)
            rounds: list[dict[str, Run]] = []
            for k in range(REPEATS[spokes]):
                order = MODES[k % len(MODES):] + MODES[:k % len(MODES)]
                rounds.append({mode: timed(mode, directory) for mode in order})
            by_mode = {mode: [r[mode] for r in rounds] for mode in MODES}
            cpu = {mode: [run.cpu for run in runs] for mode, runs in by_mode.items()}
            mib = {mode: [run.mib for run in runs] for mode, runs in by_mode.items()}
            ratio, ratio_gc = _ratios(rounds, "bare"), _ratios(rounds, "bare+gc")
            rows.append((str(spokes), str(check["resources"]), str(len(rounds)),
                         _spread(cpu["project"]), f"{statistics.median(mib['project']):.0f}",
                         _spread(cpu["bare"]), f"{statistics.median(mib['bare']):.0f}", _spread(ratio),
                         _spread(cpu["bare+gc"]), f"{statistics.median(mib['bare+gc']):.0f}", _spread(ratio_gc)))
            summary[spokes] = (statistics.median(ratio), statistics.median(mib["project"]))
            wall = statistics.median(run.wall for run in by_mode["project"])
            print(f"{spokes} spokes: project {_spread(cpu['project'])} s CPU (wall median {wall:.2f} s), "
                  f"bare {_spread(cpu['bare'])} s, project/bare {_spread(ratio)}", flush=True)

        linear: dict[int, dict[str, float]] = {}
        for spokes in LINEAR_SIZES:
            linear[spokes] = _child("--phases", str(write_project(Path(tmp) / f"linear-{spokes}", spokes, STACK)))

    report = ["| " + " | ".join(header) + " |", "| " + " | ".join("---:" for _ in header) + " |"]
    report += ["| " + " | ".join(row) + " |" for row in rows]
    small, large = LINEAR_SIZES
    report += ["", f"| step | {small} spokes s | {large} spokes s | per spoke, {large} / {small} |", "| --- | ---: | ---: | ---: |"]
    for step in ("plan_check", "plan_rows", "policies", "critical_path", "render"):
        a, b = linear[small][step], linear[large][step]
        report.append(f"| {step.replace('_', ' ')} | {a:.3f} | {b:.3f} | {(b / large) / (a / small):.2f} |")
    report += ["", "```text"]
    critical = {stack: preview(stack, ROOT).critical_path for stack in ("dev", "prod")}
    for stack, estimate in critical.items():
        assert estimate is not None
        report.append(f"critical path {stack}: {estimate.longest.minutes:.1f} min, lower bound {estimate.lower_bound.minutes:.1f} min, "
                      f"ratio {estimate.ratio:.2f}")
    critical_max = max(e.ratio for e in critical.values() if e)
    last = SIZES[-1]
    plan_at = linear[last]["plan_check"]  # LINEAR_SIZES ends at the largest timed size
    report.append(f"overhead_ratio_max={max(r for r, _ in summary.values()):.2f} plan_check_{last}_s={plan_at:.3f} "
                  f"critical_path_ratio_max={critical_max:.2f} peak_mb_{last}={summary[last][1]:.0f}")
    print("", *report[:-1], sep="\n")
    if update_readme:
        _write_readme(report)
    print(report[-1])  # the summary line stays the last line
    return 0


if __name__ == "__main__":
    sys.exit(main())
