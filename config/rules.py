"""Every address-plan, site, naming, limit and value rule, by a stable id, with one line of what it says and its source.

Each check that reports a Problem names its rule (`Problem.rule`); tests/test_rules.py fails when a rule here is never
triggered by a bad case that asserts its key and message, and `python -m config.rules` writes the list into README.md
between the markers (a test keeps the two in step). Sources are Microsoft Learn page names unless said otherwise;
"hybrid-aks" marks a rule of this program's own design (README names the section).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from config.readme import replace_block

START, END = "<!-- rules:start -->", "<!-- rules:end -->"
README = Path(__file__).resolve().parent.parent / "README.md"


@dataclass(frozen=True)
class Rule:
    id: str  # kebab-case, stable: tests and the README name it
    section: str
    statement: str
    source: str


_SECTIONS: dict[str, list[tuple[str, str, str]]] = {
    "Address plan": [
        ("routed-ranges-disjoint", "VNet address spaces and on-prem prefixes are pairwise disjoint; an overlap's fix names a free "
         "range of the same size.", "virtual-network-peering-overview"),
        ("cluster-ranges-disjoint", "An AKS service or pod CIDR (cloud or AKS hybrid) overlaps nothing its pods reach; two "
         "clusters may reuse one.", "concepts-network-cni-overview"),
        ("vnet-forbidden-ranges", "No VNet, service or pod CIDR touches 224.0.0.0/4, 255.255.255.255/32, 127.0.0.0/8, "
         "169.254.0.0/16 or (VNets) 168.63.129.16/32.", "virtual-networks-faq"),
        ("aks-reserved-ranges", "An AKS VNet, service CIDR or pod CIDR avoids 169.254.0.0/16, 172.30.0.0/16, 172.31.0.0/16 and "
         "192.0.2.0/24.", "concepts-network-cni-overview"),
        ("subnet-inside-vnet", "A subnet lies inside its VNet's address space.", "virtual-network-manage-subnet"),
        ("subnets-disjoint", "The subnets of a VNet are disjoint.", "virtual-network-manage-subnet"),
        ("subnet-min-size-29", "A subnet is /29 or larger.", "virtual-networks-faq"),
        ("vnet-names-unique", "Hub and spokes have distinct names.", "hybrid-aks: resource names"),
        ("site-names-unique", "Sites have distinct names.", "hybrid-aks: resource names"),
    ],
    "Special subnets": [
        ("special-subnet-exact-name", "GatewaySubnet, AzureFirewallSubnet, AzureFirewallManagementSubnet, AzureBastionSubnet and "
         "RouteServerSubnet are spelled exactly.", "virtual-network-manage-subnet"),
        ("special-subnet-hub-only", "No spoke holds a special subnet: gateways, firewall and Bastion live in the hub.",
         "hub-spoke-network-topology"),
        ("special-subnet-min-size", "GatewaySubnet /29 or larger, AzureFirewallSubnet and AzureFirewallManagementSubnet /26, "
         "AzureBastionSubnet /26, RouteServerSubnet /27.",
         "vpn-gateway-about-vpn-gateway-settings, firewall-faq, forced-tunneling, bastion-faq, route-server-faq"),
        ("gateway-subnet-coexist-27", "GatewaySubnet is /27 or larger when VPN and ExpressRoute gateways coexist.",
         "expressroute-howto-coexist-resource-manager"),
        ("gateway-subnet-required", "A VPN or ExpressRoute gateway needs GatewaySubnet in the hub.",
         "vpn-gateway-about-vpn-gateway-settings"),
        ("firewall-subnet-required", "Azure Firewall needs AzureFirewallSubnet in the hub.", "firewall-faq"),
        ("firewall-management-subnet-required", "Forced tunneling needs AzureFirewallManagementSubnet in the hub.", "forced-tunneling"),
        ("bastion-subnet-required", "Azure Bastion needs AzureBastionSubnet in the hub.", "bastion-faq"),
        ("resolver-subnet-exists", "Each DNS resolver endpoint names a hub subnet.", "dns-private-resolver-overview"),
        ("resolver-subnet-not-special", "A resolver endpoint never sits in a special subnet.", "dns-private-resolver-overview"),
        ("resolver-subnet-size", "A resolver endpoint's subnet is /28 to /24.", "dns-private-resolver-overview"),
        ("resolver-endpoints-separate", "The inbound and outbound endpoints have a delegated subnet each.",
         "dns-private-resolver-overview"),
        ("private-endpoint-subnet-exists", "A private-endpoint subnet is a subnet of its spoke.", "private-endpoint-overview"),
        ("private-endpoint-subnet-not-nodes", "Private endpoints never share a subnet with AKS nodes.", "private-clusters"),
    ],
    "Hub features and routing": [
        ("firewall-premium-features", "IDPS and TLS inspection need the firewall's Premium tier.", "premium-features"),
        ("firewall-dns-proxy-upstream", "The firewall's DNS proxy has hub.dnsServers or the hub resolver to forward to.",
         "dns-settings"),
        ("hub-dns-servers-reachable", "hub.dnsServers lie in a VNet or an on-prem prefix of the stack.", "virtual-networks-name-resolution-for-vms-and-role-instances"),
        ("forced-tunneling-default-route", "Forced tunneling follows a default route Azure honours: 0.0.0.0/0 over BGP from a "
         "site, or a VPN-only hub's default site.", "forced-tunneling, vpn-gateway-forced-tunneling-rm"),
        ("bastion-no-default-route", "Bastion is not in a hub that learns a default route from on-prem or has a VPN default site.",
         "bastion-faq"),
        ("default-site-is-vpn-site", "gateways.vpn.defaultSite names a site with a VPN connection.", "vpn-gateway-forced-tunneling-rm"),
        ("default-site-not-with-expressroute", "No VPN default site while an ExpressRoute gateway coexists (a route to "
         "VirtualNetworkGateway is refused).", "virtual-networks-udr-overview"),
        ("default-site-needs-forced-tunneling", "A VPN default site comes with the firewall's forced tunneling.",
         "vpn-gateway-forced-tunneling-rm"),
    ],
    "Gateways and BGP": [
        ("gateway-asn-not-reserved", "The VPN gateway's ASN is 65515 or one Azure and IANA don't reserve.", "vpn-gateway-bgp-overview"),
        ("gateway-asn-65515-coexist", "A VPN gateway coexisting with ExpressRoute keeps ASN 65515.",
         "expressroute-howto-coexist-resource-manager"),
        ("apipa-one-list-per-instance", "Custom APIPA BGP addresses: one list per gateway instance (two when active-active).",
         "vpn-gateway-howto-aws-bgp"),
        ("apipa-range", "A custom APIPA BGP address lies in 169.254.21.0 - 169.254.22.255.", "vpn-gateway-bgp-overview"),
        ("site-asn-not-reserved", "A site's ASN is not one Azure (8074, 8075, 12076, 65515, 65517-65520) or IANA reserves.",
         "vpn-gateway-bgp-overview"),
        ("site-asn-differs-from-gateway", "A site's ASN differs from the Azure gateway's (eBGP).", "vpn-gateway-bgp-overview"),
        ("bgp-apipa-needs-custom-apipa", "An APIPA BGP peer address needs custom APIPA addresses on the gateway.",
         "vpn-gateway-howto-aws-bgp"),
        ("bgp-peer-in-site", "A BGP peer address lies in the site's prefixes or in APIPA space.", "vpn-gateway-bgp-overview"),
    ],
    "Sites": [
        ("site-has-connection", "A site has a VPN or ExpressRoute connection.", "hybrid-aks: Sites"),
        ("site-expressroute-needs-gateway", "An ExpressRoute site needs an ExpressRoute gateway in the hub.",
         "expressroute-about-virtual-network-gateways"),
        ("site-vpn-needs-gateway", "A VPN site needs a VPN gateway in the hub.", "vpn-gateway-about-vpngateways"),
        ("site-vpn-address-or-fqdn", "A VPN site gives exactly one of a gateway address or an FQDN.",
         "vpn-gateway-howto-site-to-site-resource-manager-portal"),
        ("site-vpn-public-address", "A VPN site's gateway address is public.", "vpn-gateway-howto-site-to-site-resource-manager-portal"),
        ("site-dns-in-prefixes", "A site's DNS servers lie inside its prefixes.", "dns-private-resolver-overview"),
        ("default-route-needs-bgp", "A site that advertises 0.0.0.0/0 has ExpressRoute or a BGP VPN.", "vpn-gateway-bgp-overview"),
    ],
    "AKS": [
        ("aks-service-cidr-size", "An AKS service CIDR is smaller than /12.", "concepts-network-cni-overview"),
        ("dns-service-ip-in-service-cidr", "dnsServiceIP lies inside serviceCidr.", "concepts-network-cni-overview"),
        ("dns-service-ip-usable", "dnsServiceIP is not the network, first or broadcast address of serviceCidr.",
         "concepts-network-cni-overview"),
        ("overlay-needs-pod-cidr", "Azure CNI Overlay needs a pod CIDR.", "azure-cni-overlay"),
        ("pod-cidr-only-with-overlay", "A pod CIDR is set only with Azure CNI Overlay.", "azure-cni-overlay"),
        ("cilium-needs-overlay", "Cilium network policy runs on Azure CNI Overlay here.", "azure-cni-powered-by-cilium"),
        ("overlay-pod-cidr-capacity", "An overlay pod CIDR holds a /24 per node the cluster can reach (maxCount + surge).",
         "azure-cni-overlay"),
        ("node-subnet-capacity", "A node subnet holds (maxCount + surge) x (maxPods + 1) addresses per pool (one per node with "
         "overlay) plus its internal load balancers, after Azure's five.", "concepts-network-ip-address-planning"),
        ("max-pods-range", "maxPods is 10..250.", "configure-azure-cni"),
        ("system-pool-max-pods", "The system pool has maxPods 30 or more.", "use-system-pools"),
        ("system-pool-min-one", "The system pool never scales to zero.", "use-system-pools"),
        ("pool-min-not-above-max", "A pool's minCount is at most its maxCount.", "cluster-autoscaler"),
        ("pool-names-unique", "Node pools of a cluster have distinct names.", "create-node-pools"),
        ("pool-subnet-exists", "A pool's subnet (its own or nodeSubnet) is a subnet of the spoke.", "configure-azure-cni"),
        ("pool-subnet-not-special", "AKS nodes never sit in a special subnet.", "configure-azure-cni"),
        ("private-zone-with-custom-dns", "A private cluster whose VNets use custom DNS uses privateDnsZone: hub.", "private-clusters"),
        ("hub-zone-same-region", "An attaching stack's cluster uses the hub zone only in the hub stack's region.", "private-clusters"),
        ("hub-zone-needs-private-cluster", "privateDnsZone: hub only for a private cluster.", "private-clusters"),
        ("entra-id-off-no-rbac", "Without Entra ID, azureRbac and disableLocalAccounts are off.", "manage-azure-rbac"),
        ("public-api-authorized-ranges", "A public API server lists authorizedIpRanges.", "api-server-authorized-ip-ranges"),
        ("authorized-range-not-everything", "No authorized range is 0.0.0.0/0.", "api-server-authorized-ip-ranges"),
        ("authorized-ranges-public-only", "authorizedIpRanges only with a public API server.", "api-server-authorized-ip-ranges"),
        ("critical-addons-needs-user-pool", "A CriticalAddonsOnly system pool comes with a user pool.", "use-system-pools"),
        ("egress-through-firewall-or-accepted", "Without a hub firewall, direct egress is accepted explicitly (allowDirectEgress).",
         "limit-egress-traffic"),
        ("direct-egress-not-with-firewall", "allowDirectEgress is not set when egress goes through the hub firewall.",
         "egress-udr"),
    ],
    "Internal load balancers and external backends": [
        ("service-names-unique", "Internal services have distinct namespace/name pairs.", "kubernetes.io Service"),
        ("service-subnet-exists", "An internal load balancer's subnet is in the cluster's spoke.", "internal-lb"),
        ("service-subnet-not-special", "An internal load balancer never sits in a special subnet.", "internal-lb"),
        ("service-ip-in-subnet", "A static IP lies inside its subnet.", "internal-lb"),
        ("service-ip-not-reserved", "A static IP is not one of Azure's five reserved addresses.", "virtual-networks-faq"),
        ("service-ips-unique", "No two services share a static IP.", "internal-lb"),
        ("backend-name-not-service", "An external backend is not also an internal service.", "kubernetes.io Service"),
        ("backend-one-kind", "An external backend has exactly one of addresses or externalName.", "kubernetes.io Service"),
        ("backend-site-exists", "An external backend's site is a declared site.", "hybrid-aks: External backends"),
        ("backend-needs-ports", "A backend with addresses has at least one port.", "kubernetes.io EndpointSlices"),
        ("backend-address-in-site", "A backend address lies inside a declared on-prem prefix.", "hybrid-aks: External backends"),
    ],
    "Images and flows": [
        ("image-registry-allowed", "Behind a hub firewall every image's registry is one whose layer hosts are known, or is in "
         "hub.firewall.egressFqdns.", "outbound-rules-control-egress"),
        ("flow-end-one-kind", "A flow end is exactly one spoke (optionally one subnet) or one site.", "hybrid-aks: Flows"),
        ("flow-subnet-only-on-spoke", "A flow end's subnet belongs to a spoke end.", "hybrid-aks: Flows"),
        ("flow-site-exists", "A flow's site is a declared site.", "hybrid-aks: Flows"),
        ("flow-spoke-exists", "A flow's spoke is a declared spoke.", "hybrid-aks: Flows"),
        ("flow-subnet-exists", "A flow's subnet is a subnet of its spoke.", "hybrid-aks: Flows"),
        ("flow-not-site-to-site", "A flow does not join two on-prem sites.", "hybrid-aks: Flows"),
        ("flow-not-within-spoke", "A flow does not stay inside one spoke (NSGs filter that).", "hybrid-aks: Flows"),
        ("flow-spokes-need-firewall", "Spoke-to-spoke flows need a hub firewall (peering is not transitive).",
         "virtual-network-peering-overview"),
        ("flow-names-unique", "Flows have distinct names.", "hybrid-aks: Flows"),
    ],
    "Stacks sharing a hub": [
        ("stack-hub-or-attach", "A stack owns a hub or attaches to one, never both.", "hybrid-aks: Stacks that share one hub"),
        ("attach-hub-stack-read", "An attaching stack is checked against its hub stack's published connectivity.",
         "hybrid-aks: Stacks that share one hub"),
        ("attach-no-gateways", "Gateways belong to the hub stack, not an attaching stack.", "hub-spoke-network-topology"),
        ("attach-site-no-connection", "An attaching stack's site declares no VPN or ExpressRoute connection.", "hub-spoke-network-topology"),
        ("attach-site-connected", "An attaching stack's site is one its hub stack connects.", "hybrid-aks: Stacks that share one hub"),
        ("attach-site-prefixes-inside", "An attaching stack's site prefixes lie inside the hub stack's site.",
         "hybrid-aks: Stacks that share one hub"),
        ("attach-hub-routes-first", "The hub stack routes and allows an attaching stack's spokes and flows before it attaches.",
         "hybrid-aks: Stacks that share one hub"),
    ],
    "AKS hybrid sites": [
        ("hybrid-subnet-in-site", "The site subnet lies inside the site's addressPrefixes.", "aks-hci-network-system-requirements"),
        ("hybrid-gateway-in-subnet", "The gateway lies inside the site subnet.", "aks-hci-network-system-requirements"),
        ("hybrid-control-plane-in-subnet", "The control-plane IP lies inside the site subnet.", "aks-hci-network-system-requirements"),
        ("hybrid-range-order", "A pool or load-balancer range starts before it ends.", "aks-hci-network-system-requirements"),
        ("hybrid-lb-range-in-subnet", "Load-balancer ranges lie inside the site subnet.", "deploy-load-balancer-portal"),
        ("hybrid-lb-ranges-disjoint", "Load-balancer ranges are disjoint.", "deploy-load-balancer-portal"),
        ("hybrid-dhcp-only-aks-hci", "DHCP node addresses only on AKS-HCI; Azure Local takes a static logical network.",
         "aks-hci-network-system-requirements"),
        ("hybrid-dhcp-scope-required", "DHCP needs the scope of the node VMs.", "aks-hci-networking concepts"),
        ("hybrid-node-pool-required", "Static IP assignment needs a node pool.", "aks-hci-network-system-requirements"),
        ("hybrid-node-pool-in-subnet", "The node pool (or DHCP scope) lies inside the site subnet.", "aks-hci-network-system-requirements"),
        ("hybrid-node-pool-size", "The node pool holds control plane + workers + upgrade surge addresses.",
         "aks-hci-network-system-requirements"),
        ("hybrid-lb-outside-node-pool", "Load-balancer ranges stay out of the node pool.", "deploy-load-balancer-portal"),
        ("hybrid-control-plane-outside-node-pool", "The control-plane IP is outside the node pool.", "aks-hci-network-system-requirements"),
        ("hybrid-control-plane-own-address", "The control-plane IP is neither the gateway nor a DNS server.",
         "aks-hci-network-system-requirements"),
        ("hybrid-gateway-outside-pools", "The gateway is outside the node pool and the load-balancer ranges.",
         "aks-hci-network-system-requirements"),
        ("hybrid-dns-outside-pools", "DNS servers are outside the node pool and the load-balancer ranges.",
         "aks-hci-network-system-requirements"),
        ("hybrid-pools-host-addresses", "Pools and ranges hold neither the subnet's network nor its broadcast address.",
         "aks-hci-network-system-requirements"),
        ("hybrid-metallb-on-azure-local", "AKS Arc on Azure Local balances services with MetalLB, not HAProxy.",
         "aks-hci-network-system-requirements"),
        ("hybrid-calico-on-azure-local", "AKS Arc on Azure Local runs Calico.", "aks-hci-network-system-requirements"),
        ("hybrid-one-vip-pool", "AKS-HCI's HAProxy takes one VIP pool.", "new-akshciclusternetwork"),
        ("hybrid-haproxy-control-plane-in-vips", "With HAProxy the control-plane VIP lies inside the VIP ranges.",
         "aks-hci-networking concepts"),
        ("hybrid-metallb-control-plane-outside-ranges", "With MetalLB the control-plane IP lies outside the load-balancer ranges.",
         "deploy-load-balancer-portal"),
        ("hybrid-lb-capacity", "Load-balancer ranges hold the planned services (and the control-plane VIP with HAProxy).",
         "deploy-load-balancer-portal"),
        ("hybrid-arc-service-cidr", "On Azure Local the service CIDR is AKS Arc's 10.96.0.0/12.", "aks-hci-ip-address-planning"),
        ("hybrid-ssh-key-on-azure-local", "An Azure Local cluster has an SSH public key for its node VMs.",
         "Microsoft.HybridContainerService provisionedClusterInstances template reference"),
        ("hybrid-cluster-ready-aks-hci-only", "clusterReady applies to AKS-HCI only.", "hybrid-aks: On-prem sites with AKS hybrid"),
        ("hybrid-metallb-runtime-object-id", "MetalLB needs the Kubernetes Runtime app's object ID.", "deploy-load-balancer-cli"),
        ("hybrid-bgp-needs-peers", "MetalLB announcing over BGP has an ASN and peers.", "deploy-load-balancer-portal"),
        ("hybrid-peers-need-bgp", "MetalLB BGP peers come with advertiseMode BGP or Both.", "deploy-load-balancer-portal"),
    ],
    "Names": [
        ("name-length", "Every Azure name the program builds has the length its resource type allows.", "resource-name-rules"),
        ("name-characters", "Every Azure name the program builds uses the characters its resource type allows.", "resource-name-rules"),
        ("names-unique-ignoring-case", "No two config entries make one Azure resource (names compared case-insensitively).",
         "resource-name-rules"),
        ("port-names-unique", "A Service's ports have distinct names.", "kubernetes.io Service"),
        ("port-numbers-unique", "A Service repeats no port number per protocol.", "kubernetes.io Service"),
        ("port-names-required", "A Service with more than one port names each.", "kubernetes.io Service"),
    ],
    "Limits": [
        ("tag-count", "At most 50 tags per resource.", "tag-resources"),
        ("tag-name-empty", "A tag has a name.", "tag-resources"),
        ("tag-name-length", "A tag name has at most 512 characters.", "tag-resources"),
        ("tag-name-characters", "A tag name has none of < > % & \\ ? /.", "tag-resources"),
        ("tag-value-length", "A tag value has at most 256 characters.", "tag-resources"),
        ("hub-peerings", "At most 500 peerings on the hub VNet.", "azure-subscription-service-limits"),
        ("vpn-tunnels", "No more VPN sites than the gateway SKU's site-to-site tunnels (30 for VpnGw1-3, 100 for VpnGw4-5).",
         "about-gateway-skus"),
        ("expressroute-connections", "No more ExpressRoute sites than the gateway SKU's circuit connections.",
         "expressroute-about-virtual-network-gateways"),
        ("subnets-per-vnet", "At most 3,000 subnets per VNet.", "azure-subscription-service-limits"),
        ("forwarding-rules", "At most 1,000 rules in a DNS forwarding ruleset.", "dns-private-resolver-overview"),
        ("forwarding-targets", "At most 6 target DNS servers per forwarding rule.", "dns-private-resolver-overview"),
        ("aks-pool-count", "At most 100 node pools per cluster.", "quotas-skus-regions"),
        ("aks-node-count", "At most 5,000 nodes per cluster.", "quotas-skus-regions"),
    ],
    "Values": [
        ("azure-region", "location is an Azure region's name as `az account list-locations` prints it.", "products-available-by-region"),
        ("vm-size", "A VM size is written Standard_<family><size>[_v<n>].", "vm-naming-conventions"),
        ("kubernetes-version", "kubernetesVersion is major.minor or major.minor.patch.", "supported-kubernetes-versions"),
        ("entra-object-id", "An Entra group's object ID is a GUID.", "Microsoft Entra object IDs (az ad group show)"),
        ("image-reference", "An image is [registry/]repository[:tag][@sha256:digest].", "distribution/reference grammar"),
        ("probe-path", "A health probe path starts with '/' and holds no spaces.", "load-balancer-custom-probe-overview"),
        ("port-name", "A port name is a Kubernetes IANA_SVC_NAME (1-15 characters, a letter, no '--').",
         "Kubernetes IsValidPortName"),
        ("namespace-not-reserved", "Services deploy to a namespace of their own, not kube-* or an AKS add-on's.",
         "kubernetes.io Namespaces"),
        ("list-no-repeats", "Zones, DNS servers, domains, private DNS zones, admin groups and addresses are listed once (ignoring case).",
         "hybrid-aks: Azure refuses a repeated entry"),
    ],
}

RULES: dict[str, Rule] = {rule_id: Rule(rule_id, section, statement, source)
                          for section, rules in _SECTIONS.items() for rule_id, statement, source in rules}


def known(rule_id: str) -> str:
    """The id, if it is a rule of the registry (a misspelled id fails the first check that reports it)."""
    if rule_id not in RULES:
        raise KeyError(f"'{rule_id}' is not a rule of config/rules.py")
    return rule_id


def rules_markdown() -> str:
    lines: list[str] = []
    for section, rules in _SECTIONS.items():
        lines += [f"**{section}**", ""]
        lines += [f"- `{rule_id}`: {statement} ({source})" for rule_id, statement, source in rules]
        lines.append("")
    return "\n".join(lines).rstrip()


def render_readme(text: str) -> str:
    return replace_block(text, START, END, rules_markdown())


if __name__ == "__main__":
    README.write_text(render_readme(README.read_text()))
    sys.stdout.write(f"wrote {len(RULES)} rules into {README.name}\n")
