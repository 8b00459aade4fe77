"""A spoke: resource group, VNet, subnets each with an NSG, egress through the hub firewall, peering both ways."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_azure_native as azure
from pulumi import Input, Output, ResourceOptions

from config.model import Spoke as SpokeConfig
from config.topology import NO_NSG_SUBNETS, aks_subnets


@dataclass(frozen=True)
class SpokeArgs:
    spoke: SpokeConfig
    prefix: str
    location: str
    tags: Mapping[str, str]
    dns_servers: list[str]
    hub_resource_group_name: Input[str]
    hub_vnet_name: Input[str]
    hub_vnet_id: Input[str]
    firewall_private_ip: Input[str] | None  # 0.0.0.0/0 goes there when set
    gateways: Sequence[pulumi.Resource]  # the spoke->hub peering waits for them (RemoteVnetHasNoGateways)


class Spoke(pulumi.ComponentResource):
    config: SpokeConfig
    resource_group_name: Output[str]
    vnet_id: Output[str]
    vnet_name: Output[str]
    subnet_ids: dict[str, Output[str]]
    route_table_id: Output[str] | None
    route_table: azure.network.RouteTable | None

    def __init__(self, name: str, args: SpokeArgs, opts: ResourceOptions | None = None) -> None:
        super().__init__("hybrid-aks:network:Spoke", name, None, opts)
        cfg = self.config = args.spoke
        child = ResourceOptions(parent=self)
        rg = azure.resources.ResourceGroup(
            f"{name}-rg", resource_group_name=f"rg-{args.prefix}-{cfg.name}", location=args.location, tags=dict(args.tags), opts=child)
        vnet = azure.network.VirtualNetwork(
            f"{name}-vnet", resource_group_name=rg.name, virtual_network_name=f"vnet-{args.prefix}-{cfg.name}",
            location=args.location, tags=dict(args.tags),
            address_space=azure.network.AddressSpaceArgs(address_prefixes=list(cfg.address_space)),
            dhcp_options=azure.network.DhcpOptionsArgs(dns_servers=args.dns_servers) if args.dns_servers else None,
            opts=child)
        self.resource_group_name, self.vnet_id, self.vnet_name = rg.name, vnet.id, vnet.name
        firewall_ip = args.firewall_private_ip

        def default_route_table(suffix: str, bgp_propagation: bool) -> azure.network.RouteTable:
            return azure.network.RouteTable(
                f"{name}-routes{suffix}", resource_group_name=rg.name, location=args.location, tags=dict(args.tags),
                route_table_name=f"rt-{args.prefix}-{cfg.name}{suffix}", disable_bgp_route_propagation=not bgp_propagation,
                routes=[azure.network.RouteArgs(name="default-via-hub-firewall", address_prefix="0.0.0.0/0",
                                                next_hop_type="VirtualAppliance", next_hop_ip_address=firewall_ip)],
                opts=child)

        # AKS subnets keep BGP propagation off so an on-prem default route can't bypass the firewall (egress-udr).
        self.route_table = default_route_table("", bgp_propagation=False) if firewall_ip is not None else None
        self.route_table_id = self.route_table.id if self.route_table else None
        routed = aks_subnets(cfg) if self.route_table else set()
        other_routes = None
        if self.route_table and set(cfg.subnets) - routed:
            other_routes = default_route_table("-workloads", bgp_propagation=True)
        self.subnet_ids = {}
        for subnet, cidr in cfg.subnets.items():
            nsg = None
            if subnet not in NO_NSG_SUBNETS:
                nsg = azure.network.NetworkSecurityGroup(
                    f"{name}-nsg-{subnet}", resource_group_name=rg.name, location=args.location, tags=dict(args.tags),
                    network_security_group_name=f"nsg-{args.prefix}-{cfg.name}-{subnet}", opts=child)
            table = self.route_table if subnet in routed else other_routes
            self.subnet_ids[subnet] = azure.network.Subnet(
                f"{name}-subnet-{subnet}", resource_group_name=rg.name, virtual_network_name=vnet.name,
                subnet_name=subnet, address_prefix=cidr,
                network_security_group=azure.network.NetworkSecurityGroupArgs(id=nsg.id) if nsg else None,
                route_table=azure.network.RouteTableArgs(id=table.id) if table else None,
                opts=child).id
        has_gateway = bool(args.gateways)
        hub_to_spoke = azure.network.VirtualNetworkPeering(
            f"{name}-hub-to-spoke", resource_group_name=args.hub_resource_group_name, virtual_network_name=args.hub_vnet_name,
            virtual_network_peering_name=f"to-{cfg.name}", remote_virtual_network=azure.network.SubResourceArgs(id=vnet.id),
            allow_virtual_network_access=True, allow_forwarded_traffic=True, allow_gateway_transit=has_gateway,
            use_remote_gateways=False, opts=ResourceOptions(parent=self, depends_on=list(args.gateways)))
        # useRemoteGateways fails with RemoteVnetHasNoGateways until the hub gateway exists, and is refused while
        # the hub side lacks allowGatewayTransit: wait for both.
        spoke_to_hub = azure.network.VirtualNetworkPeering(
            f"{name}-spoke-to-hub", resource_group_name=rg.name, virtual_network_name=vnet.name,
            virtual_network_peering_name="to-hub", remote_virtual_network=azure.network.SubResourceArgs(id=args.hub_vnet_id),
            allow_virtual_network_access=True, allow_forwarded_traffic=True, allow_gateway_transit=False,
            use_remote_gateways=has_gateway,
            opts=ResourceOptions(parent=self, depends_on=[*args.gateways, *([hub_to_spoke] if has_gateway else [])]))
        # Traffic to the hub (firewall egress, on-prem) flows once both directions exist.
        self.peerings: list[pulumi.Resource] = [hub_to_spoke, spoke_to_hub]
        self.register_outputs({"resourceGroupName": self.resource_group_name, "vnetId": self.vnet_id,
                               "subnetIds": self.subnet_ids, "routeTableId": self.route_table_id})
