"""On-prem AKS hybrid sites: the plan rules (each bad case asserts key and message) and the Arc resources."""

from __future__ import annotations

import copy
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from config import ConfigError, load_stack
from offline.preview import preview
from tests.stacks import ROOT, evaluated
from tests.test_config import raw_of

LYON = yaml.safe_load((ROOT / "Pulumi.site-lyon.yaml").read_text())["config"]
BASE = {key.split(":", 1)[1]: value for key, value in LYON.items() if key.startswith("hybrid-aks:")}
BASE["location"] = LYON["azure-native:location"]
K = "hybrid-aks:sites[0].aksHybrid"


def hybrid(d: dict[str, Any]) -> dict[str, Any]:
    return d["sites"][0]["aksHybrid"]


def problems_of(mutate: Callable[[dict[str, Any]], None]) -> list[str]:
    document = copy.deepcopy(BASE)
    mutate(document)
    with pytest.raises(ConfigError) as caught:
        load_stack(raw_of(document))
    return [str(p) for p in caught.value.problems]


def with_other_site(d: dict[str, Any]) -> None:
    d["sites"].append({"name": "paris-dc", "addressPrefixes": ["10.244.128.0/17"], "vpn": {"gatewayAddress": "198.51.100.10"}})


BAD = [
    ("subnet-outside-site", lambda d: hybrid(d).update(subnet="172.18.10.0/24", gateway="172.18.10.1", controlPlaneIp="172.18.10.10",
                                                        nodePool={"start": "172.18.10.20", "end": "172.18.10.99"},
                                                        loadBalancer={**hybrid(d)["loadBalancer"], "ranges": [{"start": "172.18.10.200", "end": "172.18.10.239"}]}),
     f"{K}.subnet", "is not inside the site's addressPrefixes"),
    ("gateway-outside-subnet", lambda d: hybrid(d).update(gateway="172.17.11.1"), f"{K}.gateway", "is outside subnet 172.17.10.0/24"),
    ("gateway-in-node-pool", lambda d: hybrid(d).update(gateway="172.17.10.30"), f"{K}.gateway", "is inside the node pool"),
    ("dns-in-load-balancer", lambda d: hybrid(d).update(dnsServers=["172.17.10.210"]), f"{K}.dnsServers[0]", "is inside load-balancer range"),
    ("control-plane-in-node-pool", lambda d: hybrid(d).update(controlPlaneIp="172.17.10.50"), f"{K}.controlPlaneIp", "is inside the node pool"),
    ("control-plane-outside-subnet", lambda d: hybrid(d).update(controlPlaneIp="172.17.11.10"), f"{K}.controlPlaneIp", "is outside subnet"),
    ("control-plane-in-metallb", lambda d: hybrid(d).update(controlPlaneIp="172.17.10.205"), f"{K}.controlPlaneIp", "MetalLB could hand it to a service"),
    ("haproxy-control-plane-outside-vips", lambda d: hybrid(d)["loadBalancer"].update(type="haproxy", advertiseMode="ARP", bgpPeers=[]),
     f"{K}.controlPlaneIp", "with haproxy the control-plane VIP comes from them"),
    ("node-pool-too-small", lambda d: hybrid(d).update(nodePool={"start": "172.17.10.20", "end": "172.17.10.29"}), f"{K}.nodePool",
     "holds 10 addresses, but up to 12 node VMs can exist"),
    ("node-pool-outside-subnet", lambda d: hybrid(d).update(nodePool={"start": "172.17.9.20", "end": "172.17.9.99"}), f"{K}.nodePool",
     "is not inside subnet"),
    ("pools-overlap", lambda d: hybrid(d)["loadBalancer"].update(ranges=[{"start": "172.17.10.90", "end": "172.17.10.129"}]),
     f"{K}.loadBalancer.ranges[0]", "overlaps the node pool 172.17.10.20-172.17.10.99"),
    ("load-balancer-too-small", lambda d: hybrid(d).update(services=41), f"{K}.loadBalancer.ranges", "hold 40 addresses, but 41 are needed"),
    ("load-balancer-outside-subnet", lambda d: hybrid(d)["loadBalancer"].update(ranges=[{"start": "172.17.11.200", "end": "172.17.11.239"}]),
     f"{K}.loadBalancer.ranges[0]", "is not inside subnet"),
    ("range-backwards", lambda d: hybrid(d)["loadBalancer"].update(ranges=[{"start": "172.17.10.239", "end": "172.17.10.200"}]),
     f"{K}.loadBalancer.ranges[0]", "starts after it ends"),
    ("aks-hci-two-vip-pools", lambda d: hybrid(d).update(platform="aks-hci", controlPlaneIp="172.17.10.200", loadBalancer={
        "type": "haproxy", "ranges": [{"start": "172.17.10.200", "end": "172.17.10.219"}, {"start": "172.17.10.230", "end": "172.17.10.239"}]}),
     f"{K}.loadBalancer.ranges", "AKS-HCI takes one VIP pool"),
    ("haproxy-on-azure-local", lambda d: hybrid(d)["loadBalancer"].update(type="haproxy"), f"{K}.loadBalancer.type",
     "AKS Arc on Azure Local balances services with MetalLB"),
    ("flannel-on-azure-local", lambda d: hybrid(d).update(networkModel="flannel"), f"{K}.networkModel", "runs Calico only"),
    ("control-plane-is-dns", lambda d: hybrid(d).update(dnsServers=["172.17.10.10"]), f"{K}.controlPlaneIp", "is DNS server 172.17.10.10"),
    ("pool-includes-network-address", lambda d: hybrid(d).update(nodePool={"start": "172.17.10.0", "end": "172.17.10.99"}),
     f"{K}.nodePool", "includes the network or broadcast address of 172.17.10.0/24"),
    ("range-includes-broadcast", lambda d: hybrid(d)["loadBalancer"].update(ranges=[{"start": "172.17.10.216", "end": "172.17.10.255"}]),
     f"{K}.loadBalancer.ranges[0]", "includes the network or broadcast address"),
    ("dhcp-on-azure-local", lambda d: hybrid(d).update(ipAssignment="dhcp"), f"{K}.ipAssignment",
     "AKS Arc on Azure Local takes node IPs only from a static logical network"),
    ("dhcp-without-scope", lambda d: hybrid(d).update(ipAssignment="dhcp", platform="aks-hci"), f"{K}.dhcpScope", "is required with DHCP"),
    ("static-without-pool", lambda d: hybrid(d).pop("nodePool"), f"{K}.nodePool", "is required with static IP assignment"),
    ("bgp-without-peers", lambda d: hybrid(d)["loadBalancer"].update(bgpPeers=[]), f"{K}.loadBalancer", "advertiseMode BGP needs asn and bgpPeers"),
    ("pod-cidr-overlaps-site", lambda d: hybrid(d).update(podCidr="172.17.128.0/17"), f"{K}.podCidr",
     "overlaps 172.17.0.0/16 (on-prem site 'lyon-dc'"),
    ("service-cidr-overlaps-hub", lambda d: hybrid(d).update(serviceCidr="10.66.0.0/16"), f"{K}.serviceCidr", "overlaps 10.66.0.0/22 (hub VNet"),
    ("pod-cidr-overlaps-other-site", with_other_site, "hybrid-aks:sites[1].addressPrefixes[0]", f"overlaps 10.244.0.0/16 (AKS hybrid pod CIDR of site 'lyon-dc', {K}.podCidr)"),
    ("pod-and-service-overlap", lambda d: hybrid(d).update(serviceCidr="10.244.0.0/20"), f"{K}.serviceCidr", "overlaps 10.244.0.0/16"),
    ("vlan-out-of-range", lambda d: hybrid(d).update(vlan=5000), f"{K}.vlan", "less than or equal to 4094"),
    ("flannel-typo", lambda d: hybrid(d).update(networkModel="flanel"), f"{K}.networkModel", "not one of the allowed values"),
    ("bad-custom-location", lambda d: hybrid(d).update(customLocationId="cl-lyon"), f"{K}.customLocationId", "is not a valid custom location resource ID"),
]


