"""The spoke component alone, on small inputs."""

from __future__ import annotations

from components.spoke import Spoke, SpokeArgs
from config.model import Spoke as SpokeConfig
from offline.mocks import install, run


def test_without_gateway_or_firewall_no_transit_and_no_routes() -> None:
    mocks = install()
    cfg = SpokeConfig(name="app", address_space=["10.5.0.0/16"], subnets={"web": "10.5.0.0/24"})
    built: list[Spoke] = []
    run(lambda: built.append(Spoke("spoke-app", SpokeArgs(
        spoke=cfg, prefix="t", location="westeurope", tags={}, dns_servers=[], hub_resource_group_name="rg-t-hub",
        hub_vnet_name="vnet-t-hub", hub_vnet_id="/subscriptions/x/vnet-t-hub", firewall_private_ip=None, gateways=[], hub_address_space=["10.0.0.0/22"]))), mocks)

    to_hub, to_spoke = mocks.named("spoke-app-spoke-to-hub"), mocks.named("spoke-app-hub-to-spoke")
    assert to_hub.get("useRemoteGateways") is False and to_spoke.get("allowGatewayTransit") is False
    assert to_hub.get("allowForwardedTraffic") is True and to_hub.dependencies
    # Nothing to wait for without gateways: the two sides of the peering are created side by side.
    assert to_spoke.urn not in to_hub.dependencies
    assert mocks.by_type("azure-native:network:RouteTable") == [] and built[0].route_table_id is None
    assert mocks.named("spoke-app-subnet-web").get("networkSecurityGroup.id") is not None


# --- whole inputs, literal values (tests/test_hub.py's builder) ----------------------------------------------------------

import pulumi_azure_native as azure  # noqa: E402

from tests.test_hub import ID, Built, build, resolved  # noqa: E402

HUB_VNET = "/subscriptions/h/resourceGroups/rg-t-hub/providers/Microsoft.Network/virtualNetworks/vnet-t-hub"
DATA = SpokeConfig.model_validate({"name": "data", "addressSpace": ["10.5.0.0/16", "10.6.0.0/24"],
                                   "subnets": {"app": "10.5.0.0/24", "privatelink": "10.5.1.0/24"},
                                   "privateEndpointSubnets": ["privatelink"]})


def behind_the_hub_firewall() -> Built:
    """A spoke of a hub with a firewall and a gateway (another resource in the run stands for it)."""
    def program() -> Spoke:
        gateway = azure.resources.ResourceGroup("gateway", resource_group_name="rg-gateway")
        return Spoke("spoke-data", SpokeArgs(
            spoke=DATA, prefix="t", location="westeurope", tags={"env": "t"}, dns_servers=["10.0.2.4"],
            hub_resource_group_name="rg-t-hub", hub_vnet_name="vnet-t-hub", hub_vnet_id=HUB_VNET, firewall_private_ip="10.0.0.68",
            gateways=[gateway], hub_address_space=["10.0.0.0/22", "10.0.8.0/24"]))
    return build(program)


def test_spoke_behind_a_firewall_whole_inputs() -> None:
    built = behind_the_hub_firewall()
    where = {"resourceGroupName": "rg-t-data", "location": "westeurope", "tags": {"env": "t"}}
    assert built.inputs("spoke-data-rg") == {"resourceGroupName": "rg-t-data", "location": "westeurope", "tags": {"env": "t"}}
    assert built.inputs("spoke-data-vnet") == {
        **where, "virtualNetworkName": "vnet-t-data", "addressSpace": {"addressPrefixes": ["10.5.0.0/16", "10.6.0.0/24"]},
        "dhcpOptions": {"dnsServers": ["10.0.2.4"]}, "enableDdosProtection": False, "enableVmProtection": False}
    # Every subnet: 0.0.0.0/0 to the firewall, BGP propagation off (on-prem routes through gateway transit can't bypass it).
    assert built.inputs("spoke-data-routes") == {
        **where, "routeTableName": "rt-t-data", "disableBgpRoutePropagation": True,
        "routes": [{"name": "default-via-hub-firewall", "addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance",
                    "nextHopIpAddress": "10.0.0.68"}]}
    for name, endpoint_policies in (("app", "Disabled"), ("privatelink", "Enabled")):
        assert built.inputs(f"spoke-data-nsg-{name}") == {**where, "networkSecurityGroupName": f"nsg-t-data-{name}"}
        assert built.inputs(f"spoke-data-subnet-{name}") == {
            "resourceGroupName": "rg-t-data", "virtualNetworkName": "vnet-t-data", "subnetName": name,
            "addressPrefix": DATA.subnets[name], "networkSecurityGroup": {"id": ID(f"spoke-data-nsg-{name}")},
            "routeTable": {"id": ID("spoke-data-routes")}, "privateEndpointNetworkPolicies": endpoint_policies,
            "privateLinkServiceNetworkPolicies": "Enabled"}
    assert built.inputs("spoke-data-hub-to-spoke") == {
        "resourceGroupName": "rg-t-hub", "virtualNetworkName": "vnet-t-hub", "virtualNetworkPeeringName": "to-data",
        "remoteVirtualNetwork": {"id": ID("spoke-data-vnet")}, "allowVirtualNetworkAccess": True, "allowForwardedTraffic": True,
        "allowGatewayTransit": True, "useRemoteGateways": False,
        "remoteAddressSpace": {"addressPrefixes": ["10.5.0.0/16", "10.6.0.0/24"]}, "syncRemoteAddressSpace": "true"}
    assert built.inputs("spoke-data-spoke-to-hub") == {
        "resourceGroupName": "rg-t-data", "virtualNetworkName": "vnet-t-data", "virtualNetworkPeeringName": "to-hub",
        "remoteVirtualNetwork": {"id": HUB_VNET}, "allowVirtualNetworkAccess": True, "allowForwardedTraffic": True,
        "allowGatewayTransit": False, "useRemoteGateways": True,
        "remoteAddressSpace": {"addressPrefixes": ["10.0.0.0/22", "10.0.8.0/24"]}, "syncRemoteAddressSpace": "true"}


