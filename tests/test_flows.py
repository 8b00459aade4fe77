"""The flow simulation: each routing and filtering rule against its documentation, Microsoft's routing example, the
shipped stacks' flows, and the three faults the issue names (egress into a gateway that can't forward it, a spoke
that bypasses the firewall one way, a flow no rule allows), each failing the preview with its hop and reason.

udr = learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from netaddr import IPAddress, IPNetwork, IPSet
from pulumi_policy import StackValidationArgs

from offline.filtering import Packet, firewall_decision, nsg_decision
from offline.flows import INTERNET_HOST, FlowResult, IntendedFlow, Intent, Probe, Tracer, render_readme, simulate, README
from offline.preview import PreviewResult, preview, to_json
from offline.routing import (
    APPLIANCE, BGP, DEFAULT, GATEWAY, INTERNET, NONE, PEERING, USER, VNET_LOCAL, Route, SiteRoutes, effective_routes,
    read_network, select_route,
)
from policy.evaluate import evaluate
from policy.policies import FLOWS_POLICY, POLICIES
from tests.netbuild import (
    Rec, application_rule, collection, er_connection, firewall, gateway, group, local_gateway, network_rule, nsg, peered,
    route, subnet, table, vnet, vpn_connection,
)
from tests.stacks import ROOT, STACKS, evaluated
from tests.test_preview import dev_document, project_with

LAB = SiteRoutes("lab", ("172.19.0.0/16",), vpn_device="203.0.113.10")
FW_IP = "10.0.0.68"  # first usable address of AzureFirewallSubnet 10.0.0.64/26


def routes_of(records: list[Rec], label: str, sites: tuple[SiteRoutes, ...] = (LAB,)) -> list[Route]:
    net = read_network(records, sites)
    found = net.subnet(label)
    assert found is not None, label
    return effective_routes(net, found)


def chosen(records: list[Rec], label: str, address: str, sites: tuple[SiteRoutes, ...] = (LAB,)) -> Route:
    found = select_route(routes_of(records, label, sites), IPAddress(address))
    assert found is not None
    return found


def hub_and_spoke(*, spoke_table: Rec | None = None, gateway_table: Rec | None = None, groups: list[Rec] | None = None,
                  default_site: str | None = None) -> list[Rec]:
    """A hub with a VPN gateway to the lab and a firewall; a spoke peered with gateway transit, routed through it."""
    spoke_table = spoke_table or table("rt-spoke", route("default", "0.0.0.0/0", APPLIANCE, FW_IP), propagate=False)
    gateway_table = gateway_table or table("rt-gw", route("spoke", "10.1.0.0/16", APPLIANCE, FW_IP))
    groups = groups if groups is not None else [group("pol", "hybrid", 300, collection("flows", 300, "Allow",
        network_rule("lab-to-app", ["172.19.0.0/16"], ["10.1.0.0/24"], ["443"]),
        network_rule("app-to-lab", ["10.1.0.0/24"], ["172.19.0.0/16"], ["443"]),
        application_rule("app-to-web", ["10.1.0.0/24"], ["*.example.com"])))]
    return [
        vnet("hub", "10.0.0.0/22"), subnet("hub", "GatewaySubnet", "10.0.0.0/27", table="rt-gw"),
        subnet("hub", "AzureFirewallSubnet", "10.0.0.64/26"), gateway_table,
        vnet("spoke", "10.1.0.0/16"), subnet("spoke", "app", "10.1.0.0/24", table="rt-spoke", nsg="nsg-app"), spoke_table,
        nsg("nsg-app"), *peered("hub", "spoke", transit=True),
        gateway("vgw", "hub", default_site=default_site), local_gateway("lab", "203.0.113.10", "172.19.0.0/16"),
        vpn_connection("vgw", "lab"), firewall("fw", "hub", "pol"), *groups,
    ]


def run(records: list[Rec], flow: IntendedFlow, sites: tuple[SiteRoutes, ...] = (LAB,)) -> FlowResult:
    (result,) = simulate(records, Intent(sites, (flow,)))
    return result


LAB_TO_APP = IntendedFlow("lab-to-app", "site lab", "172.19.0.4", "spoke/app", (Probe("10.1.0.10", 443),), source_site="lab")
APP_TO_LAB = IntendedFlow("app-to-lab", "spoke/app", "10.1.0.4", "site lab", (Probe("172.19.5.20", 443),))
APP_TO_WEB = IntendedFlow("app-to-web", "spoke/app", "10.1.0.4", "internet", (Probe(INTERNET_HOST, 443, "TCP", "www.example.com"),))


# --- routing: system routes (udr "System routes") ----------------------------------------------------------------


def test_default_system_routes_vnet_local_internet_and_none_for_reserved_ranges() -> None:
    """udr "Default": a Virtual network route per address range, 0.0.0.0/0 to Internet, None for 10/8, 172.16/12,
    192.168/16, 100.64/10."""
    records = [vnet("v", "10.0.0.0/16", "10.5.0.0/24"), subnet("v", "a", "10.0.0.0/24")]
    have = {(str(r.prefix), r.next_hop, r.source) for r in routes_of(records, "v/a")}
    assert have == {("10.0.0.0/16", VNET_LOCAL, DEFAULT), ("10.5.0.0/24", VNET_LOCAL, DEFAULT), ("0.0.0.0/0", INTERNET, DEFAULT),
                    ("10.0.0.0/8", NONE, DEFAULT), ("172.16.0.0/12", NONE, DEFAULT), ("192.168.0.0/16", NONE, DEFAULT),
                    ("100.64.0.0/10", NONE, DEFAULT)}
    assert chosen(records, "v/a", "10.9.0.1").next_hop == NONE  # a reserved range outside the VNet is dropped
    assert chosen(records, "v/a", "52.1.2.3").next_hop == INTERNET


def test_a_vnet_that_includes_a_reserved_range_removes_its_none_route() -> None:
    """udr "Default": an address range that includes (or is) a reserved prefix replaces its None route."""
    records = [vnet("v", "192.168.0.0/16", "172.16.0.0/11"), subnet("v", "a", "192.168.0.0/24")]
    prefixes = {str(r.prefix): r.next_hop for r in routes_of(records, "v/a")}
    assert "192.168.0.0/16" in prefixes and prefixes["192.168.0.0/16"] == VNET_LOCAL
    assert "172.16.0.0/12" not in prefixes and prefixes["10.0.0.0/8"] == NONE


def test_peered_vnets_get_a_peering_route_once_both_sides_exist() -> None:
    """udr "Optional default routes" (VNet peering) and virtual-network-peering-overview: one side alone is Initiated."""
    base = [vnet("a", "10.0.0.0/16"), subnet("a", "s", "10.0.0.0/24"), vnet("b", "10.1.0.0/16")]
    one_side = base + peered("a", "b")[:1]
    assert chosen(one_side, "a/s", "10.1.0.5").next_hop == NONE
    both = base + peered("a", "b")
    assert (chosen(both, "a/s", "10.1.0.5").next_hop, chosen(both, "a/s", "10.1.0.5").source) == (PEERING, DEFAULT)


# --- routing: gateway routes and their propagation ------------------------------------------------------------


def test_gateway_transit_gives_the_spoke_the_sites_routes_only_when_propagation_is_on() -> None:
    """udr "Optional default routes": the gateway adds what the local network gateway holds or BGP advertises, to every
    subnet; with peering gateway transit the spoke sees them too; udr "Border gateway protocol": not when the subnet's
    route table disables gateway route propagation."""
    on = hub_and_spoke(spoke_table=table("rt-spoke", propagate=True))
    assert (chosen(on, "spoke/app", "172.19.5.20").next_hop, chosen(on, "spoke/app", "172.19.5.20").source) == (GATEWAY, BGP)
    off = hub_and_spoke(spoke_table=table("rt-spoke", propagate=False))
    assert chosen(off, "spoke/app", "172.19.5.20").next_hop == NONE  # 172.16.0.0/12 None: nothing learned
    no_transit = [r for r in on if not r.type.endswith("VirtualNetworkPeering")] + peered("hub", "spoke", transit=False)
    assert chosen(no_transit, "spoke/app", "172.19.5.20").next_hop == NONE


def test_gateway_subnet_always_learns_the_gateway_routes() -> None:
    """udr "Border gateway protocol": route propagation shouldn't be disabled on GatewaySubnet (the gateway won't
    function), so the model keeps it on there."""
    records = hub_and_spoke(gateway_table=table("rt-gw", propagate=False))
    assert chosen(records, "hub/GatewaySubnet", "172.19.5.20").next_hop == GATEWAY


def test_bgp_sites_add_what_they_advertise_including_a_default_route() -> None:
    """udr "Border gateway protocol": a route per advertised prefix, source and next hop Virtual network gateway."""
    bgp_site = SiteRoutes("lab", ("172.19.0.0/16", "192.168.50.0/24"), default_route=True, vpn_device="203.0.113.10")
    records = [r for r in hub_and_spoke() if not r.type.endswith("GatewayConnection")] + [vpn_connection("vgw", "lab", bgp=True)]
    routes = {str(r.prefix): r for r in routes_of(records, "hub/AzureFirewallSubnet", (bgp_site,)) if r.source == BGP}
    assert set(routes) == {"172.19.0.0/16", "192.168.50.0/24", "0.0.0.0/0"}
    # BGP 0.0.0.0/0 beats the system 0.0.0.0/0 to Internet (udr "How Azure selects a route": BGP before system).
    assert chosen(records, "hub/AzureFirewallSubnet", "52.1.2.3", (bgp_site,)).next_hop == GATEWAY


# --- routing: route selection (udr "How Azure selects a route") ------------------------------------------------


def test_longest_prefix_match_the_docs_example() -> None:
    """udr: routes 10.0.0.0/24 and 10.0.0.0/16: 10.0.0.5 takes the /24, 10.0.1.5 the /16."""
    routes = [Route(IPNetwork("10.0.0.0/24"), APPLIANCE, USER, "10.9.0.4", "short"),
              Route(IPNetwork("10.0.0.0/16"), APPLIANCE, USER, "10.9.0.5", "long")]
    assert select_route(routes, IPAddress("10.0.0.5")) is routes[0]
    assert select_route(routes, IPAddress("10.0.1.5")) is routes[1]


def test_equal_prefixes_user_then_bgp_then_system_the_docs_example() -> None:
    """udr: Default 0.0.0.0/0 Internet and User 0.0.0.0/0 Virtual network gateway: the User route wins; BGP beats system."""
    system = Route(IPNetwork("0.0.0.0/0"), INTERNET, DEFAULT)
    bgp = Route(IPNetwork("0.0.0.0/0"), GATEWAY, BGP)
    user = Route(IPNetwork("0.0.0.0/0"), GATEWAY, USER)
    assert select_route([system, bgp, user], IPAddress("52.1.2.3")) is user
    assert select_route([system, bgp], IPAddress("52.1.2.3")) is bgp


def test_vnet_and_peering_system_routes_win_over_more_specific_bgp_routes() -> None:
    """udr note: system routes for the virtual network and peerings are preferred even if BGP routes are more specific."""
    vnet_route = Route(IPNetwork("10.0.0.0/16"), VNET_LOCAL, DEFAULT)
    bgp = Route(IPNetwork("10.0.5.0/24"), GATEWAY, BGP)
    assert select_route([vnet_route, bgp], IPAddress("10.0.5.1")) is vnet_route
    assert select_route([Route(IPNetwork("10.0.5.0/24"), APPLIANCE, USER, "10.9.0.4"), vnet_route], IPAddress("10.0.5.1")).source == USER


def test_microsofts_routing_example_subnet1_and_subnet2() -> None:
    """udr "Routing example": Virtual-network-1 10.0.0.0/16 (NVA 10.0.100.4), peered with Virtual-network-2 (10.1.0.0/16,
    10.2.0.0/16), a VPN gateway to on-prem 10.10.0.0/16; Subnet1's route table holds Within-VNet1, Within-Subnet1,
    ToVNet2-1-Drop, ToVNet2-2-Drop, To-On-Prem and Default-NVA. Service endpoint routes (ID10) aren't modelled."""
    nva = "10.0.100.4"
    onprem = SiteRoutes("onprem", ("10.10.0.0/16",), vpn_device="198.51.100.1")
    records = [
        vnet("vnet1", "10.0.0.0/16"), subnet("vnet1", "Subnet1", "10.0.0.0/24", table="rt1"), subnet("vnet1", "Subnet2", "10.0.1.0/24"),
        subnet("vnet1", "DMZ", "10.0.100.0/24"), subnet("vnet1", "GatewaySubnet", "10.0.255.0/27"),
        vnet("vnet2", "10.1.0.0/16", "10.2.0.0/16"), *peered("vnet1", "vnet2"),
        gateway("vgw", "vnet1"), local_gateway("onprem", "198.51.100.1", "10.10.0.0/16"), vpn_connection("vgw", "onprem"),
        table("rt1", route("Within-VNet1", "10.0.0.0/16", APPLIANCE, nva), route("Within-Subnet1", "10.0.0.0/24", VNET_LOCAL),
              route("ToVNet2-1-Drop", "10.1.0.0/16", NONE), route("ToVNet2-2-Drop", "10.2.0.0/16", NONE),
              route("To-On-Prem", "10.10.0.0/16", APPLIANCE, nva), route("Default-NVA", "0.0.0.0/0", APPLIANCE, nva)),
    ]
    sites = (onprem,)
    subnet1 = {(r.source, str(r.prefix), r.next_hop, r.name) for r in routes_of(records, "vnet1/Subnet1", sites)}
    assert subnet1 == {  # IDs 1-9, 11, 12 of the documented table
        (DEFAULT, "10.0.0.0/16", VNET_LOCAL, ""), (USER, "10.0.0.0/16", APPLIANCE, "Within-VNet1"),
        (USER, "10.0.0.0/24", VNET_LOCAL, "Within-Subnet1"), (DEFAULT, "10.1.0.0/16", PEERING, ""), (DEFAULT, "10.2.0.0/16", PEERING, ""),
        (USER, "10.1.0.0/16", NONE, "ToVNet2-1-Drop"), (USER, "10.2.0.0/16", NONE, "ToVNet2-2-Drop"),
        (BGP, "10.10.0.0/16", GATEWAY, ""), (USER, "10.10.0.0/16", APPLIANCE, "To-On-Prem"),
        (DEFAULT, "0.0.0.0/0", INTERNET, ""), (USER, "0.0.0.0/0", APPLIANCE, "Default-NVA"),
    }  # and no None routes for the reserved ranges: removed when the 0.0.0.0/0 UDR was added
    active = {address: chosen(records, "vnet1/Subnet1", address, sites).name for address in
              ("10.0.0.5", "10.0.1.5", "10.1.0.5", "10.2.0.5", "10.10.0.5", "52.1.2.3", "192.168.1.1")}
    assert active == {"10.0.0.5": "Within-Subnet1", "10.0.1.5": "Within-VNet1", "10.1.0.5": "ToVNet2-1-Drop",
                      "10.2.0.5": "ToVNet2-2-Drop", "10.10.0.5": "To-On-Prem", "52.1.2.3": "Default-NVA", "192.168.1.1": "Default-NVA"}
    subnet2 = {(str(r.prefix), r.next_hop) for r in routes_of(records, "vnet1/Subnet2", sites)}
    # The documented Subnet2 table; it omits 172.16.0.0/12 None, which the "Default" table lists for every subnet.
    assert subnet2 == {("10.0.0.0/16", VNET_LOCAL), ("10.1.0.0/16", PEERING), ("10.2.0.0/16", PEERING), ("10.10.0.0/16", GATEWAY),
                       ("0.0.0.0/0", INTERNET), ("10.0.0.0/8", NONE), ("100.64.0.0/10", NONE), ("192.168.0.0/16", NONE),
                       ("172.16.0.0/12", NONE)}
    assert [chosen(records, "vnet1/Subnet2", a, sites).next_hop for a in ("10.1.0.5", "10.10.0.5", "52.1.2.3")] == [PEERING, GATEWAY, INTERNET]


