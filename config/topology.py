"""Facts derived from a valid StackConfig that components share: pure functions, no resources."""

from __future__ import annotations

from dataclasses import dataclass

from netaddr import IPNetwork, IPSet

from config.azure import PRIVATE_RANGES, first_usable
from config.model import FlowEnd, Hub, Spoke, StackConfig
from config.registries import pull_hosts, registry_of, spoke_images
from config.plan import (
    FIREWALL_MANAGEMENT_SUBNET, FIREWALL_SUBNET, GATEWAY_SUBNET, ROUTE_SERVER_SUBNET,
)

# Azure refuses an NSG on these (vpn-gateway-about-vpn-gateway-settings#gwsub, firewall-faq, route-server-faq).
NO_NSG_SUBNETS = frozenset({GATEWAY_SUBNET, FIREWALL_SUBNET, FIREWALL_MANAGEMENT_SUBNET, ROUTE_SERVER_SUBNET})
RESOLVER_DELEGATION = "Microsoft.Network/dnsResolvers"
# AKS egress under forced tunneling (outbound-rules-control-egress), besides *.hcp.<location>.azmk8s.io; the
# AzureKubernetesService FQDN tag covers the same set.
AKS_EGRESS_FQDNS = (
    "mcr.microsoft.com", "*.data.mcr.microsoft.com", "mcr-0001.mcr-msedge.net", "management.azure.com",
    "login.microsoftonline.com", "packages.microsoft.com", "acs-mirror.azureedge.net", "packages.aks.azure.com",
)
# What each add-on reaches, listed apart from the core set (outbound-rules-control-egress, "AKS addons and integrations").
AKS_ADDON_FQDNS: dict[str, tuple[str, ...]] = {
    "container_insights": ("dc.services.visualstudio.com", "*.ods.opinsights.azure.com", "*.oms.opinsights.azure.com",
                           "*.monitoring.azure.com", "*.ingest.monitor.azure.com", "global.handler.control.monitor.azure.com",
                           "*.handler.control.monitor.azure.com"),
    "azure_policy": ("data.policy.core.windows.net", "store.policy.core.windows.net", "dc.services.visualstudio.com"),
    "defender": ("login.microsoftonline.com", "*.ods.opinsights.azure.com", "*.oms.opinsights.azure.com",
                 "*.cloud.defender.microsoft.com"),
}


def aks_addon_fqdns(stack: StackConfig) -> list[str]:
    """HTTPS destinations of the add-ons the stack's clusters turn on (sorted, each once)."""
    hosts = {host for spoke in stack.spokes if spoke.aks for addon, fqdns in AKS_ADDON_FQDNS.items()
             if getattr(spoke.aks, addon) for host in fqdns}
    return sorted(hosts)


@dataclass(frozen=True)
class FirewallFlow:
    """Hybrid traffic the hub firewall must let through: it sees both directions of it (see firewall_routed_prefixes)."""

    name: str
    sources: list[str]
    destinations: list[str]
    ports: list[str]
    protocols: list[str]


def resolver_inbound_ip(hub: Hub) -> str | None:
    """A static inbound endpoint address, known before deployment so VNet DNS needn't wait for the resolver."""
    if hub.dns_resolver is None:
        return None
    return first_usable(hub.subnets[hub.dns_resolver.inbound_subnet])


def vnet_dns_servers(stack: StackConfig) -> list[str]:
    """DNS servers of every VNet: the firewall with DNS proxy on, else dns_upstream (Learn: azure firewall dns-settings,
    "configure virtual network DNS servers to point to the firewall's private IP")."""
    firewall_ip = firewall_private_ip(stack.the_hub)
    if stack.the_hub.firewall and stack.the_hub.firewall.dns_proxy and firewall_ip:
        return [firewall_ip]
    return dns_upstream(stack)


def dns_upstream(stack: StackConfig) -> list[str]:
    """Where names are resolved: explicit servers, else the resolver (which forwards the sites' domains), else Azure DNS."""
    if stack.the_hub.dns_servers:
        return list(stack.the_hub.dns_servers)
    inbound = resolver_inbound_ip(stack.the_hub)
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
    return {spoke.aks.node_subnet, *spoke.aks.pool_subnets()}


def firewall_private_ip(hub: Hub) -> str | None:
    """Azure Firewall's private IP: the first usable address of its dedicated AzureFirewallSubnet. Known before
    deployment, so GatewaySubnet's routes needn't wait ten minutes for the firewall (and the gateway for them)."""
    if hub.firewall is None or FIREWALL_SUBNET not in hub.subnets:
        return None
    return first_usable(hub.subnets[FIREWALL_SUBNET])


def routes_through_firewall(stack: StackConfig) -> bool:
    """With a hub firewall every spoke subnet sends 0.0.0.0/0 to it, BGP-learned on-prem routes off, and GatewaySubnet
    sends every spoke's address space to it: spoke <-> spoke and on-prem <-> spoke flows cross it in both directions."""
    return stack.the_hub.firewall is not None


def firewall_routed_prefixes(stack: StackConfig) -> list[tuple[str, str]]:
    """(route name, prefix) that GatewaySubnet sends through the hub firewall: each spoke's whole address space.

    Spoke subnets reach on-prem only through the firewall (their 0.0.0.0/0 goes there and BGP propagation is off), so
    traffic from on-prem to them must take the firewall too, or the firewall sees one direction of each flow and drops
    it. A route as wide as the VNet's address space also overrides the /32 routes of private endpoints in the spoke,
    whose subnets enable network policies for it (disable-private-endpoint-network-policy).
    """
    if not routes_through_firewall(stack):
        return []
    return [(f"{spoke.name}-{j}", prefix) for spoke in stack.spokes for j, prefix in enumerate(spoke.address_space)]


