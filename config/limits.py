"""Documented Azure limits a stack can exceed; each rule names its Learn source.

- Tags (tag-resources "Limitations"): at most 50 tag name/value pairs per resource; a name at most 512 characters
  (128 for storage accounts, which the program doesn't create), a value at most 256; names can't contain
  < > % & \\ ? /.
- Peerings: 500 per VNet (azure-subscription-service-limits, Networking): the hub peers with every spoke.
- Site-to-site tunnels per VPN gateway SKU (about-gateway-skus): VpnGw1-3(AZ) 30, VpnGw4-5(AZ) 100.
- ExpressRoute connections per gateway SKU (expressroute-about-virtual-network-gateways): ErGw1AZ 4, ErGw2AZ 8,
  ErGw3AZ 16, ErGwScale 4 per scale unit at 1 unit.
- Subnets per VNet: 3,000 (networking limits).
- DNS Private Resolver (dns-private-resolver-overview, limits): 1,000 rules per forwarding ruleset, 6 target DNS
  servers per rule.
- AKS (quotas-skus-regions): 100 node pools per cluster; 5,000 nodes per cluster.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from config.model import StackConfig
from config.problems import Problem, key_of

MAX_TAGS = 50
MAX_TAG_NAME = 512
MAX_TAG_VALUE = 256
_TAG_NAME_FORBIDDEN = re.compile(r"[<>%&\\?/]")
MAX_PEERINGS = 500
VPN_TUNNELS = {"VpnGw1": 30, "VpnGw2": 30, "VpnGw3": 30, "VpnGw4": 100, "VpnGw5": 100}
ER_CONNECTIONS = {"ErGw1AZ": 4, "ErGw2AZ": 8, "ErGw3AZ": 16, "ErGwScale": 4}
MAX_SUBNETS = 3000
MAX_FORWARDING_RULES = 1000
MAX_RULE_TARGETS = 6
MAX_POOLS = 100
MAX_CLUSTER_NODES = 5000


def check_limits(stack: StackConfig) -> list[Problem]:
    problems: list[Problem] = []
    add = problems.append
    tags = stack.tags
    if len(tags) > MAX_TAGS:
        add(Problem(key_of("tags"), f"has {len(tags)} tags; Azure allows {MAX_TAGS} per resource (tag-resources)",
                    f"remove {len(tags) - MAX_TAGS} of them", rule="tag-count"))
    for name, value in tags.items():
        key = key_of("tags", name)
        if not name.strip():
            add(Problem(key, "is an empty tag name", "give the tag a name", rule="tag-name-empty"))
        elif len(name) > MAX_TAG_NAME:
            add(Problem(key, f"is a tag name of {len(name)} characters; Azure allows {MAX_TAG_NAME} (tag-resources)", "shorten the name", rule="tag-name-length"))
        elif _TAG_NAME_FORBIDDEN.search(name):
            add(Problem(key, "is a tag name with a character Azure refuses in tag names (< > % & \\ ? /) (tag-resources)",
                        "remove those characters from the name", rule="tag-name-characters"))
        if len(value) > MAX_TAG_VALUE:
            add(Problem(key, f"has a value of {len(value)} characters; Azure allows {MAX_TAG_VALUE} (tag-resources)", "shorten the value", rule="tag-value-length"))
    if len(stack.spokes) > MAX_PEERINGS:
        add(Problem(key_of("spokes"), f"has {len(stack.spokes)} spokes, but the hub VNet can have at most {MAX_PEERINGS} peerings "
                    "(azure-subscription-service-limits)", "split the spokes across two hubs (two stacks)", rule="hub-peerings"))
    _gateway_connections(stack, add)
    for key, subnets in [*([(key_of("hub", "subnets"), stack.hub.subnets)] if stack.hub else []),
                         *((key_of("spokes", i, "subnets"), s.subnets) for i, s in enumerate(stack.spokes))]:
        if len(subnets) > MAX_SUBNETS:
            add(Problem(key, f"has {len(subnets)} subnets; a VNet holds at most {MAX_SUBNETS}", "use fewer, larger subnets", rule="subnets-per-vnet"))
    domains = [(i, j) for i, site in enumerate(stack.sites) for j in range(len(site.dns.domains if site.dns else []))]
    if stack.hub and stack.hub.dns_resolver and len(domains) > MAX_FORWARDING_RULES:
        add(Problem(key_of("sites"), f"forward {len(domains)} DNS domains; a forwarding ruleset holds at most {MAX_FORWARDING_RULES} rules "
                    "(dns-private-resolver limits)", "forward parent domains instead of each subdomain", rule="forwarding-rules"))
    for i, site in enumerate(stack.sites):
        if site.dns and len(site.dns.servers) > MAX_RULE_TARGETS:
            add(Problem(key_of("sites", i, "dns", "servers"), f"lists {len(site.dns.servers)} servers; a forwarding rule takes at most "
                        f"{MAX_RULE_TARGETS} target DNS servers (dns-private-resolver limits)", f"keep {MAX_RULE_TARGETS} of them", rule="forwarding-targets"))
    for i, spoke in enumerate(stack.spokes):
        if spoke.aks is None:
            continue
        pools = [spoke.aks.system_pool, *spoke.aks.user_pools]
        if len(pools) > MAX_POOLS:
            add(Problem(key_of("spokes", i, "aks", "userPools"), f"makes {len(pools)} node pools; AKS allows {MAX_POOLS} per cluster "
                        "(quotas-skus-regions)", "merge pools", rule="aks-pool-count"))
        nodes = sum(pool.max_count for pool in pools)
        if nodes > MAX_CLUSTER_NODES:
            add(Problem(key_of("spokes", i, "aks", "userPools"), f"lets the cluster grow to {nodes} nodes (sum of maxCount); AKS allows "
                        f"{MAX_CLUSTER_NODES} per cluster (quotas-skus-regions)", "lower maxCount", rule="aks-node-count"))
    return problems


def _gateway_connections(stack: StackConfig, add: Callable[[Problem], None]) -> None:
    vpn_sites = [i for i, site in enumerate(stack.sites) if site.vpn]
    if stack.gateways.vpn and vpn_sites:
        sku = stack.gateways.vpn.sku.removesuffix("AZ")
        limit = VPN_TUNNELS.get(sku)
        if limit is not None and len(vpn_sites) > limit:
            add(Problem(key_of("gateways", "vpn", "sku"), f"{stack.gateways.vpn.sku} takes at most {limit} site-to-site tunnels, but "
                        f"{len(vpn_sites)} sites use VPN (about-gateway-skus)", "choose VpnGw4AZ or VpnGw5AZ (100 tunnels), or Virtual WAN beyond", rule="vpn-tunnels"))
    er_sites = [i for i, site in enumerate(stack.sites) if site.express_route]
    if stack.gateways.express_route and er_sites:
        limit = ER_CONNECTIONS[stack.gateways.express_route.sku]
        if len(er_sites) > limit:
            add(Problem(key_of("gateways", "expressRoute", "sku"), f"{stack.gateways.express_route.sku} takes at most {limit} ExpressRoute "
                        f"circuit connections, but {len(er_sites)} sites use ExpressRoute (expressroute-about-virtual-network-gateways)",
                        "choose a larger SKU (ErGw3AZ: 16)", rule="expressroute-connections"))
