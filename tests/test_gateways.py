"""The hybrid gateways component alone, on small inputs: VPN and ExpressRoute gateways, local network gateways and
connections, each resource's whole inputs with literal values (components/gateways.py)."""

from __future__ import annotations

from typing import Any

import pulumi

from components.gateways import HybridGateways, HybridGatewaysArgs
from config.model import Gateways, Site
from offline.mocks import is_secret
from tests.stacks import once_per_session
from tests.test_hub import ID, Built, build, resolved

SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
GATEWAY_SUBNET = "/subscriptions/s/resourceGroups/rg-t-core/providers/Microsoft.Network/virtualNetworks/vnet-t-core/subnets/GatewaySubnet"
CIRCUITS = "/subscriptions/44444444-4444-4444-4444-444444444444/resourceGroups/rg-er/providers/Microsoft.Network/expressRouteCircuits"
WORKSPACE = "/subscriptions/s/resourceGroups/rg-logs/providers/Microsoft.OperationalInsights/workspaces/log-t"
WHERE = {"resourceGroupName": "rg-t-core", "location": "westeurope", "tags": {"env": "t"}}

SITES = [
    {"name": "paris", "addressPrefixes": ["172.16.0.0/16"],
     "vpn": {"gatewayAddress": "203.0.113.1", "bgp": {"asn": 65001, "peerAddress": "172.16.255.1"}, "routingWeight": 10,
             "ipsecPolicy": {"ikeEncryption": "GCMAES256", "ikeIntegrity": "SHA384", "dhGroup": "ECP384", "ipsecEncryption": "GCMAES128",
                             "ipsecIntegrity": "GCMAES128", "pfsGroup": "ECP384", "saLifeTimeSeconds": 3600, "saDataSizeKilobytes": 2048}},
     "expressRoute": {"circuitId": f"{CIRCUITS}/er-paris", "authorizationKey": True, "routingWeight": 20}},
    {"name": "lab", "addressPrefixes": ["172.19.0.0/16", "172.20.0.0/16"], "vpn": {"gatewayFqdn": "vpn.lab.example.com", "ipsecPolicy": None}},
    {"name": "dc2", "addressPrefixes": ["172.21.0.0/16"], "expressRoute": {"circuitId": f"{CIRCUITS}/er-dc2"}},
    {"name": "plain", "addressPrefixes": ["172.22.0.0/16"]},
]
SECRETS = {"vpnSharedKey-paris": "key-paris", "vpnSharedKey-lab": "key-lab", "erAuthorizationKey-paris": "auth-paris"}


def gateways(gateways: dict[str, Any], sites: list[dict[str, Any]], protect: bool, log_workspace_id: str | None,
             opts: pulumi.ResourceOptions | None = None) -> HybridGateways:
    return HybridGateways("gateways", HybridGatewaysArgs(
        gateways=Gateways.model_validate(gateways), sites=[Site.model_validate(s) for s in sites], prefix="t", hub_name="core",
        location="westeurope", tags={"env": "t"}, protect=protect, resource_group_name="rg-t-core", gateway_subnet_id=GATEWAY_SUBNET,
        secrets={f"hybrid-aks:{k}": pulumi.Output.secret(v) for k, v in SECRETS.items()}, subscription_id=SUBSCRIPTION,
        log_workspace_id=log_workspace_id), opts=opts)


@once_per_session
def both() -> Built:
    """Active-active VPN with custom APIPA addresses and an ExpressRoute gateway, protected, with diagnostics."""
    return build(lambda: gateways(
        {"vpn": {"sku": "VpnGw2AZ", "activeActive": True, "asn": 65010, "apipaAddresses": [["169.254.21.1"], ["169.254.22.1", "169.254.22.2"]]},
         "expressRoute": {"sku": "ErGw3AZ"}}, SITES, protect=True, log_workspace_id=WORKSPACE))


