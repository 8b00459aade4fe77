"""The organisation: every stack file of the repository, which hub each attaches to, and one address plan across them.

Pure Python over the stacks' raw config (as Pulumi passes it). Three kinds of stack run the same program:

- a single-stack lab owns a hub and its spokes, and nothing attaches to it (dev);
- a hub stack owns a hub that other stacks attach to (prod: the connectivity stack of westeurope);
- an attaching stack (hybrid-aks:attach.hubStack) peers its spokes into that hub, or runs a site's AKS Arc cluster
  reached through the hub's connection to the site (a landing zone, a site).

A hub stack reads the stacks attaching to it from the repository (`attached_to`) when it runs, and adds what Azure wants
on hub objects for each: GatewaySubnet's route to each attached spoke through the firewall (a peering's system route is
as specific as the spoke's space, so only a route per spoke overrides it), the firewall rules of its flows, AKS egress
for its node subnets, the API-server zone its clusters use. It publishes the resulting `connectivity` contract
(`hub_contract`); the attaching stacks check their plans against it. `org_plan` checks everything together.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import islice
from typing import Any

from netaddr import IPAddress, IPNetwork, IPSet, cidr_merge, spanning_cidr

from config.attach import (
    HubContext, PublishedFlow, PublishedRange, PublishedRoute, contract_document, hub_context,
)
from config.loader import load_stack, parse_stack
from config.model import Flow, FlowEnd, Spoke, StackConfig
from config.problems import ConfigError, Problem, key_of
from config.topology import firewall_flows, firewall_routed_prefixes, hub_api_zone_key

# Azure limits that bind first as stacks attach to one hub (azure-subscription-service-limits: networking limits).
MAX_PEERINGS_PER_VNET = 500  # virtual network peerings per virtual network
MAX_ROUTES_PER_TABLE = 400  # routes per route table


@dataclass(frozen=True)
class StackSource:
    """One stack file of the repository: its name and its config as Pulumi passes it to the program."""

    name: str
    raw: Mapping[str, Any]


@dataclass(frozen=True)
class Attached:
    name: str  # stack name
    config: StackConfig  # shape-checked (its own plan is checked against the hub's contract when it runs)


def reference_parts(reference: str) -> tuple[str, str, str]:
    org, project, stack = reference.split("/")
    return org, project, stack


def attached_to(project: str, hub_stack: str, sources: Iterable[StackSource]) -> list[Attached]:
    """The repository's stacks whose hybrid-aks:attach.hubStack names <any org>/<project>/<hub_stack>, by name."""
    out = []
    for source in sorted(sources, key=lambda s: s.name):
        try:
            config = parse_stack(source.raw)
        except ConfigError:
            continue  # a stack file that doesn't parse fails its own preview and `make plan`, not its hub's run
        if config.attach is not None and reference_parts(config.attach.hub_stack)[1:] == (project, hub_stack):
            out.append(Attached(source.name, config))
    return out


def _renamed(stack_name: str, spoke_names: set[str], end: FlowEnd) -> FlowEnd:
    return end.model_copy(update={"spoke": f"{stack_name}-{end.spoke}"}) if end.spoke in spoke_names else end


def attached_view(stack: StackConfig, attached: Attached) -> StackConfig:
    """One attached stack's spokes and flows as the hub stack sees them: names prefixed with the stack's name (two
    landing zones may each call their spoke 'aks'), on the hub stack's hub, gateways and sites."""
    names = {spoke.name for spoke in attached.config.spokes}
    spokes: list[Spoke] = [spoke.model_copy(update={"name": f"{attached.name}-{spoke.name}"}) for spoke in attached.config.spokes]
    flows: list[Flow] = [flow.model_copy(update={
        "name": f"{attached.name}-{flow.name}", "source": _renamed(attached.name, names, flow.source),
        "destination": _renamed(attached.name, names, flow.destination)}) for flow in attached.config.flows]
    return stack.model_copy(update={"spokes": spokes, "flows": flows, "location": attached.config.location})


def hub_view(stack: StackConfig, attached: Sequence[Attached]) -> StackConfig:
    """The hub stack with every attached stack's spokes and flows added: what GatewaySubnet's routes, the firewall rules,
    AKS egress and the hub's private zones are derived from."""
    views = [attached_view(stack, a) for a in attached]
    return stack.model_copy(update={"spokes": [*stack.spokes, *(s for v in views for s in v.spokes)],
                                    "flows": [*stack.flows, *(f for v in views for f in v.flows)]})


