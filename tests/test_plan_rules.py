"""Every address-plan and site problem in full: its rule, config key, message and fix, as the user reads them.

The other modules' bad-case tables (tests/test_rules.py replays them) assert a key and a fragment of the message; here the
same cases assert the whole text of every plan or site problem at that key, so a changed word, key, limit or suggested
free range fails. MORE adds cases no table covers (suggestions in 192.168/16, a /32, a plan larger than IPv4, a site of an
attaching stack declaring ExpressRoute).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from config import ConfigError, load_stack
from config.loader import parse_stack
from config.plan import address_plan_rows, check_plan
from config.org import StackSource, context_for, repository_sources
from config.problems import Problem
from tests import test_attach, test_config, test_onprem
from tests.stacks import ROOT
from tests.test_config import aks, problem_objects, site
from tests.test_rules import TABLES


EXPECTED: dict[str, list[str]] = {
    'config.BAD_CASES[vnets-overlap]': [
        "[routed-ranges-disjoint] hybrid-aks:spokes[0].addressSpace[0]: 10.10.0.0/16 (spoke VNet 'aks') overlaps 10.10.0.0/22 (hub VNet 'hub', hybrid-aks:hub.addressSpace[0]); peered or connected networks must not overlap, or routing breaks\n    fix: move one of them; 10.0.0.0/16 is free and the same size",
    ],
    'config.BAD_CASES[spoke-overlaps-onprem]': [
        "[routed-ranges-disjoint] hybrid-aks:spokes[0].addressSpace[0]: 10.11.0.0/16 (spoke VNet 'aks') overlaps 10.11.128.0/17 (on-prem site 'lab', hybrid-aks:sites[0].addressPrefixes[0]); peered or connected networks must not overlap, or routing breaks\n    fix: move one of them; 10.0.0.0/16 is free and the same size",
    ],
    'config.BAD_CASES[sites-overlap]': [
        "[routed-ranges-disjoint] hybrid-aks:sites[1].addressPrefixes[0]: 172.19.128.0/17 (on-prem site 'lab2') overlaps 172.19.0.0/16 (on-prem site 'lab', hybrid-aks:sites[0].addressPrefixes[0]); peered or connected networks must not overlap, or routing breaks\n    fix: move one of them; 172.16.0.0/17 is free and the same size",
    ],
    'config.BAD_CASES[subnet-outside-vnet]': [
        "[subnet-inside-vnet] hybrid-aks:spokes[0].subnets.nodes: 10.12.0.0/22 is not inside spoke VNet 'aks' (10.11.0.0/16)\n    fix: use a range inside the VNet, e.g. 10.11.0.0/22",
    ],
    'config.BAD_CASES[subnets-overlap]': [
        "[subnets-disjoint] hybrid-aks:spokes[0].subnets.nodes: 10.11.0.0/22 overlaps subnet 'ilb' 10.11.3.0/24 (hybrid-aks:spokes[0].subnets.ilb) in spoke VNet 'aks'\n    fix: move it; 10.11.4.0/22 is free in the VNet",
    ],
    'config.BAD_CASES[gateway-subnet-28-both-gateways]': [
        '[gateway-subnet-coexist-27] hybrid-aks:hub.subnets.GatewaySubnet: 10.10.0.0/28 is too small for VPN and ExpressRoute gateways together; they need /27 or larger\n    fix: use a /27 (expressroute-howto-coexist)',
    ],
    'config.BAD_CASES[service-cidr-overlaps-spoke]': [
        "[cluster-ranges-disjoint] hybrid-aks:spokes[0].aks.serviceCidr: 10.11.0.0/16 (AKS service CIDR of 'aks') overlaps 10.11.0.0/16 (spoke VNet 'aks', hybrid-aks:spokes[0].addressSpace[0]); a cluster's service and pod ranges must not overlap anything its pods reach\n    fix: move one of them; 10.0.0.0/16 is free and the same size",
    ],
    'config.BAD_CASES[service-cidr-overlaps-onprem]': [
        "[cluster-ranges-disjoint] hybrid-aks:spokes[0].aks.serviceCidr: 172.19.0.0/16 (AKS service CIDR of 'aks') overlaps 172.19.0.0/16 (on-prem site 'lab', hybrid-aks:sites[0].addressPrefixes[0]); a cluster's service and pod ranges must not overlap anything its pods reach\n    fix: move one of them; 172.16.0.0/16 is free and the same size",
    ],
    'config.BAD_CASES[service-cidr-11]': [
        '[aks-service-cidr-size] hybrid-aks:spokes[0].aks.serviceCidr: 10.224.0.0/11 is a /11; AKS needs a service CIDR smaller than /12\n    fix: use a /13 or smaller, e.g. /16 (concepts-network-cni-overview)',
    ],
    'config.BAD_CASES[service-cidr-172-30]': [
        '[aks-reserved-ranges] hybrid-aks:spokes[0].aks.serviceCidr: 172.30.0.0/16 overlaps 172.30.0.0/16 (reserved by AKS), which Azure does not allow here\n    fix: use a range clear of 172.30.0.0/16, e.g. 172.16.0.0/16',
    ],
    'config.BAD_CASES[service-cidr-link-local]': [
        '[vnet-forbidden-ranges] hybrid-aks:spokes[0].aks.serviceCidr: 169.254.0.0/16 overlaps 169.254.0.0/16 (link-local), which Azure does not allow here\n    fix: use a range clear of 169.254.0.0/16, e.g. 10.0.0.0/16',
    ],
    'config.BAD_CASES[dns-ip-outside]': [
        '[dns-service-ip-in-service-cidr] hybrid-aks:spokes[0].aks.dnsServiceIP: 10.241.0.10 is outside serviceCidr 10.240.0.0/16\n    fix: use an address inside it, e.g. 10.240.0.10',
    ],
    'config.BAD_CASES[dns-ip-first]': [
        '[dns-service-ip-usable] hybrid-aks:spokes[0].aks.dnsServiceIP: 10.240.0.1 is the first address, taken by the kubernetes service of serviceCidr 10.240.0.0/16\n    fix: use another address inside it, e.g. 10.240.0.10 (concepts-network-cni-overview)',
    ],
    'config.BAD_CASES[dns-ip-network]': [
        '[dns-service-ip-usable] hybrid-aks:spokes[0].aks.dnsServiceIP: 10.240.0.0 is the network address of serviceCidr 10.240.0.0/16\n    fix: use another address inside it, e.g. 10.240.0.10 (concepts-network-cni-overview)',
    ],
    'config.BAD_CASES[node-subnet-too-small]': [
        '[node-subnet-capacity] hybrid-aks:spokes[0].subnets.nodes: 10.11.0.0/22 has 1019 usable addresses, but its node pools need 1395 ((nodes + surge) x (maxPods + 1), plus internal LB IPs)\n    fix: use a /21 or larger (e.g. 10.11.0.0/21), or lower maxCount/maxPods (concepts-network-ip-address-planning)',
    ],
    'config.BAD_CASES[surge-percent-counts]': [
        '[node-subnet-capacity] hybrid-aks:spokes[0].subnets.nodes: 10.11.0.0/22 has 1019 usable addresses, but its node pools need 1426 ((nodes + surge) x (maxPods + 1), plus internal LB IPs)\n    fix: use a /21 or larger (e.g. 10.11.0.0/21), or lower maxCount/maxPods (concepts-network-ip-address-planning)',
    ],
    'config.BAD_CASES[max-pods-low]': [
        '[max-pods-range] hybrid-aks:spokes[0].aks.userPools[0].maxPods: 5 is outside 10..250\n    fix: choose maxPods between 10 and 250 (configure-azure-cni)',
    ],
    'config.BAD_CASES[max-pods-high]': [
        '[max-pods-range] hybrid-aks:spokes[0].aks.userPools[0].maxPods: 300 is outside 10..250\n    fix: choose maxPods between 10 and 250 (configure-azure-cni)',
    ],
    'config.BAD_CASES[system-pool-pods]': [
        '[system-pool-max-pods] hybrid-aks:spokes[0].aks.systemPool.maxPods: 20 is too few for a system pool\n    fix: use 30 or more (use-system-pools)',
    ],
    'config.BAD_CASES[system-pool-zero]': [
        '[system-pool-min-one] hybrid-aks:spokes[0].aks.systemPool.minCount: a system pool cannot scale to zero\n    fix: use 1 or more (use-system-pools)',
    ],
    'config.BAD_CASES[min-above-max]': [
        '[pool-min-not-above-max] hybrid-aks:spokes[0].aks.userPools[0].minCount: 9 is above maxCount 5\n    fix: make minCount <= maxCount',
    ],
    'config.BAD_CASES[duplicate-pool]': [
        "[pool-names-unique] hybrid-aks:spokes[0].aks.userPools[0].name: 'system' is already the name of hybrid-aks:spokes[0].aks.systemPool.name\n    fix: give every node pool its own name",
    ],
    'config.BAD_CASES[site-asn-azure-reserved]': [
        "[site-asn-not-reserved] hybrid-aks:sites[0].vpn.bgp.asn: 65515 is reserved by Azure or IANA and can't be used by an on-prem device\n    fix: use a private ASN such as 65010 (vpn-gateway-bgp-overview)",
    ],
    'config.BAD_CASES[site-asn-iana-reserved]': [
        "[site-asn-not-reserved] hybrid-aks:sites[0].vpn.bgp.asn: 64500 is reserved by Azure or IANA and can't be used by an on-prem device\n    fix: use a private ASN such as 65010 (vpn-gateway-bgp-overview)",
    ],
    'config.BAD_CASES[gateway-asn-reserved]': [
        "[gateway-asn-not-reserved] hybrid-aks:gateways.vpn.asn: 12076 is a reserved ASN\n    fix: use 65515 (Azure's default) or a private ASN such as 65010 (vpn-gateway-bgp-overview)",
    ],
    'config.BAD_CASES[site-asn-equals-gateway]': [
        "[site-asn-differs-from-gateway] hybrid-aks:sites[0].vpn.bgp.asn: 65010 is also the Azure gateway's ASN (gateways.vpn.asn)\n    fix: on-prem and Azure peer over eBGP: give the site its own ASN",
    ],
    'config.BAD_CASES[apipa-out-of-range]': [
        '[apipa-range] hybrid-aks:gateways.vpn.apipaAddresses[0][0]: 169.254.20.1 is outside the APIPA range Azure accepts (169.254.21.0 - 169.254.22.255)\n    fix: use an address from 169.254.21.0 to 169.254.22.255 (vpn-gateway-bgp-overview)',
    ],
    'config.BAD_CASES[apipa-too-many-lists]': [
        '[apipa-one-list-per-instance] hybrid-aks:gateways.vpn.apipaAddresses: has 2 lists, but the gateway has 1 instance(s)\n    fix: give one list per instance (two when activeActive is true)',
    ],
    'config.BAD_CASES[bgp-peer-outside]': [
        "[bgp-peer-in-site] hybrid-aks:sites[0].vpn.bgp.peerAddress: 10.99.0.1 is neither inside the site's addressPrefixes nor an APIPA address\n    fix: use the on-prem device's BGP address inside the site's prefixes, or one in 169.254.21.0 - 169.254.22.255",
    ],
    'config.BAD_CASES[static-ip-outside-subnet]': [
        "[service-ip-in-subnet] hybrid-aks:spokes[0].aks.internalServices[0].staticIp: 10.11.9.10 is outside subnet 'ilb' (10.11.8.0/24)\n    fix: use an address inside it, e.g. 10.11.8.4",
    ],
    'config.BAD_CASES[static-ip-reserved]': [
        '[service-ip-not-reserved] hybrid-aks:spokes[0].aks.internalServices[0].staticIp: 10.11.8.3 is one of the five addresses Azure reserves in 10.11.8.0/24\n    fix: use 10.11.8.4 to 10.11.8.254 (virtual-networks-faq)',
    ],
    'config.BAD_CASES[static-ip-broadcast]': [
        '[service-ip-not-reserved] hybrid-aks:spokes[0].aks.internalServices[0].staticIp: 10.11.8.255 is one of the five addresses Azure reserves in 10.11.8.0/24\n    fix: use 10.11.8.4 to 10.11.8.254 (virtual-networks-faq)',
    ],
    'config.BAD_CASES[static-ip-duplicate]': [
        '[service-ips-unique] hybrid-aks:spokes[0].aks.internalServices[1].staticIp: 10.11.8.10 is already the static IP of hybrid-aks:spokes[0].aks.internalServices[0].staticIp\n    fix: give each service its own address',
    ],
    'config.BAD_CASES[service-subnet-missing]': [
        "[service-subnet-exists] hybrid-aks:spokes[0].aks.internalServices[0].subnet: names subnet 'lb', which spoke 'aks' does not have\n    fix: name one of: nodes, ilb (the internal LB must be in the cluster's VNet)",
    ],
    'config.BAD_CASES[node-subnet-missing]': [
        "[pool-subnet-exists] hybrid-aks:spokes[0].aks.nodeSubnet: names subnet 'node', which spoke 'aks' does not have\n    fix: name one of: nodes, ilb",
    ],
    'config.BAD_CASES[missing-required]': [
        '[stack-hub-or-attach] hybrid-aks:hub: is required: a stack owns a hub or attaches to one\n    fix: keep hub (this stack owns the hub) or attach: {hubStack: <org>/<project>/<stack>} (it peers into that hub)',
    ],
    'config.BAD_CASES[subnet-smaller-than-29]': [
        '[subnet-min-size-29] hybrid-aks:spokes[0].subnets.ilb: 10.11.8.0/30 is smaller than /29, the smallest subnet Azure allows\n    fix: use a /29 or larger (virtual-networks-faq)',
    ],
    'config.BAD_CASES[firewall-subnet-small]': [
        '[special-subnet-min-size] hybrid-aks:hub.subnets.AzureFirewallSubnet: AzureFirewallSubnet 10.10.0.64/27 is too small; Azure needs /26 or larger\n    fix: use a /26 (e.g. 10.10.0.128/26)',
    ],
    'config.BAD_CASES[firewall-subnet-missing]': [
        "[firewall-subnet-required] hybrid-aks:hub.subnets.AzureFirewallSubnet: is missing; Azure Firewall (hybrid-aks:hub.firewall) needs it\n    fix: add hub.subnets.AzureFirewallSubnet with a /26 or larger inside the hub's address space",
    ],
    'config.BAD_CASES[forced-tunneling-mgmt-missing]': [
        "[firewall-management-subnet-required] hybrid-aks:hub.subnets.AzureFirewallManagementSubnet: is missing; forced tunneling (hybrid-aks:hub.firewall.forcedTunneling) needs it\n    fix: add hub.subnets.AzureFirewallManagementSubnet with a /26 or larger inside the hub's address space",
    ],
    'config.BAD_CASES[special-name-misspelled]': [
        "[special-subnet-exact-name] hybrid-aks:hub.subnets.gatewaySubnet: 'gatewaySubnet' must be spelled exactly 'GatewaySubnet' for Azure to treat it as one\n    fix: rename the key to GatewaySubnet",
    ],
    'config.BAD_CASES[gateway-subnet-in-spoke]': [
        '[special-subnet-hub-only] hybrid-aks:spokes[0].subnets.GatewaySubnet: a spoke cannot hold GatewaySubnet: spokes reach on-prem and the internet through the hub\n    fix: remove it; gateways, firewall and Bastion live in the hub',
    ],
    'config.BAD_CASES[vnet-azure-dns-ip]': [
        "[vnet-forbidden-ranges] hybrid-aks:spokes[0].addressSpace[0]: 168.63.0.0/16 overlaps 168.63.129.16/32 (Azure's virtual public IP (DNS, health probes)), which Azure does not allow here\n    fix: use a range clear of 168.63.129.16/32, e.g. 10.0.0.0/16",
    ],
    'config.BAD_CASES[aks-vnet-in-172-31]': [
        '[aks-reserved-ranges] hybrid-aks:spokes[0].addressSpace[0]: 172.31.0.0/16 overlaps 172.31.0.0/16 (reserved by AKS), which Azure does not allow here\n    fix: use a range clear of 172.31.0.0/16, e.g. 172.16.0.0/16',
    ],
    'config.BAD_CASES[duplicate-spoke-name]': [
        "[vnet-names-unique] hybrid-aks:spokes[1].name: 'aks' is already the name of hybrid-aks:spokes[0].name\n    fix: give every VNet its own name",
    ],
    'config.BAD_CASES[site-vpn-without-gateway]': [
        '[site-vpn-needs-gateway] hybrid-aks:sites[0].vpn: needs a VPN gateway in the hub\n    fix: add hybrid-aks:gateways.vpn (e.g. sku: VpnGw1AZ)',
    ],
    'config.BAD_CASES[site-without-connection]': [
        "[site-has-connection] hybrid-aks:sites[0]: site 'lab' has no connection\n    fix: add vpn or expressRoute to it",
    ],
    'config.BAD_CASES[site-address-and-fqdn]': [
        "[site-vpn-address-or-fqdn] hybrid-aks:sites[0].vpn: needs exactly one of gatewayAddress or gatewayFqdn\n    fix: give the on-prem VPN device's public IP or its DNS name",
    ],
    'config.BAD_CASES[site-private-gateway-ip]': [
        '[site-vpn-public-address] hybrid-aks:sites[0].vpn.gatewayAddress: 192.168.1.1 is not a public address\n    fix: give the public IP of the on-prem VPN device',
    ],
    'config.BAD_CASES[site-dns-outside]': [
        "[site-dns-in-prefixes] hybrid-aks:sites[0].dns.servers[0]: 8.8.8.8 is outside the site's addressPrefixes\n    fix: on-prem DNS servers must be reachable over the connection: list an address inside the site's prefixes",
    ],
    'config.BAD_CASES[pod-cidr-without-overlay]': [
        '[pod-cidr-only-with-overlay] hybrid-aks:spokes[0].aks.podCidr: is only used with networkPluginMode: overlay (with Azure CNI, pods take subnet IPs)\n    fix: remove podCidr, or set networkPluginMode: overlay',
    ],
    'config.BAD_CASES[overlay-without-pod-cidr]': [
        '[overlay-needs-pod-cidr] hybrid-aks:spokes[0].aks.podCidr: is required with networkPluginMode: overlay\n    fix: add a pod CIDR, e.g. 10.244.0.0/16',
    ],
    'config.BAD_CASES[cilium-without-overlay]': [
        '[cilium-needs-overlay] hybrid-aks:spokes[0].aks.networkPolicy: cilium needs Azure CNI Overlay here\n    fix: set networkPluginMode: overlay, or use calico or azure',
    ],
    'config.BAD_CASES[overlay-pod-cidr-too-small]': [
        '[overlay-pod-cidr-capacity] hybrid-aks:spokes[0].aks.podCidr: 100.64.0.0/22 holds 4 node /24 blocks, but up to 10 nodes can exist\n    fix: use a /20 or larger (azure-cni-overlay: each node takes a /24)',
    ],
    'config.BAD_CASES[pod-cidr-overlaps-vnet]': [
        "[cluster-ranges-disjoint] hybrid-aks:spokes[0].aks.podCidr: 10.10.0.0/16 (AKS pod CIDR of 'aks') overlaps 10.10.0.0/22 (hub VNet 'hub', hybrid-aks:hub.addressSpace[0]); a cluster's service and pod ranges must not overlap anything its pods reach\n    fix: move one of them; 10.0.0.0/16 is free and the same size",
    ],
    'config.BAD_CASES[system-zone-behind-custom-dns]': [
        "[private-zone-with-custom-dns] hybrid-aks:spokes[0].aks.privateDnsZone: is 'system', but the VNets resolve through custom DNS (hub.dnsServers); AKS links its zone only to the cluster's VNet, so the nodes could not resolve the private API server\n    fix: set privateDnsZone: hub (the zone is created in the hub and linked to it) (private-clusters)",
    ],
    'config.BAD_CASES[hub-dns-zone-public-cluster]': [
        "[hub-zone-needs-private-cluster] hybrid-aks:spokes[0].aks.privateDnsZone: is 'hub', but the cluster is not private\n    fix: set privateCluster: true, or privateDnsZone: system",
    ],
    'config.BAD_CASES[resolver-subnet-missing]': [
        "[resolver-subnet-exists] hybrid-aks:hub.dnsResolver.inboundSubnet: names subnet 'dns-inbound', which hub.subnets does not have\n    fix: add hub.subnets.dns-inbound (a /28) or name an existing subnet",
    ],
    'config.BAD_CASES[resolver-subnet-size]': [
        '[resolver-subnet-size] hybrid-aks:hub.subnets.dns-outbound: 10.10.2.16/29 holds a resolver endpoint; it must be /28 to /24\n    fix: use a /28 (dns-private-resolver-overview)',
    ],
    'config.BAD_CASES[backend-outside-site]': [
        "[backend-address-in-site] hybrid-aks:spokes[0].aks.externalBackends[0].addresses[0]: 10.11.0.50 is not inside the addressPrefixes of site 'lab'\n    fix: use an on-prem address the hub routes to, or declare its prefix on the site",
    ],
    'config.BAD_CASES[backend-both-kinds]': [
        '[backend-one-kind] hybrid-aks:spokes[0].aks.externalBackends[1]: needs exactly one of addresses (selector-less service) or externalName (CNAME)\n    fix: set addresses with ports, or externalName',
    ],
    'config.BAD_CASES[backend-unknown-site]': [
        "[backend-site-exists] hybrid-aks:spokes[0].aks.externalBackends[0].site: names site 'paris', which hybrid-aks:sites does not have\n    fix: name one of: lab",
    ],
    'config.BAD_CASES[er-without-gateway]': [
        '[site-expressroute-needs-gateway] hybrid-aks:sites[0].expressRoute: needs an ExpressRoute gateway in the hub\n    fix: add hybrid-aks:gateways.expressRoute (e.g. sku: ErGw1AZ)',
    ],
    'config.BAD_CASES[attached-without-its-hub-stack]': [
        "[attach-hub-stack-read] hybrid-aks:attach.hubStack: 'organization/hybrid-aks/prod' was not read\n    fix: load this stack with the hub stack's connectivity output (config.load_stack(..., hub=...))",
    ],
    'config.BAD_CASES[duplicate-site-name]': [
        "[site-names-unique] hybrid-aks:sites[1].name: 'lab' is already the name of hybrid-aks:sites[0].name\n    fix: give every site its own name",
    ],
    'config.BAD_CASES[gateway-subnet-missing]': [
        "[gateway-subnet-required] hybrid-aks:hub.subnets.GatewaySubnet: is missing; a VPN or ExpressRoute gateway (hybrid-aks:gateways) needs it\n    fix: add hub.subnets.GatewaySubnet with a /27 or larger inside the hub's address space",
    ],
    'config.BAD_CASES[bastion-subnet-missing]': [
        "[bastion-subnet-required] hybrid-aks:hub.subnets.AzureBastionSubnet: is missing; Azure Bastion (hybrid-aks:hub.bastion) needs it\n    fix: add hub.subnets.AzureBastionSubnet with a /26 or larger inside the hub's address space",
    ],
    'config.BAD_CASES[idps-on-standard-firewall]': [
        '[firewall-premium-features] hybrid-aks:hub.firewall.intrusionDetection: needs the Premium tier (Learn: premium-features)\n    fix: set hub.firewall.sku: Premium, or remove intrusionDetection',
    ],
    'config.BAD_CASES[dns-proxy-with-nothing-to-forward-to]': [
        '[firewall-dns-proxy-upstream] hybrid-aks:hub.firewall.dnsProxy: has nothing to forward to: no hub.dnsServers and no hub.dnsResolver\n    fix: add hub.dnsResolver (the proxy then forwards to its inbound endpoint), or turn dnsProxy off',
    ],
    'config.BAD_CASES[resolver-in-a-special-subnet]': [
        '[resolver-subnet-not-special] hybrid-aks:hub.dnsResolver.inboundSubnet: GatewaySubnet cannot host a DNS resolver endpoint\n    fix: name a subnet of its own',
    ],
    'config.BAD_CASES[resolver-endpoints-share-a-subnet]': [
        '[resolver-endpoints-separate] hybrid-aks:hub.dnsResolver.outboundSubnet: is the same subnet as the inbound endpoint\n    fix: give each endpoint its own delegated subnet',
    ],
    'config.BAD_CASES[hub-dns-server-unreachable]': [
        "[hub-dns-servers-reachable] hybrid-aks:hub.dnsServers[0]: 192.168.50.10 lies in no VNet and no on-prem prefix of this stack\n    fix: use an address inside a subnet or a site's addressPrefixes",
    ],
    'config.BAD_CASES[apipa-peer-without-custom-apipa]': [
        '[bgp-apipa-needs-custom-apipa] hybrid-aks:sites[0].vpn.bgp.peerAddress: 169.254.21.5 is an APIPA address, but the gateway has no custom APIPA BGP address\n    fix: add hybrid-aks:gateways.vpn.apipaAddresses (169.254.21.x)',
    ],
    'config.BAD_CASES[nodes-in-a-special-subnet]': [
        '[pool-subnet-not-special] hybrid-aks:spokes[0].aks.userPools[0].subnet: AzureBastionSubnet cannot hold AKS nodes\n    fix: name a subnet of its own',
    ],
    'config.BAD_CASES[load-balancer-in-a-special-subnet]': [
        '[service-subnet-not-special] hybrid-aks:spokes[0].aks.internalServices[0].subnet: AzureBastionSubnet cannot hold a load balancer\n    fix: use a subnet of its own',
    ],
    'config.BAD_CASES[duplicate-service]': [
        '[service-names-unique] hybrid-aks:spokes[0].aks.internalServices[1].name: default/web is already declared at hybrid-aks:spokes[0].aks.internalServices[0]\n    fix: give each service its own name',
    ],
    'config.BAD_CASES[backend-named-like-a-service]': [
        '[backend-name-not-service] hybrid-aks:spokes[0].aks.externalBackends[0].name: default/web is also an internal service\n    fix: give it its own name',
    ],
    'config.BAD_CASES[backend-without-ports]': [
        '[backend-needs-ports] hybrid-aks:spokes[0].aks.externalBackends[0].ports: is empty; an EndpointSlice needs at least one port\n    fix: add ports: [{port: 443}]',
    ],
    'config.BAD_CASES[entra-off-with-rbac]': [
        '[entra-id-off-no-rbac] hybrid-aks:spokes[0].aks.entraId: turns Entra ID off but keeps azureRbac or disableLocalAccounts on\n    fix: set azureRbac and disableLocalAccounts to false, or enable Entra ID',
    ],
    'config.BAD_CASES[public-api-server-without-ranges]': [
        "[public-api-authorized-ranges] hybrid-aks:spokes[0].aks.authorizedIpRanges: is empty, but the API server is public (privateCluster: false)\n    fix: list the CIDRs that may reach the API server (your runners' and admins' egress addresses), or set privateCluster: true",
    ],
    'config.BAD_CASES[authorized-range-everything]': [
        '[authorized-range-not-everything] hybrid-aks:spokes[0].aks.authorizedIpRanges[0]: 0.0.0.0/0 authorizes every address\n    fix: list specific CIDRs',
    ],
    'config.BAD_CASES[authorized-ranges-on-a-private-cluster]': [
        '[authorized-ranges-public-only] hybrid-aks:spokes[0].aks.authorizedIpRanges: applies only to a public API server (privateCluster is true)\n    fix: remove authorizedIpRanges',
    ],
    'config.BAD_CASES[critical-addons-without-user-pool]': [
        '[critical-addons-needs-user-pool] hybrid-aks:spokes[0].aks.criticalAddonsOnly: taints the system pool CriticalAddonsOnly, but there is no user pool for workloads\n    fix: add a user pool (userPools), or set criticalAddonsOnly: false',
    ],
    'config.BAD_CASES[direct-egress-unaccepted-without-firewall]': [
        '[egress-through-firewall-or-accepted] hybrid-aks:spokes[0].aks.allowDirectEgress: is false, but there is no hub firewall: the nodes would egress through an AKS-managed public IP that no firewall sees\n    fix: add hybrid-aks:hub.firewall (egress then goes through it), or set allowDirectEgress: true to accept direct egress',
    ],
    'config.BAD_CASES[direct-egress-behind-a-firewall]': [
        '[direct-egress-not-with-firewall] hybrid-aks:spokes[0].aks.allowDirectEgress: is true, but egress goes through the hub firewall (userDefinedRouting)\n    fix: remove allowDirectEgress',
    ],
    'strict.CASES[null-hub]': [
        '[stack-hub-or-attach] hybrid-aks:hub: is required: a stack owns a hub or attaches to one\n    fix: keep hub (this stack owns the hub) or attach: {hubStack: <org>/<project>/<stack>} (it peers into that hub)',
    ],
    'strict.CASES[spoke-named-like-hub]': [
        "[vnet-names-unique] hybrid-aks:spokes[1].name: 'hub' is already the name of hybrid-aks:hub.name\n    fix: give every VNet its own name",
    ],
    'routing.BAD[forced-tunneling-without-a-default-route]': [
        '[forced-tunneling-default-route] hybrid-aks:hub.firewall.forcedTunneling: has no default route to follow: no site advertises 0.0.0.0/0 over BGP and the VPN gateway has no default site, so internet-bound traffic from the firewall would be dropped\n    fix: set advertisesDefaultRoute: true on a site whose device advertises 0.0.0.0/0 over ExpressRoute or BGP VPN, or (VPN only) hybrid-aks:gateways.vpn.defaultSite (forced-tunneling, site-to-site-tunneling)',
    ],
    'routing.BAD[forced-tunneling-er-only-without-bgp-default]': [
        '[forced-tunneling-default-route] hybrid-aks:hub.firewall.forcedTunneling: has no default route to follow: no site advertises 0.0.0.0/0 over BGP and the VPN gateway has no default site, so internet-bound traffic from the firewall would be dropped\n    fix: set advertisesDefaultRoute: true on a site whose device advertises 0.0.0.0/0 over ExpressRoute or BGP VPN, or (VPN only) hybrid-aks:gateways.vpn.defaultSite (forced-tunneling, site-to-site-tunneling)',
    ],
    'routing.BAD[default-site-with-express-route]': [
        '[default-site-not-with-expressroute] hybrid-aks:gateways.vpn.defaultSite: forced tunneling through a default site needs a route to VirtualNetworkGateway, which Azure refuses while VPN and ExpressRoute gateways coexist\n    fix: remove defaultSite and have on-prem advertise 0.0.0.0/0 over BGP (advertisesDefaultRoute on the site) (virtual-networks-udr-overview)',
    ],
    'routing.BAD[default-site-unknown]': [
        "[default-site-is-vpn-site] hybrid-aks:gateways.vpn.defaultSite: names 'paris', which is not a site with a VPN connection\n    fix: name one of: lab",
    ],
    'routing.BAD[default-site-without-forced-tunneling]': [
        '[default-site-needs-forced-tunneling] hybrid-aks:gateways.vpn.defaultSite: is set, but nothing sends internet-bound traffic to the gateway (hub.firewall.forcedTunneling is off)\n    fix: turn on hybrid-aks:hub.firewall.forcedTunneling, or remove defaultSite',
    ],
    'routing.BAD[default-route-from-a-static-site]': [
        '[default-route-needs-bgp] hybrid-aks:sites[0].advertisesDefaultRoute: needs BGP: a site without ExpressRoute or a BGP VPN advertises nothing\n    fix: add vpn.bgp (or expressRoute) to the site, or use hybrid-aks:gateways.vpn.defaultSite (vpn-gateway-bgp-overview)',
    ],
    'routing.BAD[vpn-asn-not-65515-next-to-express-route]': [
        '[gateway-asn-65515-coexist] hybrid-aks:gateways.vpn.asn: is 65100, but a VPN gateway coexisting with an ExpressRoute gateway must keep ASN 65515\n    fix: set it to 65515 or remove it (expressroute-howto-coexist-resource-manager)',
    ],
    'routing.BAD[flow-unknown-spoke]': [
        "[flow-spoke-exists] hybrid-aks:flows[0].to.spoke: names spoke 'dta', which hybrid-aks:spokes does not have\n    fix: name one of: aks, data",
    ],
    'routing.BAD[flow-unknown-subnet]': [
        "[flow-subnet-exists] hybrid-aks:flows[0].to.subnet: names subnet 'db', which spoke 'data' does not have\n    fix: name one of: app",
    ],
    'routing.BAD[flow-unknown-site]': [
        "[flow-site-exists] hybrid-aks:flows[0].from.site: names site 'paris', which hybrid-aks:sites does not have\n    fix: name one of: lab",
    ],
    'routing.BAD[flow-end-both-kinds]': [
        '[flow-end-one-kind] hybrid-aks:flows[0].to: needs exactly one of spoke or site\n    fix: write {spoke: <name>} (optionally with subnet) or {site: <name>}',
    ],
    'routing.BAD[flow-end-empty]': [
        '[flow-end-one-kind] hybrid-aks:flows[0].to: needs exactly one of spoke or site\n    fix: write {spoke: <name>} (optionally with subnet) or {site: <name>}',
    ],
    'routing.BAD[flow-subnet-on-a-site]': [
        '[flow-subnet-only-on-spoke] hybrid-aks:flows[0].to.subnet: applies only to a spoke\n    fix: remove it, or name a spoke',
    ],
    'routing.BAD[flow-inside-one-spoke]': [
        "[flow-not-within-spoke] hybrid-aks:flows[0]: stays inside spoke 'aks', where the hub firewall never sees it\n    fix: filter traffic inside a VNet with the subnets' NSGs",
    ],
    'routing.BAD[flow-between-sites]': [
        '[flow-not-site-to-site] hybrid-aks:flows[0]: joins two on-prem sites; Azure carries no traffic between them here\n    fix: declare flows that start or end in a spoke',
    ],
    'routing.BAD[flow-spokes-without-firewall]': [
        '[flow-spokes-need-firewall] hybrid-aks:flows[0]: joins two spokes, which reach each other only through a hub firewall (peering is not transitive)\n    fix: add hybrid-aks:hub.firewall (virtual-network-peering-overview)',
    ],
    'routing.BAD[flow-name-repeated]': [
        "[flow-names-unique] hybrid-aks:flows[1].name: 'f' is also the name of flows[0]\n    fix: give each flow its own name",
    ],
    'routing.BAD[bastion-with-a-bgp-default-route]': [
        "[bastion-no-default-route] hybrid-aks:hub.bastion: can't work in this hub: site 'lab' advertises 0.0.0.0/0 to every hub subnet, and AzureBastionSubnet accepts no route table to keep Bastion's internet path\n    fix: turn Bastion off in this hub (reach VMs from on-prem instead), or don't bring a default route into it (bastion-faq)",
    ],
    'routing.BAD[bastion-with-a-default-site]': [
        "[bastion-no-default-route] hybrid-aks:hub.bastion: can't work in this hub: the VPN gateway's default site pushes 0.0.0.0/0 to every hub subnet, and AzureBastionSubnet accepts no route table to keep Bastion's internet path\n    fix: turn Bastion off in this hub (reach VMs from on-prem instead), or don't bring a default route into it (bastion-faq)",
    ],
    'routing.BAD[private-endpoint-subnet-unknown]': [
        "[private-endpoint-subnet-exists] hybrid-aks:spokes[0].privateEndpointSubnets[0]: names subnet 'pe', which spoke 'aks' does not have\n    fix: name one of: nodes, ilb",
    ],
    'routing.BAD[private-endpoints-in-the-node-subnet]': [
        "[private-endpoint-subnet-not-nodes] hybrid-aks:spokes[0].privateEndpointSubnets[0]: 'nodes' holds AKS nodes (and a private cluster's API-server endpoint, reached from on-prem directly)\n    fix: put private endpoints in a subnet of their own",
    ],
    'routing.BAD[image-from-an-unknown-registry]': [
        '[image-registry-allowed] hybrid-aks:spokes[0].aks.internalServices[0].app.image: pulls from registry.example.com, which the hub firewall does not allow: the pods would never start\n    fix: add registry.example.com and the hosts it serves image layers from to hybrid-aks:hub.firewall.egressFqdns, or use an image from docker.io, ghcr.io, mcr.microsoft.com, quay.io or an Azure Container Registry',
    ],
    'routing.BAD[sidecar-image-counts-too]': [
        '[image-registry-allowed] hybrid-aks:spokes[0].aks.internalServices[0].app.image: pulls from registry.example.com, which the hub firewall does not allow: the pods would never start\n    fix: add registry.example.com and the hosts it serves image layers from to hybrid-aks:hub.firewall.egressFqdns, or use an image from docker.io, ghcr.io, mcr.microsoft.com, quay.io or an Azure Container Registry',
    ],
    'onprem.BAD[subnet-outside-site]': [
        "[hybrid-subnet-in-site] hybrid-aks:sites[0].aksHybrid.subnet: 172.18.10.0/24 is not inside the site's addressPrefixes (172.17.0.0/16)\n    fix: use a subnet of the site's prefixes, or declare its prefix on the site",
    ],
    'onprem.BAD[gateway-outside-subnet]': [
        '[hybrid-gateway-in-subnet] hybrid-aks:sites[0].aksHybrid.gateway: 172.17.11.1 is outside subnet 172.17.10.0/24\n    fix: the gateway must lie inside the subnet (aks-hci-network-system-requirements)',
    ],
    'onprem.BAD[gateway-in-node-pool]': [
        '[hybrid-gateway-outside-pools] hybrid-aks:sites[0].aksHybrid.gateway: 172.17.10.30 is inside the node pool 172.17.10.20-172.17.10.99\n    fix: exclude the gateway from the pool',
    ],
    'onprem.BAD[dns-in-load-balancer]': [
        '[hybrid-dns-outside-pools] hybrid-aks:sites[0].aksHybrid.dnsServers[0]: 172.17.10.210 is inside load-balancer range 172.17.10.200-172.17.10.239\n    fix: exclude DNS servers from the range',
    ],
    'onprem.BAD[control-plane-in-node-pool]': [
        '[hybrid-control-plane-outside-node-pool] hybrid-aks:sites[0].aksHybrid.controlPlaneIp: 172.17.10.50 is inside the node pool 172.17.10.20-172.17.10.99\n    fix: pick an address in the subnet but outside the pool (aks-hci-network-system-requirements)',
    ],
    'onprem.BAD[control-plane-outside-subnet]': [
        '[hybrid-control-plane-in-subnet] hybrid-aks:sites[0].aksHybrid.controlPlaneIp: 172.17.11.10 is outside subnet 172.17.10.0/24\n    fix: pick an address inside the subnet',
    ],
    'onprem.BAD[control-plane-in-metallb]': [
        '[hybrid-metallb-control-plane-outside-ranges] hybrid-aks:sites[0].aksHybrid.controlPlaneIp: 172.17.10.205 lies in a load-balancer range; MetalLB could hand it to a service\n    fix: keep the control-plane IP out of loadBalancer.ranges (deploy-load-balancer-portal)',
    ],
    'onprem.BAD[haproxy-control-plane-outside-vips]': [
        '[hybrid-haproxy-control-plane-in-vips] hybrid-aks:sites[0].aksHybrid.controlPlaneIp: 172.17.10.10 is outside the VIP ranges; with haproxy the control-plane VIP comes from them\n    fix: pick it inside loadBalancer.ranges',
    ],
    'onprem.BAD[node-pool-too-small]': [
        '[hybrid-node-pool-size] hybrid-aks:sites[0].aksHybrid.nodePool: 172.17.10.20-172.17.10.29 holds 10 addresses, but up to 12 node VMs can exist (3 control plane + 8 workers + 1 upgrade surge)\n    fix: widen it to at least 12 addresses (one per node VM: aks-hci-network-system-requirements)',
    ],
    'onprem.BAD[node-pool-outside-subnet]': [
        '[hybrid-node-pool-in-subnet] hybrid-aks:sites[0].aksHybrid.nodePool: 172.17.9.20-172.17.9.99 is not inside subnet 172.17.10.0/24\n    fix: take the pool from the subnet',
    ],
    'onprem.BAD[pools-overlap]': [
        '[hybrid-lb-outside-node-pool] hybrid-aks:sites[0].aksHybrid.loadBalancer.ranges[0]: 172.17.10.90-172.17.10.129 overlaps the node pool 172.17.10.20-172.17.10.99 (hybrid-aks:sites[0].aksHybrid.nodePool)\n    fix: keep load-balancer addresses out of the node pool (deploy-load-balancer-portal)',
    ],
    'onprem.BAD[load-balancer-too-small]': [
        '[hybrid-lb-capacity] hybrid-aks:sites[0].aksHybrid.loadBalancer.ranges: hold 40 addresses, but 41 are needed (41 services)\n    fix: widen the ranges or plan fewer services',
    ],
    'onprem.BAD[load-balancer-outside-subnet]': [
        '[hybrid-lb-range-in-subnet] hybrid-aks:sites[0].aksHybrid.loadBalancer.ranges[0]: 172.17.11.200-172.17.11.239 is not inside subnet 172.17.10.0/24\n    fix: take load-balancer addresses from the subnet',
    ],
    'onprem.BAD[range-backwards]': [
        '[hybrid-range-order] hybrid-aks:sites[0].aksHybrid.loadBalancer.ranges[0]: starts after it ends (172.17.10.239-172.17.10.200)\n    fix: swap start and end',
    ],
    'onprem.BAD[aks-hci-two-vip-pools]': [
        '[hybrid-one-vip-pool] hybrid-aks:sites[0].aksHybrid.loadBalancer.ranges: hold 2 ranges, but AKS-HCI takes one VIP pool (vipPoolStart/vipPoolEnd)\n    fix: merge them into one contiguous range (new-akshciclusternetwork)',
    ],
    'onprem.BAD[haproxy-on-azure-local]': [
        '[hybrid-metallb-on-azure-local] hybrid-aks:sites[0].aksHybrid.loadBalancer.type: is haproxy, but AKS Arc on Azure Local balances services with MetalLB (the Arc extension) or your own\n    fix: use metallb, or platform: aks-hci (aks-hci-network-system-requirements)',
    ],
    'onprem.BAD[flannel-on-azure-local]': [
        '[hybrid-calico-on-azure-local] hybrid-aks:sites[0].aksHybrid.networkModel: is flannel, but AKS Arc on Azure Local runs Calico only\n    fix: use calico, or platform: aks-hci',
    ],
    'onprem.BAD[control-plane-is-dns]': [
        '[hybrid-control-plane-own-address] hybrid-aks:sites[0].aksHybrid.controlPlaneIp: 172.17.10.10 is DNS server 172.17.10.10\n    fix: give the API server an address of its own',
    ],
    'onprem.BAD[pool-includes-network-address]': [
        '[hybrid-pools-host-addresses] hybrid-aks:sites[0].aksHybrid.nodePool: 172.17.10.0-172.17.10.99 includes the network or broadcast address of 172.17.10.0/24\n    fix: start after the first and end before the last address',
    ],
    'onprem.BAD[range-includes-broadcast]': [
        '[hybrid-pools-host-addresses] hybrid-aks:sites[0].aksHybrid.loadBalancer.ranges[0]: 172.17.10.216-172.17.10.255 includes the network or broadcast address of 172.17.10.0/24\n    fix: start after the first and end before the last address',
    ],
    'onprem.BAD[dhcp-on-azure-local]': [
        '[hybrid-dhcp-only-aks-hci] hybrid-aks:sites[0].aksHybrid.ipAssignment: is dhcp, but AKS Arc on Azure Local takes node IPs only from a static logical network\n    fix: use static with a nodePool (aks-hci-network-system-requirements), or platform: aks-hci',
    ],
    'onprem.BAD[dhcp-without-scope]': [
        "[hybrid-dhcp-scope-required] hybrid-aks:sites[0].aksHybrid.dhcpScope: is required with DHCP: the VIP and control-plane addresses must be excluded from it\n    fix: give the DHCP server's scope for the node VMs",
    ],
    'onprem.BAD[static-without-pool]': [
        "[hybrid-node-pool-required] hybrid-aks:sites[0].aksHybrid.nodePool: is required with static IP assignment\n    fix: give the start and end of the node VMs' IP pool",
    ],
    'onprem.BAD[bgp-without-peers]': [
        "[hybrid-bgp-needs-peers] hybrid-aks:sites[0].aksHybrid.loadBalancer: advertiseMode BGP needs asn and bgpPeers\n    fix: add MetalLB's ASN and its peers, or use ARP",
    ],
    'onprem.BAD[pod-cidr-overlaps-site]': [
        "[cluster-ranges-disjoint] hybrid-aks:sites[0].aksHybrid.podCidr: 172.17.128.0/17 (AKS hybrid pod CIDR of site 'lyon-dc') overlaps 172.17.0.0/16 (on-prem site 'lyon-dc', hybrid-aks:sites[0].addressPrefixes[0]); a cluster's service and pod ranges must not overlap anything its pods reach\n    fix: move one of them; 172.16.0.0/17 is free and the same size",
    ],
    'onprem.BAD[service-cidr-overlaps-hub]': [
        "[cluster-ranges-disjoint] hybrid-aks:sites[0].aksHybrid.serviceCidr: 10.66.0.0/16 (AKS hybrid service CIDR of site 'lyon-dc') overlaps 10.66.0.0/22 (hub VNet 'hub', hybrid-aks:hub.addressSpace[0]); a cluster's service and pod ranges must not overlap anything its pods reach\n    fix: move one of them; 10.0.0.0/16 is free and the same size",
        '[hybrid-arc-service-cidr] hybrid-aks:sites[0].aksHybrid.serviceCidr: is 10.66.0.0/16, but AKS Arc on Azure Local takes no service CIDR: its services use 10.96.0.0/12\n    fix: set it to 10.96.0.0/12 (or leave it out), so the plan checks the range the cluster uses',
    ],
    'onprem.BAD[pod-cidr-overlaps-other-site]': [
        "[cluster-ranges-disjoint] hybrid-aks:sites[1].addressPrefixes[0]: 10.244.128.0/17 (on-prem site 'paris-dc') overlaps 10.244.0.0/16 (AKS hybrid pod CIDR of site 'lyon-dc', hybrid-aks:sites[0].aksHybrid.podCidr); a cluster's service and pod ranges must not overlap anything its pods reach\n    fix: move one of them; 10.0.0.0/17 is free and the same size",
    ],
    'onprem.BAD[pod-and-service-overlap]': [
        "[cluster-ranges-disjoint] hybrid-aks:sites[0].aksHybrid.serviceCidr: 10.244.0.0/20 (AKS hybrid service CIDR of site 'lyon-dc') overlaps 10.244.0.0/16 (AKS hybrid pod CIDR of site 'lyon-dc', hybrid-aks:sites[0].aksHybrid.podCidr); a cluster's service and pod ranges must not overlap anything its pods reach\n    fix: move one of them; 10.0.0.0/20 is free and the same size",
        '[hybrid-arc-service-cidr] hybrid-aks:sites[0].aksHybrid.serviceCidr: is 10.244.0.0/20, but AKS Arc on Azure Local takes no service CIDR: its services use 10.96.0.0/12\n    fix: set it to 10.96.0.0/12 (or leave it out), so the plan checks the range the cluster uses',
    ],
    'onprem.BAD[service-cidr-not-aks-arcs]': [
        '[hybrid-arc-service-cidr] hybrid-aks:sites[0].aksHybrid.serviceCidr: is 10.96.0.0/16, but AKS Arc on Azure Local takes no service CIDR: its services use 10.96.0.0/12\n    fix: set it to 10.96.0.0/12 (or leave it out), so the plan checks the range the cluster uses',
    ],
    'onprem.BAD[no-ssh-key-on-azure-local]': [
        "[hybrid-ssh-key-on-azure-local] hybrid-aks:sites[0].aksHybrid.sshPublicKey: is required on azure-local: the provisioned cluster's node VMs take it (linuxProfile)\n    fix: give an OpenSSH public key (ssh-ed25519 ... or ssh-rsa ...)",
    ],
    'onprem.BAD[metallb-without-runtime-object-id]': [
        '[hybrid-metallb-runtime-object-id] hybrid-aks:sites[0].aksHybrid.loadBalancer.kubernetesRuntimeObjectId: is required with metallb: the Arc networking extension takes it (k8sRuntimeFpaObjectId, deploy-load-balancer-cli)\n    fix: az ad sp list --filter "appId eq \'087fca6e-4606-4d41-b3f6-5ebdf75b8b4c\'" --query "[].id" -o tsv',
    ],
    'onprem.BAD[cluster-ready-on-azure-local]': [
        '[hybrid-cluster-ready-aks-hci-only] hybrid-aks:sites[0].aksHybrid.clusterReady: applies to aks-hci only; on azure-local the program builds the cluster and MetalLB in one run\n    fix: leave it out',
    ],
    'onprem.BAD[load-balancer-ranges-overlap]': [
        '[hybrid-lb-ranges-disjoint] hybrid-aks:sites[0].aksHybrid.loadBalancer.ranges[1]: 172.17.10.210-172.17.10.239 overlaps 172.17.10.200-172.17.10.219 (loadBalancer.ranges[0])\n    fix: make the ranges disjoint',
    ],
    'onprem.BAD[bgp-peers-with-arp]': [
        '[hybrid-peers-need-bgp] hybrid-aks:sites[0].aksHybrid.loadBalancer.bgpPeers: are set but advertiseMode is ARP\n    fix: set advertiseMode: BGP (or Both), or drop the peers',
    ],
    'attach.ATTACH_BAD[gateways-in-an-attaching-stack]': [
        "[attach-no-gateways] hybrid-aks:gateways: belong to the hub stack 'prod' in an attaching stack\n    fix: remove them; declare gateways in stack 'prod'",
    ],
    'attach.ATTACH_BAD[site-declares-a-connection]': [
        "[attach-site-no-connection] hybrid-aks:sites[0].vpn: is a connection, and connections belong to the hub stack 'prod'\n    fix: remove it here and declare it on site 'lyon-dc' in stack 'prod'",
    ],
    'attach.ATTACH_BAD[site-the-hub-stack-does-not-connect]': [
        "[attach-site-connected] hybrid-aks:sites[0].name: 'nice-dc' is no site of the hub stack 'prod' (it connects: paris-dc, lyon-dc), so nothing routes to it\n    fix: add site 'nice-dc' with its VPN or ExpressRoute connection to stack 'prod' first",
    ],
    'attach.ATTACH_BAD[site-prefix-outside-the-hubs-site]': [
        "[attach-site-prefixes-inside] hybrid-aks:sites[0].addressPrefixes[1]: 172.29.0.0/16 is outside site 'lyon-dc' as stack 'prod' connects it (172.17.0.0/16)\n    fix: use a range inside them, or widen the site in stack 'prod'",
    ],
    'attach.ATTACH_BAD[spoke-the-hub-stack-does-not-route-yet]': [
        "[attach-hub-routes-first] hybrid-aks:attach.hubStack: stack 'prod' does not yet route or allow 10.4.0.0/16 of stack 'lz-payments' through its firewall\n    fix: deploy stack 'prod' first (it reads Pulumi.lz-payments.yaml), then this one; the deploy workflow does",
    ],
    'attach.ATTACH_BAD[hub-zone-in-another-region]': [
        "[hub-zone-same-region] hybrid-aks:spokes[0].aks.privateDnsZone: is 'hub', but the hub stack 'prod' is in westeurope and creates only privatelink.westeurope.azmk8s.io; a cluster in northeurope needs its region's zone\n    fix: attach to a hub in the cluster's region, or use privateDnsZone: system with Azure DNS (private-clusters)",
    ],
}


def _cases() -> Iterator[tuple[str, Callable[[Any], None], str, Callable[[Any], list[Problem]]]]:
    for table, cases, problems_of in TABLES:
        for name, mutate, key, _ in cases:
            case = f"{table.removeprefix('test_')}[{name}]"
            if case in EXPECTED:
                yield case, mutate, key, problems_of


CASES = list(_cases())


def full(problems: list[Problem], key: str, rules: set[str]) -> list[str]:
    return [f"[{p.rule}] {p}" for p in problems if p.key == key and p.rule in rules]


PLAN_RULES = {text[1:text.index("]")] for texts in EXPECTED.values() for text in texts}


@pytest.mark.parametrize(("case", "mutate", "key", "problems_of"), CASES, ids=[c[0] for c in CASES])
def test_the_full_text_of_each_plan_problem(case: str, mutate: Callable[[Any], None], key: str,
                                            problems_of: Callable[[Any], list[Problem]]) -> None:
    assert full(problems_of(mutate), key, PLAN_RULES) == EXPECTED[case]


def test_every_expected_case_is_still_a_bad_case() -> None:
    assert {c[0] for c in CASES} == set(EXPECTED)


# --- cases of their own -------------------------------------------------------------------------------------------

H = "hybrid-aks:"


def lz_site_with_express_route(d: dict[str, Any]) -> None:
    test_attach.lz_site(d, expressRoute={"circuitId": "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg"
                                                      "/providers/Microsoft.Network/expressRouteCircuits/er"})


def second_site(prefix: str) -> Callable[[dict[str, Any]], None]:
    return lambda d: d["sites"].append({"name": "lab2", "addressPrefixes": [prefix], "vpn": {"gatewayAddress": "203.0.113.11"}})


def both_sites(prefix: str) -> Callable[[dict[str, Any]], None]:
    return lambda d: (site(d).update(addressPrefixes=[prefix], dns={"servers": ["192.168.1.10"], "domains": ["lab.example.com"]},
                                     vpn={"gatewayAddress": "203.0.113.10"}),
                      aks(d)["externalBackends"].pop(0), second_site(prefix)(d))


def lb_ranges(*ranges: str) -> Callable[[dict[str, Any]], None]:
    """site-lyon's AKS hybrid load-balancer ranges, each "start-end"."""
    return lambda d: test_onprem.hybrid(d)["loadBalancer"].update(ranges=[dict(zip(("start", "end"), r.split("-"))) for r in ranges])


