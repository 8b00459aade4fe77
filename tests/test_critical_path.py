"""The critical-path estimate on small hand-built graphs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from offline.critical_path import estimate

N = "azure-native:network:"


@dataclass
class Reg:
    type: str
    name: str
    dependencies: list[str] = field(default_factory=list)
    parent: str | None = None
    inputs: dict[str, Any] = field(default_factory=dict)
    custom: bool = True
    id: str = ""

    @property
    def urn(self) -> str:
        return f"urn:{self.name}"


def hub_and_spoke(peering_waits_for_gateway: bool, aks_waits_for_gateway: bool) -> list[Reg]:
    rg = Reg("azure-native:resources:ResourceGroup", "rg")
    hub = Reg(f"{N}VirtualNetwork", "hub", ["urn:rg"])
    gw_subnet = Reg(f"{N}Subnet", "gw-subnet", ["urn:hub"])
    pip = Reg(f"{N}PublicIPAddress", "pip", ["urn:rg"])
    gateway = Reg(f"{N}VirtualNetworkGateway", "gateway", ["urn:gw-subnet", "urn:pip"])
    spoke = Reg(f"{N}VirtualNetwork", "spoke", ["urn:rg"])
    peering = Reg(f"{N}VirtualNetworkPeering", "spoke-to-hub",
                  ["urn:spoke", "urn:hub", *(["urn:gateway"] if peering_waits_for_gateway else [])])
    nodes = Reg(f"{N}Subnet", "nodes", ["urn:spoke"])
    cluster = Reg("azure-native:containerservice:ManagedCluster", "aks",
                  ["urn:nodes", *(["urn:peering-component"] if aks_waits_for_gateway else [])])
    component = Reg("hybrid-aks:network:Spoke", "peering-component", custom=False)
    peering.parent = "urn:peering-component"
    return [rg, hub, gw_subnet, pip, gateway, spoke, peering, nodes, cluster, component]


def test_peering_after_gateway_is_forced() -> None:
    result = estimate(hub_and_spoke(peering_waits_for_gateway=True, aks_waits_for_gateway=False))
    assert [link.name for link in result.lower_bound.chain] == ["rg", "hub", "gw-subnet", "gateway", "spoke-to-hub"]
    assert "RemoteVnetHasNoGateways" in result.lower_bound.chain[-1].reason
    assert result.ratio == 1.0


def test_needless_wait_through_a_component_is_counted() -> None:
    """AKS waiting on the spoke component waits on the peering, hence on the 45-minute gateway."""
    result = estimate(hub_and_spoke(peering_waits_for_gateway=True, aks_waits_for_gateway=True))
    assert result.longest.chain[-1].name == "aks"
    assert "gateway" in [link.name for link in result.longest.chain]
    assert result.longest.minutes == result.lower_bound.minutes + 10
    assert result.ratio > 1.1


def test_udr_cluster_is_forced_to_wait_for_the_firewall() -> None:
    regs = [
        Reg(f"{N}AzureFirewall", "fw"),
        Reg("azure-native:containerservice:ManagedCluster", "aks", inputs={"networkProfile": {"outboundType": "userDefinedRouting"}}),
    ]
    result = estimate(regs)
    assert [link.name for link in result.lower_bound.chain] == ["fw", "aks"]
    assert result.lower_bound.minutes == 20


def test_empty_graph() -> None:
    result = estimate([])
    assert (result.longest.minutes, result.lower_bound.minutes, result.ratio) == (0.0, 0.0, 1.0)


def test_render_and_json_name_the_chain() -> None:
    result = estimate(hub_and_spoke(peering_waits_for_gateway=True, aks_waits_for_gateway=True))
    text = result.render()
    assert "ratio" in text and "VirtualNetworkGateway  gateway" in text
    data = result.to_json()
    assert data["lower_bound"]["chain"][-1]["name"] == "spoke-to-hub"
    assert data["ratio"] == round(result.ratio, 3)