# --- routing: next hops -------------------------------------------------------------------------------------------


def test_user_routes_forced_tunneling_to_the_gateway_forwards_only_with_a_default_site() -> None:
    """udr "0.0.0.0/0 address prefix" and vpn-gateway site-to-site-tunneling: 0.0.0.0/0 sent to a VPN gateway leaves
    through its default site; without one (and no BGP 0.0.0.0/0) the gateway has nowhere to send it."""
    firewall_table = table("rt-fw", route("default", "0.0.0.0/0", GATEWAY))
    records = hub_and_spoke(default_site="lab")
    records = [r for r in records if r.name != "hub-AzureFirewallSubnet"] + [
        subnet("hub", "AzureFirewallSubnet", "10.0.0.64/26", table="rt-fw"), firewall_table]
    result = run(records, APP_TO_WEB)
    assert result.allowed, result.reason
    assert "gateway vgw -> default site lab" in result.request.hops
    without = [r for r in records if r.name != "vgw"] + [gateway("vgw", "hub")]
    blocked = run(without, APP_TO_WEB)
    assert not blocked.allowed and "gateway vgw can't forward 20.0.0.1" in blocked.reason
    assert blocked.request.hops[-1] == "hub/AzureFirewallSubnet: 0.0.0.0/0 -> VirtualNetworkGateway (User default)"


