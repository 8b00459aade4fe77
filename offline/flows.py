"""Prove every flow before deploying: trace each flow a stack intends through Azure's routing, NSGs and firewall.

    python -m offline.flows --stack prod [--routes]     # the flow table (and every subnet's effective routes)
    python -m offline.flows --readme                    # regenerate README.md's flow tables from the shipped stacks

The intended flows come from the config (`intent`): on-prem clients to internal services, nodes to on-prem
backends, AKS egress (required endpoints, image registries, NTP, DNS), the hub resolver's DNS to and from on-prem,
and the declared `hybrid-aks:flows`. The network comes from the recorded registrations (`offline.routing`), what
filters it from `offline.filtering`. Each flow is traced hop by hop from its source, then its reply from the
destination; a flow is allowed when both arrive and every stateful firewall sees both directions.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from netaddr import IPAddress, IPNetwork, IPSet

from config.azure import first_usable
from config.model import FlowEnd, StackConfig
from config.registries import pull_hosts, registry_of, spoke_images
from config.topology import AKS_EGRESS_FQDNS, aks_subnets, flow_end_ranges, resolver_inbound_ip, vnet_dns_servers
from config.readme import replace_block
from offline.filtering import Packet, firewall_decision, nsg_decision
from offline.routing import (
    APPLIANCE, BGP, GATEWAY, INTERNET, NONE, PEERING, USER, Firewall, Network, Record, Route, SiteRoutes, Subnet,
    effective_routes, gateway_choice, is_private, read_network, select_route,
)

# A public address standing in for an internet host (its FQDN is what application rules see): routing only needs
# to know it is public and in no VNet or site.
INTERNET_HOST = "20.0.0.1"
MAX_HOPS = 16


# --- what the stack intends --------------------------------------------------------------------------


@dataclass(frozen=True)
class Probe:
    address: str
    port: int
    protocol: str = "TCP"
    fqdn: str | None = None

    def __str__(self) -> str:
        return f"{self.fqdn or self.address}:{self.port}/{self.protocol}"


@dataclass(frozen=True)
class IntendedFlow:
    name: str
    source: str  # label
    source_address: str
    destination: str  # label
    probes: tuple[Probe, ...]  # every one must pass
    source_site: str | None = None  # the packet enters from this on-prem site through the hub's gateways


@dataclass(frozen=True)
class Intent:
    sites: tuple[SiteRoutes, ...]
    flows: tuple[IntendedFlow, ...]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Intent:
        sites = tuple(SiteRoutes(**{**s, "prefixes": tuple(s["prefixes"])}) for s in data.get("sites", []))
        flows = tuple(IntendedFlow(**{**f, "probes": tuple(Probe(**p) for p in f["probes"])}) for f in data.get("flows", []))
        return cls(sites, flows)


def intent(stack: StackConfig) -> Intent:
    """What on-prem advertises and which flows the stack exists for, from its config."""
    sites = tuple(SiteRoutes(
        site.name, tuple(site.address_prefixes), site.advertises_default_route,
        (site.vpn.gateway_address or site.vpn.gateway_fqdn) if site.vpn else None,
        site.express_route.circuit_id if site.express_route else None) for site in stack.sites)
    flows = [*_hybrid_flows(stack), *_egress_flows(stack), *_dns_flows(stack), *_declared_flows(stack)]
    return Intent(sites, tuple(flows))


def _site_host(stack: StackConfig, name: str) -> str:
    site = next(s for s in stack.sites if s.name == name)
    return first_usable(site.address_prefixes[0])


def _hybrid_flows(stack: StackConfig) -> list[IntendedFlow]:
    """On-prem clients to internal services; AKS nodes to on-prem backends (config.topology.firewall_flows)."""
    flows = []
    for spoke in stack.spokes:
        if spoke.aks is None:
            continue
        for service in spoke.aks.internal_services:
            address = service.static_ip or first_usable(spoke.subnets[service.subnet])
            for site in stack.sites:
                flows.append(IntendedFlow(
                    f"{site.name}-to-{spoke.name}-{service.name}", f"site {site.name}", _site_host(stack, site.name),
                    f"{spoke.name} service {service.namespace}/{service.name}",
                    (Probe(address, service.port, service.protocol),), source_site=site.name))
        for subnet in sorted(aks_subnets(spoke)):
            for backend in spoke.aks.external_backends:
                probes = tuple(Probe(a, p.target_port or p.port, p.protocol) for a in backend.addresses for p in backend.ports)
                if probes:
                    flows.append(IntendedFlow(f"{spoke.name}-{subnet}-to-{backend.name}", f"{spoke.name}/{subnet}",
                                              first_usable(spoke.subnets[subnet]), f"backend {backend.namespace}/{backend.name}",
                                              probes))
    return flows


def _concrete(fqdn: str, location: str) -> str:
    """A name an allow-list pattern stands for (the region where a pattern leaves a label open)."""
    return fqdn.replace("*", location)


def _egress_flows(stack: StackConfig) -> list[IntendedFlow]:
    """What an AKS node needs outside its VNet (outbound-rules-control-egress), and the stack's images' registries."""
    flows = []
    required = tuple(Probe(INTERNET_HOST, 443, "TCP", _concrete(f, stack.location))
                     for f in ("*.hcp.*.azmk8s.io", *AKS_EGRESS_FQDNS))
    for spoke in stack.spokes:
        hosts = sorted({h for _, image in spoke_images(spoke)
                        for h in pull_hosts(registry_of(image), stack.location) or (registry_of(image),)})
        images = tuple(Probe(INTERNET_HOST, 443, "TCP", _concrete(h, stack.location)) for h in hosts)
        dns = tuple(Probe(server, 53, "UDP") for server in vnet_dns_servers(stack))
        kinds = (("aks-endpoints", "internet: AKS required FQDNs", required), ("images", "internet: image registries", images),
                 ("ntp", "internet: NTP", (Probe(INTERNET_HOST, 123, "UDP"),)), ("dns", "VNet DNS servers", dns))
        for subnet in sorted(aks_subnets(spoke)):
            flows += [IntendedFlow(f"{spoke.name}-{subnet}-{what}", f"{spoke.name}/{subnet}", first_usable(spoke.subnets[subnet]),
                                   label, probes) for what, label, probes in kinds if probes]
    return flows


def _dns_flows(stack: StackConfig) -> list[IntendedFlow]:
    """The hub resolver: on-prem DNS forwards Azure names to its inbound endpoint, its outbound endpoint forwards the
    sites' domains to their DNS servers (forwarding rules)."""
    hub = stack.the_hub
    inbound = resolver_inbound_ip(hub)
    if inbound is None or hub.dns_resolver is None:
        return []
    outbound = first_usable(hub.subnets[hub.dns_resolver.outbound_subnet])
    flows = []
    for site in stack.sites:
        if site.dns and site.dns.servers:
            flows.append(IntendedFlow(f"{site.name}-dns-to-resolver", f"site {site.name} DNS", site.dns.servers[0],
                                      "hub resolver inbound", (Probe(inbound, 53, "UDP"),), source_site=site.name))
            flows.append(IntendedFlow(f"resolver-to-{site.name}-dns", "hub resolver outbound", outbound, f"site {site.name} DNS",
                                      tuple(Probe(server, 53, "UDP") for server in site.dns.servers)))
    return flows


