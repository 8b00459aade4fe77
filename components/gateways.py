"""Hybrid connectivity in the hub: VPN and ExpressRoute gateways, and a connection per on-prem site."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_azure_native as azure
from pulumi import Input, Output, ResourceOptions

from components.common import diagnostic_setting, standard_public_ip
from config.model import Gateways, IpsecPolicy, Site
from config.secrets import er_authorization_key, vpn_shared_key

ZONES = ["1", "2", "3"]
# VpnGw1 and VpnGw1AZ exist only in Generation1 (vpn-gateway-about-vpn-gateway-settings#gwsku).
GENERATION1_ONLY = {"VpnGw1", "VpnGw1AZ"}


@dataclass(frozen=True)
class HybridGatewaysArgs:
    gateways: Gateways
    sites: Sequence[Site]
    prefix: str
    hub_name: str
    location: str
    tags: Mapping[str, str]
    protect: bool
    resource_group_name: Input[str]
    gateway_subnet_id: Input[str]
    secrets: Mapping[str, Output[str]]  # config.secrets.read_secrets: shared and authorization keys, secret Outputs
    subscription_id: Input[str]
    log_workspace_id: Input[str] | None = None  # diagnostic settings of the gateways (tunnel, route, IKE, P2S logs)


class HybridGateways(pulumi.ComponentResource):
    gateways: list[pulumi.Resource]
    vpn_public_ips: list[Output[str]]
    vpn_bgp_peering_addresses: Output[str] | None
    vpn_asn: int | None

    def __init__(self, name: str, args: HybridGatewaysArgs, opts: ResourceOptions | None = None) -> None:
        super().__init__("hybrid-aks:network:HybridGateways", name, None, opts)
        self._name, self._args = name, args
        self.gateways, self.vpn_public_ips = [], []
        self.vpn_bgp_peering_addresses, self.vpn_asn = None, None
        if args.gateways.vpn:
            locals_ = {site.name: self._create_local_network_gateway(site) for site in args.sites if site.vpn}
            default_site = args.gateways.vpn.default_site
            vpn = self._create_vpn_gateway(locals_[default_site] if default_site else None)
            self.gateways.append(vpn)
            self._diagnostics("vpn", vpn)
            for site in args.sites:
                if site.vpn:
                    self._connect_vpn_site(site, vpn, locals_[site.name])
        if args.gateways.express_route:
            er = self._create_express_route_gateway()
            self.gateways.append(er)
            self._diagnostics("er", er)
            for site in args.sites:
                if site.express_route:
                    self._connect_express_route_site(site, er)
        self.register_outputs({"vpnPublicIps": self.vpn_public_ips, "vpnBgpPeeringAddresses": self.vpn_bgp_peering_addresses,
                               "vpnAsn": self.vpn_asn})

    def _diagnostics(self, role: str, gateway: azure.network.VirtualNetworkGateway) -> None:
        if self._args.log_workspace_id is not None:
            diagnostic_setting(f"{self._name}-{role}-diagnostics", gateway.id, self._args.log_workspace_id, self)

    def _public_ip(self, role: str) -> azure.network.PublicIPAddress:
        """Zone-redundant, so the AZ gateway SKUs keep their zone redundancy."""
        args = self._args
        return standard_public_ip(f"{self._name}-pip-{role}", f"pip-{args.prefix}-{args.hub_name}-{role}",
                                  args.resource_group_name, args.location, args.tags, ZONES, self)

    def _create_vpn_gateway(self, default_site: azure.network.LocalNetworkGateway | None) -> azure.network.VirtualNetworkGateway:
        args = self._args
        vpn = args.gateways.vpn
        assert vpn is not None
        gateway_name = f"vgw-{args.prefix}-{args.hub_name}"
        config_names = ["ipconfig1", "ipconfig2"][: 2 if vpn.active_active else 1]
        ips = [self._public_ip(f"vpn-{i + 1}") for i in range(len(config_names))]
        self.vpn_public_ips = [ip.ip_address.apply(lambda address: address or "") for ip in ips]
        gateway_id = Output.concat("/subscriptions/", args.subscription_id, "/resourceGroups/", args.resource_group_name,
                                   "/providers/Microsoft.Network/virtualNetworkGateways/", gateway_name)
        custom_bgp = [
            azure.network.IPConfigurationBgpPeeringAddressArgs(
                ipconfiguration_id=Output.concat(gateway_id, "/ipConfigurations/", config_name), custom_bgp_ip_addresses=list(addresses))
            for config_name, addresses in zip(config_names, vpn.apipa_addresses)
        ]
        gateway = azure.network.VirtualNetworkGateway(
            f"{self._name}-vpn", resource_group_name=args.resource_group_name, location=args.location, tags=dict(args.tags),
            virtual_network_gateway_name=gateway_name, gateway_type="Vpn", vpn_type="RouteBased",
            sku=azure.network.VirtualNetworkGatewaySkuArgs(name=vpn.sku, tier=vpn.sku),
            vpn_gateway_generation="Generation1" if vpn.sku in GENERATION1_ONLY else "Generation2",
            active_active=vpn.active_active,
            # BGP on, with the configured ASN, so sites can peer; static sites are unaffected.
            enable_bgp=True,
            bgp_settings=azure.network.BgpSettingsArgs(asn=vpn.asn, bgp_peering_addresses=custom_bgp or None),
            # Forced tunneling without a BGP default route: 0.0.0.0/0 sent to the gateway goes to this site (site-to-site-tunneling).
            gateway_default_site=azure.network.SubResourceArgs(id=default_site.id) if default_site else None,
            ip_configurations=[
                azure.network.VirtualNetworkGatewayIPConfigurationArgs(
                    name=config_name, private_ip_allocation_method="Dynamic",
                    subnet=azure.network.SubResourceArgs(id=args.gateway_subnet_id),
                    public_ip_address=azure.network.SubResourceArgs(id=ip.id))
                for config_name, ip in zip(config_names, ips)
            ],
            opts=ResourceOptions(parent=self, protect=args.protect))
        self.vpn_asn = vpn.asn
        self.vpn_bgp_peering_addresses = gateway.bgp_settings.apply(
            lambda bgp: (bgp.bgp_peering_address or "") if bgp else "")
        return gateway

    def _create_local_network_gateway(self, site: Site) -> azure.network.LocalNetworkGateway:
        args, vpn = self._args, site.vpn
        assert vpn is not None
        bgp = vpn.bgp
        # With BGP the site's routes are learned; the local network gateway then holds only the peer's /32.
        prefixes = [f"{bgp.peer_address}/32"] if bgp else list(site.address_prefixes)
        return azure.network.LocalNetworkGateway(
            f"{self._name}-lng-{site.name}", resource_group_name=args.resource_group_name, location=args.location,
            tags=dict(args.tags), local_network_gateway_name=f"lgw-{args.prefix}-{site.name}",
            gateway_ip_address=vpn.gateway_address, fqdn=vpn.gateway_fqdn,
            local_network_address_space=azure.network.AddressSpaceArgs(address_prefixes=prefixes),
            bgp_settings=azure.network.BgpSettingsArgs(asn=bgp.asn, bgp_peering_address=bgp.peer_address) if bgp else None,
            opts=ResourceOptions(parent=self))

    def _connect_vpn_site(self, site: Site, gateway: azure.network.VirtualNetworkGateway,
                          local: azure.network.LocalNetworkGateway) -> None:
        args, vpn = self._args, site.vpn
        assert vpn is not None
        bgp = vpn.bgp
        azure.network.VirtualNetworkGatewayConnection(
            f"{self._name}-vpn-{site.name}", resource_group_name=args.resource_group_name, location=args.location,
            tags=dict(args.tags), virtual_network_gateway_connection_name=f"cn-{args.prefix}-{site.name}-vpn",
            connection_type="IPsec", connection_protocol="IKEv2",
            virtual_network_gateway1=azure.network.VirtualNetworkGatewayArgs(id=gateway.id),
            local_network_gateway2=azure.network.LocalNetworkGatewayArgs(id=local.id),
            shared_key=args.secrets[vpn_shared_key(site.name)], enable_bgp=bgp is not None,
            use_policy_based_traffic_selectors=False,
            ipsec_policies=[_ipsec_policy(vpn.ipsec_policy)] if vpn.ipsec_policy else None,
            # The higher weight wins among VPN connections to the same prefixes; ExpressRoute is preferred over VPN
            # whatever the weights (expressroute-howto-coexist-resource-manager), so a backup tunnel needs no weight.
            routing_weight=vpn.routing_weight,
            opts=ResourceOptions(parent=self))

    def _create_express_route_gateway(self) -> azure.network.VirtualNetworkGateway:
        args = self._args
        er = args.gateways.express_route
        assert er is not None
        ip = self._public_ip("er")
        return azure.network.VirtualNetworkGateway(
            f"{self._name}-er", resource_group_name=args.resource_group_name, location=args.location, tags=dict(args.tags),
            virtual_network_gateway_name=f"ergw-{args.prefix}-{args.hub_name}", gateway_type="ExpressRoute",
            sku=azure.network.VirtualNetworkGatewaySkuArgs(name=er.sku, tier=er.sku),
            ip_configurations=[azure.network.VirtualNetworkGatewayIPConfigurationArgs(
                name="ipconfig1", private_ip_allocation_method="Dynamic",
                subnet=azure.network.SubResourceArgs(id=args.gateway_subnet_id),
                public_ip_address=azure.network.SubResourceArgs(id=ip.id))],
            opts=ResourceOptions(parent=self, protect=args.protect))

    def _connect_express_route_site(self, site: Site, gateway: azure.network.VirtualNetworkGateway) -> None:
        args, er = self._args, site.express_route
        assert er is not None
        azure.network.VirtualNetworkGatewayConnection(
            f"{self._name}-er-{site.name}", resource_group_name=args.resource_group_name, location=args.location,
            tags=dict(args.tags), virtual_network_gateway_connection_name=f"cn-{args.prefix}-{site.name}-er",
            connection_type="ExpressRoute", virtual_network_gateway1=azure.network.VirtualNetworkGatewayArgs(id=gateway.id),
            peer=azure.network.SubResourceArgs(id=er.circuit_id), routing_weight=er.routing_weight,
            authorization_key=args.secrets[er_authorization_key(site.name)] if er.authorization_key else None,
            opts=ResourceOptions(parent=self, protect=args.protect))


def _ipsec_policy(policy: IpsecPolicy) -> azure.network.IpsecPolicyArgs:
    return azure.network.IpsecPolicyArgs(
        ike_encryption=policy.ike_encryption, ike_integrity=policy.ike_integrity, dh_group=policy.dh_group,
        ipsec_encryption=policy.ipsec_encryption, ipsec_integrity=policy.ipsec_integrity, pfs_group=policy.pfs_group,
        sa_life_time_seconds=policy.sa_life_time_seconds, sa_data_size_kilobytes=policy.sa_data_size_kilobytes)