def test_no_user_route_to_the_gateway_while_expressroute_coexists() -> None:
    """udr "User-defined": a Virtual network gateway next hop can't be used with VPN and ExpressRoute coexisting."""
    circuit = f"/subscriptions/x/resourceGroups/er/providers/Microsoft.Network/expressRouteCircuits/c1"
    site = SiteRoutes("lab", ("172.19.0.0/16",), vpn_device="203.0.113.10", circuit_id=circuit)
    records = hub_and_spoke(spoke_table=table("rt-spoke", route("lab", "172.19.0.0/16", GATEWAY), propagate=False))
    records += [gateway("ergw", "hub", kind="ExpressRoute"), er_connection("ergw", circuit)]
    result = run(records, APP_TO_LAB, (site,))
    assert not result.allowed and "ExpressRoute gateway coexists" in result.reason


def test_expressroute_is_preferred_over_vpn_for_the_same_prefix() -> None:
    """expressroute-howto-coexist-resource-manager: for the same prefix ExpressRoute is preferred over the VPN."""
    circuit = "/subscriptions/x/resourceGroups/er/providers/Microsoft.Network/expressRouteCircuits/c1"
    site = SiteRoutes("lab", ("172.19.0.0/16",), vpn_device="203.0.113.10", circuit_id=circuit)
    records = hub_and_spoke() + [gateway("ergw", "hub", kind="ExpressRoute"), er_connection("ergw", circuit)]
    result = run(records, APP_TO_LAB, (site,))
    assert result.allowed and any(h.startswith("gateway ergw -> 172.19.0.0/16 from site lab (ExpressRoute)") for h in result.request.hops)