def _end(stack: StackConfig, end: FlowEnd) -> tuple[str, str]:
    """(label, a representative address) of a declared flow's end: a site's first prefix, a spoke's first subnet."""
    if end.site is not None:
        return f"site {end.site}", _site_host(stack, end.site)
    spoke = next(s for s in stack.spokes if s.name == end.spoke)
    space = IPSet(flow_end_ranges(stack, end))
    subnet = end.subnet or next(name for name, cidr in spoke.subnets.items() if IPNetwork(cidr) in space)
    return f"{spoke.name}/{subnet}", first_usable(spoke.subnets[subnet])


def _declared_flows(stack: StackConfig) -> list[IntendedFlow]:
    flows = []
    for flow in stack.flows:
        (source, source_address), (destination, address) = _end(stack, flow.source), _end(stack, flow.destination)
        flows.append(IntendedFlow(flow.name, source, source_address, destination,
                                  tuple(Probe(address, port, flow.protocol) for port in flow.ports), source_site=flow.source.site))
    return flows


# --- tracing -----------------------------------------------------------------------------------------


@dataclass
class Leg:
    """One direction of a flow: the hops it took, the firewalls it crossed, where it ended or why it stopped."""

    hops: list[str] = field(default_factory=list)
    firewalls: list[str] = field(default_factory=list)
    delivered: bool = False
    reason: str = ""
    end: tuple[str, Any] = ("", None)  # ("subnet", Subnet) | ("site", name) | ("internet", Subnet that sent it)
    snat: Firewall | None = None  # the firewall that translated the source, so the reply comes back to it

    def stop(self, reason: str) -> Leg:
        self.reason = reason
        return self


