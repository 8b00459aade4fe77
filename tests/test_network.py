"""Hub, spokes and gateways, asserted on the inputs the dev and prod stacks would send to Azure."""

from __future__ import annotations

import json
from typing import Any

import pytest

from offline.mocks import Registration, is_secret, unwrap
from offline.preview import PLACEHOLDER, read_stack_file
from tests.stacks import ROOT, STACKS, evaluated

N = "azure-native:network:"


def of_type(stack: str, type_: str) -> list[Registration]:
    return [r for r in evaluated(stack).registrations if r.type == type_]


def one(stack: str, name: str) -> Registration:
    (match,) = [r for r in evaluated(stack).registrations if r.name == name]
    return match


def output(stack: str, name: str) -> Any:
    return evaluated(stack).outputs[name][0]


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_peering_flags_and_order(stack: str) -> None:
    gateways = {r.urn for r in of_type(stack, f"{N}VirtualNetworkGateway")}
    assert gateways
    for spoke in ("aks",) + (("data",) if stack == "prod" else ()):
        to_hub = one(stack, f"spoke-{spoke}-spoke-to-hub")
        assert (to_hub.get("useRemoteGateways"), to_hub.get("allowForwardedTraffic"), to_hub.get("allowVirtualNetworkAccess")) == (True, True, True)
        assert to_hub.get("remoteVirtualNetwork.id") == output(stack, "hubVnetId")
        assert gateways <= set(to_hub.dependencies), "spoke->hub must wait for every gateway (RemoteVnetHasNoGateways)"
        to_spoke = one(stack, f"spoke-{spoke}-hub-to-spoke")
        assert (to_spoke.get("allowGatewayTransit"), to_spoke.get("useRemoteGateways")) == (True, False)
        assert to_spoke.get("virtualNetworkName") == f"vnet-{stack}-hub"
        assert to_spoke.urn in to_hub.dependencies, "useRemoteGateways needs the hub side's allowGatewayTransit first"


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_nsg_on_every_subnet_that_allows_one(stack: str) -> None:
    exempt = {"GatewaySubnet", "AzureFirewallSubnet", "AzureFirewallManagementSubnet", "RouteServerSubnet"}
    subnets = of_type(stack, f"{N}Subnet")
    assert subnets
    for subnet in subnets:
        has_nsg = subnet.get("networkSecurityGroup.id") is not None
        assert has_nsg == (subnet.get("subnetName") not in exempt), subnet.name


@pytest.mark.parametrize(("stack", "spoke_spaces"), [("dev", {"10.11.0.0/16"}), ("prod", {"10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16"})])
def test_gateway_subnet_sends_every_spoke_through_the_firewall_and_nothing_else(stack: str, spoke_spaces: set[str]) -> None:
    gateway_subnet = one(stack, "hub-subnet-GatewaySubnet")
    assert gateway_subnet.get("networkSecurityGroup") is None
    table = one(stack, "hub-gateway-routes")
    assert gateway_subnet.get("routeTable.id") == table.id and table.get("disableBgpRoutePropagation") is False
    firewall_ip = "10.10.0.68" if stack == "dev" else "10.0.0.68"  # .4 of AzureFirewallSubnet
    routes = {(r["addressPrefix"], r["nextHopType"], r["nextHopIpAddress"]) for r in table.inputs["routes"]}
    # Whole address spaces: AKS and non-AKS spokes alike, and wide enough to override private endpoints' /32 routes.
    assert routes == {(prefix, "VirtualAppliance", firewall_ip) for prefix in spoke_spaces}
    # The firewall's address is derived from its subnet, so the gateways don't wait for the firewall.
    assert one(stack, "hub-firewall").urn not in table.dependencies


def test_without_a_firewall_gateway_subnet_has_no_route_table() -> None:
    assert one("site-singapore", "hub-subnet-GatewaySubnet").get("routeTable") is None
    assert [r for r in evaluated("site-singapore").registrations if r.name == "hub-gateway-routes"] == []