def test_a_private_destination_sent_to_the_internet_next_hop_is_lost() -> None:
    """udr "Default": Internet routes to the internet; a private (RFC 1918) address isn't reachable there."""
    records = hub_and_spoke(spoke_table=table("rt-spoke", route("default", "0.0.0.0/0", INTERNET), propagate=False))
    result = run(records, APP_TO_LAB)
    assert not result.allowed and "where a private address is unreachable" in result.reason


def test_an_appliance_that_is_not_azure_firewall_is_not_modelled() -> None:
    """udr "Virtual appliance": any NVA may be the next hop; only Azure Firewall's behaviour is modelled here."""
    records = hub_and_spoke(spoke_table=table("rt-spoke", route("default", "0.0.0.0/0", APPLIANCE, "10.0.1.4"), propagate=False))
    result = run(records, APP_TO_LAB)
    assert not result.allowed and "10.0.1.4 is no Azure Firewall" in result.reason


def test_forwarded_traffic_enters_a_peered_vnet_only_when_allowed() -> None:
    """virtual-network-peering-overview: allowForwardedTraffic on the receiving side admits what an appliance forwards."""
    records = [r for r in hub_and_spoke() if not r.type.endswith("VirtualNetworkPeering")]
    records += peered("hub", "spoke", transit=True, forwarded=False)
    result = run(records, LAB_TO_APP)
    assert not result.allowed and "doesn't allow forwarded traffic from 172.19.0.4" in result.reason