def hybrid_subnet_outside_two_prefixes(d: dict[str, Any]) -> None:
    test_onprem.BAD[0][1](d)  # subnet-outside-site: the AKS hybrid subnet moved to 172.18.10.0/24
    d["sites"][0]["addressPrefixes"].append("172.20.0.0/16")


def two_unrouted_spokes(d: dict[str, Any]) -> None:
    d["spokes"] += [{"name": "more", "addressSpace": ["10.4.0.0/16"], "subnets": {"app": "10.4.0.0/24"}},
                    {"name": "most", "addressSpace": ["10.5.0.0/16"], "subnets": {"app": "10.5.0.0/24"}}]


def with_second_cluster_sharing_the_service_cidr(d: dict[str, Any]) -> None:
    """A second AKS spoke with the first one's serviceCidr (allowed: it never leaves its cluster), and two overlapping sites."""
    second = copy.deepcopy(test_config.spoke(d))
    second.update(name="aks2", addressSpace=["10.12.0.0/16"], subnets={"nodes": "10.12.0.0/22", "ilb": "10.12.8.0/24"})
    for service, ip in zip(second["aks"]["internalServices"], ("10.12.8.10", "10.12.8.11")):
        service["staticIp"] = ip
    d["spokes"].append(second)
    test_config.overlapping_sites(d)


