"""Azure's naming rules, checked on the final names the components build (after prefixing), and name clashes.

Source: Learn "Naming rules and restrictions for Azure resources" (resource-name-rules). Azure compares resource
names case-insensitively unless the table says otherwise, so two config entries whose final names differ only in
case (subnets `Nodes` and `nodes`), or that two components both build (a spoke named like the hub builds the hub's
resource group again), are one Azure resource. Each problem names the config keys that produced the name.
The name formats mirror components/*.py; tests/test_names.py keeps them in step with what the program registers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from config.model import StackConfig
from config.problems import Problem, key_of
from config.topology import NO_NSG_SUBNETS, hub_private_zones, uses_hub_api_zone


@dataclass(frozen=True)
class Rule:
    entity: str  # as Learn's table names it
    low: int
    high: int
    pattern: re.Pattern[str]
    chars: str


# Microsoft.Network: alphanumerics, underscores, periods and hyphens; start alphanumeric, end alphanumeric or underscore.
_NET = re.compile(r"[A-Za-z0-9]([-\w.]*[A-Za-z0-9_])?", re.ASCII)
_NET_CHARS = "letters, digits, '_', '.' and '-', starting with a letter or digit and ending with a letter, digit or '_'"


def _net(entity: str, low: int = 1, high: int = 80) -> Rule:  # pragma: no mutate block
    return Rule(entity, low, high, _NET, _NET_CHARS)


RULES = {
    "resource group": Rule("Microsoft.Resources/resourceGroups", 1, 90, re.compile(r"[-\w.()]*[-\w()]", re.ASCII),
                           "letters, digits, '_', '-', '.', '(' and ')', not ending in '.'"),
    "virtual network": _net("Microsoft.Network/virtualNetworks", 2, 64),
    "subnet": _net("Microsoft.Network/virtualNetworks/subnets"),
    "peering": _net("Microsoft.Network/virtualNetworks/virtualNetworkPeerings"),
    "network security group": _net("Microsoft.Network/networkSecurityGroups"),
    "route table": _net("Microsoft.Network/routeTables"),
    "public IP": _net("Microsoft.Network/publicIPAddresses"),
    "virtual network gateway": _net("Microsoft.Network/virtualNetworkGateways"),
    "local network gateway": _net("Microsoft.Network/localNetworkGateways"),
    "connection": _net("Microsoft.Network/connections"),
    "firewall": _net("Microsoft.Network/azureFirewalls"),
    "firewall policy": _net("Microsoft.Network/firewallPolicies"),
    "bastion host": _net("Microsoft.Network/bastionHosts"),
    "DNS resolver": _net("Microsoft.Network/dnsResolvers", 1, 80),
    "DNS forwarding ruleset": _net("Microsoft.Network/dnsForwardingRulesets", 1, 80),
    "DNS forwarding rule": _net("Microsoft.Network/dnsForwardingRulesets/forwardingRules", 1, 80),
    "private DNS zone link": _net("Microsoft.Network/privateDnsZones/virtualNetworkLinks"),
    "AKS cluster": Rule("Microsoft.ContainerService/managedClusters", 1, 63, re.compile(r"[A-Za-z0-9]([-\w]*[A-Za-z0-9])?", re.ASCII),
                        "letters, digits, '_' and '-', starting and ending with a letter or digit"),
    # dnsPrefix / fqdnSubdomain: 1-54, alphanumerics and hyphens, start and end alphanumeric (AKS API reference).
    "AKS DNS prefix": Rule("managedClusters dnsPrefix", 1, 54, re.compile(r"[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?"),
                           "letters, digits and '-', starting and ending with a letter or digit"),
    "managed identity": Rule("Microsoft.ManagedIdentity/userAssignedIdentities", 3, 128, re.compile(r"[A-Za-z0-9][-\w]*", re.ASCII),
                             "letters, digits, '-' and '_', starting with a letter or digit"),
    "connected cluster": Rule("Microsoft.Kubernetes/connectedClusters", 1, 63, re.compile(r"[A-Za-z0-9]([-\w.]*[A-Za-z0-9])?", re.ASCII),
                              "letters, digits, '_', '.' and '-', starting and ending with a letter or digit"),
    "logical network": Rule("Microsoft.AzureStackHCI/logicalNetworks", 2, 64, _NET, _NET_CHARS),
}


@dataclass(frozen=True)
class Name:
    kind: str  # a key of RULES
    value: str
    keys: tuple[str, ...]  # config keys the name is built from; the problem is reported at the last one
    scope: str  # where Azure requires uniqueness (resource group, VNet, ...), for clashes


def final_names(stack: StackConfig) -> list[Name]:
    """Every Azure name the components build from the config (components/hub.py, spoke.py, gateways.py, ...). An
    attaching stack builds no hub objects, and the hub side of its peerings is named after its prefix too."""
    p, pk = stack.prefix, key_of("prefix")
    owns_hub = stack.attach is None and stack.hub is not None  # neither: the plan reports it
    out = _hub_names(stack) if owns_hub else []
    out.append(Name("resource group", f"rg-{p}-monitoring", (pk, key_of("logs")), "subscription"))  # components/monitoring.py
    hub_vnet = f"rg-{p}-{stack.the_hub.name}/vnet-{p}-{stack.the_hub.name}" if owns_hub else "the hub stack's VNet"
    for i, site in enumerate(stack.sites):
        sk = key_of("sites", i, "name")
        if site.aks_hybrid:
            arc_rg = f"rg-{p}-{site.name}-arc"
            out += [Name("resource group", arc_rg, (pk, sk), "subscription"),
                    Name("connected cluster", f"aks-{p}-{site.name}", (pk, sk), arc_rg),
                    Name("logical network", f"lnet-{p}-{site.name}", (pk, sk), arc_rg)]
    for i, spoke in enumerate(stack.spokes):
        nk = key_of("spokes", i, "name")
        rg, vnet = f"rg-{p}-{spoke.name}", f"vnet-{p}-{spoke.name}"
        hub_side = f"to-{spoke.name}" if owns_hub else f"to-{p}-{spoke.name}"
        out += [Name("resource group", rg, (pk, nk), "subscription"),
                Name("virtual network", vnet, (pk, nk), rg),
                Name("peering", hub_side, (nk,), hub_vnet),
                Name("peering", "to-hub", (nk,), f"{rg}/{vnet}"),
                Name("route table", f"rt-{p}-{spoke.name}", (pk, nk), rg)]
        for subnet in spoke.subnets:
            sk = key_of("spokes", i, "subnets", subnet)
            out += [Name("subnet", subnet, (sk,), f"{rg}/{vnet}"),
                    Name("network security group", f"nsg-{p}-{spoke.name}-{subnet}", (pk, nk, sk), rg)]
        if spoke.aks:
            cluster = f"aks-{p}-{spoke.name}"
            out += [Name("AKS cluster", cluster, (pk, nk), rg), Name("AKS DNS prefix", cluster, (pk, nk), f"dns:{rg}/{cluster}"),
                    Name("managed identity", f"id-{p}-{spoke.name}-aks", (pk, nk), rg)]
    return out


def _hub_names(stack: StackConfig) -> list[Name]:
    """What a stack that owns its hub builds there: the hub's objects, gateways, site connections, private zones."""
    hub = stack.the_hub
    p, pk, hk = stack.prefix, key_of("prefix"), key_of("hub", "name")
    hub_rg = f"rg-{p}-{hub.name}"
    out = [Name("resource group", hub_rg, (pk, hk), "subscription"),
           Name("virtual network", f"vnet-{p}-{hub.name}", (pk, hk), hub_rg)]
    for subnet in hub.subnets:
        out.append(Name("subnet", subnet, (key_of("hub", "subnets", subnet),), f"{hub_rg}/vnet-{p}-{hub.name}"))
        if subnet not in NO_NSG_SUBNETS:
            out.append(Name("network security group", f"nsg-{p}-{hub.name}-{subnet}", (pk, hk, key_of("hub", "subnets", subnet)), hub_rg))
    if hub.firewall:
        for role in ("firewall", "firewall-management"):
            out.append(Name("public IP", f"pip-{p}-{hub.name}-{role}", (pk, hk), hub_rg))
        out += [Name("firewall", f"afw-{p}-{hub.name}", (pk, hk), hub_rg),
                Name("firewall policy", f"afwp-{p}-{hub.name}", (pk, hk), hub_rg),
                Name("route table", f"rt-{p}-{hub.name}-firewall", (pk, hk), hub_rg),
                Name("route table", f"rt-{p}-{hub.name}-firewall-management", (pk, hk), hub_rg),
                Name("route table", f"rt-{p}-{hub.name}-gateway", (pk, hk), hub_rg)]
    if hub.bastion:
        out += [Name("bastion host", f"bas-{p}-{hub.name}", (pk, hk), hub_rg), Name("public IP", f"pip-{p}-{hub.name}-bastion", (pk, hk), hub_rg)]
    if hub.dns_resolver:
        out += [Name("DNS resolver", f"dnspr-{p}-{hub.name}", (pk, hk), hub_rg),
                Name("DNS forwarding ruleset", f"dnsfrs-{p}-{hub.name}", (pk, hk), hub_rg)]
        for i, site in enumerate(stack.sites):
            for j, domain in enumerate(site.dns.domains if site.dns else []):
                out.append(Name("DNS forwarding rule", domain.rstrip(".").replace(".", "-"),
                                (key_of("sites", i, "dns", "domains", j),), f"{hub_rg}/dnsfrs-{p}-{hub.name}"))
    if stack.gateways.vpn:
        out += [Name("virtual network gateway", f"vgw-{p}-{hub.name}", (pk, hk), hub_rg),
                Name("public IP", f"pip-{p}-{hub.name}-vpn-1", (pk, hk), hub_rg)]
        if stack.gateways.vpn.active_active:
            out.append(Name("public IP", f"pip-{p}-{hub.name}-vpn-2", (pk, hk), hub_rg))
    if stack.gateways.express_route:
        out += [Name("virtual network gateway", f"ergw-{p}-{hub.name}", (pk, hk), hub_rg),
                Name("public IP", f"pip-{p}-{hub.name}-er", (pk, hk), hub_rg)]
    for i, site in enumerate(stack.sites):
        sk = key_of("sites", i, "name")
        if site.vpn:
            out += [Name("local network gateway", f"lgw-{p}-{site.name}", (pk, sk), hub_rg),
                    Name("connection", f"cn-{p}-{site.name}-vpn", (pk, sk), hub_rg)]
        if site.express_route:
            out.append(Name("connection", f"cn-{p}-{site.name}-er", (pk, sk), hub_rg))
    # The hub creates each private zone once (the API-server zone shared by its clusters) and links it to itself.
    zone_keys = {zone: key_of("hub", "privateDnsZones", j) for j, zone in enumerate(hub.private_dns_zones)}
    api_key = next((key_of("spokes", i, "aks", "privateDnsZone") for i, s in enumerate(stack.spokes) if uses_hub_api_zone(s)), hk)
    for zone in hub_private_zones(stack):
        key = zone_keys.get(zone, api_key)
        out += [Name("private DNS zone", zone.rstrip("."), (key,), hub_rg),
                Name("private DNS zone link", f"link-{hub.name}", (hk,), f"{hub_rg}/{zone.rstrip('.').lower()}")]
    return out