# --- filtering: NSGs ---------------------------------------------------------------------------------------------------

VNET_TAG = IPSet(["10.0.0.0/16", "172.19.0.0/16"])


def packet(source: str, destination: str, port: int = 443, protocol: str = "TCP", fqdn: str | None = None) -> Packet:
    return Packet(IPAddress(source), IPAddress(destination), port, protocol, fqdn)


def test_nsg_default_rules() -> None:
    """network-security-groups-overview "Default security rules": AllowVnetInBound 65000, AllowAzureLoadBalancerInBound
    65001, DenyAllInBound 65500; AllowVnetOutBound 65000, AllowInternetOutBound 65001, DenyAllOutBound 65500."""
    assert nsg_decision([], "Inbound", packet("172.19.0.4", "10.0.0.4"), VNET_TAG) == (True, "AllowVnetInBound")
    assert nsg_decision([], "Inbound", packet("168.63.129.16", "10.0.0.4"), VNET_TAG) == (True, "AllowAzureLoadBalancerInBound")
    assert nsg_decision([], "Inbound", packet("52.1.2.3", "10.0.0.4"), VNET_TAG) == (False, "DenyAllInBound")
    assert nsg_decision([], "Outbound", packet("10.0.0.4", "52.1.2.3"), VNET_TAG) == (True, "AllowInternetOutBound")
    assert nsg_decision([], "Outbound", packet("10.0.0.4", "192.168.1.1"), VNET_TAG) == (False, "DenyAllOutBound")


def test_nsg_rules_apply_by_priority_the_first_match_decides() -> None:
    """network-security-groups-overview: rules are processed in priority order, lower numbers first; processing stops
    at the first match."""
    deny = {"name": "deny-lab", "priority": 200, "direction": "Inbound", "access": "Deny", "protocol": "Tcp",
            "sourceAddressPrefix": "172.19.0.0/16", "destinationAddressPrefix": "*", "destinationPortRange": "443"}
    allow = {**deny, "name": "allow-lab", "priority": 100, "access": "Allow"}
    assert nsg_decision([deny], "Inbound", packet("172.19.0.4", "10.0.0.4"), VNET_TAG) == (False, "deny-lab")
    assert nsg_decision([deny, allow], "Inbound", packet("172.19.0.4", "10.0.0.4"), VNET_TAG) == (True, "allow-lab")
    assert nsg_decision([deny], "Inbound", packet("172.19.0.4", "10.0.0.4", 80), VNET_TAG) == (True, "AllowVnetInBound")


def test_an_nsg_that_denies_a_flow_blocks_it_at_that_subnet() -> None:
    rule = {"name": "deny-lab", "priority": 100, "direction": "Inbound", "access": "Deny", "protocol": "*",
            "sourceAddressPrefix": "172.19.0.0/16", "destinationAddressPrefix": "*", "destinationPortRange": "*"}
    records = [r for r in hub_and_spoke() if r.name != "nsg-app"] + [nsg("nsg-app", rule)]
    result = run(records, LAB_TO_APP)
    assert not result.allowed and "NSG nsg-app on spoke/app denies it inbound (deny-lab)" in result.reason


# --- filtering: Azure Firewall -----------------------------------------------------------------------------------------


def test_firewall_processes_network_rules_before_application_rules_whatever_their_priority() -> None:
    """firewall rule-processing: network rules are applied first, then application rules, regardless of priorities."""
    groups = [group("p", "apps", 100, collection("deny-web", 100, "Deny", application_rule("web", ["*"], ["www.example.com"]))).inputs,
              group("p", "net", 500, collection("allow", 100, "Allow", network_rule("any-443", ["*"], ["*"], ["443"]))).inputs]
    decision = firewall_decision(groups, packet("10.1.0.4", INTERNET_HOST, fqdn="www.example.com"))
    assert decision.allowed and decision.rule == "net/allow/any-443"


def test_firewall_orders_groups_then_collections_by_priority_and_denies_by_default() -> None:
    """firewall policy-rule-sets and rule-processing: rule collection groups by priority, then rule collections by
    priority; rules are terminating; no match is denied."""
    lab = network_rule("lab", ["172.19.0.0/16"], ["10.1.0.0/16"], ["443"])
    groups = [group("p", "late", 300, collection("allow", 100, "Allow", lab)).inputs,
              group("p", "early", 200, collection("allow", 200, "Allow", lab), collection("deny", 150, "Deny", lab)).inputs]
    assert firewall_decision(groups, packet("172.19.0.4", "10.1.0.4")).rule == "early/deny/lab"
    assert firewall_decision(groups, packet("172.19.0.4", "10.1.0.4", 22)) == firewall_decision([], packet("172.19.0.4", "10.1.0.4"))
    assert not firewall_decision([], packet("172.19.0.4", "10.1.0.4")).allowed


