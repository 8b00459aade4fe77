"""config/topology.py on small configs: the facts components share (DNS, routes, flows, egress, zones), with literal
expected values, so a one-line change to any of them fails here and not only on a shipped stack."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from config import load_stack
from config.model import FlowEnd, StackConfig
from config.topology import (
    aks_subnets, firewall_flows, firewall_no_snat_ranges, firewall_private_ip, flow_end_ranges, forwarding_rules,
    hub_api_zone_key, hub_private_zones, registry_egress, resolver_inbound_ip, vnet_dns_servers,
)
from tests.test_config import BASE, raw_of


def stack_with(mutate: Callable[[dict[str, Any]], object] = lambda d: None) -> StackConfig:
    document = copy.deepcopy(BASE)
    mutate(document)
    return load_stack(raw_of(document))


def test_dns_servers_follow_the_resolver_then_explicit_servers_then_the_firewall_proxy() -> None:
    assert vnet_dns_servers(stack_with()) == ["10.10.2.4"]  # the resolver's inbound endpoint: .4 of dns-inbound
    explicit = stack_with(lambda d: d["hub"].__setitem__("dnsServers", ["172.19.0.10"]))
    assert vnet_dns_servers(explicit) == ["172.19.0.10"]
    proxied = stack_with(lambda d: d["hub"]["firewall"].__setitem__("dnsProxy", True))
    assert vnet_dns_servers(proxied) == ["10.10.0.68"]  # the firewall, which forwards to the resolver
    plain = stack_with(lambda d: (d["hub"].pop("dnsResolver"), d["sites"][0].pop("dns")))
    assert vnet_dns_servers(plain) == [] and resolver_inbound_ip(plain.the_hub) is None


def test_forwarding_rules_end_domains_with_one_dot() -> None:
    stack = stack_with(lambda d: d["sites"][0]["dns"].__setitem__("domains", ["lab.example.com", "corp.example.com."]))
    assert forwarding_rules(stack) == [("lab.example.com.", ["172.19.0.10"]), ("corp.example.com.", ["172.19.0.10"])]


def test_a_system_pool_on_its_own_subnet_counts_as_an_aks_subnet() -> None:
    stack = stack_with(lambda d: (d["spokes"][0]["subnets"].__setitem__("system", "10.11.12.0/24"),
                                  d["spokes"][0]["aks"]["systemPool"].__setitem__("subnet", "system")))
    assert aks_subnets(stack.spokes[0]) == {"nodes", "system"}


def no_firewall(d: dict[str, Any]) -> None:
    d["hub"].pop("firewall")
    d["spokes"][0]["aks"]["allowDirectEgress"] = True


def test_the_firewall_address_needs_a_firewall_and_its_subnet() -> None:
    assert firewall_private_ip(stack_with().the_hub) == "10.10.0.68"
    assert firewall_private_ip(stack_with(no_firewall).the_hub) is None


def second_site(d: dict[str, Any]) -> None:
    d["sites"].append({"name": "lab2", "addressPrefixes": ["172.20.0.0/16"], "vpn": {"gatewayAddress": "203.0.113.11"}})


def test_flow_ends_resolve_to_the_named_site_or_spoke_ranges() -> None:
    stack = stack_with(second_site)
    assert flow_end_ranges(stack, FlowEnd(site="lab2")) == ["172.20.0.0/16"]
    assert flow_end_ranges(stack, FlowEnd(spoke="aks")) == ["10.11.0.0/16"]
    assert flow_end_ranges(stack, FlowEnd(spoke="aks", subnet="ilb")) == ["10.11.8.0/24"]


def test_firewall_flows_for_services_backends_and_declared_flows() -> None:
    def mutate(d: dict[str, Any]) -> None:
        d["spokes"].insert(0, {"name": "data", "addressSpace": ["10.12.0.0/16"], "subnets": {"app": "10.12.0.0/24"}})
        d["spokes"][1]["aks"]["internalServices"][1].pop("staticIp")
        d["flows"] = [{"name": "aks-to-data", "from": {"spoke": "aks"}, "to": {"spoke": "data", "subnet": "app"}, "ports": [1433]}]
    flows = {f.name: (f.sources, f.destinations, f.ports, f.protocols) for f in firewall_flows(stack_with(mutate))}
    assert flows == {
        "onprem-to-aks-default-web": (["172.19.0.0/16"], ["10.11.8.10/32"], ["90"], ["TCP"]),
        "onprem-to-aks-default-api": (["172.19.0.0/16"], ["10.11.8.0/24"], ["443"], ["TCP"]),  # no static IP: the subnet
        "aks-to-default-lab-api": (["10.11.0.0/22"], ["172.19.5.20/32"], ["443"], ["TCP"]),
        "aks-to-data": (["10.11.0.0/16"], ["10.12.0.0/24"], ["1433"], ["TCP"]),
    }
    assert firewall_flows(stack_with(no_firewall)) == []


def test_an_acr_image_is_pulled_from_its_data_endpoint_in_the_stacks_region() -> None:
    def mutate(d: dict[str, Any]) -> None:
        d["spokes"][0]["aks"]["internalServices"][0]["app"] = {"image": "contoso.azurecr.io/web:1", "containerPort": 85}
    (egress,) = registry_egress(stack_with(mutate))
    assert (egress.registry, egress.sources, egress.fqdns) == (
        "contoso.azurecr.io", ["10.11.0.0/22"], ["contoso.azurecr.io", "contoso.westeurope.data.azurecr.io"])


def test_the_firewall_snats_only_what_goes_to_private_endpoint_subnets() -> None:
    stack = stack_with(lambda d: (d["spokes"][0]["subnets"].__setitem__("pe", "10.11.9.0/24"),
                                  d["spokes"][0].__setitem__("privateEndpointSubnets", ["pe"])))
    ranges = firewall_no_snat_ranges(stack)
    assert ranges is not None and "100.64.0.0/10" in ranges and "192.168.0.0/16" in ranges and "172.16.0.0/12" in ranges
    assert "10.11.9.0/24" not in ranges and "10.11.8.0/24" in ranges and "10.11.10.0/23" in ranges
    assert firewall_no_snat_ranges(stack_with()) is None  # no endpoint subnet: Azure's default


def test_the_api_zone_listed_in_another_spelling_is_reused_not_created_twice() -> None:
    stack = stack_with(lambda d: d["hub"].__setitem__("privateDnsZones", ["PrivateLink.WestEurope.azmk8s.io."]))
    assert hub_private_zones(stack) == ["PrivateLink.WestEurope.azmk8s.io."]
    assert hub_api_zone_key(stack) == "PrivateLink.WestEurope.azmk8s.io."
    plain = stack_with()
    assert hub_private_zones(plain) == ["privatelink.westeurope.azmk8s.io"] and hub_api_zone_key(plain) == "privatelink.westeurope.azmk8s.io"
    system = stack_with(lambda d: (d["spokes"][0]["aks"].__setitem__("privateDnsZone", "system"), d["hub"].pop("dnsResolver"),
                                   d["sites"][0].pop("dns")))
    assert hub_api_zone_key(system) is None


def test_resolver_subnets_are_the_two_endpoints_or_none() -> None:
    from config.topology import resolver_subnets
    assert resolver_subnets(stack_with().the_hub) == {"dns-inbound", "dns-outbound"}
    plain = stack_with(lambda d: (d["hub"].pop("dnsResolver"), d["sites"][0].pop("dns")))
    assert resolver_subnets(plain.the_hub) == set()


def test_a_domain_keeps_its_letters_when_its_trailing_dot_goes() -> None:
    stack = stack_with(lambda d: d["sites"][0]["dns"].__setitem__("domains", ["LAB.EXAMPLE.BOX."]))
    assert forwarding_rules(stack) == [("LAB.EXAMPLE.BOX.", ["172.19.0.10"])]