def test_firewall_allows_onprem_to_services_and_nodes_to_backends() -> None:
    group = one("dev", "hub-firewall-hybrid")
    (collection,) = group.inputs["ruleCollections"]
    rules = {rule["name"]: rule for rule in collection["rules"]}
    service = rules["onprem-to-aks-default-web"]
    assert (service["sourceAddresses"], service["destinationAddresses"], service["destinationPorts"], service["ipProtocols"]) == (
        ["172.19.0.0/16"], ["10.11.8.10/32"], ["90"], ["TCP"])
    backend = rules["aks-to-default-lab-api"]
    assert (backend["sourceAddresses"], backend["destinationAddresses"], backend["destinationPorts"]) == (
        ["10.11.0.0/22"], ["172.19.5.20/32", "172.19.5.21/32"], ["443"])
    assert one("dev", "hub-firewall-aks-egress").urn in group.dependencies


def test_bastion_nsg_carries_the_rules_bastion_needs() -> None:
    nsg = one("dev", "hub-nsg-AzureBastionSubnet")
    inbound = {(r["sourceAddressPrefix"], tuple(r["destinationPortRanges"])) for r in nsg.inputs["securityRules"] if r["direction"] == "Inbound"}
    assert ("GatewayManager", ("443",)) in inbound and ("Internet", ("443",)) in inbound


@pytest.mark.parametrize(("stack", "subnets"), [
    ("dev", {"aks": ["nodes", "ilb"]}), ("prod", {"aks": ["nodes", "ilb", "batch"], "data": ["app", "privatelink"]})])
def test_every_spoke_subnet_sends_its_default_route_to_the_firewall_and_ignores_bgp(stack: str, subnets: dict[str, list[str]]) -> None:
    firewall_ip = output(stack, "firewallPrivateIp")
    assert firewall_ip == ("10.10.0.68" if stack == "dev" else "10.0.0.68")  # .4 of AzureFirewallSubnet
    for spoke, names in subnets.items():
        table = one(stack, f"spoke-{spoke}-routes")
        (route,) = table.inputs["routes"]
        assert (route["addressPrefix"], route["nextHopType"], route["nextHopIpAddress"]) == ("0.0.0.0/0", "VirtualAppliance", firewall_ip)
        assert table.get("disableBgpRoutePropagation") is True  # on-prem routes learned through gateway transit can't bypass it
        for name in names:
            subnet = one(stack, f"spoke-{spoke}-subnet-{name}")
            assert subnet.get("routeTable.id") == table.id, name
            # Only private-endpoint subnets: there GatewaySubnet's wide route overrides the endpoints' /32 routes.
            expected = "Enabled" if (spoke, name) == ("data", "privatelink") else "Disabled"  # the SDK sends Disabled by default
            assert subnet.get("privateEndpointNetworkPolicies") == expected, name


@pytest.mark.parametrize("stack", ["dev", "prod", "site-singapore", "site-lyon"])
def test_every_route_table_is_attached_to_a_subnet(stack: str) -> None:
    attached = {subnet.get("routeTable.id") for subnet in of_type(stack, f"{N}Subnet")}
    for table in of_type(stack, f"{N}RouteTable"):
        assert table.id in attached, table.name


def test_forced_tunneling_follows_the_bgp_default_route_and_management_keeps_the_internet() -> None:
    firewall = one("prod", "hub-firewall")
    management_subnet = one("prod", "hub-subnet-AzureFirewallManagementSubnet")
    assert firewall.get("managementIpConfiguration.subnet.id") == management_subnet.id
    # ExpressRoute coexists in prod: no route to VirtualNetworkGateway anywhere (virtual-networks-udr-overview); the
    # firewall subnet keeps propagation on (no table) and learns the 0.0.0.0/0 paris-dc advertises.
    assert one("prod", "hub-subnet-AzureFirewallSubnet").get("routeTable") is None
    for table in of_type("prod", f"{N}RouteTable"):
        assert all(route["nextHopType"] != "VirtualNetworkGateway" for route in table.inputs["routes"]), table.name
    table = one("prod", "hub-firewall-management-routes")
    assert management_subnet.get("routeTable.id") == table.id
    assert table.inputs["routes"] == [{"name": "default-to-internet", "addressPrefix": "0.0.0.0/0", "nextHopType": "Internet"}]
    assert table.get("disableBgpRoutePropagation") is True