@pytest.mark.parametrize(("mutate", "key", "fragment"), [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_site_config(mutate: Callable[[dict[str, Any]], None], key: str, fragment: str) -> None:
    problems = problems_of(mutate)
    assert [p for p in problems if p.startswith(f"{key}: ") and fragment in p], "\n".join(problems)


def test_at_least_twelve_distinct_cases() -> None:
    assert len({c[0] for c in BAD}) == len(BAD) >= 12


def test_several_site_problems_at_once() -> None:
    def break_three(d: dict[str, Any]) -> None:
        hybrid(d).update(controlPlaneIp="172.17.10.50", services=60, vlan=-1)

    keys = {p.split(": ", 1)[0] for p in problems_of(break_three)}
    assert {f"{K}.vlan"} <= keys  # a shape error stops the plan check; fix it and the rest are reported together
    document = copy.deepcopy(BASE)
    hybrid(document).update(controlPlaneIp="172.17.10.50", services=60)
    with pytest.raises(ConfigError) as caught:
        load_stack(raw_of(document))
    assert {p.key for p in caught.value.problems} == {f"{K}.controlPlaneIp", f"{K}.loadBalancer.ranges"}


def test_plan_rows_show_pools_with_headroom() -> None:
    rows = {row.key: row for row in evaluated("site-lyon").address_plan}
    pool = rows[f"{K}.nodePool"]
    assert (pool.cidr, pool.size, pool.needed, pool.note) == ("172.17.10.20-172.17.10.99", 80, 12, "headroom 68")
    lb = rows[f"{K}.loadBalancer.ranges[0]"]
    assert (lb.size, lb.needed, lb.note) == (40, 12, "headroom 28")


def test_logical_network_carries_the_static_pool() -> None:
    (network,) = [r for r in evaluated("site-lyon").registrations if r.type == "azure-native:azurestackhci:LogicalNetwork"]
    (subnet,) = network.inputs["subnets"]
    assert subnet["addressPrefix"] == "172.17.10.0/24" and subnet["ipAllocationMethod"] == "Static" and subnet["vlan"] == 110
    assert subnet["ipPools"] == [{"name": "nodes", "start": "172.17.10.20", "end": "172.17.10.99"}]
    assert subnet["routeTable"]["routes"] == [{"name": "default", "addressPrefix": "0.0.0.0/0", "nextHopIpAddress": "172.17.10.1"}]
    assert network.get("dhcpOptions.dnsServers") == ["172.17.0.10"]
    assert network.get("extendedLocation.type") == "CustomLocation"
    connected = next(r for r in evaluated("site-lyon").registrations if r.type == "azure-native:kubernetes:ConnectedCluster")
    assert connected.get("kind") == "ProvisionedCluster"
    create, enable = evaluated("site-lyon").outputs["aksArcCreateCommands"][0]["lyon-dc"].split("\n")
    assert "--control-plane-ip 172.17.10.10" in create and "--vnet-ids" in create and network.id in create
    assert "--generate-ssh-keys" in create and "--pod-cidr 10.244.0.0/16" in create
    assert enable == f"az k8s-runtime load-balancer enable --resource-uri {connected.id}"


def test_metallb_range_and_bgp_peers_once_the_cluster_is_ready(tmp_path: Path) -> None:
    assert not [r for r in evaluated("site-lyon").registrations if r.type.startswith("azure-native:kubernetesruntime:")]
    document = yaml.safe_load((ROOT / "Pulumi.site-lyon.yaml").read_text())
    document["config"]["hybrid-aks:sites"][0]["aksHybrid"]["clusterReady"] = True
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "Pulumi.ready.yaml").write_text(yaml.safe_dump(document))
    result = preview("ready", tmp_path)
    assert result.exit_code == 0, result.errors
    connected = next(r for r in result.registrations if r.type == "azure-native:kubernetes:ConnectedCluster")
    (lb,) = [r for r in result.registrations if r.type == "azure-native:kubernetesruntime:LoadBalancer"]
    assert lb.get("addresses") == ["172.17.10.200-172.17.10.239"] and lb.get("advertiseMode") == "BGP"
    assert lb.get("resourceUri") == connected.id and lb.get("bgpPeers") == ["peer-0"]
    (peer,) = [r for r in result.registrations if r.type == "azure-native:kubernetesruntime:BgpPeer"]
    assert (peer.get("myAsn"), peer.get("peerAsn"), peer.get("peerAddress")) == (65120, 65020, "172.17.10.1")
    assert peer.urn in lb.dependencies


def site_variant(tmp_path: Path, change: Callable[[dict[str, Any]], None]) -> Any:
    document = yaml.safe_load((ROOT / "Pulumi.site-lyon.yaml").read_text())
    change(document["config"]["hybrid-aks:sites"][0]["aksHybrid"])
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "Pulumi.variant.yaml").write_text(yaml.safe_dump(document))
    result = preview("variant", tmp_path)
    assert result.exit_code == 0, result.errors
    return result


