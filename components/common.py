"""Building blocks the components share: subnets with their NSGs, rule sets, and the one kind of public IP the project makes."""

from __future__ import annotations

import copy
import gc
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pulumi
import pulumi_azure_native as azure
from pulumi import Input, ResourceOptions

from config.topology import NO_NSG_SUBNETS


# A type token with an API version: azure-native:network/v20240301:Subnet.
_API_VERSION_TYPE = re.compile(r"^azure-native:[^:/]+/v[0-9]{8}[a-z]*:")


GC_THRESHOLDS = (100_000, 50, 100)


def tune_gc_for_evaluation() -> None:
    """Keep Python's cyclic garbage collector out of the way while the program registers resources.

    The SDK allocates a few thousand container objects per resource (Outputs, futures, callbacks), so the
    collector's default thresholds (700, 10, 10) run it every few resources and, with the heap growing, a
    full pass over everything every few hundred: about 40% of an evaluation's CPU at 200 spokes. One
    collection first (so no garbage is pinned: a test session runs the program several times), then the
    objects alive now (imported modules, the parsed config) are frozen out of every later pass, and the
    young generation is collected every 100,000 net allocations; cycles that die young are still reclaimed,
    so peak memory grows by about 1% (README, Performance). `pulumi up`, previews and tests all gain.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def without_api_version_aliases(args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult | None:
    """Drop the aliases azure-native gives every resource to its API-version types (about 60 a resource).

    They only matter to state written with explicit-version tokens (azure-native:network/v20240301:Subnet),
    which this program never uses; yet the SDK turns each into Outputs before registering, which is most of
    an evaluation's time and memory (pulumi/pulumi#10010, pulumi/pulumi-azure-native#1493). The program's
    own aliases (renames, moves) are kept.
    """
    aliases = args.opts.aliases or []
    kept = [alias for alias in aliases
            if not (isinstance(alias, pulumi.Alias) and isinstance(alias.type_, str) and _API_VERSION_TYPE.match(alias.type_))]
    if len(kept) == len(aliases):
        return None
    opts = copy.copy(args.opts)
    opts.aliases = kept
    return pulumi.ResourceTransformationResult(args.props, opts)


def standard_public_ip(name: str, azure_name: str, resource_group_name: Input[str], location: str, tags: Mapping[str, str],
                       zones: list[str], parent: pulumi.Resource) -> azure.network.PublicIPAddress:
    """Standard SKU, static: what gateways, firewalls and Bastion require (Basic is refused on AZ gateways)."""
    return azure.network.PublicIPAddress(
        name, resource_group_name=resource_group_name, location=location, tags=dict(tags), public_ip_address_name=azure_name,
        sku=azure.network.PublicIPAddressSkuArgs(name="Standard", tier="Regional"),
        public_ip_allocation_method="Static", zones=zones or None, opts=ResourceOptions(parent=parent))


@dataclass(frozen=True)
class SubnetSpec:
    """What a subnet carries beyond its range: the route table, NSG rules, a delegation, private-endpoint policies."""

    route_table: azure.network.RouteTable | None = None
    security_rules: list[azure.network.SecurityRuleArgs] | None = None
    delegation: tuple[str, str] | None = None  # (name, service), e.g. ("dnsResolvers", "Microsoft.Network/dnsResolvers")
    private_endpoint_policies: bool = False


def subnets_with_nsgs(name: str, owner: str, prefix: str, resource_group_name: Input[str], vnet_name: Input[str], location: str,
                      tags: Mapping[str, str], cidrs: Mapping[str, str], spec: Callable[[str], SubnetSpec],
                      parent: pulumi.Resource) -> dict[str, azure.network.Subnet]:
    """The one way hub and spokes build their subnets: standalone Subnet resources, each with its own NSG where Azure
    allows one (NO_NSG_SUBNETS), named f"{name}-subnet-<subnet>" and f"{name}-nsg-<subnet>" (nsg-<prefix>-<owner>-<subnet>)."""
    child = ResourceOptions(parent=parent)
    subnets = {}
    for subnet, cidr in cidrs.items():
        extra = spec(subnet)
        nsg = None
        if subnet not in NO_NSG_SUBNETS:
            nsg = azure.network.NetworkSecurityGroup(
                f"{name}-nsg-{subnet}", resource_group_name=resource_group_name, location=location, tags=dict(tags),
                network_security_group_name=f"nsg-{prefix}-{owner}-{subnet}", security_rules=extra.security_rules, opts=child)
        subnets[subnet] = azure.network.Subnet(
            f"{name}-subnet-{subnet}", resource_group_name=resource_group_name, virtual_network_name=vnet_name,
            subnet_name=subnet, address_prefix=cidr,
            network_security_group=azure.network.NetworkSecurityGroupArgs(id=nsg.id) if nsg else None,
            route_table=azure.network.RouteTableArgs(id=extra.route_table.id) if extra.route_table else None,
            delegations=[azure.network.DelegationArgs(name=extra.delegation[0], service_name=extra.delegation[1])]
            if extra.delegation else None,
            private_endpoint_network_policies="Enabled" if extra.private_endpoint_policies else None,
            opts=child)
    return subnets


def _rule(name: str, priority: int, direction: str, source: str, destination: str, ports: list[str], protocol: str = "Tcp") -> azure.network.SecurityRuleArgs:
    return azure.network.SecurityRuleArgs(
        name=name, priority=priority, direction=direction, access="Allow", protocol=protocol,
        source_address_prefix=source, source_port_range="*",
        destination_address_prefix=destination, destination_port_ranges=ports)


def bastion_rules() -> list[azure.network.SecurityRuleArgs]:
    """The rules Azure Bastion requires on AzureBastionSubnet's NSG (bastion-nsg)."""
    return [
        _rule("AllowHttpsInbound", 120, "Inbound", "Internet", "*", ["443"]),
        _rule("AllowGatewayManagerInbound", 130, "Inbound", "GatewayManager", "*", ["443"]),
        _rule("AllowAzureLoadBalancerInbound", 140, "Inbound", "AzureLoadBalancer", "*", ["443"]),
        _rule("AllowBastionHostCommunication", 150, "Inbound", "VirtualNetwork", "VirtualNetwork", ["8080", "5701"], "*"),
        _rule("AllowSshRdpOutbound", 100, "Outbound", "*", "VirtualNetwork", ["22", "3389"], "*"),
        _rule("AllowAzureCloudOutbound", 110, "Outbound", "*", "AzureCloud", ["443"]),
        _rule("AllowBastionCommunication", 120, "Outbound", "VirtualNetwork", "VirtualNetwork", ["8080", "5701"], "*"),
        _rule("AllowHttpOutbound", 130, "Outbound", "*", "Internet", ["80"]),
    ]


def diagnostic_setting(name: str, resource_uri: Input[str], workspace_id: Input[str], parent: pulumi.Resource,
                       categories: list[str] | None = None, dedicated: bool = False) -> azure.monitor.DiagnosticSetting:
    """Send a resource's logs and metrics to the stack's Log Analytics workspace (Learn: diagnostic-settings).

    Without `categories` every log through the `allLogs` category group; `dedicated` writes resource-specific tables
    (AZFW*, AKSControlPlane/AKSAudit) instead of AzureDiagnostics, for the types that have them.
    """
    logs = ([azure.monitor.DiagnosticsLogSettingsArgs(category=category, enabled=True) for category in categories] if categories
            else [azure.monitor.DiagnosticsLogSettingsArgs(category_group="allLogs", enabled=True)])
    return azure.monitor.DiagnosticSetting(
        name, name="to-log-analytics", resource_uri=resource_uri, workspace_id=workspace_id,
        log_analytics_destination_type="Dedicated" if dedicated else None, logs=logs,
        metrics=[azure.monitor.DiagnosticsMetricSettingsArgs(category="AllMetrics", enabled=True)],
        opts=ResourceOptions(parent=parent))
