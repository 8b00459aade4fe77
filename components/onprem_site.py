"""The Azure side of an on-prem AKS hybrid site: its Azure Local logical network, Arc connected cluster and MetalLB.

azure-native 3.29 has no type for the AKS Arc provisioned cluster instance itself, so the component
exports the `az aksarc create` command that builds it from the same checked plan. The older AKS-HCI has
no Azure resource for its network or cluster at all: PowerShell creates both and connects the cluster to
Arc, so the component exports those commands instead, pointing the Arc connection at the site's resource
group. The MetalLB load balancer and its BGP peers are extension resources of the connected cluster: they
need the running cluster with the Arc networking extension (`az k8s-runtime load-balancer enable`, the
exported commands' last line), hence `clusterReady`.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_azure_native as azure
from pulumi import Output, ResourceOptions

from config.onprem import AksHybrid


@dataclass(frozen=True)
class OnPremSiteArgs:
    site: str
    hybrid: AksHybrid
    prefix: str
    location: str
    tags: Mapping[str, str]
    cluster_ready: bool  # the provisioned cluster exists (after `az aksarc create`): add MetalLB


class OnPremSite(pulumi.ComponentResource):
    logical_network_id: Output[str] | None
    connected_cluster_id: Output[str]
    create_command: Output[str]

    def __init__(self, name: str, args: OnPremSiteArgs, opts: ResourceOptions | None = None) -> None:
        super().__init__("hybrid-aks:onprem:Site", name, None, opts)
        hybrid, child = args.hybrid, ResourceOptions(parent=self)
        rg = azure.resources.ResourceGroup(
            f"{name}-rg", resource_group_name=f"rg-{args.prefix}-{args.site}-arc", location=args.location, tags=dict(args.tags), opts=child)
        cluster_name = f"aks-{args.prefix}-{args.site}"
        self.logical_network_id = None
        if hybrid.platform == "azure-local":
            assert hybrid.node_pool is not None
            network = azure.azurestackhci.LogicalNetwork(
                f"{name}-lnet", resource_group_name=rg.name, location=args.location, tags=dict(args.tags),
                logical_network_name=f"lnet-{args.prefix}-{args.site}", vm_switch_name=hybrid.vm_switch_name,
                extended_location=azure.azurestackhci.ExtendedLocationArgs(name=hybrid.custom_location_id, type="CustomLocation"),
                dhcp_options=azure.azurestackhci.LogicalNetworkPropertiesDhcpOptionsArgs(dns_servers=list(hybrid.dns_servers)),
                subnets=[azure.azurestackhci.SubnetArgs(
                    name="aks", address_prefix=hybrid.subnet, ip_allocation_method="Static", vlan=hybrid.vlan,
                    ip_pools=[azure.azurestackhci.IPPoolArgs(name="nodes", start=hybrid.node_pool.start, end=hybrid.node_pool.end)],
                    route_table=azure.azurestackhci.RouteTableArgs(routes=[azure.azurestackhci.RouteArgs(
                        name="default", address_prefix="0.0.0.0/0", next_hop_ip_address=hybrid.gateway)]))],
                opts=child)
            self.logical_network_id = network.id
        if hybrid.platform == "azure-local":
            connected = azure.kubernetes.ConnectedCluster(
                f"{name}-arc", resource_group_name=rg.name, location=args.location, tags=dict(args.tags), cluster_name=cluster_name,
                kind="ProvisionedCluster", identity=azure.kubernetes.ConnectedClusterIdentityArgs(type=azure.kubernetes.ResourceIdentityType.SYSTEM_ASSIGNED),
                # Provisioned clusters are onboarded by AKS Arc itself: no agent key to upload.
                agent_public_key_certificate="", opts=child)
            self.connected_cluster_id = connected.id
            self.create_command = Output.all(rg.name, self.logical_network_id or "", connected.id).apply(
                lambda values: "\n".join([_aksarc_create(cluster_name, values[0], values[1], hybrid), *_metallb_enable(values[2], hybrid)]))
        else:
            # Enable-AksHciArcConnection creates it, with its agents, in the resource group the command names.
            self.connected_cluster_id = Output.concat(rg.id, "/providers/Microsoft.Kubernetes/connectedClusters/", cluster_name)
            self.create_command = Output.all(rg.name, self.connected_cluster_id).apply(
                lambda values: "\n".join([_aks_hci_create(cluster_name, f"vnet-{args.prefix}-{args.site}", values[0], args.location, hybrid),
                                          *_metallb_enable(values[1], hybrid)]))
        if args.cluster_ready and hybrid.load_balancer.type == "metallb":
            self._create_metallb(name, self.connected_cluster_id, hybrid)
        self.register_outputs({"logicalNetworkId": self.logical_network_id, "connectedClusterId": self.connected_cluster_id,
                               "createCommand": self.create_command})

    def _create_metallb(self, name: str, cluster_id: Output[str], hybrid: AksHybrid) -> None:
        lb = hybrid.load_balancer
        peers = []
        for j, peer in enumerate(lb.bgp_peers if lb.advertise_mode != "ARP" else []):
            assert lb.asn is not None
            peers.append(azure.kubernetesruntime.BgpPeer(
                f"{name}-bgp-peer-{j}", resource_uri=cluster_id, bgp_peer_name=f"peer-{j}",
                my_asn=lb.asn, peer_asn=peer.asn, peer_address=peer.address, opts=ResourceOptions(parent=self)))
        azure.kubernetesruntime.LoadBalancer(
            f"{name}-metallb", resource_uri=cluster_id, load_balancer_name="services",
            addresses=[f"{r.start}-{r.end}" for r in lb.ranges], advertise_mode=lb.advertise_mode,
            bgp_peers=[f"peer-{j}" for j in range(len(peers))] or None,
            opts=ResourceOptions(parent=self, depends_on=peers))


def _aksarc_create(cluster: str, resource_group: str, logical_network_id: str, hybrid: AksHybrid) -> str:
    """The `az aksarc create` call that builds the provisioned cluster from the checked plan."""
    parts = ["az", "aksarc", "create", "--name", cluster, "--resource-group", resource_group,
             "--custom-location", hybrid.custom_location_id, "--control-plane-ip", hybrid.control_plane_ip,
             "--control-plane-count", str(hybrid.nodes.control_plane), "--node-count", str(hybrid.nodes.workers),
             "--pod-cidr", hybrid.pod_cidr, "--generate-ssh-keys"]
    if logical_network_id:
        parts += ["--vnet-ids", logical_network_id]
    if hybrid.load_balancer.type == "metallb":
        parts += ["--load-balancer-count", "0"]
    return " ".join(shlex.quote(p) for p in parts)


def _metallb_enable(connected_cluster_id: str, hybrid: AksHybrid) -> list[str]:
    """MetalLB needs the Arc networking extension on the cluster before clusterReady adds its load balancer."""
    if hybrid.load_balancer.type != "metallb":
        return []
    return [" ".join(shlex.quote(p) for p in ["az", "k8s-runtime", "load-balancer", "enable", "--resource-uri", connected_cluster_id])]


def _aks_hci_create(cluster: str, network: str, resource_group: str, location: str, hybrid: AksHybrid) -> str:
    """The AksHci PowerShell that builds the network, the cluster and its Arc connection (one command a line)."""
    lb = hybrid.load_balancer
    # HAProxy serves the control plane and services from the VIP pool (the plan allows one range with AKS-HCI);
    # with MetalLB ("none") the pool holds only the control-plane VIP, kept by kube-vip.
    vips = (lb.ranges[0].start, lb.ranges[0].end) if lb.type == "haproxy" else (hybrid.control_plane_ip, hybrid.control_plane_ip)
    network_args = ["-name", network, "-vswitchName", hybrid.vm_switch_name]
    if hybrid.node_pool is not None and hybrid.ip_assignment == "static":
        network_args += ["-gateway", hybrid.gateway, "-dnsServers", ",".join(hybrid.dns_servers), "-ipAddressPrefix", hybrid.subnet,
                         "-k8sNodeIpPoolStart", hybrid.node_pool.start, "-k8sNodeIpPoolEnd", hybrid.node_pool.end]
    network_args += ["-vipPoolStart", vips[0], "-vipPoolEnd", vips[1]]
    if hybrid.vlan is not None:
        network_args += ["-vlanID", str(hybrid.vlan)]
    lines = [f"$vnet = New-AksHciClusterNetwork {_ps(network_args)}"]
    cluster_args = ["-name", cluster, "-controlPlaneNodeCount", str(hybrid.nodes.control_plane), "-nodeCount", str(hybrid.nodes.workers),
                    "-primaryNetworkPlugin", hybrid.network_model]
    if lb.type == "metallb":
        lines.append(f"$lb = New-AksHciLoadBalancerSetting {_ps(['-name', 'metallb', '-loadBalancerSku', 'none'])}")
        lines.append(f"New-AksHciCluster {_ps(cluster_args)} -vnet $vnet -loadBalancerSettings $lb")
    else:
        lines.append(f"New-AksHciCluster {_ps(cluster_args)} -vnet $vnet")
    lines.append(f"Enable-AksHciArcConnection {_ps(['-name', cluster, '-resourceGroup', resource_group, '-location', location])}")
    return "\n".join(lines)


def _ps(args: list[str]) -> str:
    """PowerShell arguments: parameter names bare, values single-quoted where they need it."""
    return " ".join(a if a.startswith("-") or all(c.isalnum() or c in ".-/,:" for c in a) else "'" + a.replace("'", "''") + "'" for a in args)
