"""AKS hybrid (AKS enabled by Azure Arc) at an on-prem site: its config and address-plan rules.

Sources (Microsoft Learn): aks-hci-network-system-requirements (static IPs only on Azure Local, one IP per
node VM, gateway inside the prefix, control-plane IP in the subnet but outside the IP pool),
deploy-load-balancer-portal (MetalLB ranges must not collide with logical-network pools or control-plane
IPs), the older AKS-HCI networking concepts (DHCP with the VIP pool excluded from the scope; HAProxy
takes the control-plane VIP from the VIP pool), and the AKS hybrid networking concepts (Calico or Flannel, fixed once created).
"""

from __future__ import annotations

from typing import Annotated, Literal

from dataclasses import dataclass

from netaddr import IPAddress, IPNetwork
from pydantic import Field

from config.model import Asn, Cidr, CustomLocationId, Ip, Model
from config.problems import Problem, key_of
from config.rules import known


@dataclass(frozen=True)
class Span:
    """An address range as integers; unlike netaddr.IPRange it can hold a backwards range, to report it."""

    first: int
    last: int
    text: str

    def __contains__(self, address: IPAddress) -> bool:
        return self.first <= int(address) <= self.last

    def __str__(self) -> str:
        return self.text


class AddressRange(Model):
    start: Ip
    """First address of the range."""
    end: Ip
    """Last address of the range."""

    @property
    def range(self) -> Span:
        return Span(int(IPAddress(self.start)), int(IPAddress(self.end)), f"{self.start}-{self.end}")


class HybridBgpPeer(Model):
    address: Ip
    """Address of the router MetalLB peers with."""
    asn: Asn
    """The router's ASN."""


_GUID = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
_SSH_PUBLIC_KEY = r"^(ssh-rsa|ssh-ed25519|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/]+={0,3}( [^\n]*)?$"
# AKS Arc's service range: the provisioned cluster API has no field for it (networkProfile holds podCidr, networkPolicy
# and loadBalancerProfile only: Learn, Microsoft.HybridContainerService provisionedClusterInstances template
# reference), so every AKS Arc cluster on Azure Local serves Kubernetes services from 10.96.0.0/12 (Learn
# aks-hci-ip-address-planning; Azure Local's environment validator checks proxies against "Service CIDR Subnet
# 10.96.0.0/12", Azure/AzureLocal-Supportability TSG Troubleshoot-Network-Test-AKS-ProxyServer-Cidr-Overlap).
AKS_ARC_SERVICE_CIDR = "10.96.0.0/12"


class HybridLoadBalancer(Model):
    type: Literal["metallb", "haproxy"] = "metallb"
    """metallb: the Arc MetalLB extension; haproxy: the built-in HAProxy + keepalived VM of the older AKS-HCI."""
    ranges: list[AddressRange] = Field(min_length=1)
    """Addresses for load-balanced services (and, with haproxy, the control-plane VIP)."""
    advertise_mode: Literal["ARP", "BGP", "Both"] = "ARP"
    """How MetalLB announces the addresses."""
    asn: Asn | None = None
    """MetalLB's own ASN, with BGP."""
    bgp_peers: list[HybridBgpPeer] = []
    """Routers MetalLB peers with, with BGP."""
    kubernetes_runtime_object_id: Annotated[str, Field(pattern=_GUID)] | None = None
    """With metallb: object ID, in your tenant, of the service principal of the Kubernetes Runtime app 087fca6e-4606-4d41-b3f6-5ebdf75b8b4c (`az ad sp list --filter "appId eq '087fca6e-4606-4d41-b3f6-5ebdf75b8b4c'" --query "[].id" -o tsv`); the Arc networking extension needs it."""


class HybridNodes(Model):
    control_plane: Literal[1, 3, 5] = 1
    """Control-plane node VMs."""
    workers: Annotated[int, Field(ge=1, le=500)] = 2
    """Worker node VMs at most (all node pools)."""
    max_surge: Annotated[int, Field(ge=0, le=100)] = 1
    """Extra node VMs during an upgrade."""