def test_firewall_snat_private_destinations_keep_their_source() -> None:
    """firewall snat-private-range: network rules don't SNAT RFC 1918 / RFC 6598 destinations, public ones they do;
    application rules always SNAT."""
    allow_all = [group("p", "g", 100, collection("c", 100, "Allow", network_rule("n", ["*"], ["*"], ["*"], ("Any",)),
                                                 application_rule("a", ["*"], ["*"]))).inputs]
    assert not firewall_decision(allow_all, packet("10.1.0.4", "172.19.0.4", 22)).snat
    assert not firewall_decision(allow_all, packet("10.1.0.4", "100.64.0.1", 22)).snat
    assert firewall_decision(allow_all, packet("10.1.0.4", INTERNET_HOST, 22)).snat
    app_only = [group("p", "g", 100, collection("c", 100, "Allow", application_rule("a", ["*"], ["*.example.com"]))).inputs]
    assert firewall_decision(app_only, packet("10.1.0.4", "10.2.0.4", fqdn="db.example.com")).snat


def test_a_flow_through_the_firewall_is_inspected_both_ways_and_stateful() -> None:
    """The firewall is stateful (firewall overview): the reply of an allowed connection needs no rule, if it comes back
    through the same firewall."""
    for flow in (LAB_TO_APP, APP_TO_LAB):
        result = run(hub_and_spoke(), flow)
        assert result.allowed and result.symmetric and result.inspected, result.reason
        assert result.request.firewalls == result.reply.firewalls == ["fw"]
        assert any(h == "firewall fw: reply of an allowed session" for h in result.reply.hops)


def test_internet_egress_through_the_firewall_returns_to_its_translated_address() -> None:
    result = run(hub_and_spoke(), APP_TO_WEB)
    assert result.allowed and result.request.snat is not None
    assert result.reply.hops[:3] == ["internet 20.0.0.1", "to the public IP of firewall fw",
                                     "firewall fw: reply of its translated session, back to 10.1.0.4"]


def test_a_reply_through_a_firewall_that_never_saw_the_request_is_dropped() -> None:
    """Stateful: the spoke reaches on-prem around the firewall (a UDR to the gateway), on-prem's replies come back
    through GatewaySubnet's route to the firewall, which has no session for them."""
    bypass = table("rt-spoke", route("default", "0.0.0.0/0", APPLIANCE, FW_IP), route("lab", "172.19.0.0/16", GATEWAY), propagate=False)
    result = run(hub_and_spoke(spoke_table=bypass), APP_TO_LAB)
    assert not result.allowed and not result.symmetric and not result.inspected
    assert "firewall fw never saw the request, so it drops the reply (stateful)" in result.reason


def test_a_flow_that_no_rule_allows_is_denied_by_default() -> None:
    result = run(hub_and_spoke(groups=[]), LAB_TO_APP)
    assert not result.allowed and result.reason.endswith("firewall fw denies it (default deny)")
    assert result.request.hops[-1].startswith("hub/GatewaySubnet: 10.1.0.0/16 -> VirtualAppliance 10.0.0.68")


# --- the shipped stacks ---------------------------------------------------------------------------------------------

COUNTS = {"dev": (8, 5), "prod": (18, 12), "site-singapore": (3, 0), "site-lyon": (0, 0), "lz-payments": (0, 0)}  # (flows, inspected)


@pytest.mark.parametrize("stack", STACKS)
def test_every_intended_flow_of_a_shipped_stack_is_allowed_and_symmetric(stack: str) -> None:
    flows = evaluated(stack).flows
    assert [(r.flow.name, r.reason) for r in flows if not r.allowed] == []
    assert all(r.symmetric for r in flows)
    assert (len(flows), sum(r.inspected for r in flows)) == COUNTS[stack]


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_hybrid_and_declared_flows_cross_the_hub_firewall_both_ways(stack: str) -> None:
    """Behind a hub firewall, on-prem <-> AKS, nodes -> backends, spoke <-> spoke and AKS egress are all inspected,
    the firewall on the request's path and on the reply's; DNS to the hub resolver stays direct."""
    for result in evaluated(stack).flows:
        firewall = f"afw-{stack}-hub"
        if result.flow.name.endswith("dns") or "resolver" in result.flow.name:
            assert not result.inspected, result.flow.name
        else:
            assert result.request.firewalls == result.reply.firewalls == [firewall], result.flow.name


def test_prod_egress_follows_the_default_route_paris_advertises() -> None:
    """Forced tunneling: the firewall's subnet learns 0.0.0.0/0 from paris-dc (ExpressRoute preferred), and the reply
    comes back through the gateway to the firewall's private address (snat-private-range: forced tunneling SNATs to
    a private IP of AzureFirewallSubnet)."""
    (egress,) = [r for r in evaluated("prod").flows if r.flow.name == "aks-nodes-aks-endpoints"]
    assert "gateway ergw-prod-hub -> 0.0.0.0/0 from site paris-dc (ExpressRoute)" in egress.request.hops
    assert egress.reply.hops[1] == "vnet-prod-hub/GatewaySubnet: 10.0.0.0/22 -> VnetLocal (Default)"


