"""Offline StackReferences: an attaching stack's hub stack, evaluated offline from its own config in the repository.

The program reads its hub stack with a plain `pulumi.StackReference` (components/hub_reference.py). Under the offline
preview there is no backend: `hub_for()` finds the referenced stack's file in this repository, runs the offline preview
of that stack (recursively, through offline.preview), and hands its outputs to the recording mocks, which answer the
StackReference read with them. A reference to another project, a stack file that doesn't exist or doesn't evaluate, or a
cycle of references is a StackReferenceError naming the key and the reason, before anything is registered.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from netaddr import IPNetwork

from config.attach import ATTACH_KEY, CONTRACT_OUTPUT, HubContext, hub_context
from config.loader import parse_stack
from config.model import StackConfig
from config.topology import firewall_private_ip
from offline.mocks import Registration

_resolving: list[str] = []  # the chain being resolved, to refuse a cycle
_cache: dict[tuple[str, str, str], dict[str, Any]] = {}


class StackReferenceError(Exception):
    """A StackReference the offline preview can't resolve from the repository."""


def _repository_digest(project_dir: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(project_dir.glob("Pulumi*.yaml")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def resolve(reference: str, project_dir: Path, attaching_stack: str) -> dict[str, Any]:
    """The outputs of the repository stack `reference` (organization/project/stack) names, evaluated offline."""
    from offline.preview import preview  # noqa: PLC0415 - preview imports this module

    parts = reference.split("/")
    project = (yaml.safe_load((project_dir / "Pulumi.yaml").read_text()) or {}).get("name")
    where = f"{attaching_stack}: {ATTACH_KEY} '{reference}'"
    if len(parts) != 3:
        raise StackReferenceError(f"{where} is not organization/project/stack")
    _, ref_project, ref_stack = parts
    if ref_project != project:
        raise StackReferenceError(f"{where} names project '{ref_project}', not this repository's '{project}': the offline "
                                  "preview resolves only this repository's stacks (`pulumi preview` reads it from the backend)")
    if not (project_dir / f"Pulumi.{ref_stack}.yaml").exists():
        known = sorted(p.name[len("Pulumi."):-len(".yaml")] for p in project_dir.glob("Pulumi.*.yaml"))
        raise StackReferenceError(f"{where}: no stack file Pulumi.{ref_stack}.yaml in this repository, so nothing to attach "
                                  f"to; stacks here: {', '.join(known)}")
    if ref_stack in _resolving or ref_stack == attaching_stack:
        raise StackReferenceError(f"{where} closes a cycle of references ({' -> '.join([*_resolving, attaching_stack, ref_stack])})")
    key = (str(project_dir), ref_stack, _repository_digest(project_dir))
    if key not in _cache:
        _resolving.append(attaching_stack)
        try:
            result = preview(ref_stack, project_dir)
        finally:
            _resolving.pop()
        if result.errors:
            raise StackReferenceError(f"{where}: stack '{ref_stack}' does not evaluate offline, so its outputs are unknown:\n"
                                      + "\n".join(f"    {error}" for error in result.errors))
        _cache[key] = {name: value for name, (value, _) in result.outputs.items()}
    return _cache[key]


def hub_for(stack: str, project_dir: Path, config: Mapping[str, str]) -> tuple[HubContext | None, dict[str, dict[str, Any]]]:
    """For an attaching stack: its hub context and the StackReference answers the mocks give; (None, {}) otherwise.
    Raises StackReferenceError (unresolvable) or ConfigError (no or unreadable `connectivity` output)."""
    shape = parse_stack(config)
    if shape.attach is None:
        return None, {}
    reference = shape.attach.hub_stack
    outputs = resolve(reference, project_dir, stack)
    return hub_context(reference, outputs.get(CONTRACT_OUTPUT), stack), {reference: outputs}


def attachment_lines(hub: HubContext | None, stack: StackConfig | None, registrations: Sequence[Registration]) -> list[str]:
    """What joins this stack to its hub stack: the peerings (both sides), and what the hub stack routes and allows for it."""
    if hub is None or stack is None:
        return []
    me = hub.attaching_stack
    gateways = [kind for kind, present in (("VPN", hub.gateways.vpn), ("ExpressRoute", hub.gateways.express_route)) if present]
    out = [f"  hub stack {hub.reference} ({hub.location}): VNet {hub.ids.get('vnetName')} "
           f"{', '.join(hub.hub.address_space)} in subscription {hub.ids.get('subscriptionId')}; gateways: "
           f"{', '.join(gateways) or 'none'}; firewall: {firewall_private_ip(hub.hub) or 'none'}"]
    providers = {r.urn: r for r in registrations if r.type == "pulumi:providers:azure-native"}
    for r in registrations:
        if r.type != "azure-native:network:VirtualNetworkPeering":
            continue
        provider = providers.get(r.provider.rsplit("::", 1)[0]) if r.provider else None
        via = f" via provider {provider.name} (subscription {provider.inputs.get('subscriptionId')})" if provider else ""
        out.append(f"  peering {r.name}: {r.inputs.get('virtualNetworkName')} -> {r.get('remoteVirtualNetwork.id')}{via}; "
                   f"allowGatewayTransit={r.inputs.get('allowGatewayTransit')} useRemoteGateways={r.inputs.get('useRemoteGateways')}"
                   f"{' after ' + ', '.join(d.rsplit('::', 1)[-1] for d in r.dependencies) if r.dependencies else ''}")
    mine = [IPNetwork(p) for spoke in stack.spokes for p in spoke.address_space]
    mine += [IPNetwork(p) for site in stack.sites for p in site.address_prefixes]
    for route in hub.routes:
        if route.stack == me:
            out.append(f"  route on the hub's GatewaySubnet (stack '{hub.stack}'): {route.prefix} -> firewall "
                       f"{firewall_private_ip(hub.hub)} ({route.name})")
    for flow in hub.flows:
        ends = [IPNetwork(c) for c in [*flow.sources, *flow.destinations] if "/" in c]
        if flow.stack == me or any(a.first <= b.last and b.first <= a.last for a in ends for b in mine):
            out.append(f"  flow through the hub firewall (stack '{hub.stack}'): {flow.name}: {', '.join(flow.sources)} -> "
                       f"{', '.join(flow.destinations)} {'/'.join(flow.protocols)} {', '.join(flow.ports)}")
    for site in stack.sites:
        connected = hub.site(site.name)
        if connected is not None:
            kinds = [k for k, v in (("VPN", connected.vpn), ("ExpressRoute", connected.express_route)) if v]
            out.append(f"  site {site.name} {', '.join(site.address_prefixes)}: connected by stack '{hub.stack}' "
                       f"({' and '.join(kinds)}, {', '.join(connected.address_prefixes)})")
    return out
