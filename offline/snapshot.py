"""The replacement guard: what each shipped stack's resources are called, and the inputs that replace them.

A resource's identity is its URN without stack and project (parent types + type + name): change it and
Pulumi deletes and recreates the resource unless an alias points back. Azure replaces a resource when its
name, resource group or location changes, and some resources on more (REPLACING_FIELDS). The committed
snapshot (tests/snapshots/<stack>.json) holds both; a test fails on any difference not covered by an
alias, so a replacement is always a deliberate `make snapshot`.

    python -m offline.snapshot            # compare every stack with its snapshot
    python -m offline.snapshot --write    # refresh the snapshots (make snapshot)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from offline.mocks import Registration, redact
from offline.preview import preview

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOTS = ROOT / "tests" / "snapshots"
# Inputs whose change makes Azure (or AKS) replace the resource, beyond names, group and location.
REPLACING_FIELDS = {
    # Plugin, CIDRs, dnsServiceIP, outboundType; the DNS prefix (or subdomain) and the private API server's zone.
    "azure-native:containerservice:ManagedCluster": ["networkProfile", "dnsPrefix", "fqdnSubdomain", "apiServerAccessProfile"],
    "azure-native:network:VirtualNetwork": ["addressSpace"],
    "azure-native:network:Subnet": ["addressPrefix"],
    "azure-native:network:VirtualNetworkGateway": ["gatewayType", "vpnType"],
}


def identity(r: Registration) -> str:
    return r.urn.split("::", 2)[2]


def replacing_inputs(r: Registration) -> dict[str, Any]:
    if not r.type.startswith("azure-native:"):
        return {}
    keys = [k for k, v in r.inputs.items() if (k.endswith("Name") and isinstance(v, str)) or k == "location"]
    keys += [k for k in REPLACING_FIELDS.get(r.type, []) if k in r.inputs]
    return {k: redact(r.inputs[k]) for k in sorted(keys)}


def snapshot_of(registrations: list[Registration]) -> dict[str, dict[str, Any]]:
    return {identity(r): replacing_inputs(r) for r in registrations}


def _aliased(old: str, registrations: list[Registration]) -> bool:
    """True when a current resource carries an alias naming the old identity (same name and type)."""
    old_chain, old_name = old.rsplit("::", 1)
    old_type = old_chain.split("$")[-1]
    for r in registrations:
        for alias in r.aliases:
            spec = alias.get("spec", {})
            if alias.get("urn", "").endswith(f"::{old}"):
                return True
            if spec.get("name", r.name) == old_name and spec.get("type", r.type) == old_type:
                return True
    return False


def differences(stack: str, registrations: list[Registration], saved: dict[str, dict[str, Any]]) -> list[str]:
    current = snapshot_of(registrations)
    out = []
    for old in sorted(set(saved) - set(current)):
        if not _aliased(old, registrations):
            out.append(f"{stack}: {old} would be deleted (renamed or moved without an alias)")
    for key in sorted(set(saved) & set(current)):
        for field in sorted(set(saved[key]) | set(current[key])):
            if saved[key].get(field) != current[key].get(field):
                out.append(f"{stack}: {key} would be replaced: {field} {json.dumps(saved[key].get(field))} -> {json.dumps(current[key].get(field))}")
    for new in sorted(set(current) - set(saved)):
        out.append(f"{stack}: {new} is new (refresh the snapshot to accept it)")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m offline.snapshot", description="the replacement guard")
    parser.add_argument("--write", action="store_true", help="refresh tests/snapshots/<stack>.json")
    args = parser.parse_args(argv)
    stacks = sorted(p.name[len("Pulumi."):-len(".yaml")] for p in ROOT.glob("Pulumi.*.yaml"))
    problems = []
    for stack in stacks:
        result = preview(stack, ROOT)
        if result.errors:
            problems += [f"{stack}: {e}" for e in result.errors]
            continue
        path = SNAPSHOTS / f"{stack}.json"
        if args.write:
            SNAPSHOTS.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(snapshot_of(result.registrations), indent=1, sort_keys=True) + "\n")
            print(f"wrote {path.relative_to(ROOT)} ({len(result.registrations)} resources)")
        else:
            saved = json.loads(path.read_text()) if path.exists() else {}
            problems += differences(stack, result.registrations, saved)
    print("\n".join(problems) or "no replacements")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
