"""On-prem AKS hybrid sites: the plan rules (each bad case asserts key and message) and the Arc resources."""

from __future__ import annotations

import copy
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from config import ConfigError, load_stack
from config.problems import Problem
from offline.preview import preview
from tests.stacks import ROOT, STACKS, evaluated
from tests.test_config import raw_of

LYON = yaml.safe_load((ROOT / "Pulumi.site-lyon.yaml").read_text())["config"]
BASE = {key.split(":", 1)[1]: value for key, value in LYON.items() if key.startswith("hybrid-aks:")}
BASE["location"] = LYON["azure-native:location"]
# The site rules within one stack: site-lyon as a single stack with its own hub and VPN (as it was before it attached to
# prod); attaching is tested in tests/test_attach.py.
del BASE["attach"]
BASE["hub"] = {"addressSpace": ["10.66.0.0/22"], "subnets": {"GatewaySubnet": "10.66.0.0/27", "shared": "10.66.1.0/24"}}
BASE["gateways"] = {"vpn": {"sku": "VpnGw1AZ"}}
BASE["sites"][0]["vpn"] = {"gatewayAddress": "198.51.100.20", "bgp": {"asn": 65020, "peerAddress": "172.17.255.1"}}
K = "hybrid-aks:sites[0].aksHybrid"


def hybrid(d: dict[str, Any]) -> dict[str, Any]:
    return d["sites"][0]["aksHybrid"]


def problem_objects(mutate: Callable[[dict[str, Any]], None]) -> list[Problem]:
    document = copy.deepcopy(BASE)
    mutate(document)
    with pytest.raises(ConfigError) as caught:
        load_stack(raw_of(document))
    return caught.value.problems


def problems_of(mutate: Callable[[dict[str, Any]], None]) -> list[str]:
    return [str(p) for p in problem_objects(mutate)]


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
    ("service-cidr-not-aks-arcs", lambda d: hybrid(d).update(serviceCidr="10.96.0.0/16"), f"{K}.serviceCidr",
     "AKS Arc on Azure Local takes no service CIDR: its services use 10.96.0.0/12"),
    ("no-ssh-key-on-azure-local", lambda d: hybrid(d).pop("sshPublicKey"), f"{K}.sshPublicKey", "is required on azure-local"),
    ("bad-ssh-key", lambda d: hybrid(d).update(sshPublicKey="-----BEGIN PRIVATE KEY-----"), f"{K}.sshPublicKey", "should match pattern"),
    ("metallb-without-runtime-object-id", lambda d: hybrid(d)["loadBalancer"].pop("kubernetesRuntimeObjectId"),
     f"{K}.loadBalancer.kubernetesRuntimeObjectId", "is required with metallb"),
    ("cluster-ready-on-azure-local", lambda d: hybrid(d).update(clusterReady=True), f"{K}.clusterReady", "applies to aks-hci only"),
    ("bad-custom-location", lambda d: hybrid(d).update(customLocationId="cl-lyon"), f"{K}.customLocationId", "is not a valid custom location resource ID"),
    ("load-balancer-ranges-overlap", lambda d: hybrid(d)["loadBalancer"].update(ranges=[{"start": "172.17.10.200", "end": "172.17.10.219"},
                                                                                      {"start": "172.17.10.210", "end": "172.17.10.239"}]),
     f"{K}.loadBalancer.ranges[1]", "172.17.10.210-172.17.10.239 overlaps 172.17.10.200-172.17.10.219 (loadBalancer.ranges[0])"),
    ("bgp-peers-with-arp", lambda d: hybrid(d)["loadBalancer"].update(advertiseMode="ARP"), f"{K}.loadBalancer.bgpPeers",
     "are set but advertiseMode is ARP"),
]


