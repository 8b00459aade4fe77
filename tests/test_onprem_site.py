"""The on-prem site component alone, on small inputs: every Azure input of the AKS Arc site on Azure Local and of the
older AKS-HCI, as Azure would receive it (literal values), and the PowerShell quoting."""

from __future__ import annotations

import copy
from typing import Any

import pulumi
import pulumi_azure_native as azure
import pytest

from components.onprem_site import OnPremSite, OnPremSiteArgs, aks_hci_commands, ps_command, ps_quote
from config.onprem import AksHybrid
from offline.mocks import RecordingMocks, RecordingMonitor, install, run

CUSTOM_LOCATION = "/subscriptions/22222222-2222-2222-2222-222222222222/resourceGroups/rg-azlocal/providers/Microsoft.ExtendedLocation/customLocations/cl-paris"
SSH_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDWGrtz6v9jUZxRC2Vq/X2VTSc50o1nZcDZe3D9BYZ+Y test"
RUNTIME_OBJECT_ID = "00000000-0000-0000-0000-000000000042"
RG_ID = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-t-paris-arc"
TAGS = {"environment": "test", "site": "paris"}

AZURE_LOCAL: dict[str, Any] = {
    "platform": "azure-local", "networkModel": "calico", "ipAssignment": "static", "customLocationId": CUSTOM_LOCATION,
    "subnet": "172.18.10.0/24", "gateway": "172.18.10.1", "dnsServers": ["172.18.0.10", "172.18.0.11"], "vlan": 210,
    "nodePool": {"start": "172.18.10.20", "end": "172.18.10.99"}, "controlPlaneIp": "172.18.10.10",
    "vmSwitchName": "SwitchA",
    "loadBalancer": {"type": "metallb", "ranges": [{"start": "172.18.10.200", "end": "172.18.10.219"},
                                                   {"start": "172.18.10.230", "end": "172.18.10.239"}],
                     "advertiseMode": "BGP", "asn": 65130,
                     "bgpPeers": [{"address": "172.18.10.1", "asn": 65030}, {"address": "172.18.10.2", "asn": 65031}],
                     "kubernetesRuntimeObjectId": RUNTIME_OBJECT_ID},
    "nodes": {"controlPlane": 1, "workers": 4, "maxSurge": 1}, "podCidr": "10.245.0.0/16", "sshPublicKey": SSH_KEY,
}


def recorded_component_outputs(monkeypatch: pytest.MonkeyPatch) -> dict[str, dict[str, Any]]:
    """What each component registers as its outputs (the engine keeps them in the stack's state), by URN."""
    from google.protobuf import empty_pb2, json_format
    recorded: dict[str, dict[str, Any]] = {}

    def record(self: RecordingMonitor, request: Any) -> Any:
        recorded[request.urn] = json_format.MessageToDict(request.outputs)
        return empty_pb2.Empty()

    monkeypatch.setattr(RecordingMonitor, "RegisterResourceOutputs", record)
    return recorded


def hybrid(**changes: Any) -> AksHybrid:
    document = copy.deepcopy(AZURE_LOCAL)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(document.get(key), dict):
            document[key] = {**document[key], **value}
        elif value is None:
            document.pop(key, None)
        else:
            document[key] = value
    return AksHybrid.model_validate(document)


def build(config: AksHybrid, cluster_ready: bool = False) -> tuple[RecordingMocks, dict[str, Any]]:
    """The component under mocks, and its outputs (None where it has none)."""
    mocks = install()

    def program() -> None:
        subscription = azure.Provider("subscription", subscription_id="00000000-0000-0000-0000-000000000000")
        site = OnPremSite("site-paris", OnPremSiteArgs(
            site="paris", hybrid=config, prefix="t", location="francecentral", tags=TAGS, cluster_ready=cluster_ready),
            opts=pulumi.ResourceOptions(providers=[subscription]))
        for name in ("logical_network_id", "connected_cluster_id", "provisioned_cluster_id", "create_command"):
            pulumi.export(name, getattr(site, name))

    run(program, mocks)
    # The stack's subscription provider reaches every Azure resource of the site through the component.
    (provider,) = mocks.by_type("pulumi:providers:azure-native")
    for r in mocks.registrations:
        if r.type.startswith("azure-native:"):
            assert r.provider is not None and r.provider.startswith(provider.urn + "::"), r.name
    return mocks, {name: value for name, (value, _) in mocks.stack_outputs.items()}