def public_ip(azure_name: str) -> dict[str, Any]:
    # Standard, static, zone-redundant: what the AZ gateway SKUs need to stay zone-redundant.
    return {**WHERE, "publicIpAddressName": azure_name, "sku": {"name": "Standard", "tier": "Regional"}, "publicIPAllocationMethod": "Static",
            "zones": ["1", "2", "3"]}


def ip_configuration(name: str, pip: str) -> dict[str, Any]:
    return {"name": name, "privateIPAllocationMethod": "Dynamic", "subnet": {"id": GATEWAY_SUBNET}, "publicIPAddress": {"id": ID(pip)}}


def test_registers_exactly_the_gateways_sites_and_connections_under_the_component() -> None:
    built = both()
    assert built.names() == {
        "gateways", "gateways-lng-paris", "gateways-lng-lab", "gateways-pip-vpn-1", "gateways-pip-vpn-2", "gateways-pip-er",
        "gateways-vpn", "gateways-er", "gateways-vpn-paris", "gateways-vpn-lab", "gateways-er-paris", "gateways-er-dc2",
        "gateways-vpn-diagnostics", "gateways-er-diagnostics"}
    component = built.named("gateways")
    assert component.type == "hybrid-aks:network:HybridGateways"
    for registration in built.registrations:
        if registration is not component:
            assert registration.parent == component.urn, registration.name
    # The gateways take long to build and to rebuild, and the ExpressRoute connection carries the circuit's traffic.
    assert {r.name for r in built.registrations if r.protect} == {"gateways-vpn", "gateways-er", "gateways-er-paris", "gateways-er-dc2"}


def test_vpn_gateway_active_active_with_custom_apipa_addresses() -> None:
    built = both()
    gateway_id = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-t-core/providers/Microsoft.Network/virtualNetworkGateways/vgw-t-core"
    assert built.inputs("gateways-vpn") == {
        **WHERE, "virtualNetworkGatewayName": "vgw-t-core", "gatewayType": "Vpn", "vpnType": "RouteBased",
        "sku": {"name": "VpnGw2AZ", "tier": "VpnGw2AZ"}, "vpnGatewayGeneration": "Generation2", "activeActive": True, "enableBgp": True,
        "bgpSettings": {"asn": 65010, "bgpPeeringAddresses": [
            {"ipconfigurationId": f"{gateway_id}/ipConfigurations/ipconfig1", "customBgpIpAddresses": ["169.254.21.1"]},
            {"ipconfigurationId": f"{gateway_id}/ipConfigurations/ipconfig2", "customBgpIpAddresses": ["169.254.22.1", "169.254.22.2"]}]},
        "ipConfigurations": [ip_configuration("ipconfig1", "gateways-pip-vpn-1"), ip_configuration("ipconfig2", "gateways-pip-vpn-2")]}
    assert built.inputs("gateways-pip-vpn-1") == public_ip("pip-t-core-vpn-1")
    assert built.inputs("gateways-pip-vpn-2") == public_ip("pip-t-core-vpn-2")


def test_express_route_gateway_and_diagnostics() -> None:
    built = both()
    assert built.inputs("gateways-er") == {
        **WHERE, "virtualNetworkGatewayName": "ergw-t-core", "gatewayType": "ExpressRoute", "sku": {"name": "ErGw3AZ", "tier": "ErGw3AZ"},
        "ipConfigurations": [ip_configuration("ipconfig1", "gateways-pip-er")]}
    assert built.inputs("gateways-pip-er") == public_ip("pip-t-core-er")
    for role in ("vpn", "er"):
        assert built.inputs(f"gateways-{role}-diagnostics") == {
            "name": "to-log-analytics", "resourceUri": ID(f"gateways-{role}"), "workspaceId": WORKSPACE,
            "logs": [{"categoryGroup": "allLogs", "enabled": True}], "metrics": [{"category": "AllMetrics", "enabled": True}]}