def _vnet_ranges(name: str, stack: StackConfig) -> list[PublishedRange]:
    region = stack.location
    hub = stack.hub if stack.attach is None else None  # an attaching stack's hub is its hub stack's
    out = [PublishedRange(name, key_of("hub", "addressSpace", j), f"hub VNet '{hub.name}'", cidr, "vnet", region)
           for j, cidr in enumerate(hub.address_space)] if hub is not None else []
    for i, spoke in enumerate(stack.spokes):
        out += [PublishedRange(name, key_of("spokes", i, "addressSpace", j), f"spoke VNet '{spoke.name}'", cidr, "vnet", region)
                for j, cidr in enumerate(spoke.address_space)]
        if spoke.aks is not None:
            out.append(PublishedRange(name, key_of("spokes", i, "aks", "serviceCidr"), f"AKS service CIDR of '{spoke.name}'",
                                      spoke.aks.service_cidr, "cluster", region, cluster=spoke.name))
            if spoke.aks.pod_cidr:
                out.append(PublishedRange(name, key_of("spokes", i, "aks", "podCidr"), f"AKS pod CIDR of '{spoke.name}'",
                                          spoke.aks.pod_cidr, "cluster", region, cluster=spoke.name))
    for i, site in enumerate(stack.sites):
        out += [PublishedRange(name, key_of("sites", i, "addressPrefixes", j), f"on-prem site '{site.name}'", cidr, "site",
                               region, site=site.name) for j, cidr in enumerate(site.address_prefixes)]
        if site.aks_hybrid is not None:
            for role, cidr in (("podCidr", site.aks_hybrid.pod_cidr), ("serviceCidr", site.aks_hybrid.service_cidr)):
                out.append(PublishedRange(name, key_of("sites", i, "aksHybrid", role),
                                          f"AKS hybrid {role[:-4]} CIDR of site '{site.name}'", cidr, "cluster", region,
                                          cluster=f"site:{site.name}"))
    return out


def stack_ranges(name: str, stack: StackConfig) -> list[PublishedRange]:
    """Every range a stack's config declares, as a hub stack publishes it."""
    return _vnet_ranges(name, stack)


def hub_contract(stack_name: str, stack: StackConfig, attached: Sequence[Attached]) -> dict[str, Any]:
    """What a hub stack publishes as `connectivity`, but the deployed IDs: its config, the organisation's ranges as
    it knows them, and the routes and firewall flows it adds for each stack (its own and the attached ones)."""
    ranges = stack_ranges(stack_name, stack) + [r for a in attached for r in stack_ranges(a.name, a.config)]
    own_routes = [PublishedRoute(stack_name, n, p) for n, p in firewall_routed_prefixes(stack)]
    own_flows = [_published(stack_name, f) for f in firewall_flows(stack)]
    for a in attached:
        view = attached_view(stack, a)
        own_routes += [PublishedRoute(a.name, n, p) for n, p in firewall_routed_prefixes(view)]
        own_flows += [_published(a.name, f) for f in firewall_flows(view)]
    return contract_document(stack, stack_name, ranges, own_routes, own_flows, hub_api_zone_key(hub_view(stack, attached)))


def _published(stack: str, flow: Any) -> PublishedFlow:
    return PublishedFlow(stack, flow.name, list(flow.sources), list(flow.destinations), list(flow.ports), list(flow.protocols))


def hub_limits(stack_name: str, stack: StackConfig, attached: Sequence[Attached]) -> list[Problem]:
    """Azure's per-hub limits, checked before the hub stack registers anything: the stack that would cross one is named."""
    problems = []
    peerings = len(stack.spokes)
    routes = len(firewall_routed_prefixes(stack))
    for a in attached:
        view = attached_view(stack, a)
        peerings += len(view.spokes)
        routes += len(firewall_routed_prefixes(view))
        if peerings > MAX_PEERINGS_PER_VNET:
            problems.append(Problem(f"{a.name}:{key_of('spokes')}", f"would make {peerings} peerings on the hub VNet of stack "
                                    f"'{stack_name}'; Azure allows {MAX_PEERINGS_PER_VNET} per VNet",
                                    "attach it to another regional hub, or use Azure Virtual WAN (azure-subscription-service-limits)"))
        if routes > MAX_ROUTES_PER_TABLE:
            problems.append(Problem(f"{a.name}:{key_of('spokes')}", f"would make {routes} routes on GatewaySubnet's route table of "
                                    f"stack '{stack_name}'; Azure allows {MAX_ROUTES_PER_TABLE} per table",
                                    "give spokes one address range each, or attach to another regional hub"))
    return problems


