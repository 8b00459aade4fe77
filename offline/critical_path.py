"""How long a cold `pulumi up` waits: the longest chain of the recorded dependency graph, in minutes.

Two figures:
- `longest`: the critical path through every dependency the program records (data flow, explicit
  `depends_on`, and waiting on a component, which means waiting on all its children);
- `lower_bound`: the critical path through only the links Azure forces (each cited in FORCED_LINKS or
  FORCED_RULES). A program that makes nothing wait needlessly has longest == lower_bound.
Minutes per resource type are typical provisioning times (TYPICAL_MINUTES, with sources); they make the
ratio meaningful, not the absolute figure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

NET = "azure-native:network:"
AKS = "azure-native:containerservice:"
DNS = "azure-native:dnsresolver:"

# Typical provisioning minutes. Sources: vpn-gateway-howto-site-to-site-resource-manager-portal ("a
# gateway can take 45 minutes or more"), expressroute-howto-add-gateway-portal (up to 45 minutes),
# tutorial-firewall-deploy-portal and quick-create-portal for Bastion (about 10 minutes), AKS quickstarts
# (about 10 minutes for a cluster, ~5 for a node pool); everything else completes within a minute or two.
TYPICAL_MINUTES: dict[str, float] = {
    f"{NET}VirtualNetworkGateway": 45,
    f"{NET}VirtualNetworkGatewayConnection": 3,
    f"{NET}AzureFirewall": 10,
    f"{NET}BastionHost": 10,
    f"{DNS}DnsResolver": 2,
    f"{DNS}InboundEndpoint": 2,
    f"{DNS}OutboundEndpoint": 2,
    f"{NET}FirewallPolicy": 1,
    f"{NET}FirewallPolicyRuleCollectionGroup": 2,
    f"{AKS}ManagedCluster": 10,
    f"{AKS}AgentPool": 5,
    "azure-native:hybridcontainerservice:ProvisionedClusterInstance": 20,
    "azure-native:kubernetes:ConnectedCluster": 5,
}
DEFAULT_AZURE_MINUTES = 0.25
DEFAULT_OTHER_MINUTES = 0.05  # Kubernetes objects, providers, random values

# (dependent type, dependency type) links Azure forces when the program records them, each with its reason.
FORCED_LINKS: dict[tuple[str, str], str] = {
    (f"{NET}Subnet", f"{NET}VirtualNetwork"): "a subnet is created inside its VNet",
    (f"{NET}Subnet", f"{NET}NetworkSecurityGroup"): "a subnet references its NSG",
    (f"{NET}Subnet", f"{NET}RouteTable"): "a subnet references its route table",
    (f"{NET}VirtualNetworkPeering", f"{NET}VirtualNetwork"): "a peering joins two existing VNets",
    (f"{NET}VirtualNetworkPeering", f"{NET}VirtualNetworkPeering"):
        "useRemoteGateways is refused until the remote side allows gateway transit (virtual-network-peering-overview)",
    (f"{NET}VirtualNetworkPeering", f"{NET}VirtualNetworkGateway"):
        "gateway transit fails with RemoteVnetHasNoGateways until the hub gateway exists (virtual-network-peering-overview)",
    (f"{NET}VirtualNetworkGateway", f"{NET}PublicIPAddress"): "a gateway IP configuration references its public IP",
    (f"{NET}VirtualNetworkGateway", f"{NET}Subnet"): "a gateway lives in GatewaySubnet",
    (f"{NET}VirtualNetworkGatewayConnection", f"{NET}VirtualNetworkGateway"): "a connection belongs to its gateway",
    (f"{NET}VirtualNetworkGatewayConnection", f"{NET}LocalNetworkGateway"): "a VPN connection references the site's local network gateway",
    (f"{NET}AzureFirewall", f"{NET}Subnet"): "a firewall lives in AzureFirewallSubnet",
    (f"{NET}AzureFirewall", f"{NET}PublicIPAddress"): "a firewall IP configuration references its public IP",
    (f"{NET}AzureFirewall", f"{NET}FirewallPolicy"): "a firewall references its policy",
    (f"{NET}AzureFirewall", f"{NET}FirewallPolicyRuleCollectionGroup"): "the firewall enforces the policy's rules",
    (f"{NET}FirewallPolicyRuleCollectionGroup", f"{NET}FirewallPolicy"): "a rule collection group belongs to its policy",
    (f"{NET}FirewallPolicyRuleCollectionGroup", f"{NET}FirewallPolicyRuleCollectionGroup"):
        "a firewall policy takes one rule collection group change at a time",
    (f"{NET}BastionHost", f"{NET}Subnet"): "Bastion lives in AzureBastionSubnet",
    (f"{NET}BastionHost", f"{NET}PublicIPAddress"): "Bastion references its public IP",
    (f"{DNS}DnsResolver", f"{NET}VirtualNetwork"): "a resolver belongs to a VNet",
    (f"{DNS}InboundEndpoint", f"{DNS}DnsResolver"): "an endpoint belongs to its resolver",
    (f"{DNS}OutboundEndpoint", f"{DNS}DnsResolver"): "an endpoint belongs to its resolver",
    (f"{DNS}InboundEndpoint", f"{NET}Subnet"): "an endpoint lives in its delegated subnet",
    (f"{DNS}OutboundEndpoint", f"{NET}Subnet"): "an endpoint lives in its delegated subnet",
    (f"{DNS}DnsForwardingRuleset", f"{DNS}OutboundEndpoint"): "a ruleset sends queries out through the outbound endpoint",
    (f"{DNS}ForwardingRule", f"{DNS}DnsForwardingRuleset"): "a rule belongs to its ruleset",
    (f"{DNS}PrivateResolverVirtualNetworkLink", f"{DNS}DnsForwardingRuleset"): "a link belongs to its ruleset",
    (f"{DNS}PrivateResolverVirtualNetworkLink", f"{NET}VirtualNetwork"): "a link joins an existing VNet",
    ("azure-native:privatedns:VirtualNetworkLink", "azure-native:privatedns:PrivateZone"): "a zone link belongs to its zone",
    ("azure-native:privatedns:VirtualNetworkLink", f"{NET}VirtualNetwork"): "a zone link joins an existing VNet",
    (f"{AKS}ManagedCluster", f"{NET}Subnet"): "nodes join the node subnet",
    (f"{AKS}ManagedCluster", f"{NET}RouteTable"): "with userDefinedRouting the route table must exist first (egress-udr)",
    (f"{AKS}ManagedCluster", "azure-native:managedidentity:UserAssignedIdentity"): "the cluster runs as its identity",
    (f"{AKS}ManagedCluster", "azure-native:authorization:RoleAssignment"):
        "the identity needs Network Contributor before the cluster uses the subnet (internal-lb, egress-udr)",
    (f"{AKS}ManagedCluster", "azure-native:privatedns:PrivateZone"): "a bring-your-own private DNS zone must exist (private-clusters)",
    (f"{AKS}AgentPool", f"{AKS}ManagedCluster"): "a node pool belongs to its cluster",
    (f"{AKS}AgentPool", f"{NET}Subnet"): "nodes join their subnet",
    ("azure-native:authorization:RoleAssignment", "azure-native:managedidentity:UserAssignedIdentity"): "the principal must exist",
    ("azure-native:authorization:RoleAssignment", f"{NET}Subnet"): "the scope must exist",
    ("azure-native:authorization:RoleAssignment", f"{NET}RouteTable"): "the scope must exist",
    ("azure-native:authorization:RoleAssignment", "azure-native:privatedns:PrivateZone"): "the scope must exist",
    ("pulumi:providers:kubernetes", f"{AKS}ManagedCluster"): "the API server must exist to talk to it",
    ("pulumi:providers:kubernetes", "azure-native:authorization:RoleAssignment"):
        "with Azure RBAC the deployer needs its Kubernetes role before it creates objects",
    ("azure-native:authorization:RoleAssignment", f"{AKS}ManagedCluster"): "the scope must exist",
    # AKS Arc (aks-create-clusters-arm, deploy-load-balancer-cli): the provisioned cluster instance is an extension
    # resource of the connected cluster; the Arc networking extension installs into the running cluster; MetalLB's
    # load balancer and BGP peers are served by that extension; a load balancer names its BGP peers.
    ("azure-native:resources:Deployment", "azure-native:kubernetes:ConnectedCluster"):
        "provisionedClusterInstances/default is created on the connected cluster",
    ("azure-native:kubernetesconfiguration:Extension", "azure-native:resources:Deployment"):
        "an Arc extension installs into the running cluster (the provisioned cluster instance)",
    ("azure-native:kubernetesruntime:BgpPeer", "azure-native:kubernetesconfiguration:Extension"):
        "MetalLB's BGP peers are served by the microsoft.arcnetworking extension",
    ("azure-native:kubernetesruntime:LoadBalancer", "azure-native:kubernetesconfiguration:Extension"):
        "MetalLB's load balancers are served by the microsoft.arcnetworking extension",
    ("azure-native:kubernetesruntime:LoadBalancer", "azure-native:kubernetesruntime:BgpPeer"): "a load balancer names its BGP peers",
}
FORCED_ANY_DEPENDENCY = {"azure-native:resources:ResourceGroup": "every resource lives in a resource group"}
# Kubernetes objects need their provider, i.e. a reachable cluster.
FORCED_PREFIX_LINKS = {("kubernetes:", "pulumi:providers:kubernetes"): "objects are created through the cluster's API server"}


class Registration(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def urn(self) -> str: ...
    @property
    def parent(self) -> str | None: ...
    @property
    def dependencies(self) -> list[str]: ...
    @property
    def inputs(self) -> Mapping[str, Any]: ...
    @property
    def custom(self) -> bool: ...


@dataclass(frozen=True)
class Link:
    urn: str
    type: str
    name: str
    minutes: float
    reason: str  # why it waits for the previous link ("" for the first)


@dataclass
class CriticalPath:
    minutes: float
    chain: list[Link]


@dataclass
class Estimate:
    longest: CriticalPath
    lower_bound: CriticalPath
    ratio: float
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        def path(p: CriticalPath) -> dict[str, Any]:
            return {"minutes": round(p.minutes, 2),
                    "chain": [{"type": l.type, "name": l.name, "minutes": l.minutes, "waits_because": l.reason} for l in p.chain]}
        return {"longest": path(self.longest), "lower_bound": path(self.lower_bound), "ratio": round(self.ratio, 3)}

    def render(self) -> str:
        lines = [f"critical path: {self.longest.minutes:.1f} min; lower bound Azure forces: "
                 f"{self.lower_bound.minutes:.1f} min; ratio {self.ratio:.2f}"]
        for title, p in (("longest chain", self.longest), ("forced chain", self.lower_bound)):
            lines.append(f"  {title}:")
            for link in p.chain:
                why = f"  <- {link.reason}" if link.reason else ""
                lines.append(f"    {link.minutes:5.2f} min  {link.type}  {link.name}{why}")
        return "\n".join(lines)


def minutes_of(registration: Registration) -> float:
    if not registration.custom:
        return 0.0
    typical = TYPICAL_MINUTES.get(registration.type)
    if typical is not None:
        return typical
    if registration.type == "azure-native:resources:Deployment" and "provisionedClusterInstances" in str(registration.inputs):
        return TYPICAL_MINUTES["azure-native:hybridcontainerservice:ProvisionedClusterInstance"]  # the ARM deployment carrying it
    return DEFAULT_AZURE_MINUTES if registration.type.startswith("azure-native:") else DEFAULT_OTHER_MINUTES


def _custom_descendants(registrations: Iterable[Registration]) -> dict[str, list[str]]:
    """Waiting on a component means waiting on every custom resource below it."""
    children: dict[str, list[Registration]] = {}
    for r in registrations:
        if r.parent:
            children.setdefault(r.parent, []).append(r)

    memo: dict[str, list[str]] = {}

    def below(urn: str) -> list[str]:
        if urn not in memo:
            out: list[str] = []
            for child in children.get(urn, []):
                out.extend([child.urn] if child.custom else below(child.urn))
            memo[urn] = out
        return memo[urn]

    return {urn: below(urn) for urn in children}


def _forced_reason(dependent: Registration, dependency: Registration) -> str | None:
    if (dependent.type, dependency.type) in FORCED_LINKS:
        return FORCED_LINKS[(dependent.type, dependency.type)]
    if dependency.type in FORCED_ANY_DEPENDENCY:
        return FORCED_ANY_DEPENDENCY[dependency.type]
    for (prefix, dependency_type), reason in FORCED_PREFIX_LINKS.items():
        if dependent.type.startswith(prefix) and dependency.type == dependency_type:
            return reason
    return None


def _implied_links(by_urn: Mapping[str, Registration]) -> list[tuple[str, str, str]]:
    """Links Azure forces whether or not the program records them (dependent, dependency, reason)."""
    regs = list(by_urn.values())
    udr_clusters = [r for r in regs if r.type == f"{AKS}ManagedCluster"
                    and (r.inputs.get("networkProfile") or {}).get("outboundType") == "userDefinedRouting"]
    firewalls = [r for r in regs if r.type == f"{NET}AzureFirewall"]
    links = [(c.urn, f.urn, "with userDefinedRouting, nodes need the firewall for egress while they provision (egress-udr)")
             for c in udr_clusters for f in firewalls]
    # The hub firewall is reached through the spoke's peerings: they must be connected before the nodes boot.
    subnet_parent = {r.id.lower(): r.parent for r in regs if r.type == f"{NET}Subnet" and r.id}
    peerings_by_parent: dict[str | None, list[Registration]] = {}
    for r in regs:
        if r.type == f"{NET}VirtualNetworkPeering":
            peerings_by_parent.setdefault(r.parent, []).append(r)
    for cluster in udr_clusters:
        spokes = {subnet_parent.get(str(pool.get("vnetSubnetID", "")).lower()) for pool in cluster.inputs.get("agentPoolProfiles") or []}
        for spoke in spokes - {None}:
            links += [(cluster.urn, p.urn, "egress to the hub firewall needs the spoke's peerings connected (egress-udr)")
                      for p in peerings_by_parent.get(spoke, [])]
    return links


def estimate(registrations: Iterable[Registration]) -> Estimate:
    regs = list(registrations)
    by_urn = {r.urn: r for r in regs}
    expand = _custom_descendants(regs)
    all_edges: dict[str, dict[str, str]] = {}
    forced_edges: dict[str, dict[str, str]] = {}
    for r in regs:
        if not r.custom:
            continue
        for dep in r.dependencies:
            for target in ([dep] if dep in by_urn and by_urn[dep].custom else expand.get(dep, [])):
                if target == r.urn or target not in by_urn:
                    continue
                reason = _forced_reason(r, by_urn[target])
                all_edges.setdefault(r.urn, {})[target] = reason or "recorded dependency"
                if reason:
                    forced_edges.setdefault(r.urn, {})[target] = reason
    for dependent, dependency, reason in _implied_links(by_urn):
        forced_edges.setdefault(dependent, {})[dependency] = reason
        recorded = all_edges.setdefault(dependent, {})
        if recorded.get(dependency) in (None, "recorded dependency"):
            recorded[dependency] = reason
    customs = [r for r in regs if r.custom]
    longest = _longest(customs, all_edges, by_urn)
    lower = _longest(customs, forced_edges, by_urn)
    ratio = longest.minutes / lower.minutes if lower.minutes else 1.0
    return Estimate(longest, lower, ratio)


def _longest(nodes: list[Registration], edges: Mapping[str, Mapping[str, str]], by_urn: Mapping[str, Registration]) -> CriticalPath:
    """Longest weighted path in the DAG by memoised depth-first search (linear in nodes + edges)."""
    finish: dict[str, float] = {}
    best_dep: dict[str, str | None] = {}
    for start in nodes:
        stack: list[tuple[str, bool]] = [(start.urn, False)]
        while stack:
            urn, expanded = stack.pop()
            if urn in finish:
                continue
            deps = edges.get(urn, {})
            if not expanded:
                stack.append((urn, True))
                stack.extend((d, False) for d in deps if d not in finish)
                continue
            prior, choice = 0.0, None
            for dep in deps:
                if finish.get(dep, 0.0) > prior:
                    prior, choice = finish[dep], dep
            finish[urn] = prior + minutes_of(by_urn[urn])
            best_dep[urn] = choice
    if not finish:
        return CriticalPath(0.0, [])
    end = max(finish, key=lambda u: (finish[u], u))
    chain: list[Link] = []
    current: str | None = end
    while current is not None:
        r = by_urn[current]
        previous = best_dep.get(current)
        chain.append(Link(current, r.type, r.name, minutes_of(r), edges.get(current, {}).get(previous, "") if previous else ""))
        current = previous
    chain.reverse()
    return CriticalPath(finish[end], chain)
