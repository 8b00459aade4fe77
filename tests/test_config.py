"""The typed config and the address plan: plain pytest, no Pulumi runtime.

Each bad case changes one thing in a valid stack and asserts the key and the message it must produce.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from config import ConfigError, load_stack
from config.loader import parse_stack
from config.org import context_for, repository_sources
from config.plan import address_plan_rows, surge_nodes
from config.problems import Problem
from config.secrets import required_secrets

BASE: dict[str, Any] = {
    "location": "westeurope",
    "prefix": "t",
    "hub": {
        "addressSpace": ["10.10.0.0/22"],
        "subnets": {
            "GatewaySubnet": "10.10.0.0/27",
            "AzureFirewallSubnet": "10.10.0.64/26",
            "shared": "10.10.1.0/24",
            "dns-inbound": "10.10.2.0/28",
            "dns-outbound": "10.10.2.16/28",
        },
        "firewall": {},
        "dnsResolver": {},
    },
    "gateways": {"vpn": {"sku": "VpnGw1AZ"}},
    "sites": [
        {
            "name": "lab",
            "addressPrefixes": ["172.19.0.0/16"],
            "dns": {"servers": ["172.19.0.10"], "domains": ["lab.example.com"]},
            "vpn": {"gatewayAddress": "203.0.113.10", "bgp": {"asn": 65010, "peerAddress": "172.19.255.1"}},
        }
    ],
    "spokes": [
        {
            "name": "aks",
            "addressSpace": ["10.11.0.0/16"],
            "subnets": {"nodes": "10.11.0.0/22", "ilb": "10.11.8.0/24"},
            "aks": {
                "nodeSubnet": "nodes",
                "privateDnsZone": "hub",
                "serviceCidr": "10.240.0.0/16",
                "dnsServiceIP": "10.240.0.10",
                "systemPool": {"name": "system", "minCount": 1, "maxCount": 3, "maxPods": 30},
                "userPools": [{"name": "user", "minCount": 1, "maxCount": 5, "maxPods": 30}],
                "internalServices": [
                    {"name": "web", "subnet": "ilb", "port": 90, "targetPort": 85, "staticIp": "10.11.8.10"},
                    {"name": "api", "subnet": "ilb", "port": 443, "targetPort": 8443, "staticIp": "10.11.8.11"},
                ],
                "externalBackends": [
                    {"name": "lab-api", "site": "lab", "addresses": ["172.19.5.20"], "ports": [{"port": 443}]},
                    {"name": "lab-ldap", "externalName": "ldap.lab.example.com"},
                ],
            },
        }
    ],
}


def raw_of(document: dict[str, Any]) -> dict[str, str]:
    """As Pulumi hands config over: full keys, objects as JSON text, scalars as text."""
    return {f"hybrid-aks:{k}": v if isinstance(v, str) else json.dumps(v) for k, v in document.items()}


def problem_objects(mutate: Callable[[dict[str, Any]], None], secret_keys: Any = None, extra: dict[str, str] | None = None) -> list[Problem]:
    document = copy.deepcopy(BASE)
    mutate(document)
    with pytest.raises(ConfigError) as caught:
        load_stack({**raw_of(document), **(extra or {})}, secret_keys)
    return caught.value.problems


def problems_of(mutate: Callable[[dict[str, Any]], None], secret_keys: Any = None, extra: dict[str, str] | None = None) -> list[str]:
    return [str(p) for p in problem_objects(mutate, secret_keys, extra)]


def spoke(d: dict[str, Any]) -> dict[str, Any]:
    return d["spokes"][0]


def aks(d: dict[str, Any]) -> dict[str, Any]:
    return d["spokes"][0]["aks"]


def site(d: dict[str, Any]) -> dict[str, Any]:
    return d["sites"][0]


def set_in(get: Callable[[dict[str, Any]], dict[str, Any]], key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda d: get(d).__setitem__(key, value)


def with_er_gateway(d: dict[str, Any]) -> None:
    d["gateways"]["expressRoute"] = {"sku": "ErGw1AZ"}
    d["hub"]["subnets"]["GatewaySubnet"] = "10.10.0.0/28"


def overlapping_sites(d: dict[str, Any]) -> None:
    d["sites"].append({"name": "lab2", "addressPrefixes": ["172.19.128.0/17"], "vpn": {"gatewayAddress": "203.0.113.11"}})


def duplicate_spoke(d: dict[str, Any]) -> None:
    d["spokes"].append({"name": "aks", "addressSpace": ["10.12.0.0/16"], "subnets": {"app": "10.12.0.0/24"}})


def both_backend_kinds(d: dict[str, Any]) -> None:
    aks(d)["externalBackends"][1]["addresses"] = ["172.19.5.21"]


H = "hybrid-aks:"
SP = f"{H}spokes[0]"
AK = f"{SP}.aks"

BAD_CASES = [
    # (id, mutation, key, fragment of the message)
    ("vnets-overlap", set_in(spoke, "addressSpace", ["10.10.0.0/16"]), f"{SP}.addressSpace[0]",
     "overlaps 10.10.0.0/22 (hub VNet 'hub', hybrid-aks:hub.addressSpace[0])"),
    ("spoke-overlaps-onprem", set_in(site, "addressPrefixes", ["10.11.128.0/17"]), f"{SP}.addressSpace[0]",
     "overlaps 10.11.128.0/17 (on-prem site 'lab', hybrid-aks:sites[0].addressPrefixes[0])"),
    ("sites-overlap", overlapping_sites, f"{H}sites[1].addressPrefixes[0]", "overlaps 172.19.0.0/16"),
    ("subnet-outside-vnet", lambda d: spoke(d)["subnets"].__setitem__("nodes", "10.12.0.0/22"), f"{SP}.subnets.nodes",
     "10.12.0.0/22 is not inside spoke VNet 'aks' (10.11.0.0/16)"),
    ("subnets-overlap", lambda d: spoke(d)["subnets"].__setitem__("ilb", "10.11.3.0/24"), f"{SP}.subnets.nodes",
     "overlaps subnet 'ilb' 10.11.3.0/24"),
    ("host-bits", set_in(lambda d: d["hub"], "addressSpace", ["10.10.0.1/22"]), f"{H}hub.addressSpace[0]",
     "has host bits set; did you mean 10.10.0.0/22?"),
    ("malformed-cidr", set_in(spoke, "addressSpace", ["10.11.0.0/33"]), f"{SP}.addressSpace[0]", "is not an IPv4 CIDR range"),
    ("cidr-without-prefix", set_in(spoke, "addressSpace", ["10.11.0.0"]), f"{SP}.addressSpace[0]", "is not an IPv4 CIDR range"),
    ("malformed-ip", set_in(aks, "dnsServiceIP", "10.240.0.300"), f"{AK}.dnsServiceIP", "is not an IPv4 address"),
    ("gateway-subnet-28-both-gateways", with_er_gateway, f"{H}hub.subnets.GatewaySubnet",
     "too small for VPN and ExpressRoute gateways together"),
    ("service-cidr-overlaps-spoke", set_in(aks, "serviceCidr", "10.11.0.0/16"), f"{AK}.serviceCidr",
     "overlaps 10.11.0.0/16 (spoke VNet 'aks', hybrid-aks:spokes[0].addressSpace[0])"),
    ("service-cidr-overlaps-onprem", set_in(aks, "serviceCidr", "172.19.0.0/16"), f"{AK}.serviceCidr",
     "overlaps 172.19.0.0/16 (on-prem site 'lab'"),
    ("service-cidr-11", set_in(aks, "serviceCidr", "10.224.0.0/11"), f"{AK}.serviceCidr", "smaller than /12"),
    ("service-cidr-172-30", set_in(aks, "serviceCidr", "172.30.0.0/16"), f"{AK}.serviceCidr", "172.30.0.0/16 (reserved by AKS)"),
    ("service-cidr-link-local", set_in(aks, "serviceCidr", "169.254.0.0/16"), f"{AK}.serviceCidr", "(link-local)"),
    ("dns-ip-outside", set_in(aks, "dnsServiceIP", "10.241.0.10"), f"{AK}.dnsServiceIP", "is outside serviceCidr 10.240.0.0/16"),
    ("dns-ip-first", set_in(aks, "dnsServiceIP", "10.240.0.1"), f"{AK}.dnsServiceIP", "taken by the kubernetes service"),
    ("dns-ip-network", set_in(aks, "dnsServiceIP", "10.240.0.0"), f"{AK}.dnsServiceIP", "network address"),
    ("node-subnet-too-small", lambda d: aks(d)["userPools"][0].__setitem__("maxCount", 40), f"{SP}.subnets.nodes",
     "has 1019 usable addresses, but its node pools need 1395"),
    ("surge-percent-counts", lambda d: aks(d)["userPools"][0].update(maxCount=28, maxSurge="50%"), f"{SP}.subnets.nodes",
     "its node pools need 1426"),
    ("max-pods-low", lambda d: aks(d)["userPools"][0].__setitem__("maxPods", 5), f"{AK}.userPools[0].maxPods", "5 is outside 10..250"),
    ("max-pods-high", lambda d: aks(d)["userPools"][0].__setitem__("maxPods", 300), f"{AK}.userPools[0].maxPods", "300 is outside 10..250"),
    ("system-pool-pods", lambda d: aks(d)["systemPool"].__setitem__("maxPods", 20), f"{AK}.systemPool.maxPods", "too few for a system pool"),
    ("system-pool-zero", lambda d: aks(d)["systemPool"].__setitem__("minCount", 0), f"{AK}.systemPool.minCount", "cannot scale to zero"),
    ("min-above-max", lambda d: aks(d)["userPools"][0].__setitem__("minCount", 9), f"{AK}.userPools[0].minCount", "9 is above maxCount 5"),
    ("duplicate-pool", lambda d: aks(d)["userPools"][0].__setitem__("name", "system"), f"{AK}.userPools[0].name", "already the name of"),
    ("site-asn-azure-reserved", lambda d: site(d)["vpn"]["bgp"].__setitem__("asn", 65515), f"{H}sites[0].vpn.bgp.asn", "65515 is reserved"),
    ("site-asn-iana-reserved", lambda d: site(d)["vpn"]["bgp"].__setitem__("asn", 64500), f"{H}sites[0].vpn.bgp.asn", "64500 is reserved"),
    ("gateway-asn-reserved", lambda d: d["gateways"]["vpn"].__setitem__("asn", 12076), f"{H}gateways.vpn.asn", "12076 is a reserved ASN"),
    ("site-asn-equals-gateway", lambda d: d["gateways"]["vpn"].__setitem__("asn", 65010), f"{H}sites[0].vpn.bgp.asn",
     "is also the Azure gateway's ASN"),
    ("apipa-out-of-range", lambda d: d["gateways"]["vpn"].__setitem__("apipaAddresses", [["169.254.20.1"]]),
     f"{H}gateways.vpn.apipaAddresses[0][0]", "outside the APIPA range"),
    ("apipa-too-many-lists", lambda d: d["gateways"]["vpn"].__setitem__("apipaAddresses", [["169.254.21.1"], ["169.254.22.1"]]),
     f"{H}gateways.vpn.apipaAddresses", "has 2 lists, but the gateway has 1 instance(s)"),
    ("bgp-peer-outside", lambda d: site(d)["vpn"]["bgp"].__setitem__("peerAddress", "10.99.0.1"), f"{H}sites[0].vpn.bgp.peerAddress",
     "neither inside the site's addressPrefixes nor an APIPA address"),
    ("static-ip-outside-subnet", lambda d: aks(d)["internalServices"][0].__setitem__("staticIp", "10.11.9.10"),
     f"{AK}.internalServices[0].staticIp", "10.11.9.10 is outside subnet 'ilb' (10.11.8.0/24)"),
    ("static-ip-reserved", lambda d: aks(d)["internalServices"][0].__setitem__("staticIp", "10.11.8.3"),
     f"{AK}.internalServices[0].staticIp", "one of the five addresses Azure reserves"),
    ("static-ip-broadcast", lambda d: aks(d)["internalServices"][0].__setitem__("staticIp", "10.11.8.255"),
     f"{AK}.internalServices[0].staticIp", "one of the five addresses Azure reserves"),
    ("static-ip-duplicate", lambda d: aks(d)["internalServices"][1].__setitem__("staticIp", "10.11.8.10"),
     f"{AK}.internalServices[1].staticIp", "already the static IP of hybrid-aks:spokes[0].aks.internalServices[0].staticIp"),
    ("service-subnet-missing", lambda d: aks(d)["internalServices"][0].__setitem__("subnet", "lb"),
     f"{AK}.internalServices[0].subnet", "names subnet 'lb', which spoke 'aks' does not have"),
    ("node-subnet-missing", set_in(aks, "nodeSubnet", "node"), f"{AK}.nodeSubnet", "names subnet 'node'"),
    ("wrong-type-int", lambda d: aks(d)["userPools"][0].__setitem__("maxCount", "five"), f"{AK}.userPools[0].maxCount",
     'must be a whole number, got "five"'),
    ("wrong-type-list", set_in(lambda d: d["hub"], "addressSpace", "10.10.0.0/22"), f"{H}hub.addressSpace", "must be a list"),
    ("wrong-type-bool", set_in(lambda d: d["hub"], "bastion", "yes"), f"{H}hub.bastion", "must be true or false"),
    ("unknown-nested-key", lambda d: spoke(d).__setitem__("subnet", {}), f"{SP}.subnet", "did you mean 'subnets'?"),
    ("unknown-top-key", lambda d: d.__setitem__("gatways", {}), f"{H}gatways", "did you mean 'gateways'?"),
    ("missing-required", lambda d: d.pop("hub"), f"{H}hub", "is required"),
    ("bad-enum", set_in(aks, "networkPolicy", "weave"), f"{AK}.networkPolicy", "not one of the allowed values"),
    ("subnet-smaller-than-29", lambda d: spoke(d)["subnets"].__setitem__("ilb", "10.11.8.0/30"), f"{SP}.subnets.ilb", "smaller than /29"),
    ("firewall-subnet-small", lambda d: d["hub"]["subnets"].__setitem__("AzureFirewallSubnet", "10.10.0.64/27"),
     f"{H}hub.subnets.AzureFirewallSubnet", "too small; Azure needs /26"),
    ("firewall-subnet-missing", lambda d: d["hub"]["subnets"].pop("AzureFirewallSubnet"), f"{H}hub.subnets.AzureFirewallSubnet",
     "Azure Firewall (hybrid-aks:hub.firewall) needs it"),
    ("forced-tunneling-mgmt-missing", lambda d: d["hub"]["firewall"].__setitem__("forcedTunneling", True),
     f"{H}hub.subnets.AzureFirewallManagementSubnet", "forced tunneling"),
    ("special-name-misspelled", lambda d: d["hub"]["subnets"].__setitem__("gatewaySubnet", d["hub"]["subnets"].pop("GatewaySubnet")),
     f"{H}hub.subnets.gatewaySubnet", "must be spelled exactly 'GatewaySubnet'"),
    ("gateway-subnet-in-spoke", lambda d: spoke(d)["subnets"].__setitem__("GatewaySubnet", "10.11.9.0/27"), f"{SP}.subnets.GatewaySubnet",
     "a spoke cannot hold GatewaySubnet"),
    ("vnet-azure-dns-ip", set_in(spoke, "addressSpace", ["168.63.0.0/16"]), f"{SP}.addressSpace[0]", "168.63.129.16/32"),
    ("aks-vnet-in-172-31", lambda d: spoke(d).update(addressSpace=["172.31.0.0/16"], subnets={"nodes": "172.31.0.0/22", "ilb": "172.31.8.0/24"}),
     f"{SP}.addressSpace[0]", "172.31.0.0/16 (reserved by AKS)"),
    ("duplicate-spoke-name", duplicate_spoke, f"{H}spokes[1].name", "'aks' is already the name of"),
    ("site-vpn-without-gateway", lambda d: d.pop("gateways"), f"{H}sites[0].vpn", "needs a VPN gateway in the hub"),
    ("site-without-connection", lambda d: site(d).pop("vpn"), f"{H}sites[0]", "has no connection"),
    ("site-address-and-fqdn", lambda d: site(d)["vpn"].__setitem__("gatewayFqdn", "vpn.lab.example.com"), f"{H}sites[0].vpn",
     "exactly one of gatewayAddress or gatewayFqdn"),
    ("site-private-gateway-ip", lambda d: site(d)["vpn"].__setitem__("gatewayAddress", "192.168.1.1"), f"{H}sites[0].vpn.gatewayAddress",
     "is not a public address"),
    ("site-dns-outside", lambda d: site(d)["dns"].__setitem__("servers", ["8.8.8.8"]), f"{H}sites[0].dns.servers[0]",
     "outside the site's addressPrefixes"),
    ("pod-cidr-without-overlay", set_in(aks, "podCidr", "100.64.0.0/16"), f"{AK}.podCidr", "only used with networkPluginMode: overlay"),
    ("overlay-without-pod-cidr", set_in(aks, "networkPluginMode", "overlay"), f"{AK}.podCidr", "is required with networkPluginMode: overlay"),
    ("cilium-without-overlay", set_in(aks, "networkPolicy", "cilium"), f"{AK}.networkPolicy", "cilium needs Azure CNI Overlay"),
    ("overlay-pod-cidr-too-small", lambda d: aks(d).update(networkPluginMode="overlay", podCidr="100.64.0.0/22"), f"{AK}.podCidr",
     "holds 4 node /24 blocks, but up to 10 nodes can exist"),
    ("pod-cidr-overlaps-vnet", lambda d: aks(d).update(networkPluginMode="overlay", podCidr="10.10.0.0/16"), f"{AK}.podCidr",
     "overlaps 10.10.0.0/22 (hub VNet 'hub'"),
    ("system-zone-behind-custom-dns", lambda d: (d["hub"].__setitem__("dnsServers", ["172.19.0.10"]), aks(d).update(privateDnsZone="system")),
     f"{AK}.privateDnsZone", "is 'system', but the VNets resolve through custom DNS (hub.dnsServers)"),
    ("hub-dns-zone-public-cluster", lambda d: aks(d).update(privateCluster=False, privateDnsZone="hub"), f"{AK}.privateDnsZone",
     "the cluster is not private"),
    ("resolver-subnet-missing", lambda d: d["hub"]["subnets"].pop("dns-inbound"), f"{H}hub.dnsResolver.inboundSubnet",
     "names subnet 'dns-inbound', which hub.subnets does not have"),
    ("resolver-subnet-size", lambda d: d["hub"]["subnets"].__setitem__("dns-outbound", "10.10.2.16/29"), f"{H}hub.subnets.dns-outbound",
     "must be /28 to /24"),
    ("backend-outside-site", lambda d: aks(d)["externalBackends"][0].__setitem__("addresses", ["10.11.0.50"]),
     f"{AK}.externalBackends[0].addresses[0]", "not inside the addressPrefixes of site 'lab'"),
    ("backend-both-kinds", both_backend_kinds, f"{AK}.externalBackends[1]", "exactly one of addresses"),
    ("backend-unknown-site", lambda d: aks(d)["externalBackends"][0].__setitem__("site", "paris"), f"{AK}.externalBackends[0].site",
     "names site 'paris'"),
    ("er-without-gateway", lambda d: site(d).__setitem__("expressRoute", {
        "circuitId": "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/er"}),
     f"{H}sites[0].expressRoute", "needs an ExpressRoute gateway"),
    ("er-bad-circuit-id", lambda d: site(d).__setitem__("expressRoute", {"circuitId": "er-paris"}), f"{H}sites[0].expressRoute.circuitId",
     "is not a valid ExpressRoute circuit resource ID"),
    # --- rules tests/test_rules.py found untriggered (config/rules.py ids in brackets) ---
    ("attached-without-its-hub-stack", lambda d: (d.pop("hub"), d.__setitem__("attach", {"hubStack": "organization/hybrid-aks/prod"})),
     f"{H}attach.hubStack", "'organization/hybrid-aks/prod' was not read"),  # [attach-hub-stack-read]
    ("duplicate-site-name", lambda d: d["sites"].append({"name": "lab", "addressPrefixes": ["172.20.0.0/16"], "vpn": {"gatewayAddress": "203.0.113.11"}}),
     f"{H}sites[1].name", "'lab' is already the name of hybrid-aks:sites[0].name"),  # [site-names-unique]
    ("gateway-subnet-missing", lambda d: d["hub"]["subnets"].pop("GatewaySubnet"), f"{H}hub.subnets.GatewaySubnet",
     "is missing; a VPN or ExpressRoute gateway (hybrid-aks:gateways) needs it"),  # [gateway-subnet-required]
    ("bastion-subnet-missing", lambda d: d["hub"].__setitem__("bastion", True), f"{H}hub.subnets.AzureBastionSubnet",
     "is missing; Azure Bastion (hybrid-aks:hub.bastion) needs it"),  # [bastion-subnet-required]
    ("idps-on-standard-firewall", lambda d: d["hub"]["firewall"].__setitem__("intrusionDetection", "Deny"), f"{H}hub.firewall.intrusionDetection",
     "needs the Premium tier"),  # [firewall-premium-features]
    ("dns-proxy-with-nothing-to-forward-to", lambda d: (d["hub"].pop("dnsResolver"), d["hub"]["firewall"].__setitem__("dnsProxy", True)),
     f"{H}hub.firewall.dnsProxy", "has nothing to forward to: no hub.dnsServers and no hub.dnsResolver"),  # [firewall-dns-proxy-upstream]
    ("resolver-in-a-special-subnet", lambda d: d["hub"]["dnsResolver"].__setitem__("inboundSubnet", "GatewaySubnet"),
     f"{H}hub.dnsResolver.inboundSubnet", "GatewaySubnet cannot host a DNS resolver endpoint"),  # [resolver-subnet-not-special]
    ("resolver-endpoints-share-a-subnet", lambda d: d["hub"]["dnsResolver"].__setitem__("outboundSubnet", "dns-inbound"),
     f"{H}hub.dnsResolver.outboundSubnet", "is the same subnet as the inbound endpoint"),  # [resolver-endpoints-separate]
    ("hub-dns-server-unreachable", lambda d: d["hub"].__setitem__("dnsServers", ["192.168.50.10"]), f"{H}hub.dnsServers[0]",
     "192.168.50.10 lies in no VNet and no on-prem prefix of this stack"),  # [hub-dns-servers-reachable]
    ("apipa-peer-without-custom-apipa", lambda d: site(d)["vpn"]["bgp"].__setitem__("peerAddress", "169.254.21.5"),
     f"{H}sites[0].vpn.bgp.peerAddress", "169.254.21.5 is an APIPA address, but the gateway has no custom APIPA BGP address"),
    # [bgp-apipa-needs-custom-apipa]
    ("nodes-in-a-special-subnet", lambda d: (spoke(d)["subnets"].__setitem__("AzureBastionSubnet", "10.11.9.0/26"),
                                             aks(d)["userPools"][0].__setitem__("subnet", "AzureBastionSubnet")),
     f"{AK}.userPools[0].subnet", "AzureBastionSubnet cannot hold AKS nodes"),  # [pool-subnet-not-special]
    ("load-balancer-in-a-special-subnet", lambda d: (spoke(d)["subnets"].__setitem__("AzureBastionSubnet", "10.11.9.0/26"),
                                                     aks(d)["internalServices"][0].update(subnet="AzureBastionSubnet", staticIp="10.11.9.10")),
     f"{AK}.internalServices[0].subnet", "AzureBastionSubnet cannot hold a load balancer"),  # [service-subnet-not-special]
    ("duplicate-service", lambda d: aks(d)["internalServices"][1].__setitem__("name", "web"), f"{AK}.internalServices[1].name",
     "default/web is already declared at hybrid-aks:spokes[0].aks.internalServices[0]"),  # [service-names-unique]
    ("backend-named-like-a-service", lambda d: aks(d)["externalBackends"][0].__setitem__("name", "web"), f"{AK}.externalBackends[0].name",
     "default/web is also an internal service"),  # [backend-name-not-service]
    ("backend-without-ports", lambda d: aks(d)["externalBackends"][0].__setitem__("ports", []), f"{AK}.externalBackends[0].ports",
     "is empty; an EndpointSlice needs at least one port"),  # [backend-needs-ports]
    ("entra-off-with-rbac", set_in(aks, "entraId", {"enabled": False}), f"{AK}.entraId",
     "turns Entra ID off but keeps azureRbac or disableLocalAccounts on"),  # [entra-id-off-no-rbac]
    ("public-api-server-without-ranges", lambda d: aks(d).update(privateCluster=False, privateDnsZone="system"), f"{AK}.authorizedIpRanges",
     "is empty, but the API server is public (privateCluster: false)"),  # [public-api-authorized-ranges]
    ("authorized-range-everything", lambda d: aks(d).update(privateCluster=False, privateDnsZone="system", authorizedIpRanges=["0.0.0.0/0"]),
     f"{AK}.authorizedIpRanges[0]", "0.0.0.0/0 authorizes every address"),  # [authorized-range-not-everything]
    ("authorized-ranges-on-a-private-cluster", set_in(aks, "authorizedIpRanges", ["203.0.113.0/24"]), f"{AK}.authorizedIpRanges",
     "applies only to a public API server (privateCluster is true)"),  # [authorized-ranges-public-only]
    ("critical-addons-without-user-pool", set_in(aks, "userPools", []), f"{AK}.criticalAddonsOnly",
     "taints the system pool CriticalAddonsOnly, but there is no user pool for workloads"),  # [critical-addons-needs-user-pool]
    ("direct-egress-unaccepted-without-firewall", lambda d: d["hub"].pop("firewall"), f"{AK}.allowDirectEgress",
     "is false, but there is no hub firewall"),  # [egress-through-firewall-or-accepted]
    ("direct-egress-behind-a-firewall", set_in(aks, "allowDirectEgress", True), f"{AK}.allowDirectEgress",
     "is true, but egress goes through the hub firewall (userDefinedRouting)"),  # [direct-egress-not-with-firewall]
]


@pytest.mark.parametrize(("mutate", "key", "fragment"), [case[1:] for case in BAD_CASES], ids=[case[0] for case in BAD_CASES])
def test_bad_config_names_key_and_problem(mutate: Callable[[dict[str, Any]], None], key: str, fragment: str) -> None:
    problems = problems_of(mutate)
    matching = [p for p in problems if p.startswith(f"{key}: ") and fragment in p]
    assert matching, f"expected a problem at {key} containing {fragment!r}; got:\n" + "\n".join(problems)
    assert all("\n    fix: " in p and not p.endswith("fix: ") for p in problems), "every problem carries a fix"


def test_bad_cases_are_distinct() -> None:
    """Unique ids (a repeated id would hide a case in pytest's report); that they cover every rule is tests/test_rules.py's job."""
    assert len({case[0] for case in BAD_CASES}) == len(BAD_CASES)


def test_base_config_is_valid() -> None:
    stack = load_stack(raw_of(BASE))
    assert stack.spokes[0].aks is not None and stack.spokes[0].aks.dns_service_ip == "10.240.0.10"


def test_several_problems_are_reported_at_once() -> None:
    def break_three_sections(d: dict[str, Any]) -> None:
        spoke(d)["addressSpace"] = ["10.10.0.0/16"]
        aks(d)["dnsServiceIP"] = "10.240.0.1"
        site(d)["vpn"]["bgp"]["asn"] = 65515

    problems = problems_of(break_three_sections)
    keys = {p.split(": ", 1)[0] for p in problems}
    assert {f"{SP}.addressSpace[0]", f"{AK}.dnsServiceIP", f"{H}sites[0].vpn.bgp.asn"} <= keys


def test_shape_errors_are_all_reported_at_once() -> None:
    def break_types(d: dict[str, Any]) -> None:
        d["hub"]["bastion"] = "yes"
        aks(d)["systemPool"]["maxCount"] = "3"
        d["unknown"] = 1

    keys = {p.split(": ", 1)[0] for p in problems_of(break_types)}
    assert {f"{H}hub.bastion", f"{AK}.systemPool.maxCount", f"{H}unknown"} <= keys


def test_overlap_fix_suggests_a_free_range_of_the_same_size() -> None:
    problems = problems_of(set_in(spoke, "addressSpace", ["10.10.0.0/16"]))
    overlap = next(p for p in problems if "overlaps 10.10.0.0/22" in p)
    assert "10.0.0.0/16 is free and the same size" in overlap


def test_capacity_fix_names_a_prefix_that_fits() -> None:
    problems = problems_of(lambda d: aks(d)["userPools"][0].__setitem__("maxCount", 40))
    capacity = next(p for p in problems if "node pools need" in p)
    assert "use a /21 or larger (e.g. 10.11.0.0/21)" in capacity  # may grow over its own space, not over 'ilb'


def test_secret_in_plain_text_is_refused() -> None:
    raw = {**raw_of(BASE), "hybrid-aks:vpnSharedKey-lab": "hunter2"}
    with pytest.raises(ConfigError) as caught:
        load_stack(raw, secret_keys=set())
    (problem,) = caught.value.problems
    assert problem.key == "hybrid-aks:vpnSharedKey-lab" and "plain text" in problem.message
    assert "hunter2" not in str(caught.value)


def test_secret_for_unknown_site_is_refused() -> None:
    raw = {**raw_of(BASE), "hybrid-aks:vpnSharedKey-paris": "x"}
    with pytest.raises(ConfigError) as caught:
        load_stack(raw, secret_keys={"hybrid-aks:vpnSharedKey-paris"})
    assert [p.key for p in caught.value.problems] == ["hybrid-aks:vpnSharedKey-paris"]


def test_kubeconfig_in_plain_text_or_for_a_spoke_without_aks_is_refused() -> None:
    raw = {**raw_of(BASE), "hybrid-aks:kubeconfig-aks": "apiVersion: v1", "hybrid-aks:kubeconfig-web": "apiVersion: v1"}
    with pytest.raises(ConfigError) as caught:
        load_stack(raw, secret_keys={"hybrid-aks:kubeconfig-web"})
    found = {(p.key, p.message) for p in caught.value.problems}
    assert ("hybrid-aks:kubeconfig-aks", "is a secret but is stored in plain text in the stack file") in found
    assert ("hybrid-aks:kubeconfig-web", "names 'web', but no spoke with aks in hybrid-aks:spokes has that name") in found
    assert "apiVersion" not in str(caught.value)


def test_secrets_are_accepted_when_set_as_secrets() -> None:
    raw = {**raw_of(BASE), "hybrid-aks:vpnSharedKey-lab": "x"}
    assert load_stack(raw, secret_keys={"hybrid-aks:vpnSharedKey-lab"}).sites[0].name == "lab"


def test_required_secrets_follow_the_sites() -> None:
    document = copy.deepcopy(BASE)
    document["gateways"]["expressRoute"] = {}
    document["hub"]["subnets"]["GatewaySubnet"] = "10.10.0.0/27"
    site(document)["expressRoute"] = {
        "circuitId": "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/er",
        "authorizationKey": True,
    }
    keys = [s.key for s in required_secrets(load_stack(raw_of(document)))]
    assert keys == ["hybrid-aks:vpnSharedKey-lab", "hybrid-aks:erAuthorizationKey-lab"]


def test_location_falls_back_to_azure_native_location() -> None:
    document = copy.deepcopy(BASE)
    del document["location"]
    stack = load_stack({**raw_of(document), "azure-native:location": "northeurope"})
    assert stack.location == "northeurope"


def test_clusters_may_share_a_service_cidr() -> None:
    """Service CIDRs never leave their cluster, so two clusters may reuse one; VNets still may not overlap."""
    document = copy.deepcopy(BASE)
    second = copy.deepcopy(spoke(document))
    second.update(name="aks2", addressSpace=["10.12.0.0/16"], subnets={"nodes": "10.12.0.0/22", "ilb": "10.12.8.0/24"})
    second["aks"]["internalServices"] = []
    document["spokes"].append(second)
    assert len(load_stack(raw_of(document)).spokes) == 2


def test_surge_nodes() -> None:
    from config.model import NodePool

    assert surge_nodes(NodePool(name="a", max_count=10, max_surge="1")) == 1
    assert surge_nodes(NodePool(name="a", max_count=10, max_surge="33%")) == 4
    assert surge_nodes(NodePool(name="a", max_count=3, max_surge="100%")) == 3


def test_address_plan_rows_show_capacity() -> None:
    rows = {row.key: row for row in address_plan_rows(load_stack(raw_of(BASE)))}
    nodes = rows[f"{SP}.subnets.nodes"]
    assert (nodes.size, nodes.usable, nodes.needed) == (1024, 1019, (3 + 1) * 31 + (5 + 1) * 31)
    assert rows[f"{SP}.subnets.ilb"].needed == 2
    assert rows[f"{AK}.serviceCidr"].note == "dnsServiceIP 10.240.0.10"
    assert rows[f"{H}sites[0].addressPrefixes[0]"].owner == "on-prem site 'lab'"


ROOT = Path(__file__).resolve().parent.parent
STACK_FILES = sorted(Path(__file__).resolve().parent.parent.glob("Pulumi.*.yaml"))


@pytest.mark.parametrize("path", STACK_FILES, ids=lambda p: p.name)
def test_every_shipped_stack_validates(path: Path) -> None:
    document = yaml.safe_load(path.read_text())["config"]
    raw = {k: v if isinstance(v, str) else json.dumps(v) for k, v in document.items()}
    shape = parse_stack(raw)
    # An attaching stack is checked against what its hub stack (a file of this repository) publishes.
    hub = context_for(path.name[len("Pulumi."):-len(".yaml")], shape, repository_sources(ROOT)[1], "hybrid-aks") if shape.attach else None
    stack = load_stack(raw, hub=hub)
    assert stack.the_hub.address_space


def test_there_are_stacks_to_validate() -> None:
    assert {p.name for p in STACK_FILES} >= {"Pulumi.dev.yaml", "Pulumi.prod.yaml", "Pulumi.site-singapore.yaml"}
