"""hybrid-aks: read the stack config once, check it whole, then compose the components.

A stack owns a hub (hybrid-aks:hub: a lab, or a hub stack others attach to) or attaches to another stack's hub
(hybrid-aks:attach: a landing zone or a site); see config/org.py.
"""

from pathlib import Path

import pulumi
import pulumi_azure_native as azure

from components.hub_reference import read_hub_context
from components.aks_cluster import AksCluster, AksClusterArgs, legacy_api_zone_aliases
from components.common import tune_gc_for_evaluation, without_api_version_aliases
from components.gateways import HybridGateways, HybridGatewaysArgs
from components.hub import Hub, HubArgs
from components.monitoring import Monitoring, MonitoringArgs
from components.onprem_site import OnPremSite, OnPremSiteArgs
from components.spoke import Spoke, SpokeArgs
from config.org import attached_to, hub_contract, hub_limits, hub_view, repository_sources
from config.plan import GATEWAY_SUBNET
from config.problems import ConfigError
from config.secrets import read_kubeconfigs, read_secrets
from config.source import read_stack_and_hub
from config.topology import (
    aks_addon_fqdns, aks_subnets, default_route_to_gateway, dns_upstream, firewall_flows, firewall_no_snat_ranges, firewall_private_ip,
    firewall_routed_prefixes, forwarding_rules, hub_api_zone_key, hub_private_zones, registry_egress, uses_hub_api_zone,
    vnet_dns_servers,
)

tune_gc_for_evaluation()  # after the imports: a third less CPU for the same registrations (README, Performance)
# Raises ConfigError, with every problem, before any resource exists (an attaching stack reads its hub stack first).
stack, hub_stack = read_stack_and_hub(read_hub_context)
pulumi.runtime.register_stack_transformation(without_api_version_aliases)
secrets = read_secrets(stack)
kubeconfigs = read_kubeconfigs(stack)
dns_servers = vnet_dns_servers(stack)
client = azure.authorization.get_client_config_output()
subscription_id = stack.subscription_id or client.subscription_id
# Resources in another subscription than the credentials' default: an explicit provider, inherited by every component.
own = pulumi.ResourceOptions(providers=[azure.Provider("subscription", subscription_id=stack.subscription_id)]) \
    if stack.subscription_id else None
# Logs first: every component sends its diagnostic settings to this workspace.
monitoring = Monitoring("logs", MonitoringArgs(logs=stack.logs, prefix=stack.prefix, location=stack.location, tags=stack.tags),
                        opts=own)

if hub_stack is None:
    # A hub stack adds, on hub objects, what Azure needs for each stack attaching to it in this repository (config/org.py).
    project, sources = repository_sources(Path(__file__).parent)
    attached = attached_to(project, pulumi.get_stack(), sources)
    if problems := hub_limits(pulumi.get_stack(), stack, attached):
        raise ConfigError(problems)
    org_view = hub_view(stack, attached)
    # One API-server zone per hub region, shared by every cluster with privateDnsZone: hub (created once, in the hub).
    api_zone = hub_api_zone_key(org_view)
    first_api_zone_user = next((spoke.name for spoke in stack.spokes if uses_hub_api_zone(spoke)), None)
    zone_aliases = ({api_zone: legacy_api_zone_aliases(first_api_zone_user)}
                    if api_zone and first_api_zone_user and api_zone not in stack.the_hub.private_dns_zones else {})

    hub = Hub("hub", HubArgs(
        hub=stack.the_hub, prefix=stack.prefix, location=stack.location, tags=stack.tags, protect=stack.protect,
        dns_servers=dns_servers, forwarding_rules=forwarding_rules(stack),
        egress_sources=[spoke.subnets[s] for spoke in org_view.spokes for s in sorted(aks_subnets(spoke))],
        default_route_to_gateway=default_route_to_gateway(stack), gateway_routes=firewall_routed_prefixes(org_view),
        firewall_flows=firewall_flows(org_view), registry_egress=registry_egress(org_view),
        no_snat_ranges=firewall_no_snat_ranges(org_view), addon_fqdns=aks_addon_fqdns(org_view), private_dns_zones=hub_private_zones(org_view), private_zone_aliases=zone_aliases,
        log_workspace_id=monitoring.workspace_id, dns_upstream=dns_upstream(stack),
    ), opts=own)

    gateways = HybridGateways("gateways", HybridGatewaysArgs(
        gateways=stack.gateways, sites=stack.sites, prefix=stack.prefix, hub_name=stack.the_hub.name, location=stack.location,
        tags=stack.tags, protect=stack.protect, resource_group_name=hub.resource_group_name,
        gateway_subnet_id=hub.subnet_ids.get(GATEWAY_SUBNET, ""), secrets=secrets,
        subscription_id=subscription_id, log_workspace_id=monitoring.workspace_id,
    ), opts=own)

    spokes = {
        spoke.name: Spoke(f"spoke-{spoke.name}", SpokeArgs(
            spoke=spoke, prefix=stack.prefix, location=stack.location, tags=stack.tags, dns_servers=dns_servers,
            hub_resource_group_name=hub.resource_group_name, hub_vnet_name=hub.vnet_name, hub_vnet_id=hub.vnet_id,
            firewall_private_ip=hub.firewall_private_ip, gateways=gateways.gateways, hub_address_space=stack.the_hub.address_space,
        ), opts=own)
        for spoke in stack.spokes
    }
    api_zone_id = hub.private_dns_zone_ids[api_zone] if api_zone else None
    dns_ready = hub.dns_ready if hub.resolver_inbound_ip and dns_servers == [hub.resolver_inbound_ip] else []
    # What stacks attaching to this hub read through their StackReference (config/attach.py).
    pulumi.export("connectivity", {**hub_contract(pulumi.get_stack(), stack, attached), "ids": {
        "subscriptionId": subscription_id, "resourceGroupName": hub.resource_group_name, "vnetName": hub.vnet_name,
        "vnetId": hub.vnet_id, "privateDnsZoneIds": hub.private_dns_zone_ids}})
    pulumi.export("vpnGatewayPublicIps", gateways.vpn_public_ips)
    pulumi.export("vpnGatewayBgpPeeringAddresses", gateways.vpn_bgp_peering_addresses)
    pulumi.export("vpnGatewayAsn", gateways.vpn_asn)
    pulumi.export("firewallPrivateIp", hub.firewall_private_ip)
    pulumi.export("dnsResolverInboundIp", hub.resolver_inbound_ip)
    pulumi.export("hubVnetId", hub.vnet_id)
    pulumi.export("hubSubnetIds", hub.subnet_ids)
