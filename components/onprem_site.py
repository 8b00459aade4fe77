"""The Azure side of an on-prem AKS hybrid site: the AKS Arc cluster on Azure Local, declared whole, or the older AKS-HCI.

Azure Local, as the Azure Verified Modules provisioned-cluster-instance module builds it: the site's logical
network, the Arc connected cluster (kind ProvisionedCluster), and on it the extension resource
`Microsoft.HybridContainerService/provisionedClusterInstances/default` with the node pool, control-plane endpoint,
logical network, pod CIDR and load-balancer settings from the checked plan. azure-native 3.x has no typed class for
that instance, so an ARM deployment in the site's resource group carries it, scoped to the connected cluster. Then
the Arc networking extension (`microsoft.arcnetworking`, which MetalLB needs: deploy-load-balancer-cli) and the
MetalLB load balancer with its BGP peers. Pulumi is the only writer of each of these objects.

The older AKS-HCI has no Azure resource for its network or cluster: PowerShell creates both and connects the cluster
to Arc (that creates the connected cluster, which Pulumi therefore never declares), so the component exports those
commands, every value quoted for PowerShell. Once the cluster is connected (`clusterReady`), the extension and MetalLB
are Pulumi's as on Azure Local.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_azure_native as azure
from pulumi import Output, ResourceOptions

from config.onprem import AksHybrid

# AKS Arc's VM size defaults (az aksarc create: --control-plane-vm-size, --node-vm-size); the plan doesn't size VMs.
CONTROL_PLANE_VM_SIZE = "Standard_A4_v2"
NODE_VM_SIZE = "Standard_A4_v2"
PROVISIONED_CLUSTER_API_VERSION = "2024-01-01"  # Learn: Microsoft.HybridContainerService provisionedClusterInstances


@dataclass(frozen=True)
class OnPremSiteArgs:
    site: str
    hybrid: AksHybrid
    prefix: str
    location: str
    tags: Mapping[str, str]
    cluster_ready: bool  # aks-hci: the PowerShell-built cluster is connected to Arc: add the extension and MetalLB


class OnPremSite(pulumi.ComponentResource):
    logical_network_id: Output[str] | None
    connected_cluster_id: Output[str]
    provisioned_cluster_id: Output[str] | None  # azure-local: the AKS Arc cluster instance
    create_command: Output[str] | None  # aks-hci: the PowerShell that builds the cluster

    def __init__(self, name: str, args: OnPremSiteArgs, opts: ResourceOptions | None = None) -> None:
        super().__init__("hybrid-aks:onprem:Site", name, None, opts)
        hybrid, child = args.hybrid, ResourceOptions(parent=self)
        rg = azure.resources.ResourceGroup(
            f"{name}-rg", resource_group_name=f"rg-{args.prefix}-{args.site}-arc", location=args.location, tags=dict(args.tags), opts=child)
        cluster_name = f"aks-{args.prefix}-{args.site}"
        self.logical_network_id, self.create_command, self.provisioned_cluster_id = None, None, None
        if hybrid.platform == "azure-local":
            network = self._create_logical_network(name, args, rg)
            self.logical_network_id = network.id
            connected = azure.kubernetes.ConnectedCluster(
                f"{name}-arc", resource_group_name=rg.name, location=args.location, tags=dict(args.tags), cluster_name=cluster_name,
                kind="ProvisionedCluster", identity=azure.kubernetes.ConnectedClusterIdentityArgs(type=azure.kubernetes.ResourceIdentityType.SYSTEM_ASSIGNED),
                # Provisioned clusters are onboarded by AKS Arc itself: no agent key to upload.
                agent_public_key_certificate="", opts=child)
            self.connected_cluster_id = connected.id
            instance = azure.resources.Deployment(
                f"{name}-cluster-instance", resource_group_name=rg.name, deployment_name=f"aksarc-{args.prefix}-{args.site}",
                properties=azure.resources.DeploymentPropertiesArgs(
                    mode=azure.resources.DeploymentMode.INCREMENTAL, template=provisioned_cluster_template(hybrid),
                    parameters={"connectedClusterName": azure.resources.DeploymentParameterArgs(value=cluster_name),
                                "logicalNetworkId": azure.resources.DeploymentParameterArgs(value=network.id)}),
                # The instance is an extension resource of the connected cluster: that must exist first.
                opts=ResourceOptions(parent=self, depends_on=[connected]))
            self.provisioned_cluster_id = Output.concat(
                rg.id, "/providers/Microsoft.Kubernetes/connectedClusters/", cluster_name,
                "/providers/Microsoft.HybridContainerService/provisionedClusterInstances/default")
            if hybrid.load_balancer.type == "metallb":
                self._create_metallb(name, rg.name, cluster_name, connected.id, hybrid, [instance])
        else:
            # Enable-AksHciArcConnection creates it, with its agents, in the resource group the command names.
            self.connected_cluster_id = Output.concat(rg.id, "/providers/Microsoft.Kubernetes/connectedClusters/", cluster_name)
            self.create_command = rg.name.apply(
                lambda group: aks_hci_commands(cluster_name, f"vnet-{args.prefix}-{args.site}", group, args.location, hybrid))
            if args.cluster_ready and hybrid.load_balancer.type == "metallb":
                self._create_metallb(name, rg.name, cluster_name, self.connected_cluster_id, hybrid, [])
        self.register_outputs({"logicalNetworkId": self.logical_network_id, "connectedClusterId": self.connected_cluster_id,
                               "provisionedClusterId": self.provisioned_cluster_id, "createCommand": self.create_command})

    def _create_logical_network(self, name: str, args: OnPremSiteArgs, rg: azure.resources.ResourceGroup) -> azure.azurestackhci.LogicalNetwork:
        hybrid = args.hybrid
        assert hybrid.node_pool is not None
        return azure.azurestackhci.LogicalNetwork(
            f"{name}-lnet", resource_group_name=rg.name, location=args.location, tags=dict(args.tags),
            logical_network_name=f"lnet-{args.prefix}-{args.site}", vm_switch_name=hybrid.vm_switch_name,
            extended_location=azure.azurestackhci.ExtendedLocationArgs(name=hybrid.custom_location_id, type="CustomLocation"),
            dhcp_options=azure.azurestackhci.LogicalNetworkPropertiesDhcpOptionsArgs(dns_servers=list(hybrid.dns_servers)),
            subnets=[azure.azurestackhci.SubnetArgs(
                name="aks", address_prefix=hybrid.subnet, ip_allocation_method="Static", vlan=hybrid.vlan,
                ip_pools=[azure.azurestackhci.IPPoolArgs(name="nodes", start=hybrid.node_pool.start, end=hybrid.node_pool.end)],
                route_table=azure.azurestackhci.RouteTableArgs(routes=[azure.azurestackhci.RouteArgs(
                    name="default", address_prefix="0.0.0.0/0", next_hop_ip_address=hybrid.gateway)]))],
            opts=ResourceOptions(parent=self))

    def _create_metallb(self, name: str, resource_group: Output[str], cluster_name: str, cluster_id: Output[str],
                        hybrid: AksHybrid, after: list[pulumi.Resource]) -> None:
        """The Arc networking extension (it runs MetalLB), then the load balancer and its BGP peers (deploy-load-balancer-cli)."""
        lb = hybrid.load_balancer
        assert lb.kubernetes_runtime_object_id is not None
        extension = azure.kubernetesconfiguration.Extension(
            f"{name}-arcnetworking", resource_group_name=resource_group, cluster_rp="Microsoft.Kubernetes",
            cluster_resource_name="connectedClusters", cluster_name=cluster_name, extension_name="arcnetworking",
            extension_type="microsoft.arcnetworking", auto_upgrade_minor_version=True, release_train="Stable",
            scope=azure.kubernetesconfiguration.ScopeArgs(cluster=azure.kubernetesconfiguration.ScopeClusterArgs(release_namespace="kube-system")),
            configuration_settings={"k8sRuntimeFpaObjectId": lb.kubernetes_runtime_object_id},
            # The extension installs into the running cluster: after the provisioned cluster instance exists.
            opts=ResourceOptions(parent=self, depends_on=after))
        peers = []
        for j, peer in enumerate(lb.bgp_peers if lb.advertise_mode != "ARP" else []):
            assert lb.asn is not None
            peers.append(azure.kubernetesruntime.BgpPeer(
                f"{name}-bgp-peer-{j}", resource_uri=cluster_id, bgp_peer_name=f"peer-{j}",
                my_asn=lb.asn, peer_asn=peer.asn, peer_address=peer.address, opts=ResourceOptions(parent=self, depends_on=[extension])))
        azure.kubernetesruntime.LoadBalancer(
            f"{name}-metallb", resource_uri=cluster_id, load_balancer_name="services",
            addresses=[f"{r.start}-{r.end}" for r in lb.ranges], advertise_mode=lb.advertise_mode,
            bgp_peers=[f"peer-{j}" for j in range(len(peers))] or None,
            opts=ResourceOptions(parent=self, depends_on=[extension, *peers]))


def provisioned_cluster_template(hybrid: AksHybrid) -> dict[str, Any]:
    """The ARM template of the AKS Arc cluster: provisionedClusterInstances/default on the connected cluster, from the plan.

    Properties as in Learn's template reference (API 2024-01-01) and the AVM provisioned-cluster-instance module:
    control-plane count and endpoint (hostIP), one Linux node pool of `workers` nodes, the logical network
    (cloudProviderProfile.infraNetworkProfile.vnetSubnetIds), podCidr and Calico, and loadBalancerProfile.count 0 (no
    HAProxy VM: MetalLB serves services). There is no service CIDR in this API: see AKS_ARC_SERVICE_CIDR.
    """
    return {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {"connectedClusterName": {"type": "string"}, "logicalNetworkId": {"type": "string"}},
        "resources": [{
            "type": "Microsoft.HybridContainerService/provisionedClusterInstances",
            "apiVersion": PROVISIONED_CLUSTER_API_VERSION,
            "name": "default",
            # An extension resource of the connected cluster (Bicep `scope: connectedCluster` compiles to this).
            "scope": "[format('Microsoft.Kubernetes/connectedClusters/{0}', parameters('connectedClusterName'))]",
            "extendedLocation": {"type": "CustomLocation", "name": hybrid.custom_location_id},
            "properties": {
                "controlPlane": {"count": hybrid.nodes.control_plane, "vmSize": CONTROL_PLANE_VM_SIZE,
                                 "controlPlaneEndpoint": {"hostIP": hybrid.control_plane_ip}},
                "agentPoolProfiles": [{"name": "nodepool1", "count": hybrid.nodes.workers, "osType": "Linux", "osSKU": "CBLMariner",
                                       "vmSize": NODE_VM_SIZE}],
                "cloudProviderProfile": {"infraNetworkProfile": {"vnetSubnetIds": ["[parameters('logicalNetworkId')]"]}},
                "networkProfile": {"podCidr": hybrid.pod_cidr, "networkPolicy": hybrid.network_model,
                                   "loadBalancerProfile": {"count": 0}},
                "linuxProfile": {"ssh": {"publicKeys": [{"keyData": hybrid.ssh_public_key}]}},
            },
        }],
    }


# PowerShell (about_Quoting_Rules): inside a single-quoted string nothing is expanded and the only special character is
# the single quote, written twice; PowerShell also takes the typographic quotes U+2018-U+201B as single quotes.
_PS_SINGLE_QUOTES = "'\u2018\u2019\u201a\u201b"
_PS_PARAMETER = re.compile(r"-[A-Za-z][A-Za-z0-9]*")  # whole name (fullmatch: `$` would let a trailing newline through)
PsValue = str | int | list[str]


def ps_quote(value: PsValue) -> str:
    """One PowerShell argument value: an int as a number, text single-quoted (quotes doubled), a list as 'a','b'.

    Quoted, a value that starts with `-` stays a value (never a parameter name), and `;`, `$`, backticks and
    parentheses stay text: no value can change the command."""
    if isinstance(value, bool) or not isinstance(value, (int, str, list)):
        raise TypeError(f"not a PowerShell value: {value!r}")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return ",".join(ps_quote(v) for v in value)
    return "'" + "".join(c * 2 if c in _PS_SINGLE_QUOTES else c for c in value) + "'"


def ps_command(cmdlet: str, parameters: list[tuple[str, PsValue]], *trailing: str) -> str:
    """A cmdlet call: fixed parameter names (checked), each with its quoted value; `trailing` holds fixed program text."""
    for parameter, _ in parameters:
        if not _PS_PARAMETER.fullmatch(parameter):
            raise ValueError(f"not a PowerShell parameter name: {parameter!r}")
    return " ".join([cmdlet, *(f"{parameter} {ps_quote(value)}" for parameter, value in parameters), *trailing])


def aks_hci_commands(cluster: str, network: str, resource_group: str, location: str, hybrid: AksHybrid) -> str:
    """The AksHci PowerShell that builds the network, the cluster and its Arc connection (one command a line).

    These create no object Pulumi declares: the cluster network and cluster live on the hosts, and the Arc connected
    cluster that Enable-AksHciArcConnection creates is only referenced by ID."""
    lb = hybrid.load_balancer
    # HAProxy serves the control plane and services from the VIP pool (the plan allows one range with AKS-HCI);
    # with MetalLB ("none") the pool holds only the control-plane VIP, kept by kube-vip.
    vips = (lb.ranges[0].start, lb.ranges[0].end) if lb.type == "haproxy" else (hybrid.control_plane_ip, hybrid.control_plane_ip)
    network_args: list[tuple[str, PsValue]] = [("-name", network), ("-vswitchName", hybrid.vm_switch_name)]
    if hybrid.node_pool is not None and hybrid.ip_assignment == "static":
        network_args += [("-gateway", hybrid.gateway), ("-dnsServers", list(hybrid.dns_servers)), ("-ipAddressPrefix", hybrid.subnet),
                         ("-k8sNodeIpPoolStart", hybrid.node_pool.start), ("-k8sNodeIpPoolEnd", hybrid.node_pool.end)]
    network_args += [("-vipPoolStart", vips[0]), ("-vipPoolEnd", vips[1])]
    if hybrid.vlan is not None:
        network_args.append(("-vlanID", hybrid.vlan))
    lines = ["$vnet = " + ps_command("New-AksHciClusterNetwork", network_args)]
    cluster_args: list[tuple[str, PsValue]] = [
        ("-name", cluster), ("-controlPlaneNodeCount", hybrid.nodes.control_plane), ("-nodeCount", hybrid.nodes.workers),
        ("-primaryNetworkPlugin", hybrid.network_model)]
    if lb.type == "metallb":
        lines.append("$lb = " + ps_command("New-AksHciLoadBalancerSetting", [("-name", "metallb"), ("-loadBalancerSku", "none")]))
        lines.append(ps_command("New-AksHciCluster", cluster_args, "-vnet $vnet -loadBalancerSettings $lb"))
    else:
        lines.append(ps_command("New-AksHciCluster", cluster_args, "-vnet $vnet"))
    lines.append(ps_command("Enable-AksHciArcConnection", [("-name", cluster), ("-resourceGroup", resource_group), ("-location", location)]))
    return "\n".join(lines)