def test_preview_text_and_json_carry_the_flows(capsys: pytest.CaptureFixture[str]) -> None:
    report = to_json(evaluated("dev"))
    (flow,) = [f for f in report["flows"] if f["name"] == "lab-to-aks-web"]
    assert set(flow) == {"name", "from", "to", "verdict", "symmetric", "inspected", "path", "return_path", "reason"}
    assert (flow["verdict"], flow["symmetric"], flow["inspected"], flow["reason"]) == ("allowed", True, True, "")
    assert flow["path"][1] == "vnet-dev-hub/GatewaySubnet: 10.11.0.0/16 -> VirtualAppliance 10.10.0.68 (User to-aks-0-via-firewall)"
    assert json.dumps(report)  # serialisable


# --- the three faults, failing the preview ----------------------------------------------------------------------------


def preview_with(tmp_path: Path, program_tail: str) -> PreviewResult:
    project = project_with(tmp_path, "variant", dev_document())
    (project / "__main__.py").write_text((ROOT / "__main__.py").read_text() + program_tail)
    return preview("variant", project)


def spoke_route(name: str, prefix: str, hop: str) -> str:
    return f'''
azure.network.Route("{name}", resource_group_name=spokes["aks"].resource_group_name, route_table_name="rt-dev-aks",
                    route_name="{name}", address_prefix="{prefix}", next_hop_type="{hop}")
'''


def blocked(result: PreviewResult) -> dict[str, str]:
    assert result.exit_code == 1
    flows = {v.message.split("'")[1] for v in result.mandatory_violations if v.policy == FLOWS_POLICY}
    reasons = {r.flow.name: r.reason for r in result.flows if not r.allowed}
    assert flows == set(reasons)
    return reasons


def test_egress_routed_into_a_gateway_that_cant_forward_it_fails_the_preview(tmp_path: Path) -> None:
    result = preview_with(tmp_path, spoke_route("internet-low", "0.0.0.0/1", GATEWAY) + spoke_route("internet-high", "128.0.0.0/1", GATEWAY))
    reasons = blocked(result)
    # 128.0.0.0/1 also holds the lab (172.19.0.0/16): traffic to it now reaches the gateway around the firewall.
    assert set(reasons) == {"aks-nodes-aks-endpoints", "aks-nodes-images", "aks-nodes-ntp", "lab-to-aks-web", "aks-nodes-to-lab-api"}
    assert reasons["aks-nodes-ntp"] == ("20.0.0.1:123/UDP: gateway vgw-dev-hub can't forward 20.0.0.1: no site advertises a "
                                        "route to it (no BGP 0.0.0.0/0) and no default site is set")


def test_a_spoke_that_bypasses_the_firewall_one_way_fails_the_preview(tmp_path: Path) -> None:
    reasons = blocked(preview_with(tmp_path, spoke_route("lab-direct", "172.19.0.0/16", GATEWAY)))
    assert set(reasons) == {"lab-to-aks-web", "aks-nodes-to-lab-api"}
    assert "asymmetric: the request crosses afw-dev-hub, the reply no firewall" in reasons["lab-to-aks-web"]
    assert "reply: firewall afw-dev-hub never saw the request, so it drops the reply (stateful)" in reasons["aks-nodes-to-lab-api"]