def test_azure_local_site_sends_its_whole_logical_network_and_connected_cluster() -> None:
    mocks, outputs = build(hybrid())
    assert mocks.named("site-paris-rg").inputs == {"resourceGroupName": "rg-t-paris-arc", "location": "francecentral", "tags": TAGS}
    network = mocks.named("site-paris-lnet")
    assert network.type == "azure-native:azurestackhci:LogicalNetwork"
    assert network.inputs == {
        "resourceGroupName": "rg-t-paris-arc", "location": "francecentral", "tags": TAGS, "logicalNetworkName": "lnet-t-paris",
        "vmSwitchName": "SwitchA", "extendedLocation": {"name": CUSTOM_LOCATION, "type": "CustomLocation"},
        "dhcpOptions": {"dnsServers": ["172.18.0.10", "172.18.0.11"]},
        "subnets": [{"name": "aks", "addressPrefix": "172.18.10.0/24", "ipAllocationMethod": "Static", "vlan": 210,
                     "ipPools": [{"name": "nodes", "start": "172.18.10.20", "end": "172.18.10.99"}],
                     "routeTable": {"routes": [{"name": "default", "addressPrefix": "0.0.0.0/0", "nextHopIpAddress": "172.18.10.1"}]}}]}
    connected = mocks.named("site-paris-arc")
    assert connected.type == "azure-native:kubernetes:ConnectedCluster"
    # azureHybridBenefit and privateLinkState are the SDK's defaults for a ConnectedCluster.
    assert connected.inputs == {
        "resourceGroupName": "rg-t-paris-arc", "location": "francecentral", "tags": TAGS, "clusterName": "aks-t-paris",
        "kind": "ProvisionedCluster", "identity": {"type": "SystemAssigned"}, "agentPublicKeyCertificate": "",
        "azureHybridBenefit": "NotApplicable", "privateLinkState": "Disabled"}
    assert outputs["logical_network_id"] == network.id
    assert outputs["connected_cluster_id"] == connected.id
    assert outputs["provisioned_cluster_id"] == (
        RG_ID + "/providers/Microsoft.Kubernetes/connectedClusters/aks-t-paris"
        "/providers/Microsoft.HybridContainerService/provisionedClusterInstances/default")
    assert outputs["create_command"] is None
    for r in mocks.registrations:
        if r.type.startswith("azure-native:"):
            assert r.parent is not None and r.parent.endswith("::site-paris"), r.name


def test_azure_local_cluster_instance_is_the_whole_arm_deployment() -> None:
    mocks, _ = build(hybrid())
    deployment = mocks.named("site-paris-cluster-instance")
    network, connected = mocks.named("site-paris-lnet"), mocks.named("site-paris-arc")
    assert deployment.inputs == {
        "resourceGroupName": "rg-t-paris-arc", "deploymentName": "aksarc-t-paris",
        "properties": {
            "mode": "Incremental",
            "parameters": {"connectedClusterName": {"value": "aks-t-paris"}, "logicalNetworkId": {"value": network.id}},
            "template": {
                "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
                "contentVersion": "1.0.0.0",
                "parameters": {"connectedClusterName": {"type": "string"}, "logicalNetworkId": {"type": "string"}},
                "resources": [{
                    "type": "Microsoft.HybridContainerService/provisionedClusterInstances", "apiVersion": "2024-01-01",
                    "name": "default",
                    "scope": "[format('Microsoft.Kubernetes/connectedClusters/{0}', parameters('connectedClusterName'))]",
                    "extendedLocation": {"type": "CustomLocation", "name": CUSTOM_LOCATION},
                    "properties": {
                        "controlPlane": {"count": 1, "vmSize": "Standard_A4_v2", "controlPlaneEndpoint": {"hostIP": "172.18.10.10"}},
                        "agentPoolProfiles": [{"name": "nodepool1", "count": 4, "osType": "Linux", "osSKU": "CBLMariner",
                                               "vmSize": "Standard_A4_v2"}],
                        "cloudProviderProfile": {"infraNetworkProfile": {"vnetSubnetIds": ["[parameters('logicalNetworkId')]"]}},
                        "networkProfile": {"podCidr": "10.245.0.0/16", "networkPolicy": "calico", "loadBalancerProfile": {"count": 0}},
                        "linuxProfile": {"ssh": {"publicKeys": [{"keyData": SSH_KEY}]}}}}]}}}
    assert connected.urn in deployment.dependencies