def flow_end_ranges(stack: StackConfig, end: FlowEnd) -> list[str]:
    """The address ranges of a declared flow's end: a site's prefixes, a spoke's address space or one subnet."""
    if end.site is not None:
        return [prefix for site in stack.sites if site.name == end.site for prefix in site.address_prefixes]
    spoke = next(s for s in stack.spokes if s.name == end.spoke)
    return [spoke.subnets[end.subnet]] if end.subnet else list(spoke.address_space)


def firewall_flows(stack: StackConfig) -> list[FirewallFlow]:
    """What the firewall lets through: on-prem clients to internal services, AKS nodes to on-prem backends (what the
    hybrid design exists for), and every flow the stack declares. Replies need no rule: the firewall is stateful."""
    if stack.the_hub.firewall is None:
        return []
    on_prem = [prefix for site in stack.sites for prefix in site.address_prefixes]
    flows = []
    for spoke in stack.spokes:
        if spoke.aks is None:
            continue
        for service in spoke.aks.internal_services:
            if on_prem:
                target = f"{service.static_ip}/32" if service.static_ip else spoke.subnets[service.subnet]
                flows.append(FirewallFlow(f"onprem-to-{spoke.name}-{service.namespace}-{service.name}", on_prem, [target],
                                          [str(service.port)], [service.protocol]))
        nodes = [spoke.subnets[subnet] for subnet in sorted(aks_subnets(spoke))]
        for backend in spoke.aks.external_backends:
            if backend.addresses:
                flows.append(FirewallFlow(
                    f"{spoke.name}-to-{backend.namespace}-{backend.name}", nodes, [f"{a}/32" for a in backend.addresses],
                    sorted({str(p.target_port or p.port) for p in backend.ports}), sorted({p.protocol for p in backend.ports})))
    flows += [FirewallFlow(flow.name, flow_end_ranges(stack, flow.source), flow_end_ranges(stack, flow.destination),
                           [str(port) for port in flow.ports], [flow.protocol]) for flow in stack.flows]
    return flows


@dataclass(frozen=True)
class RegistryEgress:
    """HTTPS egress the firewall allows so a cluster's nodes can pull images from one registry."""

    registry: str
    sources: list[str]  # node subnets of the clusters that run images from it
    fqdns: list[str]


def registry_egress(stack: StackConfig) -> list[RegistryEgress]:
    """One entry per registry the stack's images come from (config.registries knows where each serves layers)."""
    if stack.the_hub.firewall is None:
        return []
    sources: dict[str, set[str]] = {}
    for spoke in stack.spokes:
        nodes = {spoke.subnets[subnet] for subnet in aks_subnets(spoke)}
        for _, image in spoke_images(spoke):
            sources.setdefault(registry_of(image), set()).update(nodes)
    egress = []
    for registry in sorted(sources):
        hosts = pull_hosts(registry, stack.location) or (registry,)  # unknown ones need hub.firewall.egressFqdns (plan)
        egress.append(RegistryEgress(registry, sorted(sources[registry]), list(hosts)))
    return egress




def firewall_no_snat_ranges(stack: StackConfig) -> list[str] | None:
    """The firewall's private ranges with the private-endpoint subnets cut out, so traffic to them is SNATed and their
    replies, which ignore route tables, return to the firewall (inspect-traffic-with-azure-firewall). None: the default."""
    endpoints = IPSet(spoke.subnets[name] for spoke in stack.spokes for name in spoke.private_endpoint_subnets)
    if stack.the_hub.firewall is None or not endpoints:
        return None
    return [str(cidr) for cidr in (IPSet(PRIVATE_RANGES) - endpoints).iter_cidrs()]


def default_route_to_gateway(stack: StackConfig) -> bool:
    """VPN-only forced tunneling through the gateway's default site: AzureFirewallSubnet sends 0.0.0.0/0 to the gateway
    (site-to-site-tunneling). With a BGP-learned default route the firewall needs no route of its own."""
    firewall, vpn = stack.the_hub.firewall, stack.gateways.vpn
    return bool(firewall and firewall.forced_tunneling and vpn and vpn.default_site)


def api_server_zone(location: str) -> str:
    """The private zone of private AKS API servers in a region (private-clusters: privatelink.<region>.azmk8s.io)."""
    return f"privatelink.{location}.azmk8s.io"


def uses_hub_api_zone(spoke: Spoke) -> bool:
    return spoke.aks is not None and spoke.aks.private_cluster and spoke.aks.private_dns_zone == "hub"


def hub_private_zones(stack: StackConfig) -> list[str]:
    """Every private zone the hub creates, each once: hub.privateDnsZones, plus the region's API-server zone when a
    cluster uses `privateDnsZone: hub`. Listing that zone in hub.privateDnsZones as well reuses it (DNS names and
    Azure resource names are case-insensitive, so the comparison is too); every such cluster shares it."""
    zones = list(stack.the_hub.private_dns_zones)
    api_zone = api_server_zone(stack.location)
    if any(uses_hub_api_zone(spoke) for spoke in stack.spokes) and api_zone not in {z.lower().rstrip(".") for z in zones}:
        zones.append(api_zone)
    return zones


def hub_api_zone_key(stack: StackConfig) -> str | None:
    """The entry of hub_private_zones() that is the region's API-server zone, in the spelling the hub created it."""
    api_zone = api_server_zone(stack.location)
    return next((zone for zone in hub_private_zones(stack) if zone.lower().rstrip(".") == api_zone), None)
