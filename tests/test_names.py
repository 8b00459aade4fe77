"""config/names.py checks Azure's naming rules on the names the components will build; this keeps the two in step:
every name a shipped stack registers must be one names.py predicted, or the length and clash checks drift."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from config import load_stack
from config.model import StackConfig
from config.names import check_names, final_names
from config.problems import Problem
from offline import stackref
from offline.preview import read_stack_file
from tests.stacks import ROOT, STACKS, evaluated
from tests.test_config import BASE, raw_of
from tests.test_config import problem_objects as config_problems

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
    ("subnet-with-a-character-azure-refuses",
     lambda s: s.model_copy(update={"spokes": [s.spokes[0].model_copy(update={"subnets": {**s.spokes[0].subnets, "ilb!": "10.11.12.0/24"}})]}),
     f"{H}spokes[0].subnets.ilb!",
     "makes the subnet name 'ilb!', which Microsoft.Network/virtualNetworks/subnets refuses: it takes letters, digits, '_', '.' and '-', "
     "starting with a letter or digit and ending with a letter, digit or '_' (Learn: resource-name-rules)"),
]


@pytest.mark.parametrize(("mutate", "key", "fragment"), [c[1:] for c in NAMES_BAD], ids=[c[0] for c in NAMES_BAD])
def test_a_name_with_a_character_azure_refuses_is_reported(mutate: Callable[[StackConfig], StackConfig], key: str, fragment: str) -> None:
    problems = [str(p) for p in problem_objects(mutate)]
    assert [p for p in problems if p.startswith(f"{key}: ") and fragment in p], "\n".join(problems)


# --- the length rule at its bounds, and what each clash asks the user to do ----------------------------------------

def test_a_network_name_of_80_characters_is_accepted_and_81_refused() -> None:
    """Learn resource-name-rules: Microsoft.Network names (subnets, NSGs, ...) take 1-80 characters."""
    base = load_stack(raw_of(BASE))
    subnets = dict(base.spokes[0].subnets)
    one_char = base.spokes[0].model_copy(update={"subnets": {**subnets, "a": "10.11.12.0/24"}})
    assert check_names(base.model_copy(update={"spokes": [one_char]})) == []  # subnet 'a', NSG 'nsg-t-aks-a'
    at_80 = base.spokes[0].model_copy(update={"subnets": {**subnets, "s" * 70: "10.11.12.0/24"}})
    assert check_names(base.model_copy(update={"spokes": [at_80]})) == []
    s71 = "s" * 71
    at_81 = base.spokes[0].model_copy(update={"subnets": {**subnets, s71: "10.11.12.0/24"}})
    assert check_names(base.model_copy(update={"spokes": [at_81]})) == [Problem(
        f"{H}spokes[0].subnets.{s71}",
        f"makes the network security group name 'nsg-t-aks-{s71}' 81 characters long; Azure allows 1-80 for "
        "Microsoft.Network/networkSecurityGroups (Learn: resource-name-rules)",
        f"shorten {H}prefix and {H}spokes[0].name and {H}spokes[0].subnets.{s71} by 1 character")]


def _second_site(d: dict[str, Any], domain: str) -> None:
    d["sites"].append({"name": "lab2", "addressPrefixes": ["172.20.0.0/16"], "vpn": {"gatewayAddress": "203.0.113.11"},
                       "dns": {"servers": ["172.20.0.10"], "domains": [domain]}})


CLASHES: list[tuple[str, Callable[[dict[str, Any]], None], str, str]] = [
    ("zone-again-with-a-final-dot", lambda d: d["hub"].__setitem__("privateDnsZones", ["corp.internal", "Corp.Internal."]),
     f"{H}hub.privateDnsZones[1]", "list each zone once"),
    ("domain-forwarded-from-two-sites", lambda d: _second_site(d, "LAB.example.com"), f"{H}sites[1].dns.domains[0]",
     "forward each domain from one site only (the rule name is the domain with '.' replaced by '-')"),
    ("subnets-differ-in-case", lambda d: d["spokes"][0]["subnets"].__setitem__("Nodes", "10.11.12.0/24"), f"{H}spokes[0].subnets.Nodes",
     f"rename {H}spokes[0].subnets.Nodes so that the names differ in more than letter case"),
    ("spoke-named-like-the-hub", lambda d: d["spokes"].append({"name": "hub", "addressSpace": ["10.12.0.0/16"], "subnets": {"app": "10.12.0.0/24"}}),
     f"{H}spokes[1].name", f"rename {H}spokes[1].name so that the names differ in more than letter case"),
]


@pytest.mark.parametrize(("mutate", "key", "fix"), [c[1:] for c in CLASHES], ids=[c[0] for c in CLASHES])
def test_a_clash_says_how_to_resolve_it(mutate: Callable[[dict[str, Any]], None], key: str, fix: str) -> None:
    clashes = [p for p in config_problems(mutate) if p.rule == "names-unique-ignoring-case"]
    assert clashes and {(p.key, p.fix) for p in clashes} == {(key, fix)}, clashes


def test_hub_subnets_equal_ignoring_case_clash_at_both_keys() -> None:
    """Azure compares subnet names case-insensitively: 'Shared' next to 'shared' is refused, named at the hub's keys."""
    from tests.test_config import problem_objects
    problems = problem_objects(lambda d: d["hub"]["subnets"].update(Shared="10.10.3.0/28"))
    assert any(p.key == "hybrid-aks:hub.subnets.Shared"
               and p.message.startswith("makes the subnet 'Shared', but hybrid-aks:hub.subnets.shared already makes 'shared'")
               for p in problems), problems
