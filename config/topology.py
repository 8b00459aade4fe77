"""Facts derived from a valid StackConfig that components share: pure functions, no resources."""

from __future__ import annotations

from netaddr import IPNetwork

from config.model import Hub, Spoke, StackConfig
from config.plan import (
    FIREWALL_MANAGEMENT_SUBNET, FIREWALL_SUBNET, GATEWAY_SUBNET, ROUTE_SERVER_SUBNET,
)

# Azure refuses an NSG on these (vpn-gateway-about-vpn-gateway-settings#gwsub, firewall-faq, route-server-faq).
NO_NSG_SUBNETS = frozenset({GATEWAY_SUBNET, FIREWALL_SUBNET, FIREWALL_MANAGEMENT_SUBNET, ROUTE_SERVER_SUBNET})
RESOLVER_DELEGATION = "Microsoft.Network/dnsResolvers"
FIRST_USABLE_OFFSET = 4  # .0-.3 are Azure's (virtual-networks-faq)


def resolver_inbound_ip(hub: Hub) -> str | None:
    """A static inbound endpoint address, known before deployment so VNet DNS needn't wait for the resolver."""
    if hub.dns_resolver is None:
        return None
    return str(IPNetwork(hub.subnets[hub.dns_resolver.inbound_subnet]).network + FIRST_USABLE_OFFSET)


def vnet_dns_servers(stack: StackConfig) -> list[str]:
    """DNS servers of every VNet: explicit ones, else the resolver (which forwards the sites' domains), else Azure DNS."""
    if stack.hub.dns_servers:
        return list(stack.hub.dns_servers)
    inbound = resolver_inbound_ip(stack.hub)
    return [inbound] if inbound else []


def resolver_subnets(hub: Hub) -> set[str]:
    if hub.dns_resolver is None:
        return set()
    return {hub.dns_resolver.inbound_subnet, hub.dns_resolver.outbound_subnet}


def forwarding_rules(stack: StackConfig) -> list[tuple[str, list[str]]]:
    """(domain with its trailing dot, on-prem DNS servers) for every site domain."""
    return [(domain.rstrip(".") + ".", list(site.dns.servers))
            for site in stack.sites if site.dns for domain in site.dns.domains]


def aks_subnets(spoke: Spoke) -> set[str]:
    """Subnets holding AKS nodes: their route table keeps BGP propagation off (egress-udr)."""
    if spoke.aks is None:
        return set()
    return {spoke.aks.node_subnet, *(pool.subnet for pool in spoke.aks.user_pools if pool.subnet),
            *([spoke.aks.system_pool.subnet] if spoke.aks.system_pool.subnet else [])}


def has_gateway(stack: StackConfig) -> bool:
    return stack.gateways.vpn is not None or stack.gateways.express_route is not None


def uses_bgp(stack: StackConfig) -> bool:
    return any(site.vpn and site.vpn.bgp for site in stack.sites)