class AksHybrid(Model):
    platform: Literal["azure-local", "aks-hci"] = "azure-local"
    """azure-local: AKS Arc on Azure Local (static IPs only); aks-hci: the older AKS on Azure Stack HCI."""
    network_model: Literal["calico", "flannel"] = "calico"
    """Overlay network; fixed once the cluster exists."""
    ip_assignment: Literal["static", "dhcp"] = "static"
    """Node IPs from the static nodePool, or DHCP (aks-hci only)."""
    custom_location_id: CustomLocationId
    """Resource ID of the Azure Local custom location the logical network and cluster live in."""
    vm_switch_name: str = "ConvergedSwitch(compute_management)"
    """The Hyper-V switch the logical network uses."""
    subnet: Cidr
    """The site subnet the node VMs live in (inside the site's addressPrefixes)."""
    gateway: Ip
    """Default gateway of the subnet."""
    dns_servers: list[Ip] = Field(min_length=1)
    """DNS servers for the node VMs."""
    vlan: Annotated[int, Field(ge=0, le=4094)] | None = None
    """VLAN ID of the subnet."""
    node_pool: AddressRange | None = None
    """Static IP pool for node VMs (required with static assignment)."""
    dhcp_scope: AddressRange | None = None
    """The DHCP server's scope for node VMs (required with DHCP)."""
    control_plane_ip: Ip
    """API server endpoint: in the subnet, outside the node pool (inside the VIP range with haproxy)."""
    load_balancer: HybridLoadBalancer
    """Addresses for load-balanced services."""
    nodes: HybridNodes = HybridNodes()
    """Node counts the pools must cover."""
    services: Annotated[int, Field(ge=0)] = 0
    """Load-balanced services planned on the cluster."""
    pod_cidr: Cidr = "10.244.0.0/16"
    """Overlay pod range: clear of everything the pods reach."""
    service_cidr: Cidr = AKS_ARC_SERVICE_CIDR
    """Overlay service range, clear of everything the pods reach. AKS Arc on Azure Local takes none (its API has no field): it is 10.96.0.0/12 there, and the plan checks that range."""
    ssh_public_key: Annotated[str, Field(pattern=_SSH_PUBLIC_KEY)] | None = None
    """OpenSSH public key of the node VMs (azure-local: required; the provisioned cluster's linuxProfile)."""
    cluster_ready: bool = False
    """aks-hci only: set once the exported PowerShell has built the cluster and connected it to Arc: adds the Arc networking extension, MetalLB and its BGP peers. On azure-local the program builds the cluster and adds them in the same run."""


def _size(r: Span) -> int:
    return max(0, r.last - r.first + 1)


def _overlap(a: Span, b: Span) -> bool:
    return a.first <= b.last and b.first <= a.last