def test_local_network_gateways_bgp_peer_only_or_the_sites_prefixes() -> None:
    built = both()
    assert built.inputs("gateways-lng-paris") == {
        **WHERE, "localNetworkGatewayName": "lgw-t-paris", "gatewayIpAddress": "203.0.113.1",
        "localNetworkAddressSpace": {"addressPrefixes": ["172.16.255.1/32"]},  # BGP: the peer's /32, routes are learned
        "bgpSettings": {"asn": 65001, "bgpPeeringAddress": "172.16.255.1"}}
    assert built.inputs("gateways-lng-lab") == {
        **WHERE, "localNetworkGatewayName": "lgw-t-lab", "fqdn": "vpn.lab.example.com",
        "localNetworkAddressSpace": {"addressPrefixes": ["172.19.0.0/16", "172.20.0.0/16"]}}


def test_vpn_connections() -> None:
    built = both()
    assert built.inputs("gateways-vpn-paris") == {
        **WHERE, "virtualNetworkGatewayConnectionName": "cn-t-paris-vpn", "connectionType": "IPsec", "connectionProtocol": "IKEv2",
        "virtualNetworkGateway1": {"id": ID("gateways-vpn")}, "localNetworkGateway2": {"id": ID("gateways-lng-paris")},
        "sharedKey": "key-paris", "enableBgp": True, "usePolicyBasedTrafficSelectors": False, "routingWeight": 10,
        "ipsecPolicies": [{"ikeEncryption": "GCMAES256", "ikeIntegrity": "SHA384", "dhGroup": "ECP384", "ipsecEncryption": "GCMAES128",
                           "ipsecIntegrity": "GCMAES128", "pfsGroup": "ECP384", "saLifeTimeSeconds": 3600, "saDataSizeKilobytes": 2048}]}
    # ipsecPolicy: null: Azure's default proposals (no ipsecPolicies sent); static routing, no BGP.
    assert built.inputs("gateways-vpn-lab") == {
        **WHERE, "virtualNetworkGatewayConnectionName": "cn-t-lab-vpn", "connectionType": "IPsec", "connectionProtocol": "IKEv2",
        "virtualNetworkGateway1": {"id": ID("gateways-vpn")}, "localNetworkGateway2": {"id": ID("gateways-lng-lab")},
        "sharedKey": "key-lab", "enableBgp": False, "usePolicyBasedTrafficSelectors": False, "routingWeight": 0}
    for name in ("gateways-vpn-paris", "gateways-vpn-lab"):
        assert is_secret(built.named(name).inputs["sharedKey"]), name


def test_express_route_connections() -> None:
    built = both()
    assert built.inputs("gateways-er-paris") == {
        **WHERE, "virtualNetworkGatewayConnectionName": "cn-t-paris-er", "connectionType": "ExpressRoute",
        "virtualNetworkGateway1": {"id": ID("gateways-er")}, "peer": {"id": f"{CIRCUITS}/er-paris"}, "routingWeight": 20,
        "authorizationKey": "auth-paris"}
    assert is_secret(built.named("gateways-er-paris").inputs["authorizationKey"])
    # The circuit in the same subscription: no authorization key.
    assert built.inputs("gateways-er-dc2") == {
        **WHERE, "virtualNetworkGatewayConnectionName": "cn-t-dc2-er", "connectionType": "ExpressRoute",
        "virtualNetworkGateway1": {"id": ID("gateways-er")}, "peer": {"id": f"{CIRCUITS}/er-dc2"}, "routingWeight": 0}


