"""The address-plan check: every Azure and AKS addressing rule that config alone can decide (config/rules.py lists them).

Each rule appends Problems naming the key, the range, what it collides with, and a fix. Sources are
cited by their Microsoft Learn page name next to each rule. Overlaps are found with one sort-and-sweep
over all ranges (O(n log n) plus the overlaps found), never by comparing every pair.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property

from netaddr import IPAddress, IPNetwork, IPSet

from config.attach import HubContext
from config.azure import AZURE_RESERVED_PER_SUBNET, azure_reserved, first_usable
from config.model import Aks, Flow, FlowEnd, Gateways, Hub, NodePool, Site, Spoke, StackConfig
from config.onprem import check_site
from config.problems import Problem, key_of
from config.rules import known
from config.registries import PULL_HOSTS, pull_hosts, registry_of, spoke_images

SMALLEST_SUBNET = 29  # virtual-networks-faq

# Not usable in a VNet (virtual-networks-faq).
VNET_FORBIDDEN = {
    "224.0.0.0/4": "multicast",
    "255.255.255.255/32": "broadcast",
    "127.0.0.0/8": "loopback",
    "169.254.0.0/16": "link-local",
    "168.63.129.16/32": "Azure's virtual public IP (DNS, health probes)",
}
# Also refused by AKS for the cluster VNet, serviceCidr and podCidr (concepts-network-cni-overview).
AKS_FORBIDDEN = {
    "169.254.0.0/16": "link-local",
    "172.30.0.0/16": "reserved by AKS",
    "172.31.0.0/16": "reserved by AKS",
    "192.0.2.0/24": "reserved by AKS",
}
RFC1918 = [IPNetwork("10.0.0.0/8"), IPNetwork("172.16.0.0/12"), IPNetwork("192.168.0.0/16")]

GATEWAY_SUBNET = "GatewaySubnet"
FIREWALL_SUBNET = "AzureFirewallSubnet"
FIREWALL_MANAGEMENT_SUBNET = "AzureFirewallManagementSubnet"
BASTION_SUBNET = "AzureBastionSubnet"
ROUTE_SERVER_SUBNET = "RouteServerSubnet"
SPECIAL_SUBNETS = {
    GATEWAY_SUBNET, FIREWALL_SUBNET, FIREWALL_MANAGEMENT_SUBNET, BASTION_SUBNET, ROUTE_SERVER_SUBNET
}
# Largest prefix length each special subnet may have (i.e. its minimum size).
SPECIAL_MIN_PREFIX = {
    GATEWAY_SUBNET: 29,  # vpn-gateway-about-vpn-gateway-settings#gwsub; /27 when VPN and ER coexist
    FIREWALL_SUBNET: 26,  # Azure Firewall FAQ
    FIREWALL_MANAGEMENT_SUBNET: 26,  # forced-tunneling
    BASTION_SUBNET: 26,  # bastion-faq
    ROUTE_SERVER_SUBNET: 27,  # route-server-faq
}
GATEWAY_SUBNET_COEXIST_PREFIX = 27  # expressroute-howto-coexist
RESOLVER_SUBNET_PREFIXES = range(24, 29)  # dns-private-resolver-overview: /28 to /24, delegated

# BGP (vpn-gateway-bgp-overview).
ASN_IANA_RESERVED = [(23456, 23456), (64496, 64511), (65535, 65551), (4294967295, 4294967295)]
ASN_AZURE_RESERVED = {8074, 8075, 12076, 65515, 65517, 65518, 65519, 65520}
AZURE_DEFAULT_ASN = 65515
APIPA_FIRST, APIPA_LAST = IPAddress("169.254.21.0"), IPAddress("169.254.22.255")

# AKS (concepts-network-ip-address-planning, concepts-network-cni-overview, use-system-pools).
MAX_PODS_RANGE = (10, 250)
SYSTEM_POOL_MIN_PODS = 30
SERVICE_CIDR_MIN_PREFIX = 13  # "smaller than /12"
OVERLAY_POD_BLOCK = 256  # Azure CNI Overlay gives each node a /24 from the pod CIDR (azure-cni-overlay)


@dataclass(frozen=True)
class PlanRow:
    """One line of the address plan as the offline preview shows it."""

    key: str
    owner: str
    cidr: str
    size: int
    usable: int
    needed: int | None = None
    note: str = ""


@dataclass(frozen=True)
class _Range:
    key: str
    owner: str
    network: IPNetwork
    # Ranges of the same non-empty cluster may overlap only each other's routed ranges never; ranges of
    # two different clusters (service/pod CIDRs) may overlap each other: they never leave their cluster.
    cluster: str | None = None
    # Published by the hub stack (another stack's range): checked against this stack's, never against each other.
    external: bool = False
    site: str | None = None  # the on-prem site a prefix belongs to


def check_plan(stack: StackConfig, context: HubContext | None = None) -> list[Problem]:
    """Every problem of the stack's plan; an attaching stack is checked against its hub stack's `context`."""
    return _Plan(stack, context).problems()


def address_plan_rows(stack: StackConfig, context: HubContext | None = None) -> list[PlanRow]:
    return _Plan(stack, context).rows()


class _Plan:
    def __init__(self, stack: StackConfig, context: HubContext | None = None) -> None:
        self.stack = stack
        self.context = context if stack.attach is not None else None
        self.hub: Hub = self.context.hub if self.context else stack.hub or Hub.model_construct(address_space=[], subnets={})
        self.out: list[Problem] = []

    @cached_property
    def sites(self) -> dict[str, Site]:
        """Sites by name: the hub stack's (an attaching stack reaches them through its connections), then this stack's."""
        known = {site.name: site for site in (self.context.sites if self.context else ())}
        return known | {site.name: site for site in self.stack.sites}

    # --- inventory --------------------------------------------------------------------------------

    @cached_property
    def vnets(self) -> list[tuple[str, str, list[str], dict[str, str]]]:
        """(path prefix, owner, address space, subnets) for the hub and each spoke."""
        hub = self.hub
        out = [] if self.context else [(key_of("hub"), f"hub VNet '{hub.name}'", hub.address_space, hub.subnets)]
        for i, spoke in enumerate(self.stack.spokes):
            out.append((key_of("spokes", i), f"spoke VNet '{spoke.name}'", spoke.address_space, spoke.subnets))
        return out

    @cached_property
    def routed(self) -> list[_Range]:
        """Everything that shares one routing domain: VNet spaces and on-prem prefixes."""
        ranges = []
        for path, owner, space, _ in self.vnets:
            for j, cidr in enumerate(space):
                ranges.append(_Range(f"{path}.addressSpace[{j}]", owner, IPNetwork(cidr)))
        for i, site in enumerate(self.stack.sites):
            for j, cidr in enumerate(site.address_prefixes):
                ranges.append(_Range(key_of("sites", i, "addressPrefixes", j), f"on-prem site '{site.name}'", IPNetwork(cidr),
                                     site=site.name))
        return ranges + [r for r in self.external if r.cluster is None]

    @cached_property
    def external(self) -> list[_Range]:
        """What the hub stack publishes: its ranges and other attached stacks', keyed '<stack>:<key>'."""
        if self.context is None:
            return []
        return [_Range(f"{r.stack}:{r.key}", f"{r.owner} in stack '{r.stack}'", IPNetwork(r.cidr),
                       cluster=f"{r.stack}:{r.cluster}" if r.kind == "cluster" else None, external=True,
                       site=r.site if r.stack == self.context.stack else None)
                for r in self.context.others()]

    @cached_property
    def cluster_ranges(self) -> list[_Range]:
        ranges = []
        for i, spoke in self._aks_spokes():
            aks = spoke.aks
            assert aks is not None
            ranges.append(_Range(key_of("spokes", i, "aks", "serviceCidr"), f"AKS service CIDR of '{spoke.name}'",
                                 IPNetwork(aks.service_cidr), cluster=spoke.name))
            if aks.pod_cidr:
                ranges.append(_Range(key_of("spokes", i, "aks", "podCidr"), f"AKS pod CIDR of '{spoke.name}'",
                                     IPNetwork(aks.pod_cidr), cluster=spoke.name))
        for i, site in enumerate(self.stack.sites):
            if site.aks_hybrid:
                for field, cidr in (("podCidr", site.aks_hybrid.pod_cidr), ("serviceCidr", site.aks_hybrid.service_cidr)):
                    ranges.append(_Range(key_of("sites", i, "aksHybrid", field), f"AKS hybrid {field[:-4]} CIDR of site '{site.name}'",
                                         IPNetwork(cidr), cluster=f"site:{site.name}"))
        return ranges + [r for r in self.external if r.cluster is not None]

    @cached_property
    def used(self) -> IPSet:
        return IPSet(r.network for r in [*self.routed, *self.cluster_ranges])

    def _aks_spokes(self) -> Iterator[tuple[int, Spoke]]:
        return ((i, s) for i, s in enumerate(self.stack.spokes) if s.aks is not None)

    # --- the checks -------------------------------------------------------------------------------

    def problems(self) -> list[Problem]:
        if not self._check_kind():
            return self.out
        self._check_names()
        self._check_forbidden()
        self._check_overlaps()
        for path, owner, space, subnets in self.vnets:
            self._check_subnets(path, owner, space, subnets, is_hub=path == key_of("hub"))
        if self.context is not None:
            self._check_hub_routes_us()
        else:
            self._check_hub_features()
            self._check_gateways()
        for i, site in enumerate(self.stack.sites):
            self._check_attached_site(i, site) if self.context else self._check_site(i, site)
            if site.aks_hybrid:
                self.out.extend(check_site(i, list(site.address_prefixes), site.aks_hybrid))
        for i, spoke in self._aks_spokes():
            self._check_aks(i, spoke)
            self._check_images(i, spoke)
        for i, spoke in enumerate(self.stack.spokes):
            self._check_private_endpoint_subnets(i, spoke)
        for i, flow in enumerate(self.stack.flows):
            self._check_flow(i, flow)
        return self.out

    def _add(self, rule: str, key: str, message: str, fix: str) -> None:
        """Report a problem found by `rule`, an id of config/rules.py."""
        self.out.append(Problem(key, message, fix, rule=known(rule)))

    def _check_kind(self) -> bool:
        """A stack owns a hub or attaches to one, never both; an attaching stack leaves gateways and connections to it."""
        if (self.stack.hub is None) == (self.stack.attach is None):
            both = self.stack.hub is not None
            self._add("stack-hub-or-attach", key_of("attach" if both else "hub"),
                      "is set together with hybrid-aks:hub" if both else "is required: a stack owns a hub or attaches to one",
                      "keep hub (this stack owns the hub) or attach: {hubStack: <org>/<project>/<stack>} (it peers into that hub)")
            return False
        if self.stack.attach is None:
            return True
        if self.context is None:
            self._add("attach-hub-stack-read", key_of("attach", "hubStack"), f"'{self.stack.attach.hub_stack}' was not read",
                      "load this stack with the hub stack's connectivity output (config.load_stack(..., hub=...))")
            return False
        if self.stack.gateways != Gateways():
            self._add("attach-no-gateways", key_of("gateways"), f"belong to the hub stack '{self.context.stack}' in an attaching stack",
                      f"remove them; declare gateways in stack '{self.context.stack}'")
        return True

    def _check_attached_site(self, i: int, site: Site) -> None:
        """A site of an attaching stack (an AKS Arc data centre) is reached through the hub stack's connection to it."""
        assert self.context is not None
        hub_stack, path = self.context.stack, ("sites", i)
        for role, value in (("vpn", site.vpn), ("expressRoute", site.express_route)):
            if value is not None:
                self._add("attach-site-no-connection", key_of(*path, role), f"is a connection, and connections belong to the hub stack '{hub_stack}'",
                          f"remove it here and declare it on site '{site.name}' in stack '{hub_stack}'")
        connected = self.context.site(site.name)
        if connected is None:
            self._add("attach-site-connected", key_of(*path, "name"), f"'{site.name}' is no site of the hub stack '{hub_stack}' (it connects: "
                      f"{', '.join(s.name for s in self.context.sites) or 'none'}), so nothing routes to it",
                      f"add site '{site.name}' with its VPN or ExpressRoute connection to stack '{hub_stack}' first")
        else:
            for j, cidr in enumerate(site.address_prefixes):
                if not any(IPNetwork(cidr) in IPNetwork(p) for p in connected.address_prefixes):
                    self._add("attach-site-prefixes-inside", key_of(*path, "addressPrefixes", j),
                              f"{cidr} is outside site '{site.name}' as stack '{hub_stack}' connects it "
                              f"({', '.join(connected.address_prefixes)})", f"use a range inside them, or widen the site in stack '{hub_stack}'")
        if site.dns:
            for j, server in enumerate(site.dns.servers):
                if not any(IPAddress(server) in IPNetwork(p) for p in site.address_prefixes):
                    self._add("site-dns-in-prefixes", key_of(*path, "dns", "servers", j), f"{server} is outside the site's addressPrefixes",
                              "list an address inside the site's prefixes")

    def _check_hub_routes_us(self) -> None:
        """The hub stack routes this stack's spokes through its firewall and allows its flows (it reads this stack's file
        when it is deployed): until it has, on-prem traffic to the spokes would bypass the firewall, so deploy it first."""
        assert self.context is not None
        if self.context.hub.firewall is None:
            return
        me, hub_stack = self.context.attaching_stack, self.context.stack
        routed = {r.prefix for r in self.context.routes if r.stack == me}
        missing = [prefix for spoke in self.stack.spokes for prefix in spoke.address_space if prefix not in routed]
        flows = {f.name for f in self.context.flows if f.stack == me}
        missing += [f"flow {flow.name}" for flow in self.stack.flows if f"{me}-{flow.name}" not in flows]
        if missing:
            self._add("attach-hub-routes-first", key_of("attach", "hubStack"),
                      f"stack '{hub_stack}' does not yet route or allow {', '.join(missing)} of stack '{me}' through its firewall",
                      f"deploy stack '{hub_stack}' first (it reads Pulumi.{me}.yaml), then this one; the deploy workflow does")

    def _check_names(self) -> None:
        seen: dict[str, str] = {} if self.context else {self.hub.name: key_of("hub", "name")}
        for i, spoke in enumerate(self.stack.spokes):
            key = key_of("spokes", i, "name")
            if spoke.name in seen:
                self._add("vnet-names-unique", key, f"'{spoke.name}' is already the name of {seen[spoke.name]}", "give every VNet its own name")
            seen.setdefault(spoke.name, key)
        sites: dict[str, str] = {}
        for i, site in enumerate(self.stack.sites):
            key = key_of("sites", i, "name")
            if site.name in sites:
                self._add("site-names-unique", key, f"'{site.name}' is already the name of {sites[site.name]}", "give every site its own name")
            sites.setdefault(site.name, key)

    def _check_forbidden(self) -> None:
        aks_vnets = {key_of("spokes", i) for i, _ in self._aks_spokes()}
        for r in self.routed:
            if r.external:
                continue
            is_vnet = not r.key.startswith(key_of("sites"))
            forbidden = dict(VNET_FORBIDDEN) if is_vnet else {}
            if any(r.key.startswith(path + ".") for path in aks_vnets):
                forbidden |= AKS_FORBIDDEN
            self._forbid(r, forbidden)
        for r in self.cluster_ranges:
            if r.external:
                continue
            on_prem = r.key.startswith(key_of("sites"))  # AKS Arc: Azure's AKS reservations don't apply
            self._forbid(r, {k: v for k, v in VNET_FORBIDDEN.items() if k != "168.63.129.16/32"} | ({} if on_prem else AKS_FORBIDDEN))
            if not on_prem and r.key.endswith("serviceCidr") and r.network.prefixlen < SERVICE_CIDR_MIN_PREFIX:
                self._add("aks-service-cidr-size", r.key, f"{r.network} is a /{r.network.prefixlen}; AKS needs a service CIDR smaller than /12",
                          f"use a /{SERVICE_CIDR_MIN_PREFIX} or smaller, e.g. /16 (concepts-network-cni-overview)")

    def _forbid(self, r: _Range, forbidden: dict[str, str]) -> None:
        for cidr, why in forbidden.items():
            if _overlaps(r.network, IPNetwork(cidr)):
                rule = "aks-reserved-ranges" if cidr in AKS_FORBIDDEN and cidr not in VNET_FORBIDDEN else "vnet-forbidden-ranges"
                self._add(rule, r.key, f"{r.network} overlaps {cidr} ({why}), which Azure does not allow here",
                          f"use a range clear of {cidr}, e.g. {self._free_like(r.network)}")

    def _check_overlaps(self) -> None:
        for a, b in _overlapping_pairs([*self.routed, *self.cluster_ranges]):
            if a.cluster and b.cluster and a.cluster != b.cluster:
                continue  # cluster-internal ranges of two clusters never meet
            if a.external and b.external:
                continue  # two other stacks' ranges: their own checks (and `make plan`) report them
            if a.site and a.site == b.site and (a.external or b.external):
                continue  # this stack's part of a site the hub stack connects (checked by _check_attached_site)
            first, second = sorted((a, b), key=lambda r: (not r.external, r.key))
            rule, why = "routed-ranges-disjoint", "peered or connected networks must not overlap, or routing breaks"
            if first.cluster or second.cluster:
                rule, why = "cluster-ranges-disjoint", "a cluster's service and pod ranges must not overlap anything its pods reach"
            self._add(rule, second.key, f"{second.network} ({second.owner}) overlaps {first.network} ({first.owner}, {first.key}); {why}",
                      f"move one of them; {self._free_like(second.network)} is free and the same size")

    def _free_like(self, network: IPNetwork) -> str:
        """A free range of the same size, preferring the same RFC 1918 block."""
        # The pool holding the range first. A pool the range only overlaps is smaller than it and holds no range its size.
        pools = sorted(RFC1918, key=lambda pool: network not in pool)
        return _first_free(network.prefixlen, self.used, pools) or f"(no free /{network.prefixlen} in RFC 1918 space)"

    def _check_subnets(self, path: str, owner: str, space: list[str], subnets: dict[str, str], is_hub: bool) -> None:
        vnet = IPSet(space)
        ranges = []
        for name, cidr in subnets.items():
            key = f"{path}.subnets.{name}"
            network = IPNetwork(cidr)
            ranges.append(_Range(key, f"subnet '{name}'", network))
            if network not in vnet:
                self._add("subnet-inside-vnet", key, f"{network} is not inside {owner} ({', '.join(space)})",
                          f"use a range inside the VNet, e.g. {_first_free(network.prefixlen, IPSet(subnets.values()), [IPNetwork(s) for s in space]) or 'a larger address space'}")
            if network.prefixlen > SMALLEST_SUBNET:
                self._add("subnet-min-size-29", key, f"{network} is smaller than /29, the smallest subnet Azure allows",
                          "use a /29 or larger (virtual-networks-faq)")
            special = next((s for s in SPECIAL_SUBNETS if s.lower() == name.lower()), None)
            if special and special != name:
                self._add("special-subnet-exact-name", key, f"'{name}' must be spelled exactly '{special}' for Azure to treat it as one",
                          f"rename the key to {special}")
            elif special and not is_hub:
                self._add("special-subnet-hub-only", key, f"a spoke cannot hold {special}: spokes reach on-prem and the internet through the hub",
                          "remove it; gateways, firewall and Bastion live in the hub")
            elif special and network.prefixlen > SPECIAL_MIN_PREFIX[special]:
                self._add("special-subnet-min-size", key, f"{special} {network} is too small; Azure needs /{SPECIAL_MIN_PREFIX[special]} or larger",
                          f"use a /{SPECIAL_MIN_PREFIX[special]} (e.g. {_first_free(SPECIAL_MIN_PREFIX[special], IPSet(subnets.values()), [IPNetwork(s) for s in space]) or 'after growing the VNet'})")
        for a, b in _overlapping_pairs(ranges):
            first, second = sorted((a, b), key=lambda r: r.key)
            self._add("subnets-disjoint", second.key, f"{second.network} overlaps {first.owner} {first.network} ({first.key}) in {owner}",
                      f"move it; {_first_free(second.network.prefixlen, IPSet(subnets.values()), [IPNetwork(s) for s in space]) or 'no range of that size'} is free in the VNet")

    def _require_subnet(self, rule: str, name: str, feature_key: str, feature: str, min_prefix: int) -> None:
        if name not in self.hub.subnets:
            self._add(rule, key_of("hub", "subnets", name), f"is missing; {feature} ({feature_key}) needs it",
                      f"add hub.subnets.{name} with a /{min_prefix} or larger inside the hub's address space")

    def _check_hub_features(self) -> None:
        hub = self.hub
        if hub.firewall:
            self._require_subnet("firewall-subnet-required", FIREWALL_SUBNET, key_of("hub", "firewall"), "Azure Firewall", 26)
            if hub.firewall.forced_tunneling:
                self._require_subnet("firewall-management-subnet-required", FIREWALL_MANAGEMENT_SUBNET, key_of("hub", "firewall", "forcedTunneling"),
                                     "forced tunneling", 26)
                self._check_default_route_source()
            premium = hub.firewall.sku == "Premium"
            for feature in ("intrusionDetection", "tlsInspection"):
                value = hub.firewall.intrusion_detection if feature == "intrusionDetection" else hub.firewall.tls_inspection
                if value is not None and not premium:
                    self._add("firewall-premium-features", key_of("hub", "firewall", feature), "needs the Premium tier (Learn: premium-features)",
                              f"set hub.firewall.sku: Premium, or remove {feature}")
            if hub.firewall.dns_proxy and not (hub.dns_servers or hub.dns_resolver):
                self._add("firewall-dns-proxy-upstream", key_of("hub", "firewall", "dnsProxy"), "has nothing to forward to: no hub.dnsServers and no hub.dnsResolver",
                          "add hub.dnsResolver (the proxy then forwards to its inbound endpoint), or turn dnsProxy off")
        if hub.bastion:
            self._require_subnet("bastion-subnet-required", BASTION_SUBNET, key_of("hub", "bastion"), "Azure Bastion", 26)
            self._check_bastion_egress()
        if hub.dns_resolver:
            inbound, outbound = hub.dns_resolver.inbound_subnet, hub.dns_resolver.outbound_subnet
            for role, name in (("inboundSubnet", inbound), ("outboundSubnet", outbound)):
                key = key_of("hub", "dnsResolver", role)
                cidr = hub.subnets.get(name)
                if cidr is None:
                    self._add("resolver-subnet-exists", key, f"names subnet '{name}', which hub.subnets does not have",
                              f"add hub.subnets.{name} (a /28) or name an existing subnet")
                elif name in SPECIAL_SUBNETS:
                    self._add("resolver-subnet-not-special", key, f"{name} cannot host a DNS resolver endpoint", "name a subnet of its own")
                elif IPNetwork(cidr).prefixlen not in RESOLVER_SUBNET_PREFIXES:
                    self._add("resolver-subnet-size", key_of("hub", "subnets", name), f"{cidr} holds a resolver endpoint; it must be /28 to /24",
                              "use a /28 (dns-private-resolver-overview)")
            if inbound == outbound:
                self._add("resolver-endpoints-separate", key_of("hub", "dnsResolver", "outboundSubnet"), "is the same subnet as the inbound endpoint",
                          "give each endpoint its own delegated subnet")
        for j, server in enumerate(hub.dns_servers):
            if not self._reachable(IPAddress(server)):
                self._add("hub-dns-servers-reachable", key_of("hub", "dnsServers", j), f"{server} lies in no VNet and no on-prem prefix of this stack",
                          "use an address inside a subnet or a site's addressPrefixes")

    def _check_default_route_source(self) -> None:
        """Forced tunneling needs a default route from on-prem that Azure honours (firewall forced-tunneling):
        0.0.0.0/0 learned over BGP, or a VPN gateway's default site (site-to-site-tunneling)."""
        vpn = self.stack.gateways.vpn
        if any(site.advertises_default_route for site in self.stack.sites) or (vpn and vpn.default_site):
            return
        self._add("forced-tunneling-default-route", key_of("hub", "firewall", "forcedTunneling"),
                  "has no default route to follow: no site advertises 0.0.0.0/0 over BGP and the VPN gateway has no default site, "
                  "so internet-bound traffic from the firewall would be dropped",
                  "set advertisesDefaultRoute: true on a site whose device advertises 0.0.0.0/0 over ExpressRoute or BGP VPN, "
                  "or (VPN only) hybrid-aks:gateways.vpn.defaultSite (forced-tunneling, site-to-site-tunneling)")

    def _check_bastion_egress(self) -> None:
        """Bastion needs its own path to the internet, and AzureBastionSubnet takes no route table (bastion-faq): a
        default route the hub learns from on-prem, or that a VPN default site pushes to it, breaks Bastion."""
        vpn = self.stack.gateways.vpn
        advertisers = [s.name for s in self.stack.sites if s.advertises_default_route]
        if advertisers or (vpn and vpn.default_site):
            source = f"site '{advertisers[0]}' advertises 0.0.0.0/0" if advertisers else "the VPN gateway's default site pushes 0.0.0.0/0"
            self._add("bastion-no-default-route", key_of("hub", "bastion"), f"can't work in this hub: {source} to every hub subnet, and AzureBastionSubnet "
                                               "accepts no route table to keep Bastion's internet path",
                      "turn Bastion off in this hub (reach VMs from on-prem instead), or don't bring a default route into it (bastion-faq)")

    def _check_private_endpoint_subnets(self, i: int, spoke: Spoke) -> None:
        for j, name in enumerate(spoke.private_endpoint_subnets):
            key = key_of("spokes", i, "privateEndpointSubnets", j)
            if name not in spoke.subnets:
                self._add("private-endpoint-subnet-exists", key, f"names subnet '{name}', which spoke '{spoke.name}' does not have", f"name one of: {', '.join(spoke.subnets)}")
            elif spoke.aks and name in spoke.aks.pool_subnets():
                self._add("private-endpoint-subnet-not-nodes", key, f"'{name}' holds AKS nodes (and a private cluster's API-server endpoint, reached from on-prem directly)",
                          "put private endpoints in a subnet of their own")

    def _reachable(self, address: IPAddress) -> bool:
        return any(address in r.network for r in self.routed)

    def _check_gateways(self) -> None:
        gateways = self.stack.gateways
        gw_subnet = self.hub.subnets.get(GATEWAY_SUBNET)
        if gateways.vpn or gateways.express_route:
            if gw_subnet is None:
                self._require_subnet("gateway-subnet-required", GATEWAY_SUBNET, key_of("gateways"), "a VPN or ExpressRoute gateway", 27)
            elif gateways.vpn and gateways.express_route and IPNetwork(gw_subnet).prefixlen > GATEWAY_SUBNET_COEXIST_PREFIX:
                self._add("gateway-subnet-coexist-27", key_of("hub", "subnets", GATEWAY_SUBNET),
                          f"{gw_subnet} is too small for VPN and ExpressRoute gateways together; they need /27 or larger",
                          "use a /27 (expressroute-howto-coexist)")
        vpn = gateways.vpn
        if vpn:
            key = key_of("gateways", "vpn", "asn")
            if _iana_reserved(vpn.asn) or (vpn.asn in ASN_AZURE_RESERVED and vpn.asn != AZURE_DEFAULT_ASN):
                self._add("gateway-asn-not-reserved", key, f"{vpn.asn} is a reserved ASN", f"use {AZURE_DEFAULT_ASN} (Azure's default) or a private ASN such as 65010 (vpn-gateway-bgp-overview)")
            elif gateways.express_route and vpn.asn != AZURE_DEFAULT_ASN:
                self._add("gateway-asn-65515-coexist", key, f"is {vpn.asn}, but a VPN gateway coexisting with an ExpressRoute gateway must keep ASN {AZURE_DEFAULT_ASN}",
                          f"set it to {AZURE_DEFAULT_ASN} or remove it (expressroute-howto-coexist-resource-manager)")
            self._check_default_site(vpn.default_site)
            instances = 2 if vpn.active_active else 1
            if len(vpn.apipa_addresses) > instances:
                self._add("apipa-one-list-per-instance", key_of("gateways", "vpn", "apipaAddresses"),
                          f"has {len(vpn.apipa_addresses)} lists, but the gateway has {instances} instance(s)",
                          "give one list per instance (two when activeActive is true)")
            for i, addresses in enumerate(vpn.apipa_addresses):
                for j, address in enumerate(addresses):
                    if not APIPA_FIRST <= IPAddress(address) <= APIPA_LAST:
                        self._add("apipa-range", key_of("gateways", "vpn", "apipaAddresses", i, j),
                                  f"{address} is outside the APIPA range Azure accepts ({APIPA_FIRST} - {APIPA_LAST})",
                                  "use an address from 169.254.21.0 to 169.254.22.255 (vpn-gateway-bgp-overview)")

    def _check_default_site(self, name: str | None) -> None:
        if name is None:
            return
        key = key_of("gateways", "vpn", "defaultSite")
        site = next((s for s in self.stack.sites if s.name == name), None)
        firewall = self.hub.firewall
        if site is None or site.vpn is None:
            vpn_sites = [s.name for s in self.stack.sites if s.vpn]
            self._add("default-site-is-vpn-site", key, f"names '{name}', which is not a site with a VPN connection",
                      f"name one of: {', '.join(vpn_sites) or '(no VPN sites declared)'}")
        elif self.stack.gateways.express_route:
            self._add("default-site-not-with-expressroute", key, "forced tunneling through a default site needs a route to VirtualNetworkGateway, which Azure refuses "
                           "while VPN and ExpressRoute gateways coexist",
                      "remove defaultSite and have on-prem advertise 0.0.0.0/0 over BGP (advertisesDefaultRoute on the site) "
                      "(virtual-networks-udr-overview)")
        elif not (firewall and firewall.forced_tunneling):
            self._add("default-site-needs-forced-tunneling", key, "is set, but nothing sends internet-bound traffic to the gateway (hub.firewall.forcedTunneling is off)",
                      "turn on hybrid-aks:hub.firewall.forcedTunneling, or remove defaultSite")

    def _check_site(self, i: int, site: Site) -> None:
        gateways = self.stack.gateways
        path = ("sites", i)
        if not site.vpn and not site.express_route:
            self._add("site-has-connection", key_of(*path), f"site '{site.name}' has no connection", "add vpn or expressRoute to it")
        if site.express_route and not gateways.express_route:
            self._add("site-expressroute-needs-gateway", key_of(*path, "expressRoute"), "needs an ExpressRoute gateway in the hub",
                      "add hybrid-aks:gateways.expressRoute (e.g. sku: ErGw1AZ)")
        if site.advertises_default_route and not site.express_route and not (site.vpn and site.vpn.bgp):
            self._add("default-route-needs-bgp", key_of(*path, "advertisesDefaultRoute"), "needs BGP: a site without ExpressRoute or a BGP VPN advertises nothing",
                      "add vpn.bgp (or expressRoute) to the site, or use hybrid-aks:gateways.vpn.defaultSite (vpn-gateway-bgp-overview)")
        if site.dns:
            for j, server in enumerate(site.dns.servers):
                if not any(IPAddress(server) in IPNetwork(p) for p in site.address_prefixes):
                    self._add("site-dns-in-prefixes", key_of(*path, "dns", "servers", j), f"{server} is outside the site's addressPrefixes",
                              "on-prem DNS servers must be reachable over the connection: list an address inside the site's prefixes")
        vpn = site.vpn
        if not vpn:
            return
        if not gateways.vpn:
            self._add("site-vpn-needs-gateway", key_of(*path, "vpn"), "needs a VPN gateway in the hub", "add hybrid-aks:gateways.vpn (e.g. sku: VpnGw1AZ)")
        if (vpn.gateway_address is None) == (vpn.gateway_fqdn is None):
            self._add("site-vpn-address-or-fqdn", key_of(*path, "vpn"), "needs exactly one of gatewayAddress or gatewayFqdn",
                      "give the on-prem VPN device's public IP or its DNS name")
        if vpn.gateway_address and not _public(IPAddress(vpn.gateway_address)):
            self._add("site-vpn-public-address", key_of(*path, "vpn", "gatewayAddress"), f"{vpn.gateway_address} is not a public address",
                      "give the public IP of the on-prem VPN device")
        if vpn.bgp:
            bgp_key = key_of(*path, "vpn", "bgp")
            asn = vpn.bgp.asn
            if _iana_reserved(asn) or asn in ASN_AZURE_RESERVED:
                self._add("site-asn-not-reserved", f"{bgp_key}.asn", f"{asn} is reserved by Azure or IANA and can't be used by an on-prem device",
                          "use a private ASN such as 65010 (vpn-gateway-bgp-overview)")
            elif gateways.vpn and asn == gateways.vpn.asn:
                self._add("site-asn-differs-from-gateway", f"{bgp_key}.asn", f"{asn} is also the Azure gateway's ASN (gateways.vpn.asn)",
                          "on-prem and Azure peer over eBGP: give the site its own ASN")
            peer = IPAddress(vpn.bgp.peer_address)
            in_apipa = APIPA_FIRST <= peer <= APIPA_LAST
            if in_apipa and gateways.vpn and not gateways.vpn.apipa_addresses:
                self._add("bgp-apipa-needs-custom-apipa", f"{bgp_key}.peerAddress", f"{peer} is an APIPA address, but the gateway has no custom APIPA BGP address",
                          "add hybrid-aks:gateways.vpn.apipaAddresses (169.254.21.x)")
            elif not in_apipa and not any(peer in IPNetwork(p) for p in site.address_prefixes):
                self._add("bgp-peer-in-site", f"{bgp_key}.peerAddress", f"{peer} is neither inside the site's addressPrefixes nor an APIPA address",
                          "use the on-prem device's BGP address inside the site's prefixes, or one in 169.254.21.0 - 169.254.22.255")

    def _check_aks(self, i: int, spoke: Spoke) -> None:
        aks = spoke.aks
        assert aks is not None
        path = ("spokes", i, "aks")
        overlay = aks.network_plugin_mode == "overlay"
        if overlay and not aks.pod_cidr:
            self._add("overlay-needs-pod-cidr", key_of(*path, "podCidr"), "is required with networkPluginMode: overlay", "add a pod CIDR, e.g. 10.244.0.0/16")
        if aks.pod_cidr and not overlay:
            self._add("pod-cidr-only-with-overlay", key_of(*path, "podCidr"), "is only used with networkPluginMode: overlay (with Azure CNI, pods take subnet IPs)",
                      "remove podCidr, or set networkPluginMode: overlay")
        if aks.network_policy == "cilium" and not overlay:
            self._add("cilium-needs-overlay", key_of(*path, "networkPolicy"), "cilium needs Azure CNI Overlay here", "set networkPluginMode: overlay, or use calico or azure")
        custom_dns = "hub.dnsServers" if self.hub.dns_servers else "hub.dnsResolver" if self.hub.dns_resolver else None
        if aks.private_cluster and aks.private_dns_zone == "system" and custom_dns:
            self._add("private-zone-with-custom-dns", key_of(*path, "privateDnsZone"),
                      f"is 'system', but the VNets resolve through custom DNS ({custom_dns}); AKS links its zone only to the "
                      "cluster's VNet, so the nodes could not resolve the private API server",
                      "set privateDnsZone: hub (the zone is created in the hub and linked to it) (private-clusters)")
        if self.context and aks.private_cluster and aks.private_dns_zone == "hub" and self.stack.location != self.context.location:
            self._add("hub-zone-same-region", key_of(*path, "privateDnsZone"),
                      f"is 'hub', but the hub stack '{self.context.stack}' is in {self.context.location} and creates only "
                      f"privatelink.{self.context.location}.azmk8s.io; a cluster in {self.stack.location} needs its region's zone",
                      "attach to a hub in the cluster's region, or use privateDnsZone: system with Azure DNS (private-clusters)")
        if aks.private_dns_zone == "hub" and not aks.private_cluster:
            self._add("hub-zone-needs-private-cluster", key_of(*path, "privateDnsZone"), "is 'hub', but the cluster is not private", "set privateCluster: true, or privateDnsZone: system")
        if not aks.entra_id.enabled and (aks.entra_id.disable_local_accounts or aks.entra_id.azure_rbac):
            self._add("entra-id-off-no-rbac", key_of(*path, "entraId"), "turns Entra ID off but keeps azureRbac or disableLocalAccounts on",
                      "set azureRbac and disableLocalAccounts to false, or enable Entra ID")
        self._check_baseline(path, aks)
        self._check_dns_service_ip(path, aks)
        self._check_pools(i, spoke, aks, overlay)
        self._check_services(i, spoke, aks)
        self._check_backends(path, aks)

    def _check_baseline(self, path: tuple[str | int, ...], aks: Aks) -> None:
        """The secure defaults' own conditions (Learn: api-server-authorized-ip-ranges, use-system-pools, egress-udr)."""
        ranges = [IPNetwork(cidr) for cidr in aks.authorized_ip_ranges]
        if not aks.private_cluster and not ranges:
            self._add("public-api-authorized-ranges", key_of(*path, "authorizedIpRanges"), "is empty, but the API server is public (privateCluster: false)",
                      "list the CIDRs that may reach the API server (your runners' and admins' egress addresses), or set privateCluster: true")
        for j, network in enumerate(ranges):
            if network.prefixlen == 0:
                self._add("authorized-range-not-everything", key_of(*path, "authorizedIpRanges", j), f"{network} authorizes every address", "list specific CIDRs")
        if aks.private_cluster and ranges:
            self._add("authorized-ranges-public-only", key_of(*path, "authorizedIpRanges"), "applies only to a public API server (privateCluster is true)",
                      "remove authorizedIpRanges")
        if aks.critical_addons_only and not aks.user_pools:
            self._add("critical-addons-needs-user-pool", key_of(*path, "criticalAddonsOnly"), "taints the system pool CriticalAddonsOnly, but there is no user pool for workloads",
                      "add a user pool (userPools), or set criticalAddonsOnly: false")
        firewall = self.hub.firewall is not None
        if not firewall and not aks.allow_direct_egress:
            self._add("egress-through-firewall-or-accepted", key_of(*path, "allowDirectEgress"),
                      "is false, but there is no hub firewall: the nodes would egress through an AKS-managed public IP that no firewall sees",
                      "add hybrid-aks:hub.firewall (egress then goes through it), or set allowDirectEgress: true to accept direct egress")
        if firewall and aks.allow_direct_egress:
            self._add("direct-egress-not-with-firewall", key_of(*path, "allowDirectEgress"), "is true, but egress goes through the hub firewall (userDefinedRouting)",
                      "remove allowDirectEgress")
    def _check_dns_service_ip(self, path: tuple[str | int, ...], aks: Aks) -> None:
        service = IPNetwork(aks.service_cidr)
        dns = IPAddress(aks.dns_service_ip)
        key = key_of(*path, "dnsServiceIP")
        if dns not in service:
            self._add("dns-service-ip-in-service-cidr", key, f"{dns} is outside serviceCidr {service}", f"use an address inside it, e.g. {service.network + 10}")
        elif dns in (service.network, service.network + 1, service.broadcast):
            role = "network address" if dns == service.network else "broadcast address" if dns == service.broadcast else "first address, taken by the kubernetes service"
            self._add("dns-service-ip-usable", key, f"{dns} is the {role} of serviceCidr {service}",
                      f"use another address inside it, e.g. {service.network + 10} (concepts-network-cni-overview)")

    def _check_pools(self, i: int, spoke: Spoke, aks: Aks, overlay: bool) -> None:
        path = ("spokes", i, "aks")
        pools = [("systemPool", aks.system_pool), *((f"userPools[{j}]", p) for j, p in enumerate(aks.user_pools))]
        names: dict[str, str] = {}
        for where, pool in pools:
            key = f"{key_of(*path)}.{where}"
            if pool.name in names:
                self._add("pool-names-unique", f"{key}.name", f"'{pool.name}' is already the name of {names[pool.name]}", "give every node pool its own name")
            names.setdefault(pool.name, f"{key}.name")
            low, high = MAX_PODS_RANGE
            if not low <= pool.max_pods <= high:
                self._add("max-pods-range", f"{key}.maxPods", f"{pool.max_pods} is outside {low}..{high}", "choose maxPods between 10 and 250 (configure-azure-cni)")
            elif where == "systemPool" and pool.max_pods < SYSTEM_POOL_MIN_PODS:
                self._add("system-pool-max-pods", f"{key}.maxPods", f"{pool.max_pods} is too few for a system pool", "use 30 or more (use-system-pools)")
            if pool.min_count > pool.max_count:
                self._add("pool-min-not-above-max", f"{key}.minCount", f"{pool.min_count} is above maxCount {pool.max_count}", "make minCount <= maxCount")
            if where == "systemPool" and pool.min_count < 1:
                self._add("system-pool-min-one", f"{key}.minCount", "a system pool cannot scale to zero", "use 1 or more (use-system-pools)")
            subnet = aks.pool_subnet(pool)
            subnet_key = f"{key}.subnet" if pool.subnet else key_of(*path, "nodeSubnet")
            if subnet not in spoke.subnets:
                self._add("pool-subnet-exists", subnet_key, f"names subnet '{subnet}', which spoke '{spoke.name}' does not have",
                          f"name one of: {', '.join(spoke.subnets)}")
            elif subnet in SPECIAL_SUBNETS:
                self._add("pool-subnet-not-special", subnet_key, f"{subnet} cannot hold AKS nodes", "name a subnet of its own")
        for subnet, need in self.node_subnet_needs(spoke).items():
            cidr = spoke.subnets.get(subnet)
            if cidr is None:
                continue
            usable = IPNetwork(cidr).size - AZURE_RESERVED_PER_SUBNET
            if need > usable:
                prefix = _prefix_for(need + AZURE_RESERVED_PER_SUBNET)
                others = IPSet(c for name, c in spoke.subnets.items() if name != subnet)
                free = _first_free(prefix, others, [IPNetwork(s) for s in spoke.address_space])
                self._add("node-subnet-capacity", key_of("spokes", i, "subnets", subnet),
                          f"{cidr} has {usable} usable addresses, but its node pools need {need} "
                          f"((nodes + surge) x (maxPods + 1){' with overlay: one per node' if overlay else ''}, plus internal LB IPs)",
                          f"use a /{prefix} or larger{f' (e.g. {free})' if free else ''}, or lower maxCount/maxPods (concepts-network-ip-address-planning)")
        if overlay and aks.pod_cidr:
            nodes = sum(pool.max_count + surge_nodes(pool) for _, pool in pools)
            need = nodes * OVERLAY_POD_BLOCK
            pod = IPNetwork(aks.pod_cidr)
            if need > pod.size:
                self._add("overlay-pod-cidr-capacity", key_of(*path, "podCidr"), f"{pod} holds {pod.size // OVERLAY_POD_BLOCK} node /24 blocks, but up to {nodes} nodes can exist",
                          f"use a /{_prefix_for(need)} or larger (azure-cni-overlay: each node takes a /24)")

    def node_subnet_needs(self, spoke: Spoke) -> dict[str, int]:
        """Addresses each subnet must provide for the cluster: nodes and pods, and internal LB frontends."""
        aks = spoke.aks
        if aks is None:
            return {}
        overlay = aks.network_plugin_mode == "overlay"
        need: dict[str, int] = {}
        for pool in [aks.system_pool, *aks.user_pools]:
            per_node = 1 if overlay else pool.max_pods + 1
            subnet = aks.pool_subnet(pool)
            need[subnet] = need.get(subnet, 0) + (pool.max_count + surge_nodes(pool)) * per_node
        for service in aks.internal_services:
            if service.subnet in need:
                need[service.subnet] += 1
        return need

    def _check_services(self, i: int, spoke: Spoke, aks: Aks) -> None:
        path = ("spokes", i, "aks", "internalServices")
        taken: dict[str, str] = {}
        names: dict[tuple[str, str], str] = {}
        for j, service in enumerate(aks.internal_services):
            key = key_of(*path, j)
            ident = (service.namespace, service.name)
            if ident in names:
                self._add("service-names-unique", f"{key}.name", f"{service.namespace}/{service.name} is already declared at {names[ident]}", "give each service its own name")
            names.setdefault(ident, key)
            cidr = spoke.subnets.get(service.subnet)
            if cidr is None:
                self._add("service-subnet-exists", f"{key}.subnet", f"names subnet '{service.subnet}', which spoke '{spoke.name}' does not have",
                          f"name one of: {', '.join(spoke.subnets)} (the internal LB must be in the cluster's VNet)")
                continue
            if service.subnet in SPECIAL_SUBNETS:
                self._add("service-subnet-not-special", f"{key}.subnet", f"{service.subnet} cannot hold a load balancer", "use a subnet of its own")
            if service.static_ip is None:
                continue
            ip, network = IPAddress(service.static_ip), IPNetwork(cidr)
            ip_key = f"{key}.staticIp"
            if ip not in network:
                self._add("service-ip-in-subnet", ip_key, f"{ip} is outside subnet '{service.subnet}' ({network})",
                          f"use an address inside it, e.g. {first_usable(network)}")
            elif ip in azure_reserved(network):
                self._add("service-ip-not-reserved", ip_key, f"{ip} is one of the five addresses Azure reserves in {network}",
                          f"use {first_usable(network)} to {network.broadcast - 1} (virtual-networks-faq)")
            elif str(ip) in taken:
                self._add("service-ips-unique", ip_key, f"{ip} is already the static IP of {taken[str(ip)]}", "give each service its own address")
            taken.setdefault(str(ip), ip_key)

    def _check_backends(self, path: tuple[str | int, ...], aks: Aks) -> None:
        sites = self.sites
        service_names = {(s.namespace, s.name) for s in aks.internal_services}
        for j, backend in enumerate(aks.external_backends):
            key = key_of(*path, "externalBackends", j)
            if (backend.namespace, backend.name) in service_names:
                self._add("backend-name-not-service", f"{key}.name", f"{backend.namespace}/{backend.name} is also an internal service", "give it its own name")
            if bool(backend.addresses) == bool(backend.external_name):
                self._add("backend-one-kind", key, "needs exactly one of addresses (selector-less service) or externalName (CNAME)",
                          "set addresses with ports, or externalName")
                continue
            if backend.site and backend.site not in sites:
                self._add("backend-site-exists", f"{key}.site", f"names site '{backend.site}', which hybrid-aks:sites does not have",
                          f"name one of: {', '.join(sites) or '(no sites declared)'}")
                continue
            if backend.addresses and not backend.ports:
                self._add("backend-needs-ports", f"{key}.ports", "is empty; an EndpointSlice needs at least one port", "add ports: [{port: 443}]")
            allowed = [sites[backend.site]] if backend.site else list(sites.values())
            for k, address in enumerate(backend.addresses):
                if not any(IPAddress(address) in IPNetwork(p) for s in allowed for p in s.address_prefixes):
                    where = f"site '{backend.site}'" if backend.site else "any site"
                    self._add("backend-address-in-site", f"{key}.addresses[{k}]", f"{address} is not inside the addressPrefixes of {where}",
                              "use an on-prem address the hub routes to, or declare its prefix on the site")

    def _check_images(self, i: int, spoke: Spoke) -> None:
        """Behind the hub firewall every image's registry must be allowed, or its pods never start (ImagePullBackOff)."""
        firewall = self.hub.firewall
        if firewall is None:
            return
        for path, image in spoke_images(spoke):
            registry = registry_of(image)
            if pull_hosts(registry, self.stack.location) is None and registry not in firewall.egress_fqdns:
                self._add("image-registry-allowed", key_of("spokes", i, *path),
                          f"pulls from {registry}, which the hub firewall does not allow: the pods would never start",
                          f"add {registry} and the hosts it serves image layers from to hybrid-aks:hub.firewall.egressFqdns, "
                          f"or use an image from {', '.join(sorted(PULL_HOSTS))} or an Azure Container Registry")

    def _check_flow(self, i: int, flow: Flow) -> None:
        ends = []
        for role, end in (("from", flow.source), ("to", flow.destination)):
            described = self._flow_end(key_of("flows", i, role), end)
            if described is None:
                return
            ends.append(described)
        (source_kind, source_name), (destination_kind, destination_name) = ends
        key = key_of("flows", i)
        if source_kind == destination_kind == "site":
            self._add("flow-not-site-to-site", key, "joins two on-prem sites; Azure carries no traffic between them here", "declare flows that start or end in a spoke")
        elif source_kind == destination_kind == "spoke" and source_name == destination_name:
            self._add("flow-not-within-spoke", key, f"stays inside spoke '{source_name}', where the hub firewall never sees it",
                      "filter traffic inside a VNet with the subnets' NSGs")
        elif "spoke" == source_kind == destination_kind and self.hub.firewall is None:
            self._add("flow-spokes-need-firewall", key, "joins two spokes, which reach each other only through a hub firewall (peering is not transitive)",
                      "add hybrid-aks:hub.firewall (virtual-network-peering-overview)")
        names = [f.name for f in self.stack.flows[:i]]
        if flow.name in names:
            self._add("flow-names-unique", f"{key}.name", f"'{flow.name}' is also the name of flows[{names.index(flow.name)}]", "give each flow its own name")

    def _flow_end(self, key: str, end: FlowEnd) -> tuple[str, str] | None:
        if (end.spoke is None) == (end.site is None):
            self._add("flow-end-one-kind", key, "needs exactly one of spoke or site", "write {spoke: <name>} (optionally with subnet) or {site: <name>}")
            return None
        if end.site is not None:
            if end.subnet is not None:
                self._add("flow-subnet-only-on-spoke", f"{key}.subnet", "applies only to a spoke", "remove it, or name a spoke")
                return None
            if end.site not in self.sites:
                self._add("flow-site-exists", f"{key}.site", f"names site '{end.site}', which hybrid-aks:sites does not have",
                          f"name one of: {', '.join(self.sites) or '(no sites declared)'}")
                return None
            return "site", end.site
        spoke = next((s for s in self.stack.spokes if s.name == end.spoke), None)
        if spoke is None:
            self._add("flow-spoke-exists", f"{key}.spoke", f"names spoke '{end.spoke}', which hybrid-aks:spokes does not have",
                      f"name one of: {', '.join(s.name for s in self.stack.spokes) or '(no spokes declared)'}")
            return None
        if end.subnet is not None and end.subnet not in spoke.subnets:
            self._add("flow-subnet-exists", f"{key}.subnet", f"names subnet '{end.subnet}', which spoke '{spoke.name}' does not have",
                      f"name one of: {', '.join(spoke.subnets)}")
            return None
        return "spoke", spoke.name

    # --- the table --------------------------------------------------------------------------------

    def rows(self) -> list[PlanRow]:
        rows = []
        for r in self.routed:
            rows.append(PlanRow(r.key, r.owner, str(r.network), r.network.size, r.network.size))
        # self.vnets is the hub, then each spoke in order: its owner is found by position, not by a search.
        for spoke, (path, owner, _, subnets) in zip([None, *self.stack.spokes], self.vnets):
            needs = self.node_subnet_needs(spoke) if spoke else {}
            for name, cidr in subnets.items():
                network = IPNetwork(cidr)
                usable = network.size - AZURE_RESERVED_PER_SUBNET
                need = needs.get(name)
                note = f"AKS nodes{', pods' if spoke and spoke.aks and not spoke.aks.network_plugin_mode else ''}" if need is not None else ""
                lbs = sum(1 for s in (spoke.aks.internal_services if spoke and spoke.aks else []) if s.subnet == name)
                if lbs and need is None:
                    need, note = lbs, "internal load balancers"
                if need is not None:
                    note += f"; headroom {usable - need}"
                rows.append(PlanRow(f"{path}.subnets.{name}", f"{owner} subnet '{name}'", cidr, network.size, usable, need, note.strip("; ")))
        rows.extend(self._site_pool_rows())
        spokes_by_name = {s.name: s for s in reversed(self.stack.spokes)}  # the first of a (refused) repeated name
        for r in self.cluster_ranges:
            note = ""
            spoke = spokes_by_name.get(r.cluster or "")
            if r.key.endswith("serviceCidr") and spoke and spoke.aks:
                note = f"dnsServiceIP {spoke.aks.dns_service_ip}"
            rows.append(PlanRow(r.key, r.owner, str(r.network), r.network.size, r.network.size - 2, None, note))
        return rows


    def _site_pool_rows(self) -> list[PlanRow]:
        rows = []
        for i, site in enumerate(self.stack.sites):
            hybrid = site.aks_hybrid
            if hybrid is None:
                continue
            base, owner = key_of("sites", i, "aksHybrid"), f"AKS hybrid at '{site.name}'"
            subnet = IPNetwork(hybrid.subnet)
            rows.append(PlanRow(f"{base}.subnet", f"{owner}: site subnet", str(subnet), subnet.size, subnet.size - 2, None,
                                f"gateway {hybrid.gateway}, control plane {hybrid.control_plane_ip}"))
            nodes = hybrid.nodes.control_plane + hybrid.nodes.workers + hybrid.nodes.max_surge
            pool = hybrid.node_pool or hybrid.dhcp_scope
            if pool is not None:
                size = max(0, pool.range.last - pool.range.first + 1)
                rows.append(PlanRow(f"{base}.{'nodePool' if hybrid.node_pool else 'dhcpScope'}", f"{owner}: node VMs",
                                    f"{pool.start}-{pool.end}", size, size, nodes, f"headroom {size - nodes}"))
            lb_need = hybrid.services + (1 if hybrid.load_balancer.type == "haproxy" else 0)
            for j, r in enumerate(hybrid.load_balancer.ranges):
                size = max(0, r.range.last - r.range.first + 1)
                rows.append(PlanRow(f"{base}.loadBalancer.ranges[{j}]", f"{owner}: {hybrid.load_balancer.type} addresses",
                                    f"{r.start}-{r.end}", size, size, lb_need if j == 0 else None,
                                    f"headroom {size - lb_need}" if j == 0 and len(hybrid.load_balancer.ranges) == 1 else ""))
        return rows


