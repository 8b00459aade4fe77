"""Azure's routing, from its documented rules, over a stack's recorded registrations.

The network is read from what the program would send to Azure (VNets, subnets, route tables, peerings, gateways,
local network gateways, connections, firewalls) plus what on-prem advertises over BGP, which only the stack config
knows (`SiteRoutes`). Each rule names its source; "udr" below is Learn's virtual-networks-udr-overview.

Not modelled (README "Routing: what happens to each flow" says so too): Route Server, NVAs other than Azure
Firewall, service endpoints and service-tag routes, ECMP between next hops, on-prem devices beyond what they
advertise, Azure's hidden platform routes (168.63.129.16, the host's virtual IP).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from netaddr import IPAddress, IPNetwork, IPSet

from config.plan import FIREWALL_SUBNET, GATEWAY_SUBNET
from config.azure import PRIVATE_RANGES, first_usable

N = "azure-native:network:"
VNET_LOCAL, PEERING, GATEWAY, APPLIANCE, INTERNET, NONE = (
    "VnetLocal", "VNetPeering", "VirtualNetworkGateway", "VirtualAppliance", "Internet", "None")
USER, BGP, DEFAULT = "User", "VirtualNetworkGateway", "Default"
# udr "How Azure selects a route": equal prefixes go to the user-defined route, then the BGP route, then the system route.
SOURCE_PRIORITY = {USER: 0, BGP: 1, DEFAULT: 2}
# udr "Default": 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 (RFC 1918) and 100.64.0.0/10 (RFC 6598) go to None.
RESERVED = PRIVATE_RANGES
PRIVATE = IPSet(RESERVED)


class Record(Protocol):
    """A recorded registration: offline.mocks.Registration, or a policy's resource wrapped the same way."""

    @property
    def type(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def inputs(self) -> Mapping[str, Any]: ...


@dataclass(frozen=True)
class SiteRoutes:
    """What an on-prem site advertises (config, not registrations): its prefixes over BGP or in its local network
    gateway, 0.0.0.0/0 when it advertises a default route, and how to recognise its connections."""

    name: str
    prefixes: tuple[str, ...]
    default_route: bool = False
    vpn_device: str | None = None  # the VPN device's public IP or FQDN, as its local network gateway holds it
    circuit_id: str | None = None  # the ExpressRoute circuit its connection peers with


@dataclass(frozen=True)
class Route:
    prefix: IPNetwork
    next_hop: str
    source: str
    next_hop_ip: str | None = None
    name: str = ""
    via: str = ""  # VNetPeering: the peered VNet; VirtualNetworkGateway: the VNet holding the gateway

    def __str__(self) -> str:
        hop = f"{self.next_hop} {self.next_hop_ip}" if self.next_hop_ip else self.next_hop
        return f"{self.prefix} -> {hop} ({self.source}{' ' + self.name if self.name else ''})"


@dataclass(frozen=True)
class Subnet:
    vnet: str
    name: str
    prefix: IPNetwork
    route_table: str | None
    nsg: str | None

    @property
    def label(self) -> str:
        return f"{self.vnet}/{self.name}"


@dataclass(frozen=True)
class RouteTable:
    name: str
    routes: tuple[Route, ...]
    propagate_gateway_routes: bool


@dataclass(frozen=True)
class Peering:
    local: str
    remote: str
    allow_access: bool
    allow_forwarded: bool
    allow_gateway_transit: bool
    use_remote_gateways: bool


@dataclass(frozen=True)
class Learned:
    """A route a gateway learned: from a site's BGP session, its local network gateway, or its ExpressRoute circuit."""

    prefix: IPNetwork
    site: str
    kind: str  # "ExpressRoute" or "Vpn"


@dataclass(frozen=True)
class Gateway:
    name: str
    vnet: str
    kind: str  # "Vpn" or "ExpressRoute"
    default_site: str | None
    learned: tuple[Learned, ...]


@dataclass(frozen=True)
class Firewall:
    name: str
    vnet: str
    subnet: str
    private_ip: IPAddress
    policy: str


@dataclass
class Network:
    vnets: dict[str, tuple[IPNetwork, ...]] = field(default_factory=dict)
    subnets: dict[str, Subnet] = field(default_factory=dict)  # by lower-cased label vnet/subnet
    route_tables: dict[str, RouteTable] = field(default_factory=dict)
    peerings: list[Peering] = field(default_factory=list)
    gateways: list[Gateway] = field(default_factory=list)
    firewalls: list[Firewall] = field(default_factory=list)
    nsg_rules: dict[str, list[Mapping[str, Any]]] = field(default_factory=dict)
    rule_groups: dict[str, list[Mapping[str, Any]]] = field(default_factory=dict)  # by firewall policy name
    no_snat: dict[str, IPSet] = field(default_factory=dict)  # by firewall policy name: its private ranges, when set
    sites: tuple[SiteRoutes, ...] = ()

    # --- lookups -----------------------------------------------------------------------------------

    def peering(self, local: str, remote: str) -> Peering | None:
        return next((p for p in self.peerings if p.local == local and p.remote == remote), None)

    def connected_peers(self, vnet: str) -> list[Peering]:
        """virtual-network-peering-overview: a peering carries traffic once both sides exist (Connected), and only
        with allowVirtualNetworkAccess on the side that sends."""
        return [p for p in self.peerings if p.local == vnet and p.allow_access and self.peering(p.remote, vnet)]

    def subnet_holding(self, vnet: str, address: IPAddress) -> Subnet | None:
        return next((s for s in self.subnets.values() if s.vnet == vnet and address in s.prefix), None)

    def vnet_holding(self, address: IPAddress) -> str | None:
        return next((v for v, space in self.vnets.items() if any(address in p for p in space)), None)

    def subnet(self, label: str) -> Subnet | None:
        return self.subnets.get(label.lower())

    def gateway_subnet(self, vnet: str) -> Subnet | None:
        return self.subnet(f"{vnet}/{GATEWAY_SUBNET}")

    def firewall_at(self, address: IPAddress) -> Firewall | None:
        return next((f for f in self.firewalls if f.private_ip == address), None)

    def gateways_for(self, vnet: str) -> list[Gateway]:
        """The gateways whose routes a VNet's subnets see: its own, else (peering-gateway-transit) the remote VNet's,
        when this side uses remote gateways and the remote side allows gateway transit."""
        own = [g for g in self.gateways if g.vnet == vnet]
        if own:
            return own
        for peering in self.connected_peers(vnet):
            back = self.peering(peering.remote, vnet)
            if peering.use_remote_gateways and back and back.allow_gateway_transit:
                return [g for g in self.gateways if g.vnet == peering.remote]
        return []


# --- reading the registrations ---------------------------------------------------------------------

_ARM = re.compile(r"/resourceGroups/[^/]+/providers/Microsoft\.Network/([^/]+)/([^/]+)(?:/([^/]+)/([^/]+))?/?$", re.I)


def _ref(value: Any) -> tuple[str, ...]:
    """(type, name[, child type, child name]) of an ARM id reference, lower-cased."""
    text = value.get("id") if isinstance(value, Mapping) else value
    match = _ARM.search(text) if isinstance(text, str) else None
    return tuple(g.lower() for g in match.groups() if g) if match else ()


def _key(name: Any) -> str:
    return str(name).lower()


def _routes(raw: Iterable[Mapping[str, Any]]) -> tuple[Route, ...]:
    return tuple(Route(IPNetwork(r["addressPrefix"]), r["nextHopType"], USER, r.get("nextHopIpAddress"), str(r.get("name", "")))
                 for r in raw)


def read_network(records: Iterable[Record], sites: Iterable[SiteRoutes] = ()) -> Network:
    """The network the registrations describe. Names are Azure's (case-insensitive, as Azure compares them)."""
    records = list(records)
    net = Network(sites=tuple(sites))
    by_type: dict[str, list[Mapping[str, Any]]] = {}
    for record in records:
        by_type.setdefault(record.type.removeprefix(N), []).append(record.inputs)
    for vnet in by_type.get("VirtualNetwork", []):
        net.vnets[_key(vnet["virtualNetworkName"])] = tuple(IPNetwork(p) for p in vnet["addressSpace"]["addressPrefixes"])
    standalone = [(r["routeTableName"], r) for r in by_type.get("Route", [])]
    for table in by_type.get("RouteTable", []):
        name = _key(table["routeTableName"])
        extra = [r for parent, r in standalone if _key(parent) == name]
        net.route_tables[name] = RouteTable(name, _routes([*(table.get("routes") or []), *extra]),
                                            not table.get("disableBgpRoutePropagation", False))
    for nsg in by_type.get("NetworkSecurityGroup", []):
        net.nsg_rules[_key(nsg["networkSecurityGroupName"])] = list(nsg.get("securityRules") or [])
    for rule in by_type.get("SecurityRule", []):
        net.nsg_rules.setdefault(_key(rule["networkSecurityGroupName"]), []).append(rule)
    for subnet in by_type.get("Subnet", []):
        table_ref, nsg_ref = _ref(subnet.get("routeTable")), _ref(subnet.get("networkSecurityGroup"))
        s = Subnet(_key(subnet["virtualNetworkName"]), str(subnet["subnetName"]), IPNetwork(subnet["addressPrefix"]),
                   table_ref[1] if table_ref else None, nsg_ref[1] if nsg_ref else None)
        net.subnets[s.label.lower()] = s
    for p in by_type.get("VirtualNetworkPeering", []):
        net.peerings.append(Peering(_key(p["virtualNetworkName"]), _ref(p["remoteVirtualNetwork"])[1],
                                    bool(p.get("allowVirtualNetworkAccess", True)), bool(p.get("allowForwardedTraffic")),
                                    bool(p.get("allowGatewayTransit")), bool(p.get("useRemoteGateways"))))
    _read_gateways(net, by_type)
    _read_firewalls(net, by_type)
    return net


def _read_gateways(net: Network, by_type: Mapping[str, list[Mapping[str, Any]]]) -> None:
    locals_ = {_key(g["localNetworkGatewayName"]): g for g in by_type.get("LocalNetworkGateway", [])}
    connections = by_type.get("VirtualNetworkGatewayConnection", [])
    for gateway in by_type.get("VirtualNetworkGateway", []):
        name = _key(gateway["virtualNetworkGatewayName"])
        vnet = _ref(gateway["ipConfigurations"][0]["subnet"])[1]
        kind = str(gateway.get("gatewayType", "Vpn"))
        learned: list[Learned] = []
        for connection in connections:
            if _ref(connection.get("virtualNetworkGateway1"))[1:2] == (name,):
                learned += _learned(net.sites, connection, locals_)
        default = _ref(gateway.get("gatewayDefaultSite"))
        net.gateways.append(Gateway(name, vnet, kind, _site_of_local(net.sites, locals_.get(default[1])) if default else None,
                                    tuple(learned)))


def _site_of_local(sites: Iterable[SiteRoutes], local: Mapping[str, Any] | None) -> str | None:
    if local is None:
        return None
    device = local.get("gatewayIpAddress") or local.get("fqdn")
    return next((s.name for s in sites if s.vpn_device and s.vpn_device == device), str(local["localNetworkGatewayName"]))


def _learned(sites: tuple[SiteRoutes, ...], connection: Mapping[str, Any],
             locals_: Mapping[str, Mapping[str, Any]]) -> list[Learned]:
    """udr "Optional default routes": a gateway adds the prefixes advertised from on-prem over BGP, or configured in the
    local network gateway. ExpressRoute always uses BGP (udr "Border gateway protocol")."""
    if connection.get("connectionType") == "ExpressRoute":
        circuit = (connection.get("peer") or {}).get("id")
        site = next((s for s in sites if s.circuit_id == circuit), None)
        return _advertised(site, "ExpressRoute") if site else []
    ref = _ref(connection.get("localNetworkGateway2"))
    local = locals_.get(ref[1]) if ref else None
    if local is None:
        return []
    name = _site_of_local(sites, local) or ""
    static = [Learned(IPNetwork(p), name, "Vpn") for p in (local.get("localNetworkAddressSpace") or {}).get("addressPrefixes", [])]
    site = next((s for s in sites if s.name == name), None)
    return static + (_advertised(site, "Vpn") if site and connection.get("enableBgp") else [])


def _advertised(site: SiteRoutes, kind: str) -> list[Learned]:
    prefixes = [*site.prefixes, *(["0.0.0.0/0"] if site.default_route else [])]
    return [Learned(IPNetwork(p), site.name, kind) for p in prefixes]


def _read_firewalls(net: Network, by_type: Mapping[str, list[Mapping[str, Any]]]) -> None:
    for firewall in by_type.get("AzureFirewall", []):
        ref = _ref(firewall["ipConfigurations"][0]["subnet"])
        subnet = net.subnet(f"{ref[1]}/{ref[3]}") if len(ref) == 4 else None
        if subnet is None or subnet.name != FIREWALL_SUBNET:
            continue
        # Azure Firewall takes the first usable address of AzureFirewallSubnet (config.topology.firewall_private_ip).
        net.firewalls.append(Firewall(_key(firewall["azureFirewallName"]), subnet.vnet, subnet.label,
                                      IPAddress(first_usable(str(subnet.prefix))), _ref(firewall.get("firewallPolicy"))[1]))
    for group in by_type.get("FirewallPolicyRuleCollectionGroup", []):
        net.rule_groups.setdefault(_key(group["firewallPolicyName"]), []).append(group)
    for policy in by_type.get("FirewallPolicy", []):
        ranges = (policy.get("snat") or {}).get("privateRanges")
        if ranges:  # snat-private-range: the policy's own list replaces the IANA private ranges
            net.no_snat[_key(policy["firewallPolicyName"])] = IPSet(ranges)


# --- effective routes ------------------------------------------------------------------------------


def effective_routes(net: Network, subnet: Subnet) -> list[Route]:
    """A subnet's routes as Azure computes them: system routes, gateway routes, then its route table's (udr)."""
    table = net.route_tables.get(subnet.route_table or "")
    user = list(table.routes) if table else []
    routes = _system_routes(net, subnet.vnet, drop_reserved=any(r.prefix.prefixlen == 0 for r in user))
    # udr "Border gateway protocol": with gateway route propagation disabled, no gateway route (static or BGP) is
    # added; GatewaySubnet must keep it on ("the gateway will not function"), so it always learns them.
    if table is None or table.propagate_gateway_routes or subnet.name == GATEWAY_SUBNET:
        routes += gateway_routes(net, subnet.vnet)
    return routes + user


def _system_routes(net: Network, vnet: str, drop_reserved: bool) -> list[Route]:
    space = net.vnets.get(vnet, ())
    # udr "Default": a VnetLocal route per address range of the VNet, and 0.0.0.0/0 to Internet.
    routes = [Route(prefix, VNET_LOCAL, DEFAULT, via=vnet) for prefix in space]
    routes.append(Route(IPNetwork("0.0.0.0/0"), INTERNET, DEFAULT))
    # udr "Default": None for the reserved ranges, unless the VNet holds one exactly (VnetLocal then) or includes it
    # (removed). The routing example: Azure removes them from a subnet whose route table has a 0.0.0.0/0 route.
    if not drop_reserved:
        routes += [Route(IPNetwork(r), NONE, DEFAULT) for r in RESERVED if not any(IPNetwork(r) in p for p in space)]
    # udr "Optional default routes": a VNetPeering route per address range of each peered VNet.
    for peering in net.connected_peers(vnet):
        routes += [Route(prefix, PEERING, DEFAULT, via=peering.remote) for prefix in net.vnets.get(peering.remote, ())]
    return routes


def gateway_routes(net: Network, vnet: str) -> list[Route]:
    """One route per prefix the gateways a VNet sees have learned (its own, or the hub's through gateway transit)."""
    seen: dict[str, Route] = {}
    for gateway in net.gateways_for(vnet):
        for learned in gateway.learned:
            seen.setdefault(str(learned.prefix), Route(learned.prefix, GATEWAY, BGP, via=gateway.vnet))
    return list(seen.values())


def select_route(routes: Iterable[Route], address: IPAddress) -> Route | None:
    """udr "How Azure selects a route": the longest prefix that holds the address; equal prefixes go to the
    user-defined route, then BGP, then the system route. The note there: system routes for the VNet and its
    peerings win even over more specific BGP routes."""
    matching = [r for r in routes if address in r.prefix]
    if any(r.source == DEFAULT and r.next_hop in (VNET_LOCAL, PEERING) for r in matching):
        matching = [r for r in matching if r.source != BGP]
    if not matching:
        return None
    return min(matching, key=lambda r: (-r.prefix.prefixlen, SOURCE_PRIORITY[r.source]))


def gateway_choice(gateways: Iterable[Gateway], address: IPAddress) -> tuple[Gateway, Learned] | None:
    """Where the hub's gateways send a packet: the longest prefix a site advertised; for equal prefixes ExpressRoute
    is preferred over VPN (expressroute-howto-coexist-resource-manager)."""
    candidates = [(g, l) for g in gateways for l in g.learned if address in l.prefix]
    if not candidates:
        return None
    return min(candidates, key=lambda c: (-c[1].prefix.prefixlen, c[1].kind != "ExpressRoute"))


def is_private(address: IPAddress) -> bool:
    return address in PRIVATE
