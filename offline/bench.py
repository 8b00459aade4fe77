"""`make bench`: evaluation cost at 1-500 spokes against SDK baselines, plus the plan check and critical path.

Per size, each in a fresh process (so peak memory is per run):
- project: the real __main__.py on a synthetic stack (offline/synthetic.py) under the recording mocks;
- baseline: the same resource types, names and inputs registered straight through the SDK classes, under
  the same mocks, with no components, config or checks, and with the project's one SDK-level choice (it
  drops azure-native's API-version aliases, components/common.py): project / baseline is the project's own
  overhead;
- plain SDK: the baseline without that choice, i.e. what a hand-written SDK program pays;
- the address-plan check alone (load + check of the config).
Then the critical-path ratio of the dev and prod stacks. The last line is the summary the issue asks for.
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SIZES = (1, 10, 50, 200, 500)
# Pairs of runs (project, then baseline) per size. This machine's speed drifts by tens of percent over
# minutes, so each pair's ratio is taken back to back and the median pair counts; the columns show the
# fastest run of each mode.
REPEATS = {1: 9, 10: 9, 50: 5, 200: 3}


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# Loaded before timing in every mode, so no run pays for module loading.
SDK_MODULES = [
    *(f"pulumi_azure_native.{m}" for m in ("resources", "network", "dnsresolver", "privatedns", "containerservice",
                                           "managedidentity", "authorization")),
    *(f"pulumi_kubernetes.{m}" for m in ("core.v1", "apps.v1", "discovery.v1", "meta.v1")),
]
PROJECT_MODULES = ["config", "components.hub", "components.spoke", "components.gateways", "components.aks_cluster"]


def _load(modules: list[str]) -> None:
    """Import and really load: the SDKs' modules are lazy, and load (over a second for network) on first use."""
    for name in modules:
        getattr(importlib.import_module(name), "__name__")
        getattr(importlib.import_module(name), "__all__", None)


def run_project(spokes: int, dump: Path) -> dict[str, Any]:
    from offline.mocks import install, run_program, unwrap
    from offline.synthetic import synthetic_raw, synthetic_secrets

    _load([*SDK_MODULES, *PROJECT_MODULES])
    secrets = synthetic_secrets(spokes)
    mocks = install(config={**synthetic_raw(spokes), **secrets}, secret_keys=list(secrets))
    started, cpu_started = time.perf_counter(), time.process_time()
    run_program(ROOT / "__main__.py", mocks)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    customs = [r for r in mocks.registrations if r.custom]
    dump.write_text(json.dumps([{"type": r.type, "name": r.name, "urn": r.urn, "inputs": unwrap(r.inputs),
                                 "dependencies": r.dependencies, "propertyDependencies": r.property_dependencies}
                                for r in customs]))
    return {"resources": len(customs), "seconds": seconds, "cpu_seconds": cpu_seconds, "peak_mb": _peak_mb()}


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


def run_baseline(dump: Path, trimmed: bool) -> dict[str, Any]:
    import pulumi
    import pulumi._types as pulumi_types

    from components.common import without_api_version_aliases
    from offline.mocks import install, run

    records = json.loads(dump.read_text())
    _load(SDK_MODULES)
    mocks = install()
    classes = {r["type"]: _sdk_class(r["type"]) for r in records}

    created: dict[str, Any] = {}  # project URN -> the baseline's resource

    def referenced(value: Any, urns: list[str]) -> Any:
        """The value as an Output of the resources it came from, as `rg.name` would be in a hand-written program."""
        sources = [created[urn].id for urn in urns if urn in created]
        return pulumi.Output.all(*sources).apply(lambda _: value) if sources else value

    def kwargs_for(cls: Any, record: dict[str, Any]) -> dict[str, Any]:
        args_class = getattr(importlib.import_module(cls.__module__), f"{cls.__name__}Args", None)
        known = {v: k for k, v in pulumi_types.input_type_py_to_pulumi_names(args_class).items()} if args_class else {}
        out = {}
        for key, value in record["inputs"].items():
            name = known.get(key) or _snake(key)
            out["resource_name_" if name == "resource_name" else name] = referenced(value, record["propertyDependencies"].get(key, []))
        return out

    def program() -> None:
        if trimmed:
            pulumi.runtime.register_stack_transformation(without_api_version_aliases)
        for record in records:
            cls = classes[record["type"]]
            # The same graph as the project's: data flow through inputs, and explicit depends_on for the rest.
            through_inputs = {urn for urns in record["propertyDependencies"].values() for urn in urns}
            explicit = [created[urn] for urn in record["dependencies"] if urn in created and urn not in through_inputs]
            created[record["urn"]] = cls(record["name"], **kwargs_for(cls, record),
                                         opts=pulumi.ResourceOptions(depends_on=explicit or None))

    started, cpu_started = time.perf_counter(), time.process_time()
    run(program, mocks)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    return {"resources": len(mocks.registrations), "seconds": seconds, "cpu_seconds": cpu_seconds, "peak_mb": _peak_mb()}


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
    parser.add_argument("--no-plain-sdk", action="store_true", help="skip the plain-SDK run (the slowest)")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "ARG"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        mode, arg = args.child
        if mode == "project":
            result = run_project(int(arg.split(":")[0]), Path(arg.split(":")[1]))
        else:
            result = run_baseline(Path(arg), trimmed=mode == "baseline")
        print(json.dumps(result))
        return 0

    from offline.preview import preview

    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"{'spokes':>6} {'resources':>9} {'seconds':>8} {'ms/res':>7} {'peak MB':>8} {'base s':>7} {'base ms/res':>11} "
          f"{'ratio':>6} {'sdk s':>7} {'sdk MB':>7} {'sdk/project':>11} {'plan s':>7}")
    ratios, peak_at_max, plan_at_max = [], 0.0, 0.0
    for spokes in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            dump = Path(tmp) / "registrations.json"
            projects, baselines = [], []
            for _ in range(REPEATS.get(spokes, 1)):
                projects.append(_child("--child", "project", f"{spokes}:{dump}"))
                baselines.append(_child("--child", "baseline", str(dump)))
            project, baseline = (min(runs, key=lambda run: run["seconds"]) for runs in (projects, baselines))
            plain = None if args.no_plain_sdk else _child("--child", "plain-sdk", str(dump))
        per_project = project["seconds"] / project["resources"]
        per_baseline = baseline["seconds"] / baseline["resources"]
        ratio = statistics.median((p["cpu_seconds"] / p["resources"]) / (b["cpu_seconds"] / b["resources"])
                                  for p, b in zip(projects, baselines))
        plan = plan_check_seconds(spokes)
        ratios.append(ratio)
        peak_at_max, plan_at_max = project["peak_mb"], plan
        sdk = (f"{plain['seconds']:>7.2f} {plain['peak_mb']:>7.0f} {plain['seconds'] / plain['resources'] / per_project:>11.2f}"
               if plain else f"{'-':>7} {'-':>7} {'-':>11}")
        print(f"{spokes:>6} {project['resources']:>9} {project['seconds']:>8.2f} {1000 * per_project:>7.1f} {project['peak_mb']:>8.0f} "
              f"{baseline['seconds']:>7.2f} {1000 * per_baseline:>11.1f} {ratio:>6.2f} {sdk} {plan:>7.3f}", flush=True)
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