@dataclass(frozen=True)
class FlowResult:
    flow: IntendedFlow
    probe: Probe
    request: Leg
    reply: Leg

    @property
    def symmetric(self) -> bool:
        """Both directions through the same firewalls, or through none."""
        return set(self.request.firewalls) == set(self.reply.firewalls)

    @property
    def inspected(self) -> bool:
        return bool(self.request.firewalls)

    @property
    def allowed(self) -> bool:
        return self.request.delivered and self.reply.delivered and self.symmetric

    @property
    def reason(self) -> str:
        if not self.request.delivered:
            return f"{self.probe}: {self.request.reason}"
        if not self.reply.delivered:
            return f"{self.probe}: reply: {self.reply.reason}"
        if not self.symmetric:
            there, back = ", ".join(self.request.firewalls) or "no firewall", ", ".join(self.reply.firewalls) or "no firewall"
            return (f"{self.probe}: asymmetric: the request crosses {there}, the reply {back}; a stateful firewall that "
                    "sees one direction drops the connection")
        return ""

    def to_json(self) -> dict[str, Any]:
        return {"name": self.flow.name, "from": self.flow.source, "to": self.flow.destination,
                "verdict": "allowed" if self.allowed else "blocked", "symmetric": self.symmetric, "inspected": self.inspected,
                "path": self.request.hops, "return_path": self.reply.hops, "reason": self.reason}


