"""checkov's kubernetes checks over every rendered Kubernetes object of every shipped stack, with its downloads off.

    python -m offline.k8s_scan --checkov .venv-checkov/bin/checkov

Each stack's Kubernetes registrations (as the offline preview records them) are written as manifests; checkov runs
over them offline (--skip-download); a failed check not in ACCEPTED (the README lists each with its reason) fails.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from offline.mocks import unwrap
from offline.preview import preview

ROOT = Path(__file__).resolve().parent.parent
# check id -> why the shipped stacks keep it (README "Kubernetes scan").
ACCEPTED: dict[str, str] = {
    "CKV_K8S_43": "images by tag, not digest: the example stacks pull public tags; the advisory policy k8s-image-pinned-by-digest warns",
    "CKV_K8S_21": "the default namespace: dev and site-singapore put their example services there (the namespace key moves them)",
}


def _ints(value: object) -> object:
    """Wire numbers are floats (10001.0): give checkov the integers Kubernetes receives."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _ints(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_ints(v) for v in value]
    return value


def manifests(stack: str) -> list[dict]:
    result = preview(stack, ROOT)
    out = []
    for r in result.registrations:
        if not r.custom or not r.type.startswith("kubernetes:") or r.type == "pulumi:providers:kubernetes":
            continue
        group_version, kind = r.type.split(":", 1)[1].rsplit(":", 1)
        api_version = group_version.removeprefix("core/")
        out.append({"apiVersion": api_version, "kind": kind, **{k: _ints(v) for k, v in unwrap(r.inputs).items() if k not in ("apiVersion", "kind")}})
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m offline.k8s_scan")
    parser.add_argument("--checkov", default="checkov")
    args = parser.parse_args(argv)
    stacks = sorted(p.name[len("Pulumi."):-len(".yaml")] for p in ROOT.glob("Pulumi.*.yaml"))
    with tempfile.TemporaryDirectory() as directory:
        count = 0
        for stack in stacks:
            for i, manifest in enumerate(manifests(stack)):
                Path(directory, f"{stack}-{i:02d}-{manifest['kind'].lower()}.yaml").write_text(yaml.safe_dump(manifest))
                count += 1
        run = subprocess.run([args.checkov, "-d", directory, "--framework", "kubernetes", "--skip-download", "--quiet",
                              "--compact", "-o", "json"], capture_output=True, text=True, check=False)
    report = json.loads(run.stdout or "{}")
    reports = report if isinstance(report, list) else [report]
    failed = [(c["check_id"], c["check_name"], c["file_path"]) for r in reports for c in r.get("results", {}).get("failed_checks", [])]
    passed = sum(len(r.get("results", {}).get("passed_checks", [])) for r in reports)
    unexpected = [f for f in failed if f[0] not in ACCEPTED]
    print(f"checkov kubernetes: {count} objects of {len(stacks)} stacks, {passed} passed, {len(failed)} failed "
          f"({len(failed) - len(unexpected)} accepted)")
    for check_id, name, path in failed:
        print(f"  {'accepted' if check_id in ACCEPTED else 'FAILED'} {check_id} {name} {path}")
    return 1 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