def test_outputs_with_both_gateways() -> None:
    built = both()
    component = built.component
    assert [gateway._name for gateway in component.gateways] == ["gateways-vpn", "gateways-er"]
    assert [resolved(ip) for ip in component.vpn_public_ips] == ["198.51.100.11", "198.51.100.12"]  # pip-t-core-vpn-1, -2
    assert component.vpn_asn == 65010
    assert resolved(component.vpn_bgp_peering_addresses) == "10.0.0.254,10.0.0.253"  # what the mocks give the gateway's bgpSettings
    assert built.component_outputs["gateways"] == {
        "vpnPublicIps": ["198.51.100.11", "198.51.100.12"], "vpnBgpPeeringAddresses": "10.0.0.254,10.0.0.253", "vpnAsn": 65010}


def test_vpn_only_generation1_gateway_with_a_default_site() -> None:
    built = build(lambda: gateways({"vpn": {"sku": "VpnGw1", "defaultSite": "lab"}}, SITES[1:2], protect=False, log_workspace_id=None))
    assert built.names() == {"gateways", "gateways-lng-lab", "gateways-pip-vpn-1", "gateways-vpn", "gateways-vpn-lab"}
    # VpnGw1 exists only in Generation1; one instance; 0.0.0.0/0 sent to the gateway goes to the default site.
    assert built.inputs("gateways-vpn") == {
        **WHERE, "virtualNetworkGatewayName": "vgw-t-core", "gatewayType": "Vpn", "vpnType": "RouteBased",
        "sku": {"name": "VpnGw1", "tier": "VpnGw1"}, "vpnGatewayGeneration": "Generation1", "activeActive": False, "enableBgp": True,
        "bgpSettings": {"asn": 65515}, "gatewayDefaultSite": {"id": ID("gateways-lng-lab")},
        "ipConfigurations": [ip_configuration("ipconfig1", "gateways-pip-vpn-1")]}
    assert {r.name for r in built.registrations if r.protect} == set()
    assert built.component.vpn_asn == 65515 and len(built.component.vpn_public_ips) == 1


def test_generation1_only_for_vpngw1_skus() -> None:
    for sku, generation in (("VpnGw1AZ", "Generation1"), ("VpnGw2", "Generation2"), ("VpnGw1", "Generation1")):
        built = build(lambda: gateways({"vpn": {"sku": sku}}, [], protect=False, log_workspace_id=None))
        assert built.named("gateways-vpn").get("vpnGatewayGeneration") == generation, sku


def test_express_route_only() -> None:
    built = build(lambda: gateways({"expressRoute": {}}, SITES[2:], protect=False, log_workspace_id=None))
    assert built.names() == {"gateways", "gateways-pip-er", "gateways-er", "gateways-er-dc2"}
    assert built.named("gateways-er").get("sku") == {"name": "ErGw1AZ", "tier": "ErGw1AZ"}
    component = built.component
    assert (component.vpn_public_ips, component.vpn_bgp_peering_addresses, component.vpn_asn) == ([], None, None)
    assert [gateway._name for gateway in component.gateways] == ["gateways-er"]
    assert built.component_outputs["gateways"] == {"vpnPublicIps": []}


def test_the_stack_subscription_provider_reaches_every_gateway_resource() -> None:
    from tests.test_hub import assert_every_azure_resource_uses_the_stack_provider, provider_opts
    built = build(lambda: gateways({"vpn": {}, "expressRoute": {}}, SITES, protect=False, log_workspace_id=WORKSPACE, opts=provider_opts()))
    assert_every_azure_resource_uses_the_stack_provider(built)


def test_outputs_read_empty_while_azure_has_not_assigned_the_addresses() -> None:
    vpn = {"vpn": {"sku": "VpnGw2AZ", "activeActive": True}}
    built = build(lambda: gateways(vpn, [], protect=False, log_workspace_id=None), unassigned={
        "azure-native:network:PublicIPAddress": ["ipAddress"], "azure-native:network:VirtualNetworkGateway": ["bgpSettings.bgpPeeringAddress"]})
    assert [resolved(ip) for ip in built.component.vpn_public_ips] == ["", ""]
    assert resolved(built.component.vpn_bgp_peering_addresses) == ""