def check_names(stack: StackConfig) -> list[Problem]:
    problems: list[Problem] = []
    names = final_names(stack)
    for name in names:
        rule = RULES.get(name.kind)
        if rule is None:
            continue
        length = len(name.value)
        built = " and ".join(name.keys)
        if not rule.low <= length <= rule.high:
            over = length - rule.high
            problems.append(Problem(
                name.keys[-1],
                f"makes the {name.kind} name '{name.value}' {length} characters long; Azure allows {rule.low}-{rule.high} "
                f"for {rule.entity} (Learn: resource-name-rules)",
                f"shorten {built}" + (f" by {over} character{'s' if over != 1 else ''}" if over > 0 else ""), rule="name-length"))
        elif not rule.pattern.fullmatch(name.value):
            problems.append(Problem(
                name.keys[-1],
                f"makes the {name.kind} name '{name.value}', which {rule.entity} refuses: it takes {rule.chars} "
                "(Learn: resource-name-rules)",
                f"change {built}", rule="name-characters"))
    problems += _clashes(names)
    problems += _duplicate_ports(stack)
    return problems


def _duplicate_ports(stack: StackConfig) -> list[Problem]:
    """A Service (and its EndpointSlice) refuses two ports of one name, or one port number twice per protocol."""
    problems = []
    for i, spoke in enumerate(stack.spokes):
        for j, backend in enumerate(spoke.aks.external_backends if spoke.aks else []):
            names: dict[str, str] = {}
            numbers: dict[tuple[int, str], str] = {}
            for k, port in enumerate(backend.ports):
                key = key_of("spokes", i, "aks", "externalBackends", j, "ports", k)
                if port.name is not None and port.name in names:
                    problems.append(Problem(f"{key}.name", f"'{port.name}' is already the name of {names[port.name]}; "
                                            "Kubernetes refuses two ports of one name in a Service", "give each port its own name", rule="port-names-unique"))
                elif port.name is not None:
                    names[port.name] = key
                if (port.port, port.protocol) in numbers:
                    problems.append(Problem(f"{key}.port", f"{port.protocol} {port.port} is already {numbers[(port.port, port.protocol)]}; "
                                            "Kubernetes refuses a repeated port in a Service", "remove the repeated port", rule="port-numbers-unique"))
                else:
                    numbers[(port.port, port.protocol)] = key
                if len(backend.ports) > 1 and port.name is None:
                    problems.append(Problem(f"{key}.name", "is required when a Service has more than one port (Kubernetes)",
                                            "name every port, e.g. https", rule="port-names-required"))
    return problems


def _clashes(names: list[Name]) -> list[Problem]:
    """Two config entries that make the same Azure resource (same type, same scope, names equal ignoring case)."""
    seen: dict[tuple[str, str, str], Name] = {}
    problems = []
    for name in names:
        ident = (name.kind, name.scope.lower(), name.value.lower())
        first = seen.get(ident)
        if first is None:
            seen[ident] = name
            continue
        if first.keys == name.keys:
            continue
        same = "the same name" if first.value == name.value else f"'{first.value}', equal to it ignoring case"
        problems.append(Problem(
            name.keys[-1],
            f"makes the {name.kind} '{name.value}', but {first.keys[-1]} already makes {same}; Azure compares names "
            "case-insensitively, so both would be one resource (the second overwrites the first or fails)",
            _clash_fix(name), rule="names-unique-ignoring-case"))
    return problems


def _clash_fix(name: Name) -> str:
    if name.kind == "private DNS zone":
        return "list each zone once"
    if name.kind == "DNS forwarding rule":
        return "forward each domain from one site only (the rule name is the domain with '.' replaced by '-')"
    return f"rename {name.keys[-1]} so that the names differ in more than letter case"