else:
    # Both sides of each peering: the hub side on the hub stack's VNet, in its subscription, through an explicit provider.
    ids = hub_stack.ids
    hub_provider = azure.Provider("hub-subscription", subscription_id=ids["subscriptionId"])
    spokes = {
        spoke.name: Spoke(f"spoke-{spoke.name}", SpokeArgs(
            spoke=spoke, prefix=stack.prefix, location=stack.location, tags=stack.tags, dns_servers=dns_servers,
            hub_resource_group_name=ids["resourceGroupName"], hub_vnet_name=ids["vnetName"], hub_vnet_id=ids["vnetId"],
            firewall_private_ip=firewall_private_ip(hub_stack.hub), gateways=[], hub_address_space=hub_stack.hub.address_space,
            hub_provider=hub_provider, remote_gateways=hub_stack.has_gateways, hub_peering_name=f"to-{stack.prefix}-{spoke.name}",
        ), opts=own)
        for spoke in stack.spokes
    }
    api_zone_id = ids.get("privateDnsZoneIds", {}).get(hub_stack.api_zone) if hub_stack.api_zone else None
    dns_ready = []  # the hub stack's resolver and zone links exist: its outputs are published after its `pulumi up`
    pulumi.export("hubStack", hub_stack.reference)

clusters = {
    name: AksCluster(f"aks-{name}", AksClusterArgs(
        spoke=spoke.config, prefix=stack.prefix, location=stack.location, tags=stack.tags, protect=stack.protect,
        subscription_id=subscription_id, deployer_object_id=client.object_id,
        deployer_principal_type=stack.kubernetes.deployer_principal_type,
        resource_group_name=spoke.resource_group_name, subnet_ids=spoke.subnet_ids,
        spoke_vnet_id=spoke.vnet_id, route_table=spoke.route_table, peerings=spoke.peerings,
        api_zone_id=api_zone_id, kubernetes_enabled=stack.kubernetes.enabled,
        kubeconfig=kubeconfigs.get(name),
        # Nodes resolve through the hub resolver from their first boot: its endpoint and zone links come first.
        dns_ready=dns_ready, log_workspace_id=monitoring.workspace_id,
    ), opts=own)
    for name, spoke in spokes.items() if spoke.config.aks is not None
}

# VNet flow logs (Network Watcher), once the VNets exist.
if hub_stack is None:
    monitoring.flow_log(stack.the_hub.name, hub.vnet_id)
for name, spoke in spokes.items():
    monitoring.flow_log(name, spoke.vnet_id)

sites = {
    site.name: OnPremSite(f"site-{site.name}", OnPremSiteArgs(
        site=site.name, hybrid=site.aks_hybrid, prefix=stack.prefix, location=stack.location, tags=stack.tags,
        cluster_ready=site.aks_hybrid.cluster_ready,
    ), opts=own)
    for site in stack.sites if site.aks_hybrid is not None
}

# What the on-prem team and operators need; shared and authorization keys are never exported.
pulumi.export("spokeVnetIds", {name: spoke.vnet_id for name, spoke in spokes.items()})
pulumi.export("spokeSubnetIds", {name: spoke.subnet_ids for name, spoke in spokes.items()})
pulumi.export("aksClusterNames", {name: cluster.cluster_name for name, cluster in clusters.items()})
pulumi.export("aksArcClusterIds", {name: site.provisioned_cluster_id for name, site in sites.items() if site.provisioned_cluster_id})
# Only AKS-HCI sites get commands: they build what no Azure API declares (Pulumi manages everything else).
pulumi.export("aksHciCreateCommands", {name: site.create_command for name, site in sites.items() if site.create_command})
