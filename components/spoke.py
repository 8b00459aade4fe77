"""A spoke: resource group, VNet, subnets each with an NSG, egress through the hub firewall, peering both ways."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_azure_native as azure
from pulumi import Input, Output, ResourceOptions

from components.common import SubnetSpec, subnets_with_nsgs
from config.model import Spoke as SpokeConfig


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
    hub_address_space: Sequence[str]
    # Attaching to another stack's hub: the hub side of the peering is created with the hub subscription's provider, and
    # the gateways are that stack's (published as existing once its `pulumi up` succeeded), so nothing here to wait for.
    hub_provider: pulumi.ProviderResource | None = None
    remote_gateways: bool = False
    hub_peering_name: str | None = None  # default to-<spoke>; an attaching stack's to-<prefix>-<spoke> (one hub, many stacks)


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
        # Behind a hub firewall every subnet sends 0.0.0.0/0 to it with BGP propagation off, so on-prem routes learned
        # through gateway transit can't bypass it (egress-udr); GatewaySubnet sends this VNet back through it (hub).
        self.route_table = None
        if args.firewall_private_ip is not None:
            self.route_table = azure.network.RouteTable(
                f"{name}-routes", resource_group_name=rg.name, location=args.location, tags=dict(args.tags),
                route_table_name=f"rt-{args.prefix}-{cfg.name}", disable_bgp_route_propagation=True,
                routes=[azure.network.RouteArgs(name="default-via-hub-firewall", address_prefix="0.0.0.0/0",
                                                next_hop_type="VirtualAppliance", next_hop_ip_address=args.firewall_private_ip)],
                opts=child)
        self.route_table_id = self.route_table.id if self.route_table else None

        def spec(subnet: str) -> SubnetSpec:
            # Private-endpoint policies on: GatewaySubnet's route (as wide as this VNet) overrides an endpoint's /32 route,
            # so on-prem reaches it through the firewall, which SNATs it: an endpoint's replies ignore route tables
            # (disable-private-endpoint-network-policy, inspect-traffic-with-azure-firewall). Off elsewhere: a private
            # cluster's API-server endpoint in the node subnet stays directly reachable from on-prem.
            return SubnetSpec(route_table=self.route_table,
                              private_endpoint_policies=self.route_table is not None and subnet in cfg.private_endpoint_subnets)

        subnets = subnets_with_nsgs(name, cfg.name, args.prefix, rg.name, vnet.name, args.location, args.tags, cfg.subnets, spec, self)
        self.subnet_ids = {subnet: resource.id for subnet, resource in subnets.items()}
        has_gateway = bool(args.gateways) or args.remote_gateways
        hub_to_spoke = azure.network.VirtualNetworkPeering(
            f"{name}-hub-to-spoke", resource_group_name=args.hub_resource_group_name, virtual_network_name=args.hub_vnet_name,
            virtual_network_peering_name=args.hub_peering_name or f"to-{cfg.name}", remote_virtual_network=azure.network.SubResourceArgs(id=vnet.id),
            allow_virtual_network_access=True, allow_forwarded_traffic=True, allow_gateway_transit=has_gateway,
            use_remote_gateways=False, remote_address_space=_space(cfg.address_space), sync_remote_address_space="true",
            opts=ResourceOptions(parent=self, depends_on=list(args.gateways), provider=args.hub_provider))
        # useRemoteGateways fails with RemoteVnetHasNoGateways until the hub gateway exists, and is refused while
        # the hub side lacks allowGatewayTransit: wait for both.
        spoke_to_hub = azure.network.VirtualNetworkPeering(
            f"{name}-spoke-to-hub", resource_group_name=rg.name, virtual_network_name=vnet.name,
            virtual_network_peering_name="to-hub", remote_virtual_network=azure.network.SubResourceArgs(id=args.hub_vnet_id),
            allow_virtual_network_access=True, allow_forwarded_traffic=True, allow_gateway_transit=False,
            use_remote_gateways=has_gateway, remote_address_space=_space(args.hub_address_space),
            sync_remote_address_space="true",
            opts=ResourceOptions(parent=self, depends_on=[*args.gateways, *([hub_to_spoke] if has_gateway else [])]))
        # Traffic to the hub (firewall egress, on-prem) flows once both directions exist.
        self.peerings: list[pulumi.Resource] = [hub_to_spoke, spoke_to_hub]
        self.register_outputs({"resourceGroupName": self.resource_group_name, "vnetId": self.vnet_id,
                               "subnetIds": self.subnet_ids, "routeTableId": self.route_table_id})


def _space(prefixes: Sequence[str]) -> azure.network.AddressSpaceArgs:
    """The address space a peering carries of its remote VNet, so that growing a VNet changes the peerings pointing at it.

    Adding a range to a peered VNet leaves those peerings LocalNotInSync until they are synced
    (update-virtual-network-peering-address-space); the update this triggers carries syncRemoteAddressSpace=true,
    so `pulumi up` syncs them, with no downtime. remoteAddressSpace, not remoteVirtualNetworkAddressSpace: Azure
    updates the latter as soon as the remote VNet grows, so a refresh between the two would hide the pending sync.
    """
    return azure.network.AddressSpaceArgs(address_prefixes=list(prefixes))