def aks_hci_with_haproxy(h: dict[str, Any]) -> None:
    h.update(platform="aks-hci", controlPlaneIp="172.17.10.200", networkModel="flannel",
             loadBalancer={"type": "haproxy", "ranges": [{"start": "172.17.10.200", "end": "172.17.10.239"}]})


def test_aks_hci_site_gets_powershell_not_azure_local_resources(tmp_path: Path) -> None:
    result = site_variant(tmp_path, aks_hci_with_haproxy)
    types = {r.type for r in result.registrations}
    assert "azure-native:azurestackhci:LogicalNetwork" not in types and "azure-native:kubernetes:ConnectedCluster" not in types
    network, cluster, arc = result.outputs["aksArcCreateCommands"][0]["lyon-dc"].split("\n")
    assert network == ("$vnet = New-AksHciClusterNetwork -name vnet-lyon-lyon-dc -vswitchName 'ConvergedSwitch(compute_management)' "
                       "-gateway 172.17.10.1 -dnsServers 172.17.0.10 -ipAddressPrefix 172.17.10.0/24 "
                       "-k8sNodeIpPoolStart 172.17.10.20 -k8sNodeIpPoolEnd 172.17.10.99 "
                       "-vipPoolStart 172.17.10.200 -vipPoolEnd 172.17.10.239 -vlanID 110")
    assert cluster == ("New-AksHciCluster -name aks-lyon-lyon-dc -controlPlaneNodeCount 3 -nodeCount 8 "
                       "-primaryNetworkPlugin flannel -vnet $vnet")
    assert arc == "Enable-AksHciArcConnection -name aks-lyon-lyon-dc -resourceGroup rg-lyon-lyon-dc-arc -location francecentral"


def test_aks_hci_with_metallb_points_metallb_at_the_arc_connection(tmp_path: Path) -> None:
    result = site_variant(tmp_path, lambda h: h.update(platform="aks-hci", clusterReady=True))
    command = result.outputs["aksArcCreateCommands"][0]["lyon-dc"]
    assert "-vipPoolStart 172.17.10.10 -vipPoolEnd 172.17.10.10" in command  # only the control-plane VIP
    assert "-loadBalancerSku none" in command and "-loadBalancerSettings $lb" in command
    (lb,) = [r for r in result.registrations if r.type == "azure-native:kubernetesruntime:LoadBalancer"]
    assert lb.get("resourceUri") == (
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-lyon-lyon-dc-arc"
        "/providers/Microsoft.Kubernetes/connectedClusters/aks-lyon-lyon-dc")
