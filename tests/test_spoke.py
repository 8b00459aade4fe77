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
    assert mocks.by_type("azure-native:network:RouteTable") == [] and built[0].route_table_id is None
    assert mocks.named("spoke-app-subnet-web").get("networkSecurityGroup.id") is not None