def test_firewall_policy_allows_aks_egress() -> None:
    group = one("dev", "hub-firewall-aks-egress")
    rules = {rule["name"]: rule for collection in group.inputs["ruleCollections"] for rule in collection["rules"]}
    assert rules["aks-fqdn-tag"]["fqdnTags"] == ["AzureKubernetesService"]
    assert "mcr.microsoft.com" in rules["aks-fqdns"]["targetFqdns"]
    assert rules["dns"]["destinationPorts"] == ["53"] and rules["ntp"]["destinationPorts"] == ["123"]
    assert rules["dns"]["sourceAddresses"] == ["10.11.0.0/22"]  # the AKS node subnet


@pytest.mark.parametrize("stack", STACKS)
def test_every_tracked_azure_resource_carries_the_stack_tags(stack: str) -> None:
    # Tracked resources (those with a location, "global" included) take tags; proxy resources (subnets, rules) don't.
    tags = json.loads(read_stack_file(ROOT, stack).config["hybrid-aks:tags"])
    tracked = [r for r in evaluated(stack).registrations if r.type.startswith("azure-native:") and "location" in r.inputs]
    assert len(tracked) > 5
    untagged = sorted(r.name for r in tracked if unwrap(r.inputs.get("tags")) != tags)
    assert not untagged, f"{stack}: not tagged {tags}: {untagged}"


def test_gateway_sku_tier_names_the_sku() -> None:
    # Azure requires the tier to equal the name for VPN and ExpressRoute SKUs (VirtualNetworkGatewaySku).
    skus = {(g.get("gatewayType"), g.get("sku.name"), g.get("sku.tier")) for s in ("dev", "prod")
            for g in of_type(s, f"{N}VirtualNetworkGateway")}
    assert skus == {("Vpn", "VpnGw1AZ", "VpnGw1AZ"), ("Vpn", "VpnGw2AZ", "VpnGw2AZ"), ("ExpressRoute", "ErGw2AZ", "ErGw2AZ")}


def test_vpn_gateway_prod() -> None:
    (vpn,) = [g for g in of_type("prod", f"{N}VirtualNetworkGateway") if g.get("gatewayType") == "Vpn"]
    assert (vpn.get("sku.name"), vpn.get("vpnType"), vpn.get("vpnGatewayGeneration")) == ("VpnGw2AZ", "RouteBased", "Generation2")
    assert vpn.get("activeActive") is True and len(vpn.inputs["ipConfigurations"]) == 2
    assert (vpn.get("enableBgp"), vpn.get("bgpSettings.asn")) == (True, 65515)
    pips = {c["publicIPAddress"]["id"] for c in vpn.inputs["ipConfigurations"]}
    assert len(pips) == 2
    for pip in of_type("prod", f"{N}PublicIPAddress"):
        assert (pip.get("sku.name"), pip.get("publicIPAllocationMethod")) == ("Standard", "Static")
    assert len(output("prod", "vpnGatewayPublicIps")) == 2


def test_dev_vpn_gateway_is_generation1() -> None:
    (vpn,) = of_type("dev", f"{N}VirtualNetworkGateway")
    assert (vpn.get("sku.name"), vpn.get("vpnGatewayGeneration"), vpn.get("activeActive")) == ("VpnGw1AZ", "Generation1", False)