@pytest.mark.parametrize(("mutate", "key", "fragment"), [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_site_config(mutate: Callable[[dict[str, Any]], None], key: str, fragment: str) -> None:
    problems = problems_of(mutate)
    assert [p for p in problems if p.startswith(f"{key}: ") and fragment in p], "\n".join(problems)


def test_cases_are_distinct() -> None:
    assert len({c[0] for c in BAD}) == len(BAD)


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


def site_reg(type_: str, registrations: Any = None) -> Any:
    (match,) = [r for r in (registrations or evaluated("site-lyon").registrations) if r.type == type_]
    return match


def test_logical_network_carries_the_static_pool() -> None:
    network = site_reg("azure-native:azurestackhci:LogicalNetwork")
    (subnet,) = network.inputs["subnets"]
    assert subnet["addressPrefix"] == "172.17.10.0/24" and subnet["ipAllocationMethod"] == "Static" and subnet["vlan"] == 110
    assert subnet["ipPools"] == [{"name": "nodes", "start": "172.17.10.20", "end": "172.17.10.99"}]
    assert subnet["routeTable"]["routes"] == [{"name": "default", "addressPrefix": "0.0.0.0/0", "nextHopIpAddress": "172.17.10.1"}]
    assert network.get("dhcpOptions.dnsServers") == ["172.17.0.10"]
    assert network.get("extendedLocation.type") == "CustomLocation"
    assert site_reg("azure-native:kubernetes:ConnectedCluster").get("kind") == "ProvisionedCluster"


def test_the_aks_arc_cluster_is_a_provisioned_cluster_instance_on_the_connected_cluster() -> None:
    """AVM provisioned-cluster-instance: provisionedClusterInstances/default scoped to the connected cluster."""
    connected, network = site_reg("azure-native:kubernetes:ConnectedCluster"), site_reg("azure-native:azurestackhci:LogicalNetwork")
    deployment = site_reg("azure-native:resources:Deployment")
    assert deployment.get("resourceGroupName") == "rg-lyon-lyon-dc-arc" and deployment.get("properties.mode") == "Incremental"
    assert deployment.get("properties.parameters") == {"connectedClusterName": {"value": "aks-lyon-lyon-dc"},
                                                       "logicalNetworkId": {"value": network.id}}
    assert connected.get("clusterName") == "aks-lyon-lyon-dc" and {connected.urn, network.urn} <= set(deployment.dependencies)
    (instance,) = deployment.get("properties.template.resources")
    assert (instance["type"], instance["name"]) == ("Microsoft.HybridContainerService/provisionedClusterInstances", "default")
    assert instance["scope"] == "[format('Microsoft.Kubernetes/connectedClusters/{0}', parameters('connectedClusterName'))]"
    assert instance["extendedLocation"] == {"type": "CustomLocation", "name": hybrid(BASE)["customLocationId"]}
    properties = instance["properties"]
    assert properties["controlPlane"]["count"] == 3 and properties["controlPlane"]["controlPlaneEndpoint"] == {"hostIP": "172.17.10.10"}
    (pool,) = properties["agentPoolProfiles"]
    assert (pool["count"], pool["osType"]) == (8, "Linux")
    assert properties["cloudProviderProfile"] == {"infraNetworkProfile": {"vnetSubnetIds": ["[parameters('logicalNetworkId')]"]}}
    assert properties["networkProfile"] == {"podCidr": "10.244.0.0/16", "networkPolicy": "calico", "loadBalancerProfile": {"count": 0}}
    assert "serviceCidr" not in properties["networkProfile"]  # the API has none: the plan checks AKS Arc's 10.96.0.0/12
    assert properties["linuxProfile"]["ssh"]["publicKeys"] == [{"keyData": hybrid(BASE)["sshPublicKey"]}]


def test_the_arc_networking_extension_then_metallb_in_the_same_run() -> None:
    connected, deployment = site_reg("azure-native:kubernetes:ConnectedCluster"), site_reg("azure-native:resources:Deployment")
    extension = site_reg("azure-native:kubernetesconfiguration:Extension")
    assert (extension.get("extensionType"), extension.get("extensionName"), extension.get("clusterRp"),
            extension.get("clusterResourceName"), extension.get("clusterName")) == (
        "microsoft.arcnetworking", "arcnetworking", "Microsoft.Kubernetes", "connectedClusters", connected.get("clusterName"))
    assert extension.get("configurationSettings") == {"k8sRuntimeFpaObjectId": "00000000-0000-0000-0000-000000000087"}
    assert extension.get("scope.cluster.releaseNamespace") == "kube-system"
    assert deployment.urn in extension.dependencies, "the extension installs into the running cluster"
    lb, peer = site_reg("azure-native:kubernetesruntime:LoadBalancer"), site_reg("azure-native:kubernetesruntime:BgpPeer")
    assert lb.get("addresses") == ["172.17.10.200-172.17.10.239"] and lb.get("advertiseMode") == "BGP"
    assert lb.get("resourceUri") == connected.id and lb.get("bgpPeers") == ["peer-0"]
    assert (peer.get("myAsn"), peer.get("peerAsn"), peer.get("peerAddress")) == (65120, 65020, "172.17.10.1")
    assert {peer.urn, extension.urn} <= set(lb.dependencies) and extension.urn in peer.dependencies


@pytest.mark.parametrize("stack", STACKS)
def test_no_shipped_stack_exports_a_command_that_creates_what_pulumi_manages(stack: str) -> None:
    outputs = evaluated(stack).outputs
    assert "aksArcCreateCommands" not in outputs
    text = json.dumps({k: v for k, v in outputs.items()})
    assert not re.search(r"\baz (aksarc|k8s-runtime|k8s-extension|connectedk8s)\b", text)
    commands = outputs.get("aksHciCreateCommands", [{}])[0]
    assert commands == {}, "a shipped stack's sites run AKS Arc on Azure Local, declared whole"
    if stack == "site-lyon":
        assert outputs["aksArcClusterIds"][0]["lyon-dc"].endswith(
            "/connectedClusters/aks-lyon-lyon-dc/providers/Microsoft.HybridContainerService/provisionedClusterInstances/default")


def site_variant(tmp_path: Path, change: Callable[[dict[str, Any]], None]) -> Any:
    document = yaml.safe_load((ROOT / "Pulumi.site-lyon.yaml").read_text())
    change(document["config"]["hybrid-aks:sites"][0]["aksHybrid"])
    for name in ("Pulumi.yaml", "__main__.py", "Pulumi.prod.yaml"):  # site-lyon attaches to prod
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
    assert not types & {"azure-native:azurestackhci:LogicalNetwork", "azure-native:kubernetes:ConnectedCluster",
                        "azure-native:resources:Deployment", "azure-native:kubernetesconfiguration:Extension"}
    network, cluster, arc = result.outputs["aksHciCreateCommands"][0]["lyon-dc"].split("\n")
    assert network == ("$vnet = New-AksHciClusterNetwork -name 'vnet-lyon-lyon-dc' -vswitchName 'ConvergedSwitch(compute_management)' "
                       "-gateway '172.17.10.1' -dnsServers '172.17.0.10' -ipAddressPrefix '172.17.10.0/24' "
                       "-k8sNodeIpPoolStart '172.17.10.20' -k8sNodeIpPoolEnd '172.17.10.99' "
                       "-vipPoolStart '172.17.10.200' -vipPoolEnd '172.17.10.239' -vlanID 110")
    assert cluster == ("New-AksHciCluster -name 'aks-lyon-lyon-dc' -controlPlaneNodeCount 3 -nodeCount 8 "
                       "-primaryNetworkPlugin 'flannel' -vnet $vnet")
    assert arc == "Enable-AksHciArcConnection -name 'aks-lyon-lyon-dc' -resourceGroup 'rg-lyon-lyon-dc-arc' -location 'francecentral'"


def test_aks_hci_with_metallb_points_metallb_at_the_arc_connection(tmp_path: Path) -> None:
    result = site_variant(tmp_path, lambda h: h.update(platform="aks-hci", clusterReady=True))
    command = result.outputs["aksHciCreateCommands"][0]["lyon-dc"]
    assert "-vipPoolStart '172.17.10.10' -vipPoolEnd '172.17.10.10'" in command  # only the control-plane VIP
    assert "-loadBalancerSku 'none'" in command and "-loadBalancerSettings $lb" in command
    lb = site_reg("azure-native:kubernetesruntime:LoadBalancer", result.registrations)
    assert lb.get("resourceUri") == (
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-lyon-lyon-dc-arc"
        "/providers/Microsoft.Kubernetes/connectedClusters/aks-lyon-lyon-dc")
    extension = site_reg("azure-native:kubernetesconfiguration:Extension", result.registrations)
    assert extension.get("clusterName") == "aks-lyon-lyon-dc" and extension.urn in lb.dependencies


def ps_tokens(line: str) -> list[tuple[str, str]]:
    """Split a PowerShell command line as PowerShell does for these commands: ("bare", text) outside quotes and
    ("quoted", value) for a single-quoted string (doubled quotes, typographic single quotes included)."""
    quotes = "'\u2018\u2019\u201a\u201b"
    tokens, i = [], 0
    while i < len(line):
        c = line[i]
        if c.isspace():
            i += 1
        elif c in quotes:
            value, i = "", i + 1
            while True:
                if line[i] in quotes:
                    if i + 1 < len(line) and line[i + 1] in quotes:
                        value, i = value + line[i], i + 2
                        continue
                    i += 1
                    break
                value, i = value + line[i], i + 1
            tokens.append(("quoted", value))
        else:
            j = i
            while j < len(line) and not line[j].isspace() and line[j] not in quotes:
                j += 1
            tokens.append(("bare", line[i:j]))
            i = j
    return tokens


HOSTILE = ["-Force", "x; Remove-Item -Recurse C:\\", "a'b", "it\u2019s; $(calc)", "`whoami`", "-name evil", "$env:PATH"]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_hostile_value_stays_one_quoted_argument_in_the_powershell(value: str) -> None:
    from components.onprem_site import aks_hci_commands
    from config.onprem import AksHybrid
    document = copy.deepcopy(hybrid(BASE))
    aks_hci_with_haproxy(document)
    document["vmSwitchName"] = value
    config = AksHybrid.model_validate(document)
    lines = aks_hci_commands(value, value, value, value, config).split("\n")
    assert len(lines) == 3
    for line in lines:
        tokens = ps_tokens(line)
        bare = [t for kind, t in tokens if kind == "bare"]
        # Outside quotes only the cmdlet, fixed parameter names, numbers and the program's own $vnet text.
        assert all(re.fullmatch(r"\$vnet|=|[A-Za-z-]+|-[A-Za-z0-9]+|\d+", t) for t in bare), bare
        assert not [t for t in bare if value in t]
        assert ("quoted", value) in tokens


def test_powershell_quoting_rejects_a_parameter_name_that_is_not_one() -> None:
    from components.onprem_site import ps_command
    with pytest.raises(ValueError):
        ps_command("New-AksHciCluster", [("-name; rm", "x")])