def check_site(i: int, site_prefixes: list[str], hybrid: AksHybrid) -> list[Problem]:
    """The rules inside one site; its pod and service CIDRs join the stack-wide overlap sweep in plan.py."""
    out: list[Problem] = []
    base = ("sites", i, "aksHybrid")

    def add(rule: str, path: tuple[str | int, ...], message: str, fix: str) -> None:
        out.append(Problem(key_of(*base, *path), message, fix, rule=known(rule)))

    subnet = IPNetwork(hybrid.subnet)
    if not any(subnet in IPNetwork(p) for p in site_prefixes):
        add("hybrid-subnet-in-site", ("subnet",), f"{subnet} is not inside the site's addressPrefixes ({', '.join(site_prefixes)})",
            "use a subnet of the site's prefixes, or declare its prefix on the site")
    gateway = IPAddress(hybrid.gateway)
    if gateway not in subnet:
        add("hybrid-gateway-in-subnet", ("gateway",), f"{gateway} is outside subnet {subnet}", "the gateway must lie inside the subnet (aks-hci-network-system-requirements)")
    control_plane = IPAddress(hybrid.control_plane_ip)
    if control_plane not in subnet:
        add("hybrid-control-plane-in-subnet", ("controlPlaneIp",), f"{control_plane} is outside subnet {subnet}", "pick an address inside the subnet")
    lb_ranges = [r.range for r in hybrid.load_balancer.ranges]
    for j, r in enumerate(lb_ranges):
        if r.first > r.last:
            add("hybrid-range-order", ("loadBalancer", "ranges", j), f"starts after it ends ({r})", "swap start and end")
        elif not (r.first >= subnet.first and r.last <= subnet.last):
            add("hybrid-lb-range-in-subnet", ("loadBalancer", "ranges", j), f"{r} is not inside subnet {subnet}", "take load-balancer addresses from the subnet")
    for j, a in enumerate(lb_ranges):
        for k in range(j + 1, len(lb_ranges)):
            if _overlap(a, lb_ranges[k]):
                add("hybrid-lb-ranges-disjoint", ("loadBalancer", "ranges", k), f"{lb_ranges[k]} overlaps {a} (loadBalancer.ranges[{j}])", "make the ranges disjoint")

    nodes_needed = hybrid.nodes.control_plane + hybrid.nodes.workers + hybrid.nodes.max_surge
    pool_key: tuple[str, ...] = ("nodePool",)
    pool = hybrid.node_pool.range if hybrid.node_pool else None
    if hybrid.ip_assignment == "dhcp":
        if hybrid.platform == "azure-local":
            add("hybrid-dhcp-only-aks-hci", ("ipAssignment",), "is dhcp, but AKS Arc on Azure Local takes node IPs only from a static logical network",
                "use static with a nodePool (aks-hci-network-system-requirements), or platform: aks-hci")
        if hybrid.dhcp_scope is None:
            add("hybrid-dhcp-scope-required", ("dhcpScope",), "is required with DHCP: the VIP and control-plane addresses must be excluded from it",
                "give the DHCP server's scope for the node VMs")
        pool, pool_key = (hybrid.dhcp_scope.range if hybrid.dhcp_scope else None), ("dhcpScope",)
    elif hybrid.node_pool is None:
        add("hybrid-node-pool-required", ("nodePool",), "is required with static IP assignment", "give the start and end of the node VMs' IP pool")

    if pool is not None:
        if pool.first > pool.last:
            add("hybrid-range-order", pool_key, f"starts after it ends ({pool})", "swap start and end")
        elif not (pool.first >= subnet.first and pool.last <= subnet.last):
            add("hybrid-node-pool-in-subnet", pool_key, f"{pool} is not inside subnet {subnet}", "take the pool from the subnet")
        if _size(pool) < nodes_needed:
            add("hybrid-node-pool-size", pool_key, f"{pool} holds {_size(pool)} addresses, but up to {nodes_needed} node VMs can exist "
                f"({hybrid.nodes.control_plane} control plane + {hybrid.nodes.workers} workers + {hybrid.nodes.max_surge} upgrade surge)",
                f"widen it to at least {nodes_needed} addresses (one per node VM: aks-hci-network-system-requirements)")
        for j, r in enumerate(lb_ranges):
            if _overlap(pool, r):
                add("hybrid-lb-outside-node-pool", ("loadBalancer", "ranges", j), f"{r} overlaps the node pool {pool} ({key_of(*base, *pool_key)})",
                    "keep load-balancer addresses out of the node pool (deploy-load-balancer-portal)")
        if control_plane in pool:
            add("hybrid-control-plane-outside-node-pool", ("controlPlaneIp",), f"{control_plane} is inside the node pool {pool}",
                "pick an address in the subnet but outside the pool (aks-hci-network-system-requirements)")
        if gateway in pool:
            add("hybrid-gateway-outside-pools", ("gateway",), f"{gateway} is inside the node pool {pool}", "exclude the gateway from the pool")
        for j, server in enumerate(hybrid.dns_servers):
            if IPAddress(server) in pool:
                add("hybrid-dns-outside-pools", ("dnsServers", j), f"{server} is inside the node pool {pool}", "exclude DNS servers from the pool")

    if hybrid.platform == "azure-local" and hybrid.load_balancer.type == "haproxy":
        add("hybrid-metallb-on-azure-local", ("loadBalancer", "type"), "is haproxy, but AKS Arc on Azure Local balances services with MetalLB (the Arc extension) or your own",
            "use metallb, or platform: aks-hci (aks-hci-network-system-requirements)")
    if hybrid.platform == "azure-local" and hybrid.network_model != "calico":
        add("hybrid-calico-on-azure-local", ("networkModel",), f"is {hybrid.network_model}, but AKS Arc on Azure Local runs Calico only",
            "use calico, or platform: aks-hci")
    for what, address in (("the gateway", gateway), *((f"DNS server {server}", IPAddress(server)) for server in hybrid.dns_servers)):
        if control_plane == address:
            add("hybrid-control-plane-own-address", ("controlPlaneIp",), f"{control_plane} is {what}", "give the API server an address of its own")
    # The subnet's network and broadcast addresses are never a host's.
    unusable = (subnet.network, subnet.broadcast)
    spans: list[tuple[tuple[str | int, ...], Span | None]] = [(pool_key, pool), *((("loadBalancer", "ranges", j), span) for j, span in enumerate(lb_ranges))]
    for path, span in spans:
        if span is not None and any(address is not None and address in span for address in unusable):
            add("hybrid-pools-host-addresses", path, f"{span} includes the network or broadcast address of {subnet}", "start after the first and end before the last address")
    in_lb = any(control_plane in r for r in lb_ranges)
    if hybrid.platform == "aks-hci" and hybrid.load_balancer.type == "haproxy" and len(lb_ranges) > 1:
        add("hybrid-one-vip-pool", ("loadBalancer", "ranges"), f"hold {len(lb_ranges)} ranges, but AKS-HCI takes one VIP pool (vipPoolStart/vipPoolEnd)",
            "merge them into one contiguous range (new-akshciclusternetwork)")
    if hybrid.load_balancer.type == "haproxy":
        need = hybrid.services + 1
        if not in_lb:
            add("hybrid-haproxy-control-plane-in-vips", ("controlPlaneIp",), f"{control_plane} is outside the VIP ranges; with haproxy the control-plane VIP comes from them",
                "pick it inside loadBalancer.ranges")
    else:
        need = hybrid.services
        if in_lb:
            add("hybrid-metallb-control-plane-outside-ranges", ("controlPlaneIp",), f"{control_plane} lies in a load-balancer range; MetalLB could hand it to a service",
                "keep the control-plane IP out of loadBalancer.ranges (deploy-load-balancer-portal)")
    have = sum(_size(r) for r in lb_ranges if r.first <= r.last)
    if have < need:
        add("hybrid-lb-capacity", ("loadBalancer", "ranges"), f"hold {have} addresses, but {need} are needed "
            f"({hybrid.services} services{' + the control-plane VIP' if hybrid.load_balancer.type == 'haproxy' else ''})",
            "widen the ranges or plan fewer services")
    for j, r in enumerate(lb_ranges):
        if gateway in r:
            add("hybrid-gateway-outside-pools", ("gateway",), f"{gateway} is inside load-balancer range {r}", "exclude the gateway from the range")
        for k, server in enumerate(hybrid.dns_servers):
            if IPAddress(server) in r:
                add("hybrid-dns-outside-pools", ("dnsServers", k), f"{server} is inside load-balancer range {r}", "exclude DNS servers from the range")
    if hybrid.platform == "azure-local":
        if hybrid.service_cidr != AKS_ARC_SERVICE_CIDR:
            add("hybrid-arc-service-cidr", ("serviceCidr",), f"is {hybrid.service_cidr}, but AKS Arc on Azure Local takes no service CIDR: its services use "
                f"{AKS_ARC_SERVICE_CIDR}", f"set it to {AKS_ARC_SERVICE_CIDR} (or leave it out), so the plan checks the range the cluster uses")
        if hybrid.ssh_public_key is None:
            add("hybrid-ssh-key-on-azure-local", ("sshPublicKey",), "is required on azure-local: the provisioned cluster's node VMs take it (linuxProfile)",
                "give an OpenSSH public key (ssh-ed25519 ... or ssh-rsa ...)")
        if hybrid.cluster_ready:
            add("hybrid-cluster-ready-aks-hci-only", ("clusterReady",), "applies to aks-hci only; on azure-local the program builds the cluster and MetalLB in one run",
                "leave it out")
    lb = hybrid.load_balancer
    if lb.type == "metallb" and lb.kubernetes_runtime_object_id is None:
        add("hybrid-metallb-runtime-object-id", ("loadBalancer", "kubernetesRuntimeObjectId"), "is required with metallb: the Arc networking extension takes it "
            "(k8sRuntimeFpaObjectId, deploy-load-balancer-cli)",
            "az ad sp list --filter \"appId eq '087fca6e-4606-4d41-b3f6-5ebdf75b8b4c'\" --query \"[].id\" -o tsv")
    if lb.type == "metallb" and lb.advertise_mode != "ARP":
        if lb.asn is None or not lb.bgp_peers:
            add("hybrid-bgp-needs-peers", ("loadBalancer",), f"advertiseMode {lb.advertise_mode} needs asn and bgpPeers", "add MetalLB's ASN and its peers, or use ARP")
    elif lb.bgp_peers and lb.advertise_mode == "ARP":
        add("hybrid-peers-need-bgp", ("loadBalancer", "bgpPeers"), "are set but advertiseMode is ARP", "set advertiseMode: BGP (or Both), or drop the peers")
    return out