# --- one plan across the organisation -------------------------------------------------------------


@dataclass
class OrgStack:
    name: str
    config: StackConfig | None
    kind: str  # "hub", "attached", "lab" (a hub nothing attaches to), "external" (attaches outside the repository)
    group: str  # the hub stack whose network it joins
    problems: list[Problem] = field(default_factory=list)


@dataclass
class OrgPlan:
    stacks: list[OrgStack]
    ranges: list[PublishedRange]
    problems: list[Problem]  # every stack's own problems (keyed '<stack>:<key>') and the overlaps between stacks


def context_for(stack_name: str, config: StackConfig, sources: Sequence[StackSource], project: str) -> HubContext:
    """The hub context of a repository stack that attaches to another repository stack, computed from config alone (what
    that hub stack will publish), or a ConfigError keyed at attach.hubStack when the hub stack isn't in the repository."""
    assert config.attach is not None
    reference = config.attach.hub_stack
    _, ref_project, ref_stack = reference_parts(reference)
    hub_source = next((s for s in sources if s.name == ref_stack), None) if ref_project == project else None
    if hub_source is None:
        raise ConfigError([Problem(key_of("attach", "hubStack"), f"'{reference}' is not a stack of this repository "
                                   f"(project '{project}', stacks: {', '.join(sorted(s.name for s in sources))})",
                                   "name a stack file of this repository, or check the stack against the backend with `pulumi preview`")])
    hub_attach = parse_stack(hub_source.raw).attach  # before loading it: an attaching stack loads only with its hub's context
    if hub_attach is not None:
        raise ConfigError([Problem(key_of("attach", "hubStack"), f"'{reference}' attaches to a hub itself; stacks attach to a hub stack",
                                   f"attach to '{hub_attach.hub_stack}' instead")])
    attached = attached_to(project, ref_stack, sources)
    return hub_context(reference, hub_contract(ref_stack, load_stack(hub_source.raw), attached), stack_name)


def org_plan(sources: Sequence[StackSource], project: str) -> OrgPlan:
    """Every stack checked on its own (attaching ones against their hub stack), then every pair of stacks that can reach
    each other checked for overlaps."""
    stacks: list[OrgStack] = []
    limits: list[Problem] = []  # keyed by the attaching stack that would cross a hub's limit already
    for source in sorted(sources, key=lambda s: s.name):
        try:
            shape = parse_stack(source.raw)
        except ConfigError as error:
            stacks.append(OrgStack(source.name, None, "invalid", source.name, list(error.problems)))
            continue
        if shape.attach is None:
            attached = attached_to(project, source.name, sources)
            entry = OrgStack(source.name, shape, "hub" if attached else "lab", source.name)
            try:
                entry.config = load_stack(source.raw)
                limits += hub_limits(source.name, entry.config, attached)
            except ConfigError as error:
                entry.problems = list(error.problems)
        else:
            _, ref_project, ref_stack = reference_parts(shape.attach.hub_stack)
            in_repo = ref_project == project and any(s.name == ref_stack for s in sources)
            entry = OrgStack(source.name, shape, "attached" if in_repo else "external", ref_stack if in_repo else source.name)
            try:
                entry.config = load_stack(source.raw, hub=context_for(source.name, shape, sources, project))
            except ConfigError as error:
                entry.problems = list(error.problems)
        stacks.append(entry)
    ranges = [r for s in stacks if s.config is not None for r in stack_ranges(s.name, s.config)]
    problems = [replace(p, key=f"{s.name}:{p.key}") for s in stacks for p in s.problems] + limits
    problems += _cross_stack_overlaps(stacks, ranges)
    return OrgPlan(stacks, ranges, problems)