def test_spoke_behind_a_firewall_parents_order_and_outputs() -> None:
    built = behind_the_hub_firewall()
    component = built.named("spoke-data")
    assert component.type == "hybrid-aks:network:Spoke"
    owned = built.names() - {"spoke-data", "gateway"}
    assert owned == {"spoke-data-rg", "spoke-data-vnet", "spoke-data-routes", "spoke-data-nsg-app", "spoke-data-nsg-privatelink",
                     "spoke-data-subnet-app", "spoke-data-subnet-privatelink", "spoke-data-hub-to-spoke", "spoke-data-spoke-to-hub"}
    for name in owned:
        assert built.named(name).parent == component.urn, name
        assert built.named(name).protect is False and built.named(name).provider is None, name
    # Both peerings wait for the gateway (RemoteVnetHasNoGateways); spoke->hub also for the hub side's gateway transit.
    assert "gateway" in built.depends_on("spoke-data-hub-to-spoke")
    assert {"gateway", "spoke-data-hub-to-spoke"} <= built.depends_on("spoke-data-spoke-to-hub")
    spoke = built.component
    assert [p._name for p in spoke.peerings] == ["spoke-data-hub-to-spoke", "spoke-data-spoke-to-hub"]
    assert spoke.config is DATA and spoke.route_table._name == "spoke-data-routes"
    assert resolved(spoke.route_table_id) == built.named("spoke-data-routes").id
    assert (resolved(spoke.resource_group_name), resolved(spoke.vnet_name)) == ("rg-t-data", "vnet-t-data")
    assert resolved(spoke.vnet_id) == built.named("spoke-data-vnet").id
    subnet_ids = {"app": built.named("spoke-data-subnet-app").id, "privatelink": built.named("spoke-data-subnet-privatelink").id}
    assert {k: resolved(v) for k, v in spoke.subnet_ids.items()} == subnet_ids
    assert built.component_outputs["spoke-data"] == {
        "resourceGroupName": "rg-t-data", "vnetId": built.named("spoke-data-vnet").id, "subnetIds": subnet_ids,
        "routeTableId": built.named("spoke-data-routes").id}


def test_attached_spoke_peers_through_the_hub_subscription_provider() -> None:
    def program() -> Spoke:
        provider = azure.Provider("hub-subscription", subscription_id="22222222-2222-2222-2222-222222222222")
        return Spoke("spoke-shop", SpokeArgs(
            spoke=DATA, prefix="pay", location="westeurope", tags={}, dns_servers=[], hub_resource_group_name="rg-prod-hub",
            hub_vnet_name="vnet-prod-hub", hub_vnet_id=HUB_VNET, firewall_private_ip=None, gateways=[], hub_address_space=["10.0.0.0/22"],
            hub_provider=provider, remote_gateways=True, hub_peering_name="to-pay-data"))
    built = build(program)
    hub_side = built.named("spoke-shop-hub-to-spoke")
    assert hub_side.provider is not None and hub_side.provider.split("::")[-2] == "hub-subscription"
    assert built.named("spoke-shop-spoke-to-hub").provider is None
    # The hub stack's gateways exist already: gateway transit on the hub side, remote gateways here, after the hub side.
    assert (hub_side.get("virtualNetworkPeeringName"), hub_side.get("allowGatewayTransit")) == ("to-pay-data", True)
    assert built.named("spoke-shop-spoke-to-hub").get("useRemoteGateways") is True
    assert "spoke-shop-hub-to-spoke" in built.depends_on("spoke-shop-spoke-to-hub")
    # Without a firewall: no route table, and private-endpoint policies stay as Azure's default even on endpoint subnets.
    assert built.names("azure-native:network:RouteTable") == set()
    assert built.named("spoke-shop-subnet-privatelink").get("privateEndpointNetworkPolicies") == "Disabled"
    assert "routeTable" not in built.inputs("spoke-shop-subnet-privatelink")
    assert "dhcpOptions" not in built.inputs("spoke-shop-vnet")
    assert built.component.route_table is None and built.component.route_table_id is None
    assert "routeTableId" not in built.component_outputs["spoke-shop"]


def test_the_stack_subscription_provider_reaches_every_spoke_resource_but_the_hub_side() -> None:
    from tests.test_hub import assert_every_azure_resource_uses_the_stack_provider, provider_opts

    def program() -> Spoke:
        return Spoke("spoke-data", SpokeArgs(
            spoke=DATA, prefix="t", location="westeurope", tags={}, dns_servers=[], hub_resource_group_name="rg-t-hub",
            hub_vnet_name="vnet-t-hub", hub_vnet_id=HUB_VNET, firewall_private_ip="10.0.0.68", gateways=[], hub_address_space=["10.0.0.0/22"]),
            opts=provider_opts())
    assert_every_azure_resource_uses_the_stack_provider(build(program))