def two_overlapping_lz_spokes(d: dict[str, Any]) -> None:
    """Sorted after the site 172.17.0.0/16 that prod and site-lyon both publish (their overlap is theirs to report)."""
    d["spokes"] += [{"name": "a", "addressSpace": ["192.168.1.0/24"], "subnets": {"app": "192.168.1.0/26"}},
                    {"name": "b", "addressSpace": ["192.168.1.0/24"], "subnets": {"app": "192.168.1.0/26"}}]


def with_site(name: str, prefix: str) -> Callable[[dict[str, Any]], None]:
    return lambda d: (test_config.overlapping_sites(d),
                      d["sites"].append({"name": name, "addressPrefixes": [prefix], "vpn": {"gatewayAddress": "203.0.113.12"}}))


def service_cidr(cidr: str, dns: str) -> Callable[[dict[str, Any]], None]:
    return lambda d: (test_config.overlapping_sites(d), aks(d).update(serviceCidr=cidr, dnsServiceIP=dns))


SK = f"{H}spokes[0].aks.serviceCidr"
TLS = {"keyVaultSecretId": "https://kv-t.vault.azure.net/secrets/ca/0123456789abcdef0123456789abcdef",
       "identityId": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/fw"}


def full_data_spoke(d: dict[str, Any]) -> None:
    """A spoke whose one subnet fills it: no free range to suggest for another."""
    d["spokes"].append({"name": "data", "addressSpace": ["10.12.0.0/24"], "subnets": {"app": "10.12.0.0/24", "db": "10.12.0.0/26", "ext": "10.13.0.0/26"}})


def full_hub(d: dict[str, Any]) -> None:
    """A hub with no free /26 for its too small AzureFirewallSubnet."""
    d["hub"]["addressSpace"] = ["10.10.0.0/24", "10.10.2.0/27"]
    d["hub"]["subnets"].update({"AzureFirewallSubnet": "10.10.0.64/27", "shared": "10.10.0.128/25"})


def firewall(**changes: Any) -> Callable[[dict[str, Any]], None]:
    return lambda d: (test_config.overlapping_sites(d), d["hub"]["firewall"].update(changes))


def dhcp_scope_of_six(d: dict[str, Any]) -> None:
    hybrid = test_onprem.hybrid(d)
    hybrid.pop("nodePool", None)
    hybrid.update(platform="aks-hci", ipAssignment="dhcp", dhcpScope={"start": "172.17.10.20", "end": "172.17.10.25"})


def node_pool(start: str, end: str, *also: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    return lambda d: ([change(d) for change in also], test_onprem.hybrid(d).update(nodePool={"start": start, "end": end}))


def active_active_apipa(*lists: list[str]) -> Callable[[dict[str, Any]], None]:
    return lambda d: (test_config.overlapping_sites(d), d["gateways"]["vpn"].update(activeActive=True, apipaAddresses=list(lists)))


CIRCUIT = "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/er"


def default_site_on_express_route_only(d: dict[str, Any]) -> None:
    """The only site connects over ExpressRoute, and the VPN gateway names it as its default site."""
    site(d).pop("vpn")
    site(d).update(expressRoute={"circuitId": CIRCUIT})
    test_config.with_er_gateway(d)
    d["gateways"]["vpn"].update(defaultSite="lab")


def haproxy_for(services: int) -> Callable[[dict[str, Any]], None]:
    """AKS-HCI with HAProxy on one 40-address VIP range (tests/test_onprem.py aks_hci_with_haproxy), planning `services`."""
    return lambda d: (test_onprem.with_other_site(d), test_onprem.aks_hci_with_haproxy(test_onprem.hybrid(d)),
                      test_onprem.hybrid(d).update(services=services))


def apipa_peer(address: str) -> Callable[[dict[str, Any]], None]:
    return lambda d: (test_config.overlapping_sites(d), d["gateways"]["vpn"].update(apipaAddresses=[["169.254.21.1"]]),
                      site(d)["vpn"]["bgp"].update(peerAddress=address))


def attached(hub_stack: str, hub_config: dict[str, Any], mutate: Callable[[dict[str, Any]], None]) -> list[Problem]:
    """The landing zone (tests/test_attach.py lz_on) attaching to `hub_stack`, whose stack file holds `hub_config`, changed by `mutate`."""
    project, sources = repository_sources(ROOT)
    hub = {k: v if isinstance(v, str) else json.dumps(v) for k, v in hub_config.items()}
    sources = [s for s in sources if s.name != hub_stack] + [StackSource(hub_stack, hub)]
    doc = {key.split(":", 1)[1]: value for key, value in test_attach.lz_on(hub_stack)["config"].items() if key.startswith("hybrid-aks:")}
    doc["location"] = test_attach.LZ_BASE["location"]
    mutate(doc)
    raw = test_config.raw_of(doc)
    with pytest.raises(ConfigError) as caught:
        load_stack(raw, hub=context_for("lz", parse_stack(raw), sources, project))
    return caught.value.problems


def prod_with_lyon_prefixes(*prefixes: str) -> dict[str, Any]:
    config = test_attach.document("prod")["config"]
    next(s for s in config["hybrid-aks:sites"] if s["name"] == "lyon-dc")["addressPrefixes"] = list(prefixes)
    return config


# (id, problems of a changed config, key, the full text of every plan problem at that key)
MORE: list[tuple[str, Callable[[], list[Problem]], str, list[str]]] = [
    ("hub-and-attach-together", lambda: problem_objects(lambda d: d.__setitem__("attach", {"hubStack": "organization/hybrid-aks/prod"})),
     f"{H}attach",
     ["[stack-hub-or-attach] hybrid-aks:attach: is set together with hybrid-aks:hub\n"
      "    fix: keep hub (this stack owns the hub) or attach: {hubStack: <org>/<project>/<stack>} (it peers into that hub)"]),
    ("attaching-stack-with-two-spokes-the-hub-does-not-route", lambda: test_attach.problem_objects(two_unrouted_spokes), f"{H}attach.hubStack",
     ["[attach-hub-routes-first] hybrid-aks:attach.hubStack: stack 'prod' does not yet route or allow 10.4.0.0/16, 10.5.0.0/16 of stack "
      "'lz-payments' through its firewall\n    fix: deploy stack 'prod' first (it reads Pulumi.lz-payments.yaml), then this one; the deploy workflow does"]),
    # The hub VNet of the hub stack lives in that stack: a spoke of an attaching stack may share its name (prod's is 'hub').
    ("attaching-stack-spoke-named-like-the-hub-stacks-hub", lambda: test_attach.problem_objects(lambda d: d["spokes"][0].update(name="hub")),
     f"{H}spokes[0].name", []),
    # Suggestions inside the VNet skip its other subnets (nodes holds 10.11.0.0/22), or say none is free.
    ("subnet-outside-a-two-range-vnet", lambda: problem_objects(lambda d: (test_config.spoke(d).update(addressSpace=["10.11.0.0/20", "10.11.16.0/20"]),
                                                                            test_config.spoke(d)["subnets"].update(ilb="10.12.8.0/24"))),
     f"{H}spokes[0].subnets.ilb",
     ["[subnet-inside-vnet] hybrid-aks:spokes[0].subnets.ilb: 10.12.8.0/24 is not inside spoke VNet 'aks' (10.11.0.0/20, 10.11.16.0/20)\n"
      "    fix: use a range inside the VNet, e.g. 10.11.4.0/24"]),
    ("subnet-outside-a-full-vnet", lambda: problem_objects(full_data_spoke), f"{H}spokes[1].subnets.ext",
     ["[subnet-inside-vnet] hybrid-aks:spokes[1].subnets.ext: 10.13.0.0/26 is not inside spoke VNet 'data' (10.12.0.0/24)\n"
      "    fix: use a range inside the VNet, e.g. a larger address space"]),
    ("subnets-overlapping-in-a-full-vnet", lambda: problem_objects(full_data_spoke), f"{H}spokes[1].subnets.db",
     ["[subnets-disjoint] hybrid-aks:spokes[1].subnets.db: 10.12.0.0/26 overlaps subnet 'app' 10.12.0.0/24 (hybrid-aks:spokes[1].subnets.app) "
      "in spoke VNet 'data'\n    fix: move it; no range of that size is free in the VNet"]),
    ("firewall-subnet-small-in-a-full-hub", lambda: problem_objects(full_hub), f"{H}hub.subnets.AzureFirewallSubnet",
     ["[special-subnet-min-size] hybrid-aks:hub.subnets.AzureFirewallSubnet: AzureFirewallSubnet 10.10.0.64/27 is too small; Azure needs /26 "
      "or larger\n    fix: use a /26 (e.g. after growing the VNet)"]),
    # Premium features on the Premium tier are fine; TLS inspection on Standard is refused like IDPS.
    ("premium-idps", lambda: problem_objects(firewall(sku="Premium", intrusionDetection="Deny", tlsInspection=TLS)), f"{H}hub.firewall.intrusionDetection", []),
    ("premium-tls-inspection", lambda: problem_objects(firewall(sku="Premium", intrusionDetection="Deny", tlsInspection=TLS)), f"{H}hub.firewall.tlsInspection", []),
    ("tls-inspection-on-standard", lambda: problem_objects(firewall(tlsInspection=TLS)), f"{H}hub.firewall.tlsInspection",
     ["[firewall-premium-features] hybrid-aks:hub.firewall.tlsInspection: needs the Premium tier (Learn: premium-features)\n"
      "    fix: set hub.firewall.sku: Premium, or remove tlsInspection"]),
    ("no-dns-proxy-no-upstream", lambda: problem_objects(lambda d: (test_config.overlapping_sites(d), d["hub"].pop("dnsResolver"), site(d).pop("dns"))),
     f"{H}hub.firewall.dnsProxy", []),
    ("dns-proxy-forwarding-to-the-resolver", lambda: problem_objects(firewall(dnsProxy=True)), f"{H}hub.firewall.dnsProxy", []),
    ("resolver-outbound-subnet-missing", lambda: problem_objects(lambda d: d["hub"]["dnsResolver"].update(outboundSubnet="dns-out")),
     f"{H}hub.dnsResolver.outboundSubnet",
     ["[resolver-subnet-exists] hybrid-aks:hub.dnsResolver.outboundSubnet: names subnet 'dns-out', which hub.subnets does not have\n"
      "    fix: add hub.subnets.dns-out (a /28) or name an existing subnet"]),
    # An active-active gateway has two instances, one APIPA list each; the range's ends are in it (vpn-gateway-bgp-overview).
    ("apipa-two-lists-active-active", lambda: problem_objects(active_active_apipa(["169.254.21.0"], ["169.254.22.255"])), f"{H}gateways.vpn.apipaAddresses", []),
    ("apipa-first-address", lambda: problem_objects(active_active_apipa(["169.254.21.0"], ["169.254.22.255"])), f"{H}gateways.vpn.apipaAddresses[0][0]", []),
    ("apipa-last-address", lambda: problem_objects(active_active_apipa(["169.254.21.0"], ["169.254.22.255"])), f"{H}gateways.vpn.apipaAddresses[1][0]", []),
    ("apipa-three-lists-active-active", lambda: problem_objects(active_active_apipa(["169.254.21.1"], ["169.254.21.2"], ["169.254.21.3"])),
     f"{H}gateways.vpn.apipaAddresses",
     ["[apipa-one-list-per-instance] hybrid-aks:gateways.vpn.apipaAddresses: has 3 lists, but the gateway has 2 instance(s)\n"
      "    fix: give one list per instance (two when activeActive is true)"]),
    ("default-site-unknown-among-two-vpn-sites", lambda: problem_objects(lambda d: (test_config.overlapping_sites(d),
                                                                                     d["gateways"]["vpn"].update(defaultSite="paris"))),
     f"{H}gateways.vpn.defaultSite",
     ["[default-site-is-vpn-site] hybrid-aks:gateways.vpn.defaultSite: names 'paris', which is not a site with a VPN connection\n"
      "    fix: name one of: lab, lab2"]),
    ("default-site-without-vpn-sites", lambda: problem_objects(default_site_on_express_route_only), f"{H}gateways.vpn.defaultSite",
     ["[default-site-is-vpn-site] hybrid-aks:gateways.vpn.defaultSite: names 'lab', which is not a site with a VPN connection\n"
      "    fix: name one of: (no VPN sites declared)"]),
    ("bgp-peer-at-the-first-apipa-address", lambda: problem_objects(apipa_peer("169.254.21.0")), f"{H}sites[0].vpn.bgp.peerAddress", []),
    ("bgp-peer-at-the-last-apipa-address", lambda: problem_objects(apipa_peer("169.254.22.255")), f"{H}sites[0].vpn.bgp.peerAddress", []),
    ("system-zone-behind-the-hub-resolver", lambda: problem_objects(lambda d: aks(d).update(privateDnsZone="system")), f"{H}spokes[0].aks.privateDnsZone",
     ["[private-zone-with-custom-dns] hybrid-aks:spokes[0].aks.privateDnsZone: is 'system', but the VNets resolve through custom DNS "
      "(hub.dnsResolver); AKS links its zone only to the cluster's VNet, so the nodes could not resolve the private API server\n"
      "    fix: set privateDnsZone: hub (the zone is created in the hub and linked to it) (private-clusters)"]),
    ("entra-off-with-azure-rbac-only", lambda: problem_objects(lambda d: aks(d).update(entraId={"enabled": False, "azureRbac": True,
                                                                                              "disableLocalAccounts": False})),
     f"{H}spokes[0].aks.entraId",
     ["[entra-id-off-no-rbac] hybrid-aks:spokes[0].aks.entraId: turns Entra ID off but keeps azureRbac or disableLocalAccounts on\n"
      "    fix: set azureRbac and disableLocalAccounts to false, or enable Entra ID"]),
    ("dns-service-ip-broadcast", lambda: problem_objects(lambda d: aks(d).update(dnsServiceIP="10.240.255.255")), f"{H}spokes[0].aks.dnsServiceIP",
     ["[dns-service-ip-usable] hybrid-aks:spokes[0].aks.dnsServiceIP: 10.240.255.255 is the broadcast address of serviceCidr 10.240.0.0/16\n"
      "    fix: use another address inside it, e.g. 10.240.0.10 (concepts-network-cni-overview)"]),
    ("max-pods-250-is-allowed", lambda: problem_objects(lambda d: (test_config.overlapping_sites(d), aks(d)["userPools"][0].update(maxPods=250))),
     f"{H}spokes[0].aks.userPools[0].maxPods", []),
    ("backend-of-no-named-site-outside-every-site", lambda: problem_objects(lambda d: (aks(d)["externalBackends"][0].pop("site"),
                                                                                       aks(d)["externalBackends"][0].update(addresses=["10.11.0.50"]))),
     f"{H}spokes[0].aks.externalBackends[0].addresses[0]",
     ["[backend-address-in-site] hybrid-aks:spokes[0].aks.externalBackends[0].addresses[0]: 10.11.0.50 is not inside the addressPrefixes of "
      "any site\n    fix: use an on-prem address the hub routes to, or declare its prefix on the site"]),
    # VNet-only reservations (virtual-networks-faq) don't bind an on-prem prefix.
    ("site-prefix-holding-azures-virtual-ip", lambda: problem_objects(with_site("ms", "168.63.128.0/17")), f"{H}sites[2].addressPrefixes[0]", []),
    ("service-cidr-in-loopback", lambda: problem_objects(service_cidr("127.0.0.0/16", "127.0.0.10")), SK,
     ["[vnet-forbidden-ranges] hybrid-aks:spokes[0].aks.serviceCidr: 127.0.0.0/16 overlaps 127.0.0.0/8 (loopback), which Azure does not allow "
      "here\n    fix: use a range clear of 127.0.0.0/8, e.g. 10.0.0.0/16"]),
    # AKS's list for service CIDRs (concepts-network-cni-overview) has no 168.63.129.16: it never leaves the cluster.
    ("service-cidr-holding-azures-virtual-ip", lambda: problem_objects(service_cidr("168.63.0.0/16", "168.63.0.10")), SK, []),
    ("service-cidr-13-is-small-enough", lambda: problem_objects(service_cidr("10.240.0.0/13", "10.240.0.10")), SK, []),
    # Two clusters sharing a service CIDR are skipped, and the sweep goes on to the overlapping sites after them.
    ("overlap-after-two-clusters-sharing-a-service-cidr", lambda: problem_objects(with_second_cluster_sharing_the_service_cidr),
     f"{H}sites[1].addressPrefixes[0]",
     ["[routed-ranges-disjoint] hybrid-aks:sites[1].addressPrefixes[0]: 172.19.128.0/17 (on-prem site 'lab2') overlaps 172.19.0.0/16 (on-prem "
      "site 'lab', hybrid-aks:sites[0].addressPrefixes[0]); peered or connected networks must not overlap, or routing breaks\n"
      "    fix: move one of them; 172.16.0.0/17 is free and the same size"]),
    ("overlap-after-two-other-stacks-overlapping", lambda: test_attach.problem_objects(two_overlapping_lz_spokes), f"{H}spokes[2].addressSpace[0]",
     ["[routed-ranges-disjoint] hybrid-aks:spokes[2].addressSpace[0]: 192.168.1.0/24 (spoke VNet 'b') overlaps 192.168.1.0/24 (spoke VNet 'a', "
      "hybrid-aks:spokes[1].addressSpace[0]); peered or connected networks must not overlap, or routing breaks\n"
      "    fix: move one of them; 192.168.0.0/24 is free and the same size"]),
    ("attached-site-declares-express-route", lambda: test_attach.problem_objects(lz_site_with_express_route), f"{H}sites[0].expressRoute",
     ["[attach-site-no-connection] hybrid-aks:sites[0].expressRoute: is a connection, and connections belong to the hub stack 'prod'\n"
      "    fix: remove it here and declare it on site 'lyon-dc' in stack 'prod'"]),
    # A range in 192.168/16 is moved within 192.168/16 (the first free /24 there), not to 10/8.
    ("suggestion-in-the-same-private-block", lambda: problem_objects(both_sites("192.168.1.0/24")), f"{H}sites[1].addressPrefixes[0]",
     ["[routed-ranges-disjoint] hybrid-aks:sites[1].addressPrefixes[0]: 192.168.1.0/24 (on-prem site 'lab2') overlaps 192.168.1.0/24 "
      "(on-prem site 'lab', hybrid-aks:sites[0].addressPrefixes[0]); peered or connected networks must not overlap, or routing breaks\n"
      "    fix: move one of them; 192.168.0.0/24 is free and the same size"]),
    # A single on-prem address is a /32 prefix: the suggestion is a free /32.
    ("suggestion-for-a-single-address", lambda: problem_objects(second_site("10.10.0.4/32")), f"{H}sites[1].addressPrefixes[0]",
     ["[routed-ranges-disjoint] hybrid-aks:sites[1].addressPrefixes[0]: 10.10.0.4/32 (on-prem site 'lab2') overlaps 10.10.0.0/22 "
      "(hub VNet 'hub', hybrid-aks:hub.addressSpace[0]); peered or connected networks must not overlap, or routing breaks\n"
      "    fix: move one of them; 10.0.0.0/32 is free and the same size"]),
    # 6 x 1000000001 addresses exceed IPv4: the advice stops at /0 (never a negative prefix) and names no range.
    ("need-larger-than-ipv4", lambda: problem_objects(lambda d: aks(d)["userPools"][0].update(maxPods=1_000_000_000)),
     f"{H}spokes[0].subnets.nodes",
     ["[node-subnet-capacity] hybrid-aks:spokes[0].subnets.nodes: 10.11.0.0/22 has 1019 usable addresses, but its node pools need 6000000130 "
      "((nodes + surge) x (maxPods + 1), plus internal LB IPs)\n"
      "    fix: use a /0 or larger, or lower maxCount/maxPods (concepts-network-ip-address-planning)"]),
    ("attached-site-the-hub-stack-lacks", lambda: attached("dev", test_attach.gatewayless_hub()["config"], test_attach.lz_site), f"{H}sites[0].name",
     ["[attach-site-connected] hybrid-aks:sites[0].name: 'lyon-dc' is no site of the hub stack 'dev' (it connects: none), so nothing "
      "routes to it\n    fix: add site 'lyon-dc' with its VPN or ExpressRoute connection to stack 'dev' first"]),
    ("attached-site-outside-two-hub-prefixes", lambda: attached("prod", prod_with_lyon_prefixes("172.17.0.0/16", "172.18.0.0/16"),
                                                                lambda d: test_attach.lz_site(d, addressPrefixes=["172.29.0.0/16"])),
     f"{H}sites[0].addressPrefixes[0]",
     ["[attach-site-prefixes-inside] hybrid-aks:sites[0].addressPrefixes[0]: 172.29.0.0/16 is outside site 'lyon-dc' as stack 'prod' "
      "connects it (172.17.0.0/16, 172.18.0.0/16)\n    fix: use a range inside them, or widen the site in stack 'prod'"]),
    ("attached-site-dns-outside-its-prefixes", lambda: test_attach.problem_objects(
        lambda d: test_attach.lz_site(d, dns={"servers": ["10.99.0.53"], "domains": ["lyon.example.com"]})), f"{H}sites[0].dns.servers[0]",
     ["[site-dns-in-prefixes] hybrid-aks:sites[0].dns.servers[0]: 10.99.0.53 is outside the site's addressPrefixes\n"
      "    fix: list an address inside the site's prefixes"]),
    # Ranges that share one address overlap, whichever comes first.
    ("lb-ranges-sharing-their-last-address", lambda: test_onprem.problem_objects(lb_ranges("172.17.10.219-172.17.10.239", "172.17.10.200-172.17.10.219")),
     f"{test_onprem.K}.loadBalancer.ranges[1]",
     ["[hybrid-lb-ranges-disjoint] hybrid-aks:sites[0].aksHybrid.loadBalancer.ranges[1]: 172.17.10.200-172.17.10.219 overlaps "
      "172.17.10.219-172.17.10.239 (loadBalancer.ranges[0])\n    fix: make the ranges disjoint"]),
    ("lb-ranges-sharing-their-first-address", lambda: test_onprem.problem_objects(lb_ranges("172.17.10.200-172.17.10.219", "172.17.10.219-172.17.10.239")),
     f"{test_onprem.K}.loadBalancer.ranges[1]",
     ["[hybrid-lb-ranges-disjoint] hybrid-aks:sites[0].aksHybrid.loadBalancer.ranges[1]: 172.17.10.219-172.17.10.239 overlaps "
      "172.17.10.200-172.17.10.219 (loadBalancer.ranges[0])\n    fix: make the ranges disjoint"]),
    ("hybrid-subnet-outside-two-site-prefixes", lambda: test_onprem.problem_objects(hybrid_subnet_outside_two_prefixes), f"{test_onprem.K}.subnet",
     ["[hybrid-subnet-in-site] hybrid-aks:sites[0].aksHybrid.subnet: 172.18.10.0/24 is not inside the site's addressPrefixes "
      "(172.17.0.0/16, 172.20.0.0/16)\n    fix: use a subnet of the site's prefixes, or declare its prefix on the site"]),
    ("single-address-lb-range", lambda: test_onprem.problem_objects(lb_ranges("172.17.10.200-172.17.10.200")),
     f"{test_onprem.K}.loadBalancer.ranges[0]", []),
    # A range from the subnet's first address is inside the subnet; only the network address is wrong.
    ("lb-range-from-the-network-address", lambda: test_onprem.problem_objects(lb_ranges("172.17.10.0-172.17.10.15", "172.17.10.200-172.17.10.239")),
     f"{test_onprem.K}.loadBalancer.ranges[0]",
     ["[hybrid-pools-host-addresses] hybrid-aks:sites[0].aksHybrid.loadBalancer.ranges[0]: 172.17.10.0-172.17.10.15 includes the network or "
      "broadcast address of 172.17.10.0/24\n    fix: start after the first and end before the last address"]),
    # AKS Arc's own ranges: Azure's AKS reservations (172.30.0.0/16 ...) don't apply on-prem.
    ("aks-arc-pod-cidr-in-172-30", lambda: test_onprem.problem_objects(lambda d: test_onprem.hybrid(d).update(podCidr="172.30.0.0/16", sshPublicKey=None)),
     f"{test_onprem.K}.podCidr", []),
    # With DHCP the scope is the node VMs' pool and is checked (and keyed) as one.
    ("dhcp-scope-too-small", lambda: test_onprem.problem_objects(dhcp_scope_of_six), f"{test_onprem.K}.dhcpScope",
     ["[hybrid-node-pool-size] hybrid-aks:sites[0].aksHybrid.dhcpScope: 172.17.10.20-172.17.10.25 holds 6 addresses, but up to 12 node VMs can "
      "exist (3 control plane + 8 workers + 1 upgrade surge)\n    fix: widen it to at least 12 addresses (one per node VM: aks-hci-network-system-requirements)"]),
    ("node-pool-of-one-address", lambda: test_onprem.problem_objects(node_pool("172.17.10.20", "172.17.10.20")), f"{test_onprem.K}.nodePool",
     ["[hybrid-node-pool-size] hybrid-aks:sites[0].aksHybrid.nodePool: 172.17.10.20-172.17.10.20 holds 1 addresses, but up to 12 node VMs can "
      "exist (3 control plane + 8 workers + 1 upgrade surge)\n    fix: widen it to at least 12 addresses (one per node VM: aks-hci-network-system-requirements)"]),
    ("node-pool-to-the-broadcast-address", lambda: test_onprem.problem_objects(node_pool("172.17.10.240", "172.17.10.255")), f"{test_onprem.K}.nodePool",
     ["[hybrid-pools-host-addresses] hybrid-aks:sites[0].aksHybrid.nodePool: 172.17.10.240-172.17.10.255 includes the network or broadcast "
      "address of 172.17.10.0/24\n    fix: start after the first and end before the last address"]),
    # 3 control plane + 8 workers + 1 surge: 12 addresses are enough.
    ("node-pool-of-exactly-the-node-vms", lambda: test_onprem.problem_objects(node_pool("172.17.10.20", "172.17.10.31", test_onprem.with_other_site)),
     f"{test_onprem.K}.nodePool", []),
    ("dns-server-in-the-node-pool", lambda: test_onprem.problem_objects(lambda d: test_onprem.hybrid(d).update(dnsServers=["172.17.10.50"])),
     f"{test_onprem.K}.dnsServers[0]",
     ["[hybrid-dns-outside-pools] hybrid-aks:sites[0].aksHybrid.dnsServers[0]: 172.17.10.50 is inside the node pool 172.17.10.20-172.17.10.99\n"
      "    fix: exclude DNS servers from the pool"]),
    ("control-plane-is-the-gateway", lambda: test_onprem.problem_objects(lambda d: test_onprem.hybrid(d).update(controlPlaneIp="172.17.10.1")),
     f"{test_onprem.K}.controlPlaneIp",
     ["[hybrid-control-plane-own-address] hybrid-aks:sites[0].aksHybrid.controlPlaneIp: 172.17.10.1 is the gateway\n"
      "    fix: give the API server an address of its own"]),
    # HAProxy takes the control-plane VIP from its one range: 39 services + the VIP fill 40 addresses, 40 services don't fit.
    ("haproxy-range-just-enough", lambda: test_onprem.problem_objects(haproxy_for(39)), f"{test_onprem.K}.loadBalancer.ranges", []),
    ("haproxy-range-one-short", lambda: test_onprem.problem_objects(haproxy_for(40)), f"{test_onprem.K}.loadBalancer.ranges",
     ["[hybrid-lb-capacity] hybrid-aks:sites[0].aksHybrid.loadBalancer.ranges: hold 40 addresses, but 41 are needed (40 services + the "
      "control-plane VIP)\n    fix: widen the ranges or plan fewer services"]),
    ("metallb-range-just-enough", lambda: test_onprem.problem_objects(lambda d: (test_onprem.with_other_site(d), test_onprem.hybrid(d).update(services=40))),
     f"{test_onprem.K}.loadBalancer.ranges", []),
    ("single-address-range-holds-one", lambda: test_onprem.problem_objects(lambda d: (test_onprem.with_other_site(d), test_onprem.hybrid(d).update(services=1),
                                                                                       lb_ranges("172.17.10.200-172.17.10.200")(d))),
     f"{test_onprem.K}.loadBalancer.ranges", []),
    ("gateway-in-the-load-balancer-range", lambda: test_onprem.problem_objects(lambda d: test_onprem.hybrid(d).update(gateway="172.17.10.210")),
     f"{test_onprem.K}.gateway",
     ["[hybrid-gateway-outside-pools] hybrid-aks:sites[0].aksHybrid.gateway: 172.17.10.210 is inside load-balancer range 172.17.10.200-172.17.10.239\n"
      "    fix: exclude the gateway from the range"]),
    # A backwards pool holds no address at all.
    ("node-pool-backwards", lambda: test_onprem.problem_objects(lambda d: test_onprem.hybrid(d).update(nodePool={"start": "172.17.10.99", "end": "172.17.10.20"})),
     f"{test_onprem.K}.nodePool",
     ["[hybrid-node-pool-size] hybrid-aks:sites[0].aksHybrid.nodePool: 172.17.10.99-172.17.10.20 holds 0 addresses, but up to 12 node VMs can "
      "exist (3 control plane + 8 workers + 1 upgrade surge)\n    fix: widen it to at least 12 addresses (one per node VM: aks-hci-network-system-requirements)",
      "[hybrid-range-order] hybrid-aks:sites[0].aksHybrid.nodePool: starts after it ends (172.17.10.99-172.17.10.20)\n    fix: swap start and end"]),
]


@pytest.mark.parametrize(("problems", "key", "expected"), [c[1:] for c in MORE], ids=[c[0] for c in MORE])
def test_the_full_text_of_more_plan_problems(problems: Callable[[], list[Problem]], key: str, expected: list[str]) -> None:
    assert [f"[{p.rule}] {p}" for p in problems() if p.key == key] == expected


def test_a_stack_that_owns_its_hub_is_checked_on_its_own_even_given_a_hub_context() -> None:
    project, sources = repository_sources(ROOT)
    (lz,) = [s for s in sources if s.name == "lz-payments"]
    context = context_for("lz-payments", parse_stack(lz.raw), sources, project)
    stack = load_stack(test_config.raw_of(test_config.BASE))
    assert check_plan(stack, context) == []
    rows = address_plan_rows(stack, context)
    assert [row.key for row in rows[:2]] == ["hybrid-aks:hub.addressSpace[0]", "hybrid-aks:spokes[0].addressSpace[0]"]
    assert not any(row.key.startswith("prod:") for row in rows)  # nothing of the hub stack prod's ranges


def test_plan_rows_say_what_each_subnet_holds() -> None:
    """The preview's address plan, as a reviewer reads it: AKS node subnets (pods too, with Azure CNI's flat mode) and
    load balancer subnets with their need and headroom, and an AKS hybrid site's subnet with its gateway and VIPs."""
    from config.plan import PlanRow
    from tests.stacks import evaluated
    dev = {r.key: r for r in evaluated("dev").address_plan}
    assert dev["hybrid-aks:spokes[0].subnets.nodes"] == PlanRow(
        "hybrid-aks:spokes[0].subnets.nodes", "spoke VNet 'aks' subnet 'nodes'", "10.11.0.0/22", 1024, 1019, 310,
        "AKS nodes, pods; headroom 709")
    assert dev["hybrid-aks:spokes[0].subnets.ilb"] == PlanRow(
        "hybrid-aks:spokes[0].subnets.ilb", "spoke VNet 'aks' subnet 'ilb'", "10.11.8.0/24", 256, 251, 1,
        "internal load balancers; headroom 250")
    lyon = {r.key: r for r in evaluated("site-lyon").address_plan}
    assert lyon["hybrid-aks:sites[0].aksHybrid.subnet"] == PlanRow(
        "hybrid-aks:sites[0].aksHybrid.subnet", "AKS hybrid at 'lyon-dc': site subnet", "172.17.10.0/24", 256, 254, None,
        "gateway 172.17.10.1, control plane 172.17.10.10")


def _rows(document: dict[str, Any]) -> dict[str, Any]:
    from tests.test_config import raw_of
    return {r.key: r for r in address_plan_rows(load_stack(raw_of(document)), None)}


def test_an_aks_hybrid_site_plans_its_node_vms_and_vips() -> None:
    """Node VMs from the node pool (static) or the DHCP scope; haproxy takes one VIP more than the services, for the
    control plane (aks-hybrid-networking)."""
    from config.plan import PlanRow
    from tests.test_onprem import BASE, hybrid
    static = _rows(copy.deepcopy(BASE))
    k = "hybrid-aks:sites[0].aksHybrid"
    assert static[f"{k}.nodePool"] == PlanRow(f"{k}.nodePool", "AKS hybrid at 'lyon-dc': node VMs", "172.17.10.20-172.17.10.99",
                                              80, 80, 12, "headroom 68")
    assert static[f"{k}.loadBalancer.ranges[0]"] == PlanRow(
        f"{k}.loadBalancer.ranges[0]", "AKS hybrid at 'lyon-dc': metallb addresses", "172.17.10.200-172.17.10.239", 40, 40, 12, "headroom 28")
    document = copy.deepcopy(BASE)
    h = hybrid(document)
    h.update(ipAssignment="dhcp", platform="aks-hci", networkModel="flannel", dhcpScope=h.pop("nodePool"), controlPlaneIp="172.17.10.200",
             loadBalancer={"type": "haproxy", "ranges": h["loadBalancer"]["ranges"]})
    dhcp = _rows(document)
    assert f"{k}.nodePool" not in dhcp
    assert dhcp[f"{k}.dhcpScope"] == PlanRow(f"{k}.dhcpScope", "AKS hybrid at 'lyon-dc': node VMs", "172.17.10.20-172.17.10.99",
                                             80, 80, 12, "headroom 68")
    assert dhcp[f"{k}.loadBalancer.ranges[0]"] == PlanRow(
        f"{k}.loadBalancer.ranges[0]", "AKS hybrid at 'lyon-dc': haproxy addresses", "172.17.10.200-172.17.10.239", 40, 40, 13, "headroom 27")


def test_an_internal_load_balancer_in_the_node_subnet_takes_one_address_each() -> None:
    from tests.test_config import BASE
    key = "hybrid-aks:spokes[0].subnets.nodes"
    apart = _rows(copy.deepcopy(BASE))[key].needed
    document = copy.deepcopy(BASE)
    for service in aks(document)["internalServices"]:
        service.update(subnet="nodes", staticIp=None)
    together = _rows(document)[key]
    assert together.needed == apart + 2 and together.note.startswith("AKS nodes, pods")


def test_overlay_capacity_counts_one_address_per_node() -> None:
    problems = problem_objects(lambda d: (aks(d).update(networkPluginMode="overlay", podCidr="100.64.0.0/16"),
                                          d["spokes"][0]["subnets"].update(nodes="10.11.0.0/29")))
    (capacity,) = [p for p in problems if p.key == "hybrid-aks:spokes[0].subnets.nodes" and "usable addresses" in p.message]
    assert "((nodes + surge) x (maxPods + 1) with overlay: one per node, plus internal LB IPs)" in capacity.message


def test_every_bad_backend_is_reported_not_only_the_first() -> None:
    def two_bad(d: dict[str, Any]) -> None:
        backends = aks(d)["externalBackends"]
        backends[0]["site"] = "nowhere"
        backends.append({"name": "db", "addresses": ["172.19.5.30"], "ports": []})
    keys = {p.key for p in problem_objects(two_bad)}
    assert {"hybrid-aks:spokes[0].aks.externalBackends[0].site", "hybrid-aks:spokes[0].aks.externalBackends[2].ports"} <= keys


def test_sampled_survivors_flow_fix_asn_boundary_overlay_note_and_api_zone() -> None:
    from tests.test_config import BASE
    from config.topology import hub_private_zones

    def flow_to_nowhere(d: dict[str, Any]) -> None:
        d["sites"].append({"name": "other", "addressPrefixes": ["172.20.0.0/16"], "vpn": {"gatewayAddress": "203.0.113.20"}})
        d["flows"] = [{"name": "f1", "from": {"site": "nowhere"}, "to": {"spoke": "aks"}, "ports": [443]}]
    (flow,) = problem_objects(flow_to_nowhere)
    assert (flow.key, flow.fix) == ("hybrid-aks:flows[0].from.site", "name one of: lab, other")
    # 64496-64511 are IANA's documentation ASNs (RFC 5398): the first of them is refused as much as the last.
    for asn in (64496, 64511):
        (reserved,) = problem_objects(lambda d: site(d)["vpn"]["bgp"].update(asn=asn))
        assert (reserved.key, reserved.message) == (
            "hybrid-aks:sites[0].vpn.bgp.asn", f"{asn} is reserved by Azure or IANA and can't be used by an on-prem device")
    # With overlay, pods take no subnet addresses: the node subnet's row says nodes only.
    document = copy.deepcopy(BASE)
    aks(document).update(networkPluginMode="overlay", podCidr="100.64.0.0/16")
    assert _rows(document)["hybrid-aks:spokes[0].subnets.nodes"].note.startswith("AKS nodes; headroom")
    # The API-server zone listed with a trailing dot (absolute form) is the same zone: created once.
    document = copy.deepcopy(BASE)
    document["hub"]["privateDnsZones"] = ["privatelink.westeurope.azmk8s.io."]
    assert hub_private_zones(load_stack(test_config.raw_of(document))) == ["privatelink.westeurope.azmk8s.io."]


def test_a_credential_inside_a_list_is_not_shown_in_a_problem() -> None:
    token = "token-eyJhbGciOiJIUzI1NiJ9.ab_cdefghij"
    (problem,) = problem_objects(lambda d: site(d)["dns"].update(domains=[token]))
    assert problem.key == "hybrid-aks:sites[0].dns.domains[0]" and token not in str(problem)
    assert problem.message.startswith("'(a value that looks like a credential, not shown)' is not a valid DNS name")
