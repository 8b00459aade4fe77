"""config/names.py checks Azure's naming rules on the names the components will build; this keeps the two in step:
every name a shipped stack registers must be one names.py predicted, or the length and clash checks drift."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from config import load_stack
from config.model import StackConfig
from config.names import check_names, final_names
from config.problems import Problem
from offline import stackref
from offline.preview import read_stack_file
from tests.stacks import ROOT, STACKS, evaluated
from tests.test_config import BASE, raw_of

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


# --- the character rule, past the config's own name patterns ------------------------------------------------------
# Every name the config holds is a DNS label or a subnet name, whose patterns already keep out what Azure refuses, so no
# stack file reaches the character check; it guards the name formats (a new one, or a looser pattern). Its bad cases
# change an already-validated stack, as a looser pattern would let through.

H = "hybrid-aks:"


def problem_objects(mutate: Callable[[StackConfig], StackConfig]) -> list[Problem]:
    return check_names(mutate(load_stack(raw_of(BASE))))


NAMES_BAD: list[tuple[str, Callable[[StackConfig], StackConfig], str, str]] = [
    ("prefix-with-a-character-azure-refuses", lambda s: s.model_copy(update={"prefix": "t!"}), f"{H}hub.name",
     "makes the resource group name 'rg-t!-hub', which Microsoft.Resources/resourceGroups refuses"),
]


@pytest.mark.parametrize(("mutate", "key", "fragment"), [c[1:] for c in NAMES_BAD], ids=[c[0] for c in NAMES_BAD])
def test_a_name_with_a_character_azure_refuses_is_reported(mutate: Callable[[StackConfig], StackConfig], key: str, fragment: str) -> None:
    problems = [str(p) for p in problem_objects(mutate)]
    assert [p for p in problems if p.startswith(f"{key}: ") and fragment in p], "\n".join(problems)