def test_azure_local_metallb_with_two_bgp_peers() -> None:
    mocks, _ = build(hybrid())
    connected, deployment = mocks.named("site-paris-arc"), mocks.named("site-paris-cluster-instance")
    extension = mocks.named("site-paris-arcnetworking")
    assert extension.inputs == {
        "resourceGroupName": "rg-t-paris-arc", "clusterRp": "Microsoft.Kubernetes", "clusterResourceName": "connectedClusters",
        "clusterName": "aks-t-paris", "extensionName": "arcnetworking", "extensionType": "microsoft.arcnetworking",
        "autoUpgradeMinorVersion": True, "releaseTrain": "Stable", "scope": {"cluster": {"releaseNamespace": "kube-system"}},
        "configurationSettings": {"k8sRuntimeFpaObjectId": RUNTIME_OBJECT_ID}}
    assert deployment.urn in extension.dependencies
    peers = [mocks.named(f"site-paris-bgp-peer-{j}") for j in (0, 1)]
    assert [p.inputs for p in peers] == [
        {"resourceUri": connected.id, "bgpPeerName": "peer-0", "myAsn": 65130, "peerAsn": 65030, "peerAddress": "172.18.10.1"},
        {"resourceUri": connected.id, "bgpPeerName": "peer-1", "myAsn": 65130, "peerAsn": 65031, "peerAddress": "172.18.10.2"}]
    assert all(extension.urn in p.dependencies for p in peers)
    lb = mocks.named("site-paris-metallb")
    assert lb.inputs == {"resourceUri": connected.id, "loadBalancerName": "services", "advertiseMode": "BGP",
                         "addresses": ["172.18.10.200-172.18.10.219", "172.18.10.230-172.18.10.239"], "bgpPeers": ["peer-0", "peer-1"]}
    assert {extension.urn, *(p.urn for p in peers)} <= set(lb.dependencies)


def test_arp_mode_announces_without_bgp_peers() -> None:
    mocks, _ = build(hybrid(loadBalancer={"advertiseMode": "ARP"}))
    assert mocks.by_type("azure-native:kubernetesruntime:BgpPeer") == []
    lb = mocks.named("site-paris-metallb")
    assert lb.get("advertiseMode") == "ARP" and "bgpPeers" not in lb.inputs


def test_azure_local_with_haproxy_gets_no_metallb() -> None:
    mocks, _ = build(hybrid(loadBalancer={"type": "haproxy", "ranges": [{"start": "172.18.10.200", "end": "172.18.10.219"}],
                                          "advertiseMode": "ARP", "bgpPeers": [], "asn": None}))
    types = {r.type for r in mocks.registrations}
    assert "azure-native:resources:Deployment" in types
    assert not types & {"azure-native:kubernetesconfiguration:Extension", "azure-native:kubernetesruntime:LoadBalancer",
                        "azure-native:kubernetesruntime:BgpPeer"}


AKS_HCI_HAPROXY = {"platform": "aks-hci", "networkModel": "flannel", "controlPlaneIp": "172.18.10.200",
                   "loadBalancer": {"type": "haproxy", "ranges": [{"start": "172.18.10.200", "end": "172.18.10.219"}],
                                    "advertiseMode": "ARP", "bgpPeers": [], "asn": None}}


def test_aks_hci_site_before_it_is_ready_exports_powershell_only() -> None:
    mocks, outputs = build(hybrid(**AKS_HCI_HAPROXY), cluster_ready=True)
    assert [r.type for r in mocks.registrations if r.type.startswith("azure-native:")] == ["azure-native:resources:ResourceGroup"]
    assert outputs["connected_cluster_id"] == RG_ID + "/providers/Microsoft.Kubernetes/connectedClusters/aks-t-paris"
    assert outputs["logical_network_id"] is None and outputs["provisioned_cluster_id"] is None
    assert outputs["create_command"].split("\n") == [
        "$vnet = New-AksHciClusterNetwork -name 'vnet-t-paris' -vswitchName 'SwitchA' -gateway '172.18.10.1' "
        "-dnsServers '172.18.0.10','172.18.0.11' -ipAddressPrefix '172.18.10.0/24' -k8sNodeIpPoolStart '172.18.10.20' "
        "-k8sNodeIpPoolEnd '172.18.10.99' -vipPoolStart '172.18.10.200' -vipPoolEnd '172.18.10.219' -vlanID 210",
        "New-AksHciCluster -name 'aks-t-paris' -controlPlaneNodeCount 1 -nodeCount 4 -primaryNetworkPlugin 'flannel' -vnet $vnet",
        "Enable-AksHciArcConnection -name 'aks-t-paris' -resourceGroup 'rg-t-paris-arc' -location 'francecentral'"]


def test_aks_hci_metallb_waits_for_the_arc_connection() -> None:
    config = hybrid(platform="aks-hci", networkModel="flannel")
    mocks, outputs = build(config, cluster_ready=False)
    assert [r.type for r in mocks.registrations if r.type.startswith("azure-native:")] == ["azure-native:resources:ResourceGroup"]
    assert "-loadBalancerSettings $lb" in outputs["create_command"]
    mocks, _ = build(config, cluster_ready=True)
    lb = mocks.named("site-paris-metallb")
    assert lb.get("resourceUri") == RG_ID + "/providers/Microsoft.Kubernetes/connectedClusters/aks-t-paris"
    assert lb.get("bgpPeers") == ["peer-0", "peer-1"]
    extension = mocks.named("site-paris-arcnetworking")
    assert extension.get("clusterName") == "aks-t-paris"
    assert extension.dependencies == [mocks.named("site-paris-rg").urn]  # no cluster instance to wait for


