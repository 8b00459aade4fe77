"""Building blocks the components share: rule sets, and the one kind of public IP the project makes."""

from __future__ import annotations

import copy
import gc
import re
from collections.abc import Mapping

import pulumi
import pulumi_azure_native as azure
from pulumi import Input, ResourceOptions


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