def surge_nodes(pool: NodePool) -> int:
    """Extra nodes an upgrade adds: a count, or a percentage of the pool rounded up (upgrade-cluster)."""
    if pool.max_surge.endswith("%"):
        return math.ceil(pool.max_count * int(pool.max_surge[:-1]) / 100)
    return int(pool.max_surge)


def _overlaps(a: IPNetwork, b: IPNetwork) -> bool:
    return a.first <= b.last and b.first <= a.last


def _overlapping_pairs(ranges: Iterable[_Range]) -> Iterator[tuple[_Range, _Range]]:
    """Every overlapping pair, by sorting on the first address and sweeping; linear when ranges are disjoint."""
    active: list[_Range] = []
    for current in sorted(ranges, key=lambda r: (r.network.first, -r.network.last)):
        active = [r for r in active if r.network.last >= current.network.first]
        for other in active:
            yield other, current
        active.append(current)


def _first_free(prefixlen: int, used: IPSet, pools: list[IPNetwork]) -> str | None:
    """The first free /prefixlen in the pools, never inside a range Azure or AKS forbids (a suggestion must be usable)."""
    if not 0 <= prefixlen <= 32:
        return None
    used = used | IPSet([*VNET_FORBIDDEN, *AKS_FORBIDDEN])
    for pool in pools:
        for block in (IPSet([pool]) - used).iter_cidrs():
            if block.prefixlen <= prefixlen:
                return str(IPNetwork(f"{block.network}/{prefixlen}"))
    return None


def _prefix_for(addresses: int) -> int:
    """The longest prefix holding `addresses` (at least 1); never negative, /0 when even IPv4 is too small."""
    return max(0, 32 - (addresses - 1).bit_length())


def _iana_reserved(asn: int) -> bool:
    return any(low <= asn <= high for low, high in ASN_IANA_RESERVED)


def _public(address: IPAddress) -> bool:
    private = [*RFC1918, IPNetwork("100.64.0.0/10"), IPNetwork("127.0.0.0/8"), IPNetwork("169.254.0.0/16"),
               IPNetwork("0.0.0.0/8"), IPNetwork("224.0.0.0/3")]
    return not any(address in n for n in private)