def test_aks_hci_metallb_commands_keep_only_the_control_plane_vip() -> None:
    commands = aks_hci_commands("aks-x", "vnet-x", "rg-x", "westeurope", hybrid(platform="aks-hci", networkModel="flannel", vlan=None))
    assert commands.split("\n") == [
        "$vnet = New-AksHciClusterNetwork -name 'vnet-x' -vswitchName 'SwitchA' -gateway '172.18.10.1' "
        "-dnsServers '172.18.0.10','172.18.0.11' -ipAddressPrefix '172.18.10.0/24' -k8sNodeIpPoolStart '172.18.10.20' "
        "-k8sNodeIpPoolEnd '172.18.10.99' -vipPoolStart '172.18.10.10' -vipPoolEnd '172.18.10.10'",
        "$lb = New-AksHciLoadBalancerSetting -name 'metallb' -loadBalancerSku 'none'",
        "New-AksHciCluster -name 'aks-x' -controlPlaneNodeCount 1 -nodeCount 4 -primaryNetworkPlugin 'flannel' "
        "-vnet $vnet -loadBalancerSettings $lb",
        "Enable-AksHciArcConnection -name 'aks-x' -resourceGroup 'rg-x' -location 'westeurope'"]


def test_aks_hci_with_dhcp_names_no_static_addresses() -> None:
    # A nodePool left in the config is not used with DHCP: the DHCP scope hands out node addresses.
    config = hybrid(**AKS_HCI_HAPROXY, ipAssignment="dhcp", dhcpScope={"start": "172.18.10.20", "end": "172.18.10.99"})
    (network, *_) = aks_hci_commands("aks-x", "vnet-x", "rg-x", "westeurope", config).split("\n")
    assert network == ("$vnet = New-AksHciClusterNetwork -name 'vnet-x' -vswitchName 'SwitchA' "
                       "-vipPoolStart '172.18.10.200' -vipPoolEnd '172.18.10.219' -vlanID 210")


@pytest.mark.parametrize(("value", "quoted"), [
    (0, "0"), (4094, "4094"), ("a'b", "'a''b'"), ("it\u2019s", "'it\u2019\u2019s'"), ("\u2018\u201a\u201b", "'\u2018\u2018\u201a\u201a\u201b\u201b'"),
    (["a", "b'c"], "'a','b''c'"), ([], ""), ("", "''"), ("$x `y` (z)", "'$x `y` (z)'"),
])
def test_powershell_values(value: Any, quoted: str) -> None:
    assert ps_quote(value) == quoted


@pytest.mark.parametrize("value", [True, False, 1.5, None, ("a",)])
def test_powershell_refuses_what_is_not_a_value(value: Any) -> None:
    with pytest.raises(TypeError, match="not a PowerShell value"):
        ps_quote(value)


@pytest.mark.parametrize("parameter", ["name", "-", "-1x", "-a b", "-a-b", "--name", "-name\n"])
def test_powershell_parameter_names_are_checked(parameter: str) -> None:
    with pytest.raises(ValueError, match="not a PowerShell parameter name"):
        ps_command("New-AksHciCluster", [(parameter, "x")])


def test_powershell_command_joins_parameters_and_trailing_text() -> None:
    assert ps_command("Get-X", [("-a", "v"), ("-B2", 3)], "-vnet $vnet", "-x") == "Get-X -a 'v' -B2 3 -vnet $vnet -x"
    assert ps_command("Get-X", []) == "Get-X"


def test_the_site_registers_its_outputs(monkeypatch: pytest.MonkeyPatch) -> None:
    recorded = recorded_component_outputs(monkeypatch)
    mocks, outputs = build(hybrid())
    (site,) = [r for r in mocks.registrations if r.type == "hybrid-aks:onprem:Site"]
    assert recorded[site.urn] == {"logicalNetworkId": mocks.named("site-paris-lnet").id, "connectedClusterId": mocks.named("site-paris-arc").id,
                                  "provisionedClusterId": outputs["provisioned_cluster_id"]}
    recorded.clear()
    mocks, outputs = build(hybrid(**AKS_HCI_HAPROXY))
    (site,) = [r for r in mocks.registrations if r.type == "hybrid-aks:onprem:Site"]
    assert recorded[site.urn] == {"connectedClusterId": RG_ID + "/providers/Microsoft.Kubernetes/connectedClusters/aks-t-paris",
                                  "createCommand": outputs["create_command"]}
