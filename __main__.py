"""hybrid-aks: read the stack config once, check it whole, then compose the components."""

import pulumi
import pulumi_azure_native as azure

import config
from components.aks_cluster import AksCluster, AksClusterArgs, legacy_api_zone_aliases
from components.common import tune_gc_for_evaluation, without_api_version_aliases
from components.gateways import HybridGateways, HybridGatewaysArgs
from components.hub import Hub, HubArgs
from components.onprem_site import OnPremSite, OnPremSiteArgs
from components.spoke import Spoke, SpokeArgs
from config.plan import GATEWAY_SUBNET
from config.secrets import read_kubeconfigs, read_secrets
from config.topology import (
    aks_subnets, default_route_to_gateway, firewall_flows, firewall_routed_prefixes, forwarding_rules, hub_api_zone_key,
    hub_private_zones, registry_egress, uses_hub_api_zone, vnet_dns_servers,
)

tune_gc_for_evaluation()  # after the imports: a third less CPU for the same registrations (README, Performance)
stack = config.read_stack()  # raises ConfigError, with every problem, before any resource exists
pulumi.runtime.register_stack_transformation(without_api_version_aliases)
secrets = read_secrets(stack)
kubeconfigs = read_kubeconfigs(stack)
dns_servers = vnet_dns_servers(stack)
client = azure.authorization.get_client_config_output()
subscription_id = client.subscription_id
# One API-server zone per hub region, shared by every cluster with privateDnsZone: hub (created once, in the hub).
api_zone = hub_api_zone_key(stack)
first_api_zone_user = next((spoke.name for spoke in stack.spokes if uses_hub_api_zone(spoke)), None)
zone_aliases = ({api_zone: legacy_api_zone_aliases(first_api_zone_user)}
                if api_zone and first_api_zone_user and api_zone not in stack.hub.private_dns_zones else {})

hub = Hub("hub", HubArgs(
    hub=stack.hub, prefix=stack.prefix, location=stack.location, tags=stack.tags, protect=stack.protect,
    dns_servers=dns_servers, forwarding_rules=forwarding_rules(stack),
    egress_sources=[spoke.subnets[s] for spoke in stack.spokes for s in sorted(aks_subnets(spoke))],
    default_route_to_gateway=default_route_to_gateway(stack), gateway_routes=firewall_routed_prefixes(stack),
    firewall_flows=firewall_flows(stack), registry_egress=registry_egress(stack),
    private_dns_zones=hub_private_zones(stack), private_zone_aliases=zone_aliases,
))

gateways = HybridGateways("gateways", HybridGatewaysArgs(
    gateways=stack.gateways, sites=stack.sites, prefix=stack.prefix, hub_name=stack.hub.name, location=stack.location,
    tags=stack.tags, protect=stack.protect, resource_group_name=hub.resource_group_name,
    gateway_subnet_id=hub.subnet_ids.get(GATEWAY_SUBNET, ""), secrets=secrets,
    subscription_id=subscription_id,
))

spokes = {
    spoke.name: Spoke(f"spoke-{spoke.name}", SpokeArgs(
        spoke=spoke, prefix=stack.prefix, location=stack.location, tags=stack.tags, dns_servers=dns_servers,
        hub_resource_group_name=hub.resource_group_name, hub_vnet_name=hub.vnet_name, hub_vnet_id=hub.vnet_id,
        firewall_private_ip=hub.firewall_private_ip, gateways=gateways.gateways, hub_address_space=stack.hub.address_space,
    ))
    for spoke in stack.spokes
}

clusters = {
    name: AksCluster(f"aks-{name}", AksClusterArgs(
        spoke=spoke.config, prefix=stack.prefix, location=stack.location, tags=stack.tags, protect=stack.protect,
        subscription_id=subscription_id, deployer_object_id=client.object_id,
        deployer_principal_type=stack.kubernetes.deployer_principal_type,
        resource_group_name=spoke.resource_group_name, subnet_ids=spoke.subnet_ids,
        spoke_vnet_id=spoke.vnet_id, route_table=spoke.route_table, peerings=spoke.peerings,
        api_zone_id=hub.private_dns_zone_ids[api_zone] if api_zone else None, kubernetes_enabled=stack.kubernetes.enabled,
        kubeconfig=kubeconfigs.get(name),
        # Nodes resolve through the hub resolver from their first boot: its endpoint and zone links come first.
        dns_ready=hub.dns_ready if hub.resolver_inbound_ip and dns_servers == [hub.resolver_inbound_ip] else [],
    ))
    for name, spoke in spokes.items() if spoke.config.aks is not None
}

sites = {
    site.name: OnPremSite(f"site-{site.name}", OnPremSiteArgs(
        site=site.name, hybrid=site.aks_hybrid, prefix=stack.prefix, location=stack.location, tags=stack.tags,
        cluster_ready=site.aks_hybrid.cluster_ready,
    ))
    for site in stack.sites if site.aks_hybrid is not None
}

# What the on-prem team and operators need; shared and authorization keys are never exported.
pulumi.export("vpnGatewayPublicIps", gateways.vpn_public_ips)
pulumi.export("vpnGatewayBgpPeeringAddresses", gateways.vpn_bgp_peering_addresses)
pulumi.export("vpnGatewayAsn", gateways.vpn_asn)
pulumi.export("firewallPrivateIp", hub.firewall_private_ip)
pulumi.export("dnsResolverInboundIp", hub.resolver_inbound_ip)
pulumi.export("hubVnetId", hub.vnet_id)
pulumi.export("hubSubnetIds", hub.subnet_ids)
pulumi.export("spokeVnetIds", {name: spoke.vnet_id for name, spoke in spokes.items()})
pulumi.export("spokeSubnetIds", {name: spoke.subnet_ids for name, spoke in spokes.items()})
pulumi.export("aksClusterNames", {name: cluster.cluster_name for name, cluster in clusters.items()})
pulumi.export("aksArcClusterIds", {name: site.provisioned_cluster_id for name, site in sites.items() if site.provisioned_cluster_id})
# Only AKS-HCI sites get commands: they build what no Azure API declares (Pulumi manages everything else).
pulumi.export("aksHciCreateCommands", {name: site.create_command for name, site in sites.items() if site.create_command})
