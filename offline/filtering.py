"""Filtering, from its documented rules: NSG rules with Azure's default rules, and Azure Firewall policy rules.

Sources: network-security-groups-overview (default rules, priority order), service-tags-overview (VirtualNetwork,
Internet, AzureLoadBalancer), firewall rule-processing and policy-rule-sets (rule collection group, then collection
priority; network rules before application rules; default deny), firewall snat-private-range (no SNAT to private
destinations on network rules; application rules always SNAT).

Not modelled: DNAT rules, IP groups, service tags and FQDNs in network rules, threat intelligence, IDPS, TLS
inspection, the firewall's infrastructure rule collection, application security groups, source ports.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from netaddr import AddrFormatError, IPAddress, IPNetwork, IPSet

from config.topology import AKS_EGRESS_FQDNS
from offline.routing import is_private

AZURE_PLATFORM_IP = IPAddress("168.63.129.16")  # the AzureLoadBalancer tag (service-tags-overview)
# The FQDN tag AzureKubernetesService covers the AKS cluster's required FQDNs (outbound-rules-control-egress).
FQDN_TAGS = {"azurekubernetesservice": ("*.hcp.*.azmk8s.io", *AKS_EGRESS_FQDNS)}


@dataclass(frozen=True)
class Packet:
    source: IPAddress
    destination: IPAddress
    port: int
    protocol: str  # "TCP" or "UDP"
    fqdn: str | None = None  # what an application rule sees (TLS SNI, HTTP Host)

    def reply(self, source: IPAddress | None = None, destination: IPAddress | None = None) -> Packet:
        return Packet(source or self.destination, destination or self.source, self.port, self.protocol, self.fqdn)


# --- NSGs ------------------------------------------------------------------------------------------

# network-security-groups-overview "Default security rules": they can't be removed, only overridden by lower numbers.
DEFAULT_RULES = {
    "Inbound": [
        {"name": "AllowVnetInBound", "priority": 65000, "sourceAddressPrefix": "VirtualNetwork",
         "destinationAddressPrefix": "VirtualNetwork", "access": "Allow"},
        {"name": "AllowAzureLoadBalancerInBound", "priority": 65001, "sourceAddressPrefix": "AzureLoadBalancer",
         "destinationAddressPrefix": "*", "access": "Allow"},
        {"name": "DenyAllInBound", "priority": 65500, "sourceAddressPrefix": "*", "destinationAddressPrefix": "*", "access": "Deny"},
    ],
    "Outbound": [
        {"name": "AllowVnetOutBound", "priority": 65000, "sourceAddressPrefix": "VirtualNetwork",
         "destinationAddressPrefix": "VirtualNetwork", "access": "Allow"},
        {"name": "AllowInternetOutBound", "priority": 65001, "sourceAddressPrefix": "*",
         "destinationAddressPrefix": "Internet", "access": "Allow"},
        {"name": "DenyAllOutBound", "priority": 65500, "sourceAddressPrefix": "*", "destinationAddressPrefix": "*", "access": "Deny"},
    ],
}


def nsg_decision(rules: Iterable[Mapping[str, Any]], direction: str, packet: Packet, virtual_network: IPSet) -> tuple[bool, str]:
    """(allowed, rule name): the NSG's rules of that direction and the default rules, lowest priority number first;
    the first match decides (network-security-groups-overview "Security rules")."""
    own = [r for r in rules if str(r.get("direction", "")).lower() == direction.lower()]
    for rule in sorted([*own, *DEFAULT_RULES[direction]], key=lambda r: float(r["priority"])):
        if _nsg_matches(rule, packet, virtual_network):
            return str(rule.get("access")).lower() == "allow", str(rule.get("name"))
    return False, "no rule"  # unreachable: the default rules end with a deny of everything


def _nsg_matches(rule: Mapping[str, Any], packet: Packet, virtual_network: IPSet) -> bool:
    protocol = str(rule.get("protocol", "*")).upper()
    if protocol not in ("*", "ANY", packet.protocol):
        return False
    if not _port_in(_values(rule, "destinationPortRange") or ["*"], packet.port):
        return False
    return (_address_in(_values(rule, "sourceAddressPrefix"), packet.source, virtual_network)
            and _address_in(_values(rule, "destinationAddressPrefix"), packet.destination, virtual_network))


def _values(rule: Mapping[str, Any], key: str) -> list[str]:
    single = rule.get(key)
    return [str(v) for v in [*([single] if single else []), *(rule.get(key + "s") or rule.get(key.replace("Range", "Ranges")) or [])]]


def _address_in(values: Iterable[str], address: IPAddress, virtual_network: IPSet) -> bool:
    """Addresses, CIDRs and the service tags these rules use (service-tags-overview): VirtualNetwork (the VNet, peered
    VNets, connected on-prem ranges, UDR prefixes), Internet (public space outside it), AzureLoadBalancer."""
    for value in values:
        tag = value.lower()
        if tag in ("*", "any") or (tag == "virtualnetwork" and address in virtual_network):
            return True
        if tag == "internet" and address not in virtual_network and not is_private(address):
            return True
        if tag == "azureloadbalancer" and address == AZURE_PLATFORM_IP:
            return True
        if _cidr_holds(value, address):
            return True
    return False


def _cidr_holds(value: str, address: IPAddress) -> bool:
    try:
        return address in IPNetwork(value)
    except (AddrFormatError, ValueError):
        return False  # a tag this model doesn't know never matches


def _port_in(values: Iterable[str], port: int) -> bool:
    for value in values:
        if value == "*":
            return True
        low, _, high = value.partition("-")
        if int(low) <= port <= int(high or low):
            return True
    return False


# --- Azure Firewall --------------------------------------------------------------------------------


@dataclass(frozen=True)
class FirewallDecision:
    allowed: bool
    rule: str  # group/collection/rule, or "default deny"
    snat: bool  # the firewall translates the source to its own address


def firewall_decision(groups: Iterable[Mapping[str, Any]], packet: Packet, no_snat: IPSet | None = None) -> FirewallDecision:
    """rule-processing "Rule processing using Firewall Policy": rule collection groups by priority, then collections by
    priority; network rules are processed before application rules whatever the priorities; rules are terminating; no
    match is a deny. snat-private-range: network rules don't SNAT private destinations (the policy's private ranges,
    RFC 1918 and RFC 6598 by default); application rules always SNAT (transparent proxy)."""
    ordered = [(group, collection) for group in sorted(groups, key=lambda g: float(g.get("priority", 0)))
               for collection in sorted(group.get("ruleCollections") or [], key=lambda c: float(c.get("priority", 0)))]
    for rule_type, matches in (("NetworkRule", _network_rule_matches), ("ApplicationRule", _application_rule_matches)):
        for group, collection in ordered:
            for rule in collection.get("rules") or []:
                if rule.get("ruleType") == rule_type and matches(rule, packet):
                    allowed = str((collection.get("action") or {}).get("type", "")).lower() == "allow"
                    private = packet.destination in no_snat if no_snat is not None else is_private(packet.destination)
                    snat = rule_type == "ApplicationRule" or not private
                    name = f"{group.get('ruleCollectionGroupName', group.get('name', ''))}/{collection.get('name')}/{rule.get('name')}"
                    return FirewallDecision(allowed, name, allowed and snat)
    return FirewallDecision(False, "default deny", False)


def _network_rule_matches(rule: Mapping[str, Any], packet: Packet) -> bool:
    protocols = {str(p).upper() for p in rule.get("ipProtocols") or []}
    return (bool(protocols & {packet.protocol, "ANY"})
            and _address_in(rule.get("sourceAddresses") or [], packet.source, IPSet())
            and _address_in(rule.get("destinationAddresses") or [], packet.destination, IPSet())
            and _port_in([str(p) for p in rule.get("destinationPorts") or []], packet.port))


def _application_rule_matches(rule: Mapping[str, Any], packet: Packet) -> bool:
    if packet.fqdn is None or packet.protocol != "TCP":
        return False
    if not any(int(p.get("port", 0)) == packet.port for p in rule.get("protocols") or []):
        return False
    patterns = [*(rule.get("targetFqdns") or []),
                *(fqdn for tag in rule.get("fqdnTags") or [] for fqdn in FQDN_TAGS.get(str(tag).lower(), ()))]
    fqdn = packet.fqdn.lower()
    return (_address_in(rule.get("sourceAddresses") or [], packet.source, IPSet())
            and any(fnmatchcase(fqdn, str(p).lower()) for p in patterns))
