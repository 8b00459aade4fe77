"""The hub: resource group, VNet and its subnets with NSGs, Azure Firewall, Bastion, DNS resolver, private zones."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_azure_native as azure
from pulumi import Output, ResourceOptions

from components.common import bastion_rules, standard_public_ip
from config.model import Hub as HubConfig
from config.plan import BASTION_SUBNET, FIREWALL_MANAGEMENT_SUBNET, FIREWALL_SUBNET, GATEWAY_SUBNET
from config.topology import (
    NO_NSG_SUBNETS, RESOLVER_DELEGATION, FirewallFlow, firewall_private_ip, resolver_inbound_ip, resolver_subnets,
)

# AKS egress under forced tunneling (outbound-rules-control-egress); the FQDN tag covers the same set.
AKS_EGRESS_FQDNS = [
    "mcr.microsoft.com", "*.data.mcr.microsoft.com", "mcr-0001.mcr-msedge.net", "management.azure.com",
    "login.microsoftonline.com", "packages.microsoft.com", "acs-mirror.azureedge.net", "packages.aks.azure.com",
]
ZONES = ["1", "2", "3"]


@dataclass(frozen=True)
class HubArgs:
    hub: HubConfig
    prefix: str
    location: str
    tags: Mapping[str, str]
    protect: bool
    dns_servers: list[str]  # VNet DNS servers (config.topology.vnet_dns_servers)
    forwarding_rules: list[tuple[str, list[str]]]  # on-prem domains and their DNS servers
    egress_sources: list[str]  # subnets whose egress the firewall allows (AKS node subnets)
    forced_tunneling_next_hop: bool  # send the firewall's 0.0.0.0/0 on to the gateway
    gateway_routes: list[tuple[str, str]]  # (name, prefix) GatewaySubnet sends through the firewall
    firewall_flows: list[FirewallFlow]  # hybrid traffic the firewall allows
    # Private zones to create, each once (config.topology.hub_private_zones: hub.privateDnsZones plus the shared
    # API-server zone), and the aliases of a zone's and its hub link's former names (zone -> (zone, link) aliases).
    private_dns_zones: Sequence[str] = ()
    private_zone_aliases: Mapping[str, tuple[Sequence[pulumi.Alias], Sequence[pulumi.Alias]]] = field(default_factory=dict)


class Hub(pulumi.ComponentResource):
    resource_group_name: Output[str]
    vnet_id: Output[str]
    vnet_name: Output[str]
    subnet_ids: dict[str, Output[str]]
    firewall_private_ip: Output[str] | None
    resolver_inbound_ip: str | None
    private_dns_zone_ids: dict[str, Output[str]]

    def __init__(self, name: str, args: HubArgs, opts: ResourceOptions | None = None) -> None:
        super().__init__("hybrid-aks:network:Hub", name, None, opts)
        self._name, self._args = name, args
        cfg = args.hub
        self._rg = azure.resources.ResourceGroup(
            f"{name}-rg", resource_group_name=f"rg-{args.prefix}-{cfg.name}", location=args.location, tags=dict(args.tags),
            opts=ResourceOptions(parent=self))
        self.resource_group_name = self._rg.name
        # No `subnets` here: the subnets are standalone resources, and a VNet update that omits the
        # property leaves them alone (ARM 2023-09-01+, pulumi-azure-native#611).
        self._vnet = azure.network.VirtualNetwork(
            f"{name}-vnet", resource_group_name=self._rg.name, virtual_network_name=f"vnet-{args.prefix}-{cfg.name}",
            location=args.location, tags=dict(args.tags),
            address_space=azure.network.AddressSpaceArgs(address_prefixes=list(cfg.address_space)),
            dhcp_options=azure.network.DhcpOptionsArgs(dns_servers=args.dns_servers) if args.dns_servers else None,
            opts=ResourceOptions(parent=self, protect=args.protect))
        self.vnet_id, self.vnet_name = self._vnet.id, self._vnet.name
        self._subnets = self._create_subnets()
        self.subnet_ids = {subnet: resource.id for subnet, resource in self._subnets.items()}
        self.firewall_private_ip = self._create_firewall() if cfg.firewall else None
        if cfg.bastion:
            self._create_bastion()
        self.resolver_inbound_ip = resolver_inbound_ip(cfg)
        if cfg.dns_resolver:
            self._create_resolver()
        self.private_dns_zone_ids = {zone: self.create_private_zone(zone, *args.private_zone_aliases.get(zone, ((), ()))).id
                                     for zone in args.private_dns_zones or cfg.private_dns_zones}
        self.register_outputs({
            "resourceGroupName": self.resource_group_name, "vnetId": self.vnet_id, "subnetIds": self.subnet_ids,
            "firewallPrivateIp": self.firewall_private_ip, "resolverInboundIp": self.resolver_inbound_ip,
            "privateDnsZoneIds": self.private_dns_zone_ids,
        })

    def _child(self) -> ResourceOptions:
        return ResourceOptions(parent=self)

    def _create_subnets(self) -> dict[str, azure.network.Subnet]:
        name, args = self._name, self._args
        resolver = resolver_subnets(args.hub)
        firewall_routes = self._create_firewall_route_table() if args.forced_tunneling_next_hop and args.hub.firewall else None
        gateway_routes = self._create_gateway_route_table() if args.gateway_routes and GATEWAY_SUBNET in args.hub.subnets else None
        route_tables = {FIREWALL_SUBNET: firewall_routes, GATEWAY_SUBNET: gateway_routes}
        subnets = {}
        for subnet, cidr in args.hub.subnets.items():
            nsg = None
            if subnet not in NO_NSG_SUBNETS:
                nsg = azure.network.NetworkSecurityGroup(
                    f"{name}-nsg-{subnet}", resource_group_name=self._rg.name, location=args.location, tags=dict(args.tags),
                    network_security_group_name=f"nsg-{args.prefix}-{args.hub.name}-{subnet}",
                    security_rules=bastion_rules() if subnet == BASTION_SUBNET else None, opts=self._child())
            subnets[subnet] = azure.network.Subnet(
                f"{name}-subnet-{subnet}", resource_group_name=self._rg.name, virtual_network_name=self._vnet.name,
                subnet_name=subnet, address_prefix=cidr,
                network_security_group=azure.network.NetworkSecurityGroupArgs(id=nsg.id) if nsg else None,
                route_table=azure.network.RouteTableArgs(id=table.id) if (table := route_tables.get(subnet)) else None,
                delegations=[azure.network.DelegationArgs(name="dnsResolvers", service_name=RESOLVER_DELEGATION)] if subnet in resolver else None,
                opts=self._child())
        return subnets

    def _create_firewall_route_table(self) -> azure.network.RouteTable:
        """Forced tunneling: the firewall sends internet-bound traffic on to on-prem through the gateway."""
        args = self._args
        return azure.network.RouteTable(
            f"{self._name}-firewall-routes", resource_group_name=self._rg.name, location=args.location, tags=dict(args.tags),
            route_table_name=f"rt-{args.prefix}-{args.hub.name}-firewall", disable_bgp_route_propagation=False,
            routes=[azure.network.RouteArgs(name="default-to-onprem", address_prefix="0.0.0.0/0", next_hop_type="VirtualNetworkGateway")],
            opts=self._child())

    def _create_gateway_route_table(self) -> azure.network.RouteTable:
        """Traffic from on-prem to AKS subnets takes the firewall, as their replies do (no asymmetric flows).

        The firewall's address is derived from its subnet rather than read from the firewall, so GatewaySubnet and
        the gateways don't wait for the firewall. Gateway routes must keep propagating on GatewaySubnet.
        """
        args = self._args
        firewall_ip = firewall_private_ip(args.hub)
        return azure.network.RouteTable(
            f"{self._name}-gateway-routes", resource_group_name=self._rg.name, location=args.location, tags=dict(args.tags),
            route_table_name=f"rt-{args.prefix}-{args.hub.name}-gateway", disable_bgp_route_propagation=False,
            routes=[azure.network.RouteArgs(name=f"to-{name}-via-firewall", address_prefix=prefix,
                                            next_hop_type="VirtualAppliance", next_hop_ip_address=firewall_ip)
                    for name, prefix in args.gateway_routes],
            opts=self._child())

    def _public_ip(self, role: str, zones: list[str]) -> azure.network.PublicIPAddress:
        args = self._args
        return standard_public_ip(f"{self._name}-pip-{role}", f"pip-{args.prefix}-{args.hub.name}-{role}", self._rg.name,
                                  args.location, args.tags, zones, self)

    def _create_firewall(self) -> Output[str]:
        name, args = self._name, self._args
        firewall = args.hub.firewall
        assert firewall is not None
        policy = azure.network.FirewallPolicy(
            f"{name}-firewall-policy", resource_group_name=self._rg.name, location=args.location, tags=dict(args.tags),
            firewall_policy_name=f"afwp-{args.prefix}-{args.hub.name}", sku=azure.network.FirewallPolicySkuArgs(tier=firewall.sku),
            opts=self._child())
        sources = args.egress_sources or ["*"]
        dns_targets = args.dns_servers or ["168.63.129.16"]
        egress_rules = azure.network.FirewallPolicyRuleCollectionGroup(
            f"{name}-firewall-aks-egress", resource_group_name=self._rg.name, firewall_policy_name=policy.name,
            rule_collection_group_name="aks-egress", priority=200,
            rule_collections=[
                azure.network.FirewallPolicyFilterRuleCollectionArgs(
                    name="aks-network", priority=200, rule_collection_type="FirewallPolicyFilterRuleCollection",
                    action=azure.network.FirewallPolicyFilterRuleCollectionActionArgs(type="Allow"),
                    rules=[
                        azure.network.NetworkRuleArgs(name="dns", rule_type="NetworkRule", ip_protocols=["UDP", "TCP"],
                                                      source_addresses=sources, destination_addresses=dns_targets, destination_ports=["53"]),
                        azure.network.NetworkRuleArgs(name="ntp", rule_type="NetworkRule", ip_protocols=["UDP"],
                                                      source_addresses=sources, destination_addresses=["*"], destination_ports=["123"]),
                    ]),
                azure.network.FirewallPolicyFilterRuleCollectionArgs(
                    name="aks-fqdns", priority=300, rule_collection_type="FirewallPolicyFilterRuleCollection",
                    action=azure.network.FirewallPolicyFilterRuleCollectionActionArgs(type="Allow"),
                    rules=[
                        azure.network.ApplicationRuleArgs(
                            name="aks-fqdn-tag", rule_type="ApplicationRule", source_addresses=sources,
                            fqdn_tags=["AzureKubernetesService"],
                            protocols=[azure.network.FirewallPolicyRuleApplicationProtocolArgs(protocol_type="Https", port=443)]),
                        azure.network.ApplicationRuleArgs(
                            name="aks-fqdns", rule_type="ApplicationRule", source_addresses=sources,
                            target_fqdns=[f"*.hcp.{args.location}.azmk8s.io", *AKS_EGRESS_FQDNS],
                            protocols=[azure.network.FirewallPolicyRuleApplicationProtocolArgs(protocol_type="Https", port=443)]),
                    ]),
            ],
            opts=self._child())
        if args.firewall_flows:
            azure.network.FirewallPolicyRuleCollectionGroup(
                f"{name}-firewall-hybrid", resource_group_name=self._rg.name, firewall_policy_name=policy.name,
                rule_collection_group_name="hybrid", priority=300,
                rule_collections=[azure.network.FirewallPolicyFilterRuleCollectionArgs(
                    name="onprem-services-and-backends", priority=300, rule_collection_type="FirewallPolicyFilterRuleCollection",
                    action=azure.network.FirewallPolicyFilterRuleCollectionActionArgs(type="Allow"),
                    rules=[azure.network.NetworkRuleArgs(
                        name=flow.name, rule_type="NetworkRule", ip_protocols=list(flow.protocols), source_addresses=list(flow.sources),
                        destination_addresses=list(flow.destinations), destination_ports=list(flow.ports))
                        for flow in args.firewall_flows])],
                # A policy takes one rule collection group change at a time (FirewallPolicyUpdateNotAllowedWhenUpdatingOrDeleting).
                opts=ResourceOptions(parent=self, depends_on=[egress_rules]))
        management = None
        if firewall.forced_tunneling:
            management = azure.network.AzureFirewallIPConfigurationArgs(
                name="management", subnet=azure.network.SubResourceArgs(id=self._subnets[FIREWALL_MANAGEMENT_SUBNET].id),
                public_ip_address=azure.network.SubResourceArgs(id=self._public_ip("firewall-management", list(firewall.zones)).id))
        resource = azure.network.AzureFirewall(
            f"{name}-firewall", resource_group_name=self._rg.name, location=args.location, tags=dict(args.tags),
            azure_firewall_name=f"afw-{args.prefix}-{args.hub.name}",
            sku=azure.network.AzureFirewallSkuArgs(name="AZFW_VNet", tier=firewall.sku),
            firewall_policy=azure.network.SubResourceArgs(id=policy.id), zones=list(firewall.zones) or None,
            ip_configurations=[azure.network.AzureFirewallIPConfigurationArgs(
                name="data", subnet=azure.network.SubResourceArgs(id=self._subnets[FIREWALL_SUBNET].id),
                public_ip_address=azure.network.SubResourceArgs(id=self._public_ip("firewall", list(firewall.zones)).id))],
            management_ip_configuration=management,
            opts=self._child())
        return resource.ip_configurations.apply(lambda configs: (configs or [])[0].private_ip_address or "")

    def _create_bastion(self) -> None:
        args = self._args
        azure.network.BastionHost(
            f"{self._name}-bastion", resource_group_name=self._rg.name, location=args.location, tags=dict(args.tags),
            bastion_host_name=f"bas-{args.prefix}-{args.hub.name}",
            ip_configurations=[azure.network.BastionHostIPConfigurationArgs(
                name="bastion", subnet=azure.network.SubResourceArgs(id=self._subnets[BASTION_SUBNET].id),
                public_ip_address=azure.network.SubResourceArgs(id=self._public_ip("bastion", ZONES).id))],
            opts=self._child())

    def _create_resolver(self) -> None:
        name, args = self._name, self._args
        resolver_cfg = args.hub.dns_resolver
        assert resolver_cfg is not None
        resolver = azure.dnsresolver.DnsResolver(
            f"{name}-resolver", resource_group_name=self._rg.name, location=args.location, tags=dict(args.tags),
            dns_resolver_name=f"dnspr-{args.prefix}-{args.hub.name}",
            virtual_network=azure.dnsresolver.SubResourceArgs(id=self._vnet.id), opts=self._child())
        azure.dnsresolver.InboundEndpoint(
            f"{name}-resolver-inbound", resource_group_name=self._rg.name, location=args.location, tags=dict(args.tags),
            dns_resolver_name=resolver.name, inbound_endpoint_name="inbound",
            ip_configurations=[azure.dnsresolver.IpConfigurationArgs(
                subnet=azure.dnsresolver.SubResourceArgs(id=self._subnets[resolver_cfg.inbound_subnet].id),
                private_ip_address=self.resolver_inbound_ip, private_ip_allocation_method="Static")],
            opts=self._child())
        outbound = azure.dnsresolver.OutboundEndpoint(
            f"{name}-resolver-outbound", resource_group_name=self._rg.name, location=args.location, tags=dict(args.tags),
            dns_resolver_name=resolver.name, outbound_endpoint_name="outbound",
            subnet=azure.dnsresolver.SubResourceArgs(id=self._subnets[resolver_cfg.outbound_subnet].id), opts=self._child())
        if not args.forwarding_rules:
            return
        ruleset = azure.dnsresolver.DnsForwardingRuleset(
            f"{name}-ruleset", resource_group_name=self._rg.name, location=args.location, tags=dict(args.tags),
            dns_forwarding_ruleset_name=f"dnsfrs-{args.prefix}-{args.hub.name}",
            dns_resolver_outbound_endpoints=[azure.dnsresolver.SubResourceArgs(id=outbound.id)], opts=self._child())
        for domain, servers in args.forwarding_rules:
            azure.dnsresolver.ForwardingRule(
                f"{name}-rule-{domain.rstrip('.').replace('.', '-')}", resource_group_name=self._rg.name,
                dns_forwarding_ruleset_name=ruleset.name, forwarding_rule_name=domain.rstrip(".").replace(".", "-"),
                domain_name=domain, forwarding_rule_state="Enabled",
                target_dns_servers=[azure.dnsresolver.TargetDnsServerArgs(ip_address=ip, port=53) for ip in servers],
                opts=self._child())
        # Spokes send DNS to the inbound endpoint, which answers with the hub's view: one link suffices.
        azure.dnsresolver.PrivateResolverVirtualNetworkLink(
            f"{name}-ruleset-link", resource_group_name=self._rg.name, dns_forwarding_ruleset_name=ruleset.name,
            virtual_network_link_name=f"link-{args.hub.name}", virtual_network=azure.dnsresolver.SubResourceArgs(id=self._vnet.id),
            opts=self._child())

    def create_private_zone(self, zone: str, zone_aliases: Sequence[pulumi.Alias] = (),
                            link_aliases: Sequence[pulumi.Alias] = ()) -> azure.privatedns.PrivateZone:
        """A private DNS zone in the hub, linked to the hub VNet (where the resolver answers from).

        A VNet links to a zone only once (private-dns-virtual-network-links), so a replaced link must go before its
        successor is created: deleteBeforeReplace.
        """
        slug = zone.replace(".", "-")
        private_zone = azure.privatedns.PrivateZone(
            f"{self._name}-zone-{slug}", resource_group_name=self._rg.name, private_zone_name=zone, location="global",
            tags=dict(self._args.tags), opts=ResourceOptions(parent=self, aliases=list(zone_aliases)))
        azure.privatedns.VirtualNetworkLink(
            f"{self._name}-zone-{slug}-link", resource_group_name=self._rg.name, private_zone_name=private_zone.name,
            virtual_network_link_name=f"link-{self._args.hub.name}", location="global", registration_enabled=False,
            virtual_network=azure.privatedns.SubResourceArgs(id=self._vnet.id),
            opts=ResourceOptions(parent=self, aliases=list(link_aliases), delete_before_replace=True))
        return private_zone