def test_one_local_gateway_and_connection_per_vpn_site() -> None:
    lngs = {r.get("localNetworkGatewayName"): r for r in of_type("prod", f"{N}LocalNetworkGateway")}
    assert set(lngs) == {"lgw-prod-paris-dc", "lgw-prod-lyon-dc"}
    assert lngs["lgw-prod-lyon-dc"].get("localNetworkAddressSpace.addressPrefixes") == ["172.17.255.1/32"]  # BGP: the peer only
    assert lngs["lgw-prod-lyon-dc"].get("bgpSettings") == {"asn": 65020, "bgpPeeringAddress": "172.17.255.1"}
    dev_lng = one("dev", "gateways-lng-lab")
    assert dev_lng.get("localNetworkAddressSpace.addressPrefixes") == ["172.19.0.0/16"]  # static: the site's prefixes
    assert dev_lng.get("gatewayIpAddress") == "203.0.113.10"
    fqdn_site = one("site-singapore", "gateways-lng-office")
    assert (fqdn_site.get("fqdn"), fqdn_site.get("gatewayIpAddress")) == ("vpn.sg.example.com", None)
    connections = [c for c in of_type("prod", f"{N}VirtualNetworkGatewayConnection") if c.get("connectionType") == "IPsec"]
    assert {c.get("localNetworkGateway2.id") for c in connections} == {lng.id for lng in lngs.values()}
    for connection in connections:
        assert connection.get("connectionProtocol") == "IKEv2" and connection.get("enableBgp") is True
    paris = one("prod", "gateways-vpn-paris-dc")
    assert paris.get("ipsecPolicies.0.ikeEncryption") == "AES256" and paris.get("ipsecPolicies.0.dhGroup") == "DHGroup14"


def test_express_route_connection_references_the_circuit() -> None:
    connection = one("prod", "gateways-er-paris-dc")
    assert connection.get("connectionType") == "ExpressRoute"
    assert connection.get("peer.id").endswith("/expressRouteCircuits/er-paris")
    (er,) = [g for g in of_type("prod", f"{N}VirtualNetworkGateway") if g.get("gatewayType") == "ExpressRoute"]
    assert er.get("sku.name") == "ErGw2AZ" and connection.get("virtualNetworkGateway1.id") == er.id
    assert is_secret(connection.inputs["authorizationKey"])


def test_keys_are_secret_in_inputs_and_absent_from_outputs() -> None:
    for stack in ("dev", "prod"):
        for connection in of_type(stack, f"{N}VirtualNetworkGatewayConnection"):
            if connection.get("connectionType") == "IPsec":
                assert is_secret(connection.inputs["sharedKey"]) and unwrap(connection.inputs["sharedKey"]) == PLACEHOLDER
        assert PLACEHOLDER not in repr(evaluated(stack).outputs)


def test_dns_servers_and_resolver_endpoints() -> None:
    inbound_ip = output("dev", "dnsResolverInboundIp")
    assert inbound_ip == "10.10.2.4"
    for vnet in of_type("dev", f"{N}VirtualNetwork"):
        assert vnet.get("dhcpOptions.dnsServers") == [inbound_ip]
        assert "subnets" not in vnet.inputs  # standalone subnets only
    inbound = one("dev", "hub-resolver-inbound")
    assert inbound.get("ipConfigurations.0.subnet.id") == one("dev", "hub-subnet-dns-inbound").id
    assert inbound.get("ipConfigurations.0.privateIpAddress") == inbound_ip
    assert one("dev", "hub-resolver-outbound").get("subnet.id") == one("dev", "hub-subnet-dns-outbound").id
    for name in ("hub-subnet-dns-inbound", "hub-subnet-dns-outbound"):
        assert one("dev", name).get("delegations.0.serviceName") == "Microsoft.Network/dnsResolvers"
    rule = one("dev", "hub-rule-lab-example-com")
    assert rule.get("domainName") == "lab.example.com." and rule.get("targetDnsServers") == [{"ipAddress": "172.19.0.10", "port": 53}]


@pytest.mark.parametrize(("stack", "protected"), [("dev", False), ("prod", True)])
def test_protect_follows_the_stack(stack: str, protected: bool) -> None:
    names = {"hub-vnet", "gateways-vpn"} | ({"gateways-er", "gateways-er-paris-dc"} if stack == "prod" else set())
    assert {one(stack, name).protect for name in names} == {protected}
    assert one(stack, "spoke-aks-vnet").protect is False
