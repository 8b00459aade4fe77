"""The hub: resource group, VNet and its subnets with NSGs, Azure Firewall, Bastion, DNS resolver, private zones."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_azure_native as azure
from pulumi import Input, Output, ResourceOptions

from components.common import SubnetSpec, bastion_rules, diagnostic_setting, standard_public_ip, subnets_with_nsgs
from config.model import Hub as HubConfig
from config.plan import BASTION_SUBNET, FIREWALL_MANAGEMENT_SUBNET, FIREWALL_SUBNET, GATEWAY_SUBNET
from config.topology import (
    AKS_EGRESS_FQDNS, RESOLVER_DELEGATION, FirewallFlow, RegistryEgress, firewall_private_ip,
    resolver_inbound_ip, resolver_subnets,
)

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
    default_route_to_gateway: bool  # VPN-only forced tunneling: the firewall's 0.0.0.0/0 goes to the gateway's default site
    gateway_routes: list[tuple[str, str]]  # (name, prefix) GatewaySubnet sends through the firewall
    firewall_flows: list[FirewallFlow]  # hybrid and spoke-to-spoke traffic the firewall allows
    registry_egress: list[RegistryEgress]  # where the clusters' nodes pull the stack's images from
    addon_fqdns: list[str]  # what the clusters' add-ons reach (Container Insights, Azure Policy, Defender)
    no_snat_ranges: list[str] | None  # the firewall's private ranges when private endpoints need SNAT, else Azure's default
    # Private zones to create, each once (config.topology.hub_private_zones: hub.privateDnsZones plus the shared
    # API-server zone), and the aliases of a zone's and its hub link's former names (zone -> (zone, link) aliases).
    private_dns_zones: Sequence[str] = ()
    private_zone_aliases: Mapping[str, tuple[Sequence[pulumi.Alias], Sequence[pulumi.Alias]]] = field(default_factory=dict)
    log_workspace_id: Input[str] | None = None  # diagnostic settings of the firewall and Bastion go there
    dns_upstream: Sequence[str] = ()  # with the firewall's DNS proxy: where it forwards (config.topology.dns_upstream)


class Hub(pulumi.ComponentResource):
    resource_group_name: Output[str]
    vnet_id: Output[str]
    vnet_name: Output[str]
    subnet_ids: dict[str, Output[str]]
    firewall_private_ip: Output[str] | None
    resolver_inbound_ip: str | None
    private_dns_zone_ids: dict[str, Output[str]]
    dns_ready: list[pulumi.Resource]  # what a VNet resolving through the hub needs before its machines boot

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
        self.dns_ready = []
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
        firewall = args.hub.firewall
        subnets_present = set(args.hub.subnets)
        route_tables = {
            FIREWALL_SUBNET: self._create_firewall_route_table() if args.default_route_to_gateway else None,
            FIREWALL_MANAGEMENT_SUBNET: self._create_management_route_table()
            if firewall and firewall.forced_tunneling and FIREWALL_MANAGEMENT_SUBNET in subnets_present else None,
            GATEWAY_SUBNET: self._create_gateway_route_table() if args.gateway_routes and GATEWAY_SUBNET in subnets_present else None,
        }

        def spec(subnet: str) -> SubnetSpec:
            return SubnetSpec(route_table=route_tables.get(subnet), security_rules=bastion_rules() if subnet == BASTION_SUBNET else None,
                              delegation=("dnsResolvers", RESOLVER_DELEGATION) if subnet in resolver else None)

        return subnets_with_nsgs(name, args.hub.name, args.prefix, self._rg.name, self._vnet.name, args.location, args.tags,
                                 args.hub.subnets, spec, self)

    def _create_firewall_route_table(self) -> azure.network.RouteTable:
        """VPN-only forced tunneling: internet-bound traffic goes to the gateway, which sends it to its default site.

        A VirtualNetworkGateway next hop forwards 0.0.0.0/0 only to a default site (site-to-site-tunneling) and is refused
        while an ExpressRoute gateway coexists (virtual-networks-udr-overview); config/plan.py holds both rules.
        """
        args = self._args
        return azure.network.RouteTable(
            f"{self._name}-firewall-routes", resource_group_name=self._rg.name, location=args.location, tags=dict(args.tags),
            route_table_name=f"rt-{args.prefix}-{args.hub.name}-firewall", disable_bgp_route_propagation=False,
            routes=[azure.network.RouteArgs(name="default-to-onprem", address_prefix="0.0.0.0/0", next_hop_type="VirtualNetworkGateway")],
            opts=self._child())

    def _create_management_route_table(self) -> azure.network.RouteTable:
        """The firewall's own traffic keeps a direct path to the internet whatever on-prem advertises: the only route
        Azure allows on AzureFirewallManagementSubnet is 0.0.0.0/0 to Internet, with gateway route propagation off
        (firewall management-nic, forced-tunneling)."""
        args = self._args
        return azure.network.RouteTable(
            f"{self._name}-firewall-management-routes", resource_group_name=self._rg.name, location=args.location,
            tags=dict(args.tags), route_table_name=f"rt-{args.prefix}-{args.hub.name}-firewall-management",
            disable_bgp_route_propagation=True,
            routes=[azure.network.RouteArgs(name="default-to-internet", address_prefix="0.0.0.0/0", next_hop_type="Internet")],
            opts=self._child())

    def _create_gateway_route_table(self) -> azure.network.RouteTable:
        """Traffic from on-prem to the spokes takes the firewall, as their replies do (no asymmetric flows).

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
            snat=azure.network.FirewallPolicySNATArgs(private_ranges=args.no_snat_ranges) if args.no_snat_ranges else None,
            # Deny: traffic to and from Microsoft's known-malicious IPs and domains is dropped, not only logged (threat-intel).
            threat_intel_mode=firewall.threat_intel_mode,
            # IDPS and TLS inspection are Premium features (premium-features); config/plan.py refuses them on Standard.
            intrusion_detection=azure.network.FirewallPolicyIntrusionDetectionArgs(mode=firewall.intrusion_detection or "Deny")
            if firewall.sku == "Premium" else None,
            transport_security=azure.network.FirewallPolicyTransportSecurityArgs(
                certificate_authority=azure.network.FirewallPolicyCertificateAuthorityArgs(
                    name="tls-inspection", key_vault_secret_id=firewall.tls_inspection.key_vault_secret_id))
            if firewall.tls_inspection else None,
            identity=azure.network.ManagedServiceIdentityArgs(
                type=azure.network.ResourceIdentityType.USER_ASSIGNED, user_assigned_identities=[firewall.tls_inspection.identity_id])
            if firewall.tls_inspection else None,
            # DNS proxy (dns-settings): the VNets resolve through the firewall, which forwards to the resolver; needed for FQDNs
            # in network rules. Off (the default): the VNets resolve through the hub resolver and FQDNs are filtered by application
            # rules, which resolve on their own; enableProxy false is still sent, so the choice shows and is checked.
            dns_settings=azure.network.DnsSettingsArgs(enable_proxy=firewall.dns_proxy,
                                                       servers=(list(args.dns_upstream) or None) if firewall.dns_proxy else None),
            opts=self._child())
        groups = self._create_rule_collection_groups(policy)
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
            # PUTs on the policy's rule collection groups and on the firewall conflict: the firewall waits for every
            # group (as mspnp/aks-baseline does), and pods that boot behind it find their egress rules in place.
            opts=ResourceOptions(parent=self, depends_on=groups))
        if args.log_workspace_id is not None:
            # AZFW* resource-specific tables: application, network, DNS proxy, threat intel and IDPS logs (firewall-structured-logs).
            diagnostic_setting(f"{name}-firewall-diagnostics", resource.id, args.log_workspace_id, self, dedicated=True)
        return resource.ip_configurations.apply(lambda configs: (configs or [])[0].private_ip_address or "")

    def _create_rule_collection_groups(self, policy: azure.network.FirewallPolicy) -> list[pulumi.Resource]:
        """The policy's rule collection groups, one after another: a policy takes one group change at a time
        (FirewallPolicyUpdateNotAllowedWhenUpdatingOrDeleting)."""
        name, args = self._name, self._args
        groups: list[pulumi.Resource] = []

        def group(role: str, priority: int, collections: list[azure.network.FirewallPolicyFilterRuleCollectionArgs]) -> None:
            groups.append(azure.network.FirewallPolicyRuleCollectionGroup(
                f"{name}-firewall-{role}", resource_group_name=self._rg.name, firewall_policy_name=policy.name,
                rule_collection_group_name=role, priority=priority, rule_collections=collections,
                opts=ResourceOptions(parent=self, depends_on=groups[-1:])))

        group("aks-egress", 200, self._aks_egress_collections())
        if args.firewall_flows:
            group("hybrid", 300, [_allow_collection("flows", 300, [
                azure.network.NetworkRuleArgs(
                    name=flow.name, rule_type="NetworkRule", ip_protocols=list(flow.protocols), source_addresses=list(flow.sources),
                    destination_addresses=list(flow.destinations), destination_ports=list(flow.ports))
                for flow in args.firewall_flows])])
        return groups

    def _aks_egress_collections(self) -> list[azure.network.FirewallPolicyFilterRuleCollectionArgs]:
        """AKS egress under userDefinedRouting (outbound-rules-control-egress), and pulls from the stack's registries."""
        args = self._args
        firewall = args.hub.firewall
        assert firewall is not None
        sources = args.egress_sources or ["*"]
        dns_targets = args.dns_servers or ["168.63.129.16"]

        def https(rule: str, rule_sources: list[str], fqdns: list[str] | None = None, tags: list[str] | None = None
                  ) -> azure.network.ApplicationRuleArgs:
            return azure.network.ApplicationRuleArgs(
                name=rule, rule_type="ApplicationRule", source_addresses=rule_sources, target_fqdns=fqdns, fqdn_tags=tags,
                protocols=[azure.network.FirewallPolicyRuleApplicationProtocolArgs(protocol_type="Https", port=443)])

        fqdn_rules = [
            https("aks-fqdn-tag", sources, tags=["AzureKubernetesService"]),
            https("aks-fqdns", sources, fqdns=[f"*.hcp.{args.location}.azmk8s.io", *AKS_EGRESS_FQDNS]),
            *(https(f"images-{egress.registry}", egress.sources, fqdns=egress.fqdns) for egress in args.registry_egress),
            *([https("aks-addons", sources, fqdns=list(args.addon_fqdns))] if args.addon_fqdns else []),
        ]
        if firewall.egress_fqdns:
            fqdn_rules.append(https("egress-fqdns", sources, fqdns=list(firewall.egress_fqdns)))
        return [
            _allow_collection("aks-network", 200, [
                azure.network.NetworkRuleArgs(name="dns", rule_type="NetworkRule", ip_protocols=["UDP", "TCP"],
                                              source_addresses=sources, destination_addresses=dns_targets, destination_ports=["53"]),
                azure.network.NetworkRuleArgs(name="ntp", rule_type="NetworkRule", ip_protocols=["UDP"],
                                              source_addresses=sources, destination_addresses=["*"], destination_ports=["123"]),
            ]),
            _allow_collection("aks-fqdns", 300, fqdn_rules),
        ]

    def _create_bastion(self) -> None:
        args = self._args
        bastion = azure.network.BastionHost(
            f"{self._name}-bastion", resource_group_name=self._rg.name, location=args.location, tags=dict(args.tags),
            bastion_host_name=f"bas-{args.prefix}-{args.hub.name}",
            ip_configurations=[azure.network.BastionHostIPConfigurationArgs(
                name="bastion", subnet=azure.network.SubResourceArgs(id=self._subnets[BASTION_SUBNET].id),
                public_ip_address=azure.network.SubResourceArgs(id=self._public_ip("bastion", ZONES).id))],
            opts=self._child())
        if args.log_workspace_id is not None:
            # BastionAuditLogs: who opened which session to which VM (bastion diagnostic-logs).
            diagnostic_setting(f"{self._name}-bastion-diagnostics", bastion.id, args.log_workspace_id, self)

    def _create_resolver(self) -> None:
        name, args = self._name, self._args
        resolver_cfg = args.hub.dns_resolver
        assert resolver_cfg is not None
        resolver = azure.dnsresolver.DnsResolver(
            f"{name}-resolver", resource_group_name=self._rg.name, location=args.location, tags=dict(args.tags),
            dns_resolver_name=f"dnspr-{args.prefix}-{args.hub.name}",
            virtual_network=azure.dnsresolver.SubResourceArgs(id=self._vnet.id), opts=self._child())
        inbound = azure.dnsresolver.InboundEndpoint(
            f"{name}-resolver-inbound", resource_group_name=self._rg.name, location=args.location, tags=dict(args.tags),
            dns_resolver_name=resolver.name, inbound_endpoint_name="inbound",
            ip_configurations=[azure.dnsresolver.IpConfigurationArgs(
                subnet=azure.dnsresolver.SubResourceArgs(id=self._subnets[resolver_cfg.inbound_subnet].id),
                private_ip_address=self.resolver_inbound_ip, private_ip_allocation_method="Static")],
            opts=self._child())
        self.dns_ready.append(inbound)
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
        self.dns_ready.append(azure.privatedns.VirtualNetworkLink(
            f"{self._name}-zone-{slug}-link", resource_group_name=self._rg.name, private_zone_name=private_zone.name,
            virtual_network_link_name=f"link-{self._args.hub.name}", location="global", registration_enabled=False,
            tags=dict(self._args.tags), virtual_network=azure.privatedns.SubResourceArgs(id=self._vnet.id),
            opts=ResourceOptions(parent=self, aliases=list(link_aliases), delete_before_replace=True)))
        return private_zone


def _allow_collection(name: str, priority: int, rules: Sequence[Input[azure.network.NetworkRuleArgs] | Input[azure.network.ApplicationRuleArgs]]
                      ) -> azure.network.FirewallPolicyFilterRuleCollectionArgs:
    return azure.network.FirewallPolicyFilterRuleCollectionArgs(
        name=name, priority=priority, rule_collection_type="FirewallPolicyFilterRuleCollection",
        action=azure.network.FirewallPolicyFilterRuleCollectionActionArgs(type="Allow"), rules=list(rules))