def test_a_flow_no_rule_allows_fails_the_preview(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The program forgets the on-prem -> service rule (its firewall flows lose it); the config still intends the flow."""
    import config.topology
    original = config.topology.firewall_flows
    monkeypatch.setattr(config.topology, "firewall_flows", lambda stack: [f for f in original(stack) if not f.name.startswith("onprem-")])
    reasons = blocked(preview(  # the shipped dev stack, run with the broken program
        "dev", ROOT))
    assert reasons == {"lab-to-aks-web": "10.11.8.10:90/TCP: firewall afw-dev-hub denies it (default deny)"}


def test_a_firewall_rule_that_denies_a_flow_fails_the_preview(tmp_path: Path) -> None:
    deny = '''
azure.network.FirewallPolicyRuleCollectionGroup("deny-lab", resource_group_name=hub.resource_group_name,
    firewall_policy_name="afwp-dev-hub", rule_collection_group_name="deny-lab", priority=100,
    rule_collections=[azure.network.FirewallPolicyFilterRuleCollectionArgs(
        name="deny", priority=100, rule_collection_type="FirewallPolicyFilterRuleCollection",
        action=azure.network.FirewallPolicyFilterRuleCollectionActionArgs(type="Deny"),
        rules=[azure.network.NetworkRuleArgs(name="lab", rule_type="NetworkRule", ip_protocols=["TCP"],
               source_addresses=["172.19.0.0/16"], destination_addresses=["10.11.0.0/16"], destination_ports=["*"])])])
'''
    reasons = blocked(preview_with(tmp_path, deny))
    assert reasons == {"lab-to-aks-web": "10.11.8.10:90/TCP: firewall afw-dev-hub denies it (deny-lab/deny/lab)"}


# --- the policy on its own --------------------------------------------------------------------------------------------


def _stack_args(records: list[Rec], data: dict[str, Any] | None) -> StackValidationArgs:
    from pulumi_policy import PolicyResource
    from policy.evaluate import _options
    resources = [PolicyResource(r.type, r.inputs, f"urn:{r.name}", r.name, _options(None), None, None, [], {}) for r in records]
    return StackValidationArgs(resources, {"intent": data} if data else None)


def test_the_flows_policy_passes_a_working_stack_and_fails_a_broken_one() -> None:
    (policy,) = [p for p in POLICIES if p.name == FLOWS_POLICY]
    intent_json = Intent((LAB,), (LAB_TO_APP, APP_TO_LAB)).to_json()
    found: list[str] = []
    policy.validate(_stack_args(hub_and_spoke(), intent_json), lambda message, urn=None: found.append(message))
    assert found == []
    policy.validate(_stack_args(hub_and_spoke(groups=[]), intent_json), lambda message, urn=None: found.append(message))
    assert len(found) == 2 and "flow 'lab-to-app' (site lab -> spoke/app) is blocked" in found[0]
    assert policy.remediation_steps and policy.remediation_steps in found[0]
    found.clear()
    policy.validate(_stack_args(hub_and_spoke(groups=[]), None), lambda message, urn=None: found.append(message))
    assert found == []  # without the stack's intent there is nothing to check against


def test_intent_round_trips_through_the_policy_config() -> None:
    intent = evaluated("prod").intent
    assert intent is not None and Intent.from_json(json.loads(json.dumps(intent.to_json()))) == intent


@pytest.mark.parametrize("stack", STACKS)
def test_each_hub_stacks_policy_config_carries_its_intent_for_the_engine(stack: str) -> None:
    """`pulumi preview --policy-config policy/policy-config.<stack>.json` hands intended-flows-pass the same intent the
    offline preview derives from the stack's config; attaching stacks (flows not simulated) carry none."""
    shipped = json.loads((ROOT / "policy" / f"policy-config.{stack}.json").read_text())
    intent = evaluated(stack).intent
    if intent is None:
        assert FLOWS_POLICY not in shipped
        return
    assert shipped[FLOWS_POLICY]["intent"] == json.loads(json.dumps(intent.to_json())), \
        f"policy/policy-config.{stack}.json is stale: run `.venv/bin/python -m offline.flows --policy-config`"


def test_the_shipped_policy_config_makes_the_engine_check_flows() -> None:
    """Through pulumi-policy's analyzer as the CLI drives it: dev's config file, then dev's records, with and without
    the firewall's rule collection groups."""
    from google.protobuf import struct_pb2
    from pulumi.runtime import proto
    from pulumi_policy import EnforcementLevel
    from pulumi_policy.policy import _PolicyAnalyzerServicer  # private, but pinned (pulumi-policy <2)

    servicer = _PolicyAnalyzerServicer("hybrid-aks-policies", "0.0.1", POLICIES, EnforcementLevel.MANDATORY)
    configure = proto.ConfigureAnalyzerRequest()
    shipped = json.loads((ROOT / "policy" / "policy-config.dev.json").read_text())
    entry = shipped[FLOWS_POLICY]
    assert entry["enforcementLevel"] == "mandatory"
    configure.policyConfig[FLOWS_POLICY].enforcementLevel = proto.MANDATORY
    configure.policyConfig[FLOWS_POLICY].properties.update({"intent": entry["intent"]})
    servicer.Configure(configure, None)

    def flow_diagnostics(skip_type: str) -> list[Any]:
        resources = []
        for r in evaluated("dev").registrations:
            if r.type != skip_type and r.custom:
                struct = struct_pb2.Struct()
                struct.update(json.loads(json.dumps(r.inputs, default=str)))
                resources.append(proto.AnalyzerResource(type=r.type, urn=r.urn, name=r.name, properties=struct))
        diagnostics = servicer.AnalyzeStack(proto.AnalyzeStackRequest(resources=resources), None).diagnostics
        return [d for d in diagnostics if d.policyName == FLOWS_POLICY]

    assert flow_diagnostics("none") == []
    blocked = flow_diagnostics("azure-native:network:FirewallPolicyRuleCollectionGroup")
    assert blocked and all(d.enforcementLevel == proto.MANDATORY and "is blocked" in d.message for d in blocked)


# --- the README -------------------------------------------------------------------------------------------------------


def test_readme_flow_tables_are_the_simulation_of_the_shipped_stacks() -> None:
    text = README.read_text()
    assert render_readme(text, {stack: evaluated(stack).flows for stack in STACKS}) == text, \
        "README.md's flow tables are stale: run `.venv/bin/python -m offline.flows --readme`"


def test_the_firewall_snats_traffic_to_private_endpoint_subnets_as_its_policy_says() -> None:
    """snat-private-range: the policy's private ranges replace the default; prod leaves its endpoint subnet out, so
    the firewall translates aks -> data/privatelink and the endpoint's reply returns to the firewall."""
    flows = {f["name"]: f for f in to_json(evaluated("prod"))["flows"]}
    sql, app = flows["aks-to-data-sql"], flows["aks-to-data-app"]
    assert any("source translated" in hop for hop in sql["path"]), sql["path"]
    assert not any("source translated" in hop for hop in app["path"]), app["path"]
    assert sql["verdict"] == "allowed" and sql["symmetric"]