class Tracer:
    def __init__(self, net: Network) -> None:
        self.net = net
        self._routes: dict[str, list[Route]] = {}

    def routes(self, subnet: Subnet) -> list[Route]:
        if subnet.label not in self._routes:
            self._routes[subnet.label] = effective_routes(self.net, subnet)
        return self._routes[subnet.label]

    def run(self, flow: IntendedFlow) -> FlowResult:
        """The first probe that fails, else the first."""
        results = [self.probe(flow, probe) for probe in flow.probes]
        return next((r for r in results if not r.allowed), results[0])

    def probe(self, flow: IntendedFlow, probe: Probe) -> FlowResult:
        packet = Packet(IPAddress(flow.source_address), IPAddress(probe.address), probe.port, probe.protocol, probe.fqdn)
        request = self._expected(self.request(packet, flow.source_site), packet.destination)
        if not request.delivered:
            return FlowResult(flow, probe, request, Leg(reason="no request arrived"))
        return FlowResult(flow, probe, request, self.reply(packet, request))

    def _expected(self, leg: Leg, destination: IPAddress) -> Leg:
        """The request must end where its destination is: the subnet holding it, the site advertising it, or (a public
        address) the internet, directly or through an on-prem site's default route."""
        kind, where = leg.end
        if not leg.delivered:
            return leg
        site = next((s.name for s in self.net.sites if any(destination in IPNetwork(p) for p in s.prefixes)), None)
        wrong = ((self.net.vnet_holding(destination) is not None and kind != "subnet")
                 or (site is not None and (kind, where) != ("site", site)))
        if wrong:
            leg.delivered = False
            leg.stop(f"it ends at {where if kind == 'site' else kind}, not where {destination} is")
        return leg

    # -- the two directions ---------------------------------------------------------------------------

    def request(self, packet: Packet, site: str | None) -> Leg:
        leg = Leg()
        if site is not None:
            leg.hops.append(f"site {site} {packet.source}")
            start = self.entry_from(site)
            if start is None:
                return leg.stop(f"site {site} has no connection to a gateway that knows it")
            return self.walk(packet, start, leg, request=None)
        subnet = self._subnet_of(packet.source)
        if subnet is None:
            return leg.stop(f"no subnet holds the source {packet.source}")
        leg.hops.append(f"{subnet.label} {packet.source}")
        if not self._nsg(subnet, "Outbound", packet, leg):
            return leg
        return self.walk(packet, subnet, leg, request=None)

    def reply(self, packet: Packet, request: Leg) -> Leg:
        """The reply leaves the destination for the request's source, or for the firewall that translated it. NSGs are
        stateful (network-security-groups-overview): a reply needs no rule."""
        leg = Leg()
        back = packet.reply(destination=request.snat.private_ip if request.snat else None)
        kind, where = request.end
        if kind == "internet":
            leg.hops.append(f"internet {packet.destination}")
            if request.snat and request.snat.subnet == where.label:
                leg.hops.append(f"to the public IP of firewall {request.snat.name}")
                return self.at_firewall(packet.reply(), request.snat, leg, request)
            leg.hops.append(f"to the outbound public IP of {where.label}, which translated it")
            return self.arrive(packet.reply(), where, leg, request)
        if kind == "site":
            leg.hops.append(f"site {where} {packet.destination}")
            start = self.entry_from(where)
            if start is None:
                return leg.stop(f"site {where} has no connection")
            return self.walk(back, start, leg, request, original=packet.reply())
        leg.hops.append(f"{where.label} {packet.destination}")
        return self.walk(back, where, leg, request, original=packet.reply())

    # -- hop by hop ---------------------------------------------------------------------------------

    def entry_from(self, site: str) -> Subnet | None:
        """Traffic from on-prem enters through the gateway and follows GatewaySubnet's routes (udr: a route table on
        GatewaySubnet steers what arrives from on-prem)."""
        gateway = next((g for g in self.net.gateways if any(l.site == site for l in g.learned) or g.default_site == site), None)
        return self.net.gateway_subnet(gateway.vnet) if gateway else None

    def walk(self, packet: Packet, subnet: Subnet, leg: Leg, request: Leg | None, original: Packet | None = None) -> Leg:
        """Route from `subnet` until the packet arrives, leaves Azure, or stops. `request` is None for a request;
        for a reply, the request's leg (the firewalls that hold its session). `original`: the reply before the firewall
        that translated the request turns it back to the client's address."""
        for _ in range(MAX_HOPS):
            route = select_route(self.routes(subnet), packet.destination)
            if route is None:
                return leg.stop(f"{subnet.label} has no route to {packet.destination}")
            leg.hops.append(f"{subnet.label}: {route}")
            if route.next_hop == NONE:
                return leg.stop(f"{subnet.label} drops it: route {route}")
            if route.next_hop == INTERNET:
                return self._internet(packet, subnet, leg)
            if route.next_hop == GATEWAY:
                return self._gateway(packet, subnet, route, leg)
            if route.next_hop == APPLIANCE:
                firewall = self._appliance(subnet, route, leg)
                if firewall is None:
                    return leg
                if not self._firewall(packet, firewall, leg, request):
                    return leg
                subnet = self._firewall_subnet(firewall)
                continue
            target = self._vnet_hop(packet, subnet, route, leg)
            if target is None:
                return leg
            firewall = self.net.firewall_at(packet.destination)
            if firewall is not None and original is not None and request is not None and request.snat is firewall:
                return self.at_firewall(original, firewall, leg, request)
            return self.arrive(packet, target, leg, request)
        return leg.stop(f"more than {MAX_HOPS} hops: a routing loop")

    def at_firewall(self, packet: Packet, firewall: Firewall, leg: Leg, request: Leg) -> Leg:
        """A reply addressed to the firewall that translated the request: it restores the client's address (its
        session) and routes the reply on from its own subnet."""
        leg.hops.append(f"firewall {firewall.name}: reply of its translated session, back to {packet.destination}")
        leg.firewalls.append(firewall.name)
        return self.walk(packet, self._firewall_subnet(firewall), leg, request)

    def arrive(self, packet: Packet, subnet: Subnet, leg: Leg, request: Leg | None) -> Leg:
        if request is None and not self._nsg(subnet, "Inbound", packet, leg):
            return leg
        leg.hops.append(f"arrives in {subnet.label} {packet.destination}")
        leg.delivered, leg.end = True, ("subnet", subnet)
        return leg

    def _internet(self, packet: Packet, subnet: Subnet, leg: Leg) -> Leg:
        if is_private(packet.destination):
            return leg.stop(f"{subnet.label} sends {packet.destination} to the Internet next hop, where a private address "
                            "is unreachable")
        leg.hops.append("internet")
        leg.delivered, leg.end = True, ("internet", subnet)
        return leg

    def _gateway(self, packet: Packet, subnet: Subnet, route: Route, leg: Leg) -> Leg:
        gateways = self.net.gateways_for(subnet.vnet)
        if not gateways:
            return leg.stop(f"{subnet.label} routes {packet.destination} to a virtual network gateway it doesn't have")
        if route.source == USER and any(g.kind == "ExpressRoute" for g in gateways):
            # udr "User-defined": no UDR to a gateway of type ExpressRoute, nor while VPN and ExpressRoute coexist.
            return leg.stop(f"{subnet.label}: route {route} names the gateway while an ExpressRoute gateway coexists; Azure "
                            "doesn't allow it")
        choice = gateway_choice(gateways, packet.destination)
        if choice is not None:
            gateway, site, how = choice[0], choice[1].site, f"{choice[1].prefix} from site {choice[1].site} ({choice[1].kind})"
        else:
            # site-to-site-tunneling: a VPN gateway sends what no site advertised to its default site, if it has one.
            default = next((g for g in gateways if g.default_site), None)
            if default is None:
                names = ", ".join(g.name for g in gateways)
                return leg.stop(f"gateway {names} can't forward {packet.destination}: no site advertises a route to it "
                                "(no BGP 0.0.0.0/0) and no default site is set")
            gateway, site, how = default, str(default.default_site), f"default site {default.default_site}"
        leg.hops.append(f"gateway {gateway.name} -> {how}")
        leg.delivered, leg.end = True, ("site", site)
        return leg

    def _appliance(self, subnet: Subnet, route: Route, leg: Leg) -> Firewall | None:
        address = IPAddress(str(route.next_hop_ip))
        firewall = self.net.firewall_at(address)
        if firewall is None:
            leg.stop(f"{subnet.label}: next hop {address} is no Azure Firewall (other appliances aren't modelled)")
            return None
        # udr "Virtual appliance": the next hop must be directly reachable, in the VNet or a peered one.
        if firewall.vnet not in {subnet.vnet, *(p.remote for p in self.net.connected_peers(subnet.vnet))}:
            leg.stop(f"{subnet.label}: next hop {address} is in {firewall.vnet}, neither this VNet nor a peered one")
            return None
        return firewall

    def _firewall(self, packet: Packet, firewall: Firewall, leg: Leg, request: Leg | None) -> bool:
        """A request is filtered by the firewall's policy; a reply passes only the firewall that holds its session."""
        leg.firewalls.append(firewall.name)
        if request is not None:
            if firewall.name in request.firewalls:
                leg.hops.append(f"firewall {firewall.name}: reply of an allowed session")
                return True
            leg.stop(f"firewall {firewall.name} never saw the request, so it drops the reply (stateful)")
            return False
        decision = firewall_decision(self.net.rule_groups.get(firewall.policy, []), packet, self.net.no_snat.get(firewall.policy))
        if not decision.allowed:
            leg.stop(f"firewall {firewall.name} denies it ({decision.rule})")
            return False
        leg.hops.append(f"firewall {firewall.name}: allowed by {decision.rule}{', source translated' if decision.snat else ''}")
        if decision.snat and leg.snat is None:
            leg.snat = firewall
        return True

    def _vnet_hop(self, packet: Packet, subnet: Subnet, route: Route, leg: Leg) -> Subnet | None:
        """VnetLocal or VNetPeering: the subnet holding the destination in this VNet or the peered one."""
        vnet = route.via or subnet.vnet
        if route.next_hop == PEERING:
            back = self.net.peering(vnet, subnet.vnet)
            forwarded = not any(packet.source in p for p in self.net.vnets.get(subnet.vnet, ()))
            # virtual-network-peering-overview: traffic an appliance forwarded from outside the peered VNet enters only
            # with allowForwardedTraffic on the receiving side.
            if forwarded and back is not None and not back.allow_forwarded:
                leg.stop(f"{vnet}'s peering with {subnet.vnet} doesn't allow forwarded traffic from {packet.source}")
                return None
        target = self.net.subnet_holding(vnet, packet.destination)
        if target is None:
            leg.stop(f"no subnet of {vnet} holds {packet.destination}")
        return target

    def _nsg(self, subnet: Subnet, direction: str, packet: Packet, leg: Leg) -> bool:
        if subnet.nsg is None:
            return True
        allowed, rule = nsg_decision(self.net.nsg_rules.get(subnet.nsg, []), direction, packet, self.virtual_network_tag(subnet))
        if not allowed:
            leg.stop(f"NSG {subnet.nsg} on {subnet.label} denies it {direction.lower()} ({rule})")
        return allowed

    def virtual_network_tag(self, subnet: Subnet) -> IPSet:
        """service-tags-overview VirtualNetwork: the VNet, peered VNets, connected on-prem ranges, UDR prefixes."""
        ranges = [*self.net.vnets.get(subnet.vnet, ())]
        ranges += [p for peer in self.net.connected_peers(subnet.vnet) for p in self.net.vnets.get(peer.remote, ())]
        ranges += [l.prefix for g in self.net.gateways_for(subnet.vnet) for l in g.learned]
        ranges += [r.prefix for r in self.routes(subnet) if r.source == USER]
        return IPSet(ranges)

    def _firewall_subnet(self, firewall: Firewall) -> Subnet:
        subnet = self.net.subnet(firewall.subnet)
        assert subnet is not None  # read_network keeps only firewalls in a recorded AzureFirewallSubnet
        return subnet

    def _subnet_of(self, address: IPAddress) -> Subnet | None:
        vnet = self.net.vnet_holding(address)
        return self.net.subnet_holding(vnet, address) if vnet else None