def _reach(stacks: Mapping[str, OrgStack], a: PublishedRange, b: PublishedRange) -> str | None:
    """Why two ranges of different stacks meet (None: they never do)."""
    ga, gb = stacks[a.stack].group, stacks[b.stack].group
    if ga == gb:
        if a.kind == b.kind == "cluster":
            return None  # two clusters' internal ranges never meet
        if a.kind == b.kind == "site" and a.site == b.site:
            return None  # one data centre: the hub stack's connection and the site stack's part of it
        return f"stacks '{a.stack}' and '{b.stack}' share the hub of stack '{ga}'"
    if "cluster" in (a.kind, b.kind) or a.kind == b.kind == "site":
        return None  # cluster ranges stay in their network; on-prem prefixes of two hubs may be one corporate network
    return (f"stacks '{a.stack}' (hub '{ga}') and '{b.stack}' (hub '{gb}') both connect to on-premises, so the corporate "
            "WAN joins them")


def _cross_stack_overlaps(stacks: Sequence[OrgStack], ranges: Sequence[PublishedRange]) -> list[Problem]:
    by_name = {s.name: s for s in stacks}
    problems = []
    ordered = sorted(ranges, key=lambda r: IPNetwork(r.cidr).first)
    active: list[PublishedRange] = []
    for current in ordered:
        network = IPNetwork(current.cidr)
        active = [r for r in active if IPNetwork(r.cidr).last >= network.first]
        for other in active:
            if other.stack == current.stack:
                continue  # the stack's own check reports these
            first, second = sorted((other, current), key=lambda r: (r.stack, r.key))  # named in this order, however the sweep met them
            why = _reach(by_name, first, second)
            if why is None or (by_name[other.stack].group != by_name[current.stack].group
                               and not (_connects(by_name, by_name[other.stack]) and _connects(by_name, by_name[current.stack]))):
                continue
            problems.append(Problem(
                f"{second.stack}:{second.key}",
                f"{second.cidr} ({second.owner}) overlaps {first.cidr} ({first.owner}) of stack '{first.stack}', "
                f"{first.stack}:{first.key}; {why}",
                f"move one of them; `make plan` lists the free space per region"))
        active.append(current)
    return problems


def _connects(stacks: Mapping[str, OrgStack], stack: OrgStack) -> bool:
    """Whether a stack's network reaches on-premises: through its hub's gateways (its own hub, or its hub stack's in the
    repository; a stack attached to a hub stack outside the repository is taken to)."""
    if stack.kind == "external":
        return True
    hub = stacks[stack.group].config
    return hub is not None and (hub.gateways.vpn is not None or hub.gateways.express_route is not None)


def free_space(ranges: Sequence[PublishedRange], region: str, prefixlen: int = 16, count: int = 3) -> tuple[list[str], list[str]]:
    """A region's Azure ranges merged, and the first free /prefixlen blocks of the block that covers them."""
    used_here = [IPNetwork(r.cidr) for r in ranges if r.region == region and r.kind == "vnet"]
    merged = [str(n) for n in cidr_merge(used_here)]
    if not used_here:
        return merged, []
    cover = spanning_cidr([IPAddress(min(n.first for n in used_here)), IPAddress(max(n.last for n in used_here))])
    blocks = list((IPSet([cover]) - IPSet(IPNetwork(r.cidr) for r in ranges)).iter_cidrs())
    whole = (n for block in blocks if block.prefixlen <= prefixlen for n in block.subnet(prefixlen))
    free = [str(n) for n in islice(whole, count)]
    if not free:  # no whole /prefixlen left in the block: its largest free ranges
        free = [str(b) for b in sorted(blocks, key=lambda b: (b.prefixlen, b.first))[:count]]
    return merged, free


def repository_sources(project_dir: Any) -> tuple[str, list[StackSource]]:
    """The project's name and every Pulumi.<stack>.yaml of the repository, config as Pulumi passes it (objects as JSON
    text; encrypted values left out: the plan never needs a secret)."""
    import json
    from pathlib import Path

    import yaml

    root = Path(project_dir)
    project = (yaml.safe_load((root / "Pulumi.yaml").read_text()) or {}).get("name", "hybrid-aks")
    sources = []
    for path in sorted(root.glob("Pulumi.*.yaml")):
        name = path.name[len("Pulumi."):-len(".yaml")]
        document = yaml.safe_load(path.read_text()) or {}
        raw = {k: v if isinstance(v, str) else json.dumps(v) for k, v in (document.get("config") or {}).items()
               if not (isinstance(v, dict) and set(v) == {"secure"})}
        sources.append(StackSource(name, raw))
    return project, sources
