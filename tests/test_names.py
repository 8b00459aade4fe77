"""config/names.py checks Azure's naming rules on the names the components will build; this keeps the two in step:
every name a shipped stack registers must be one names.py predicted, or the length and clash checks drift."""

from __future__ import annotations

import pytest

from config import load_stack
from config.names import final_names
from offline import stackref
from offline.preview import read_stack_file
from tests.stacks import ROOT, STACKS, evaluated

# Registered type -> (names.py kind, the input holding the Azure name).
NAMED = {
    "azure-native:resources:ResourceGroup": ("resource group", "resourceGroupName"),
    "azure-native:network:VirtualNetwork": ("virtual network", "virtualNetworkName"),
    "azure-native:network:Subnet": ("subnet", "subnetName"),
    "azure-native:network:NetworkSecurityGroup": ("network security group", "networkSecurityGroupName"),
    "azure-native:network:RouteTable": ("route table", "routeTableName"),
    "azure-native:network:PublicIPAddress": ("public IP", "publicIpAddressName"),
    "azure-native:network:VirtualNetworkGateway": ("virtual network gateway", "virtualNetworkGatewayName"),
    "azure-native:network:LocalNetworkGateway": ("local network gateway", "localNetworkGatewayName"),
    "azure-native:network:VirtualNetworkGatewayConnection": ("connection", "virtualNetworkGatewayConnectionName"),
    "azure-native:network:AzureFirewall": ("firewall", "azureFirewallName"),
    "azure-native:network:FirewallPolicy": ("firewall policy", "firewallPolicyName"),
    "azure-native:network:BastionHost": ("bastion host", "bastionHostName"),
    "azure-native:network:VirtualNetworkPeering": ("peering", "virtualNetworkPeeringName"),
    "azure-native:privatedns:PrivateZone": ("private DNS zone", "privateZoneName"),
    "azure-native:privatedns:VirtualNetworkLink": ("private DNS zone link", "virtualNetworkLinkName"),
    "azure-native:containerservice:ManagedCluster": ("AKS cluster", "resourceName"),
    "azure-native:managedidentity:UserAssignedIdentity": ("managed identity", "resourceName"),
    "azure-native:dnsresolver:DnsResolver": ("DNS resolver", "dnsResolverName"),
    "azure-native:dnsresolver:DnsForwardingRuleset": ("DNS forwarding ruleset", "dnsForwardingRulesetName"),
    "azure-native:dnsresolver:ForwardingRule": ("DNS forwarding rule", "forwardingRuleName"),
}


@pytest.mark.parametrize("stack", STACKS)
def test_every_registered_name_is_one_names_py_checks(stack: str) -> None:
    file = read_stack_file(ROOT, stack)
    hub, _ = stackref.hub_for(stack, ROOT, file.config)
    config = load_stack(file.config, hub=hub)
    predicted = {(name.kind, name.value.lower()) for name in final_names(config)}
    missing = []
    for registration in evaluated(stack).registrations:
        if registration.type not in NAMED:
            continue
        kind, field = NAMED[registration.type]
        value = registration.inputs.get(field)
        if isinstance(value, str) and (kind, value.lower()) not in predicted:
            missing.append(f"{kind} {value} ({registration.name})")
    assert not missing, "config/names.py doesn't build these names:\n" + "\n".join(missing)
