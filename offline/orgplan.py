"""`make plan`: every stack file of the repository checked together, and one address map of the organisation.

    python -m offline.orgplan              # the map, then every problem; exit 1 on any
    python -m offline.orgplan --order      # deploy order derived from the StackReferences, as JSON (the deploy workflow)

Each stack is checked as its own preview checks it (an attaching stack against what its hub stack will publish), then
every pair of stacks that can reach each other (one hub; or two hubs both connected to on-premises, which the corporate
WAN joins) is checked for overlaps, naming both stacks and keys. No Pulumi runtime: config/org.py only.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from netaddr import IPNetwork

from config.org import OrgPlan, StackSource, free_space, org_plan, reference_parts, repository_sources

ROOT = Path(__file__).resolve().parent.parent


def render(plan: OrgPlan) -> str:
    out = ["Stacks"]
    kinds = {"hub": "hub stack", "lab": "single-stack lab", "attached": "attaches to", "external": "attaches outside the repository to",
             "invalid": "invalid"}
    for s in plan.stacks:
        hub = f" {s.config.attach.hub_stack}" if s.config is not None and s.config.attach is not None else ""
        region = f" ({s.config.location})" if s.config is not None else ""
        out.append(f"  {s.name:<16} {kinds[s.kind]}{hub}{region}")
    out += ["", "Address map (who owns which range)"]
    header = ("range", "stack", "hub", "region", "kind", "owner", "key")
    group = {s.name: s.group for s in plan.stacks}
    rows = [header] + [(r.cidr, r.stack, group[r.stack], r.region, r.kind, r.owner, r.key)
                       for r in sorted(plan.ranges, key=lambda r: (IPNetwork(r.cidr).first, r.stack))]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    out += ["  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
    out += ["", "Free space per region (Azure VNets; the first free /16s in the block that covers the region's VNets)"]
    for region in sorted({r.region for r in plan.ranges if r.kind == "vnet"}):
        used, free = free_space(plan.ranges, region)
        out.append(f"  {region:<14} uses {', '.join(used)}; free: {', '.join(free) or 'none in that block'}")
    out.append("")
    if plan.problems:
        out.append(f"{len(plan.problems)} problem(s)")
        out += [f"- {p}" for p in plan.problems]
    else:
        out.append(f"{len(plan.stacks)} stacks, {len(plan.ranges)} ranges: no overlap between stacks that reach each other")
    return "\n".join(out)


def deploy_order(sources: list[StackSource], project: str) -> dict[str, list[dict[str, object]]]:
    """Two waves of matrix entries, from the StackReferences: the stacks that own a hub first, then every stack
    attaching to one of them, in parallel. `in_cluster`: the stack builds Kubernetes objects (an AKS spoke, the
    in-cluster part on), so its job runs on the runner inside the network."""
    from config.loader import parse_stack

    waves: dict[str, list[dict[str, object]]] = {"hubs": [], "attached": []}
    for source in sorted(sources, key=lambda s: s.name):
        shape = parse_stack(source.raw)
        in_cluster = shape.kubernetes.enabled and any(spoke.aks is not None for spoke in shape.spokes)
        attached = shape.attach is not None and reference_parts(shape.attach.hub_stack)[1] == project
        waves["attached" if attached else "hubs"].append({"stack": source.name, "in_cluster": in_cluster})
    return waves


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m offline.orgplan", description=__doc__.split("\n\n")[0])
    parser.add_argument("--order", action="store_true", help="print the deploy waves as JSON and exit")
    parser.add_argument("--project-dir", default=str(ROOT), type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    project, sources = repository_sources(args.project_dir)
    if args.order:
        print(json.dumps(deploy_order(sources, project)))
        return 0
    plan = org_plan(sources, project)
    print(render(plan))
    return 1 if plan.problems else 0


if __name__ == "__main__":
    sys.exit(main())
