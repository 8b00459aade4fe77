"""`make bench`: evaluation cost at 1-500 spokes against an SDK baseline, plus the plan check and critical path.

Per size, in fresh processes (so peak memory is per run):
- project: the real __main__.py on a synthetic stack (offline/synthetic.py) under the recording mocks;
- baseline: the same resource types, names and inputs registered directly with the SDK classes, under the
  same mocks, with no components, config or checks: the ratio of the two per resource is the project's
  own overhead;
- the address-plan check alone (load + check of the config).
Then the critical-path ratio of the dev and prod stacks. The last line is the summary the issue asks for.
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SIZES = (1, 10, 50, 200, 500)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# Imported before timing in both modes, so neither run pays for module loading.
SDK_MODULES = [
    *(f"pulumi_azure_native.{m}" for m in ("resources", "network", "dnsresolver", "privatedns", "containerservice",
                                           "managedidentity", "authorization")),
    *(f"pulumi_kubernetes.{m}" for m in ("core.v1", "apps.v1", "discovery.v1", "meta.v1")),
]
PROJECT_MODULES = ["config", "components.hub", "components.spoke", "components.gateways", "components.aks_cluster"]


def run_project(spokes: int, dump: Path) -> dict[str, Any]:
    from offline.mocks import install, run_program, unwrap
    from offline.synthetic import synthetic_raw, synthetic_secrets

    for module in [*SDK_MODULES, *PROJECT_MODULES]:
        importlib.import_module(module)

    secrets = synthetic_secrets(spokes)
    mocks = install(config={**synthetic_raw(spokes), **secrets}, secret_keys=list(secrets))
    started = time.perf_counter()
    run_program(ROOT / "__main__.py", mocks)
    seconds = time.perf_counter() - started
    customs = [r for r in mocks.registrations if r.custom]
    dump.write_text(json.dumps([{"type": r.type, "name": r.name, "inputs": unwrap(r.inputs)} for r in customs]))
    return {"resources": len(customs), "seconds": seconds, "peak_mb": _peak_mb()}


def _sdk_class(type_: str) -> Any:
    package, module, name = type_.split(":")
    if package == "pulumi" and module == "providers":
        return importlib.import_module(f"pulumi_{name}").Provider
    if package == "kubernetes":
        group, version = module.split("/")
        return getattr(importlib.import_module(f"pulumi_kubernetes.{group.split('.')[0]}.{version}"), name)
    return getattr(importlib.import_module(f"pulumi_azure_native.{module}"), name)


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def run_baseline(dump: Path) -> dict[str, Any]:
    import pulumi._types as pulumi_types

    from offline.mocks import install, run

    records = json.loads(dump.read_text())
    for module in SDK_MODULES:
        importlib.import_module(module)
    mocks = install()
    classes = {r["type"]: _sdk_class(r["type"]) for r in records}

    def kwargs_for(cls: Any, inputs: dict[str, Any]) -> dict[str, Any]:
        args_class = getattr(importlib.import_module(cls.__module__), f"{cls.__name__}Args", None)
        known = {v: k for k, v in pulumi_types.input_type_py_to_pulumi_names(args_class).items()} if args_class else {}
        out = {}
        for key, value in inputs.items():
            name = known.get(key) or _snake(key)
            out["resource_name_" if name == "resource_name" else name] = value
        return out

    def program() -> None:
        for record in records:
            cls = classes[record["type"]]
            cls(record["name"], **kwargs_for(cls, record["inputs"]))

    started = time.perf_counter()
    run(program, mocks)
    seconds = time.perf_counter() - started
    return {"resources": len(mocks.registrations), "seconds": seconds, "peak_mb": _peak_mb()}


def plan_check_seconds(spokes: int) -> float:
    from config import load_stack
    from offline.synthetic import synthetic_raw, synthetic_secrets

    secrets = synthetic_secrets(spokes)
    raw = {**synthetic_raw(spokes), **secrets}
    started = time.perf_counter()
    load_stack(raw, set(secrets))
    return time.perf_counter() - started


def _child(*args: str) -> dict[str, Any]:
    output = subprocess.run([sys.executable, "-m", "offline.bench", *args], cwd=ROOT, check=True, capture_output=True, text=True)
    return dict(json.loads(output.stdout.strip().splitlines()[-1]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m offline.bench")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--child", nargs=2, metavar=("MODE", "ARG"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        mode, arg = args.child
        result = run_project(int(arg.split(":")[0]), Path(arg.split(":")[1])) if mode == "project" else run_baseline(Path(arg))
        print(json.dumps(result))
        return 0

    from offline.preview import preview

    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"{'spokes':>6} {'resources':>9} {'seconds':>8} {'ms/res':>7} {'peak MB':>8} {'base s':>7} {'base ms/res':>11} {'ratio':>6} {'plan s':>7}")
    ratios, peak_at_max, plan_at_max = [], 0.0, 0.0
    for spokes in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            dump = Path(tmp) / "registrations.json"
            project = _child("--child", "project", f"{spokes}:{dump}")
            baseline = _child("--child", "baseline", str(dump))
        per_project = project["seconds"] / project["resources"]
        per_baseline = baseline["seconds"] / baseline["resources"]
        ratio = per_project / per_baseline
        plan = plan_check_seconds(spokes)
        ratios.append(ratio)
        peak_at_max, plan_at_max = project["peak_mb"], plan
        print(f"{spokes:>6} {project['resources']:>9} {project['seconds']:>8.2f} {1000 * per_project:>7.1f} {project['peak_mb']:>8.0f} "
              f"{baseline['seconds']:>7.2f} {1000 * per_baseline:>11.1f} {ratio:>6.2f} {plan:>7.3f}", flush=True)
    critical = {stack: preview(stack, ROOT).critical_path for stack in ("dev", "prod")}
    for stack, estimate in critical.items():
        assert estimate is not None
        print(f"critical path {stack}: {estimate.longest.minutes:.1f} min, lower bound {estimate.lower_bound.minutes:.1f} min, ratio {estimate.ratio:.2f}")
    critical_max = max(e.ratio for e in critical.values() if e)
    print(f"overhead_ratio_max={max(ratios):.2f} plan_check_{sizes[-1]}_s={plan_at_max:.3f} "
          f"critical_path_ratio_max={critical_max:.2f} peak_mb_{sizes[-1]}={peak_at_max:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