def simulate(records: Iterable[Record], stack_intent: Intent) -> list[FlowResult]:
    tracer = Tracer(read_network(records, stack_intent.sites))
    return [tracer.run(flow) for flow in stack_intent.flows]


def effective_route_tables(records: Iterable[Record], stack_intent: Intent) -> dict[str, list[Route]]:
    """Every subnet's effective routes, as Network Watcher would list them (active ones first by prefix length)."""
    net = read_network(records, stack_intent.sites)
    return {subnet.label: sorted(effective_routes(net, subnet), key=lambda r: (-r.prefix.prefixlen, str(r.prefix)))
            for subnet in sorted(net.subnets.values(), key=lambda s: s.label)}


# --- rendering -----------------------------------------------------------------------------------------


def summary(results: list[FlowResult]) -> str:
    return (f"{len(results)} flows, {sum(r.allowed for r in results)} allowed, {sum(r.symmetric for r in results)} symmetric, "
            f"{sum(r.inspected for r in results)} inspected")


def _via(result: FlowResult) -> str:
    if not result.request.firewalls and not result.reply.firewalls:
        return "direct"
    return f"{', '.join(result.request.firewalls) or '-'} / {', '.join(result.reply.firewalls) or '-'}"


def table(results: list[FlowResult]) -> list[str]:
    """Markdown: one row per flow."""
    lines = ["| flow | from | to | verdict | symmetric | inspected | firewall there / back |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for r in results:
        verdict = "allowed" if r.allowed else f"**blocked**: {r.reason}"
        lines.append(f"| `{r.flow.name}` | {r.flow.source} | {r.flow.destination} | {verdict} | "
                     f"{'yes' if r.symmetric else 'no'} | {'yes' if r.inspected else 'no'} | {_via(r)} |")
    return lines


NONE_INTENDED = ("none simulated: the stack intends none (no spoke, no declared flow, no hub resolver serving a site's DNS), "
                 "or it attaches to a hub stack, whose firewall and routes aren't among its resources")


def render_text(results: list[FlowResult]) -> list[str]:
    if not results:
        return [f"Flows: {NONE_INTENDED}"]
    out = [f"Flows ({summary(results)})"]
    for r in results:
        mark = "allowed" if r.allowed else "BLOCKED"
        out.append(f"  {mark:8} {r.flow.name}: {r.flow.source} -> {r.flow.destination}  "
                   f"[{'symmetric' if r.symmetric else 'ASYMMETRIC'}, {'inspected' if r.inspected else 'not inspected'}, {_via(r)}]")
        if not r.allowed:
            out.append(f"           {r.reason}")
            out += [f"             there: {hop}" for hop in r.request.hops]
            out += [f"             back:  {hop}" for hop in r.reply.hops]
    return out


# --- README ------------------------------------------------------------------------------------------------

START, END = "<!-- flows:start -->", "<!-- flows:end -->"
README = Path(__file__).resolve().parent.parent / "README.md"


def readme_block(per_stack: Mapping[str, list[FlowResult]]) -> str:
    parts = []
    for stack, results in per_stack.items():
        parts += [f"**{stack}**: {summary(results)}.", "", *table(results), ""] if results else [f"**{stack}**: {NONE_INTENDED}.", ""]
    return "\n".join(parts).rstrip()


def render_readme(text: str, per_stack: Mapping[str, list[FlowResult]]) -> str:
    return replace_block(text, START, END, readme_block(per_stack))


def shipped_results(project_dir: Path) -> dict[str, list[FlowResult]]:
    from offline.preview import preview  # the preview imports this module
    stacks = sorted(p.name[len("Pulumi."):-len(".yaml")] for p in project_dir.glob("Pulumi.*.yaml"))
    return {stack: preview(stack, project_dir).flows for stack in stacks}


def with_intent(policy_config: Mapping[str, Any], intent: Intent) -> dict[str, Any]:
    """A stack's policy config (`pulumi preview --policy-config`) carrying its intent to `intended-flows-pass`, which
    can't read stack config under the engine; the policy's enforcement level is kept."""
    from policy.policies import FLOWS_POLICY
    entry = policy_config.get(FLOWS_POLICY)
    level = entry.get("enforcementLevel") if isinstance(entry, dict) else entry
    # Explicit: a policy config entry without a level reaches the pack as advisory (the protobuf default).
    flows_config = {"enforcementLevel": level or "mandatory", "intent": json.loads(json.dumps(intent.to_json()))}
    return {**policy_config, FLOWS_POLICY: flows_config}


def write_policy_configs(project_dir: Path) -> list[Path]:
    """Rewrite policy/policy-config.<stack>.json of every stack whose flows the preview simulates (hub stacks)."""
    from offline.preview import preview
    written = []
    for stack in sorted(p.name[len("Pulumi."):-len(".yaml")] for p in project_dir.glob("Pulumi.*.yaml")):
        result = preview(stack, project_dir)
        if result.intent is None:
            continue
        path = project_dir / "policy" / f"policy-config.{stack}.json"
        current = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        path.write_text(json.dumps(with_intent(current, result.intent), indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m offline.flows", description=__doc__.split("\n\n")[0])
    parser.add_argument("--stack", default="dev")
    parser.add_argument("--routes", action="store_true", help="also print every subnet's effective routes")
    parser.add_argument("--readme", action="store_true", help="rewrite README.md's flow tables from the shipped stacks")
    parser.add_argument("--policy-config", action="store_true",
                        help="write each hub stack's intended flows into policy/policy-config.<stack>.json")
    args = parser.parse_args(argv)
    if args.policy_config:
        for path in write_policy_configs(README.parent):
            print(f"wrote the intended flows into {path.relative_to(README.parent)}")
        return 0
    if args.readme:
        README.write_text(render_readme(README.read_text(), shipped_results(README.parent)))
        print(f"wrote the flow tables into {README.name}")
        return 0
    from offline.preview import preview
    result = preview(args.stack, README.parent)
    if result.errors:
        print("\n".join(result.errors), file=sys.stderr)
        return 1
    if args.routes and result.intent is not None:
        for label, routes in effective_route_tables(result.registrations, result.intent).items():
            print(label)
            print("\n".join(f"  {route}" for route in routes))
    print("\n".join(render_text(result.flows)))
    return 0 if all(r.allowed for r in result.flows) else 1


if __name__ == "__main__":
    sys.exit(main())
