"""The hub component alone, on small inputs that switch each of its features on and off: every resource's whole inputs,
as Azure would receive them, with literal values (components/hub.py, components/common.py).

IDs are written `ID("<resource name>")`: the recorded ID of the registration of that name, so an input that must point at
a given resource (a subnet, a public IP, the firewall policy) is checked to point at exactly that one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
from google.protobuf import json_format

from components.common import without_api_version_aliases
from components.hub import Hub, HubArgs
from config.model import Hub as HubConfig
from config.topology import FirewallFlow, RegistryEgress
from offline.mocks import Registration, RecordingMocks, RecordingMonitor, install, run, unwrap
from tests.stacks import once_per_session

N = "azure-native:network:"
LOCATION = "westeurope"
TAGS = {"env": "t", "owner": "net"}
WORKSPACE = "/subscriptions/s/resourceGroups/rg-logs/providers/Microsoft.OperationalInsights/workspaces/log-t"
KV_SECRET = "https://kv-t.vault.azure.net/secrets/tls-ca"
FIREWALL_IDENTITY = "/subscriptions/s/resourceGroups/rg-id/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-fw"


# Addresses Azure gives public IPs, by their Azure name (the shared mocks number them in the order they register, which
# varies from run to run).
PUBLIC_IPS = {"pip-t-core-vpn-1": "198.51.100.11", "pip-t-core-vpn-2": "198.51.100.12"}


class _Mocks(RecordingMocks):
    """The shared recording mocks, plus what Azure returns for a firewall policy's user-assigned identities: inputs list
    them, outputs map each ID to its principal (as offline/mocks.py does for managed clusters); and PUBLIC_IPS."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        resource_id, state = super().new_resource(args)
        if args.typ == f"{N}PublicIPAddress" and state.get("publicIpAddressName") in PUBLIC_IPS:
            state["ipAddress"] = PUBLIC_IPS[state["publicIpAddressName"]]
        identity = state.get("identity")
        if args.typ == f"{N}FirewallPolicy" and isinstance(identity, dict):
            state["identity"] = {**identity, "userAssignedIdentities": {
                i: {"principalId": "p", "clientId": "c"} for i in identity.get("userAssignedIdentities") or []}}
        return resource_id, state


class _Unassigned(_Mocks):
    """Azure's answer before it has assigned some computed properties: `unassigned` maps a resource type to the output
    properties left out of its state (an address not allocated yet, say), by dotted path with list indexes."""

    def __init__(self, unassigned: Mapping[str, Sequence[str]]) -> None:
        super().__init__()
        self.unassigned = unassigned

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        resource_id, state = super().new_resource(args)
        for path in self.unassigned.get(args.typ, ()):
            *parents, leaf = path.split(".")
            node = state
            for parent in parents:
                node = node[int(parent)] if isinstance(node, list) else node.get(parent) or {}
            node.pop(leaf, None)
        return resource_id, state


class _Monitor(RecordingMonitor):
    """Also records what each component registers as its outputs (the engine stores them in the stack's state)."""

    def __init__(self, mocks: RecordingMocks, component_outputs: dict[str, dict[str, Any]]) -> None:
        super().__init__(mocks)
        self.component_outputs = component_outputs

    def RegisterResourceOutputs(self, request: Any) -> Any:
        self.component_outputs[request.urn.rsplit("::", 1)[-1]] = json_format.MessageToDict(request.outputs)
        return super().RegisterResourceOutputs(request)


@dataclass
class Built:
    registrations: list[Registration]
    component: Any = None
    component_outputs: dict[str, dict[str, Any]] = field(default_factory=dict)

    def named(self, name: str) -> Registration:
        (match,) = [r for r in self.registrations if r.name == name]
        return match

    def names(self, type_: str | None = None) -> set[str]:
        return {r.name for r in self.registrations if type_ is None or r.type == type_}

    def inputs(self, name: str) -> Any:
        """A registration's inputs, secrets unwrapped and every ID of a recorded resource written ID(<its name>)."""
        ids = {r.id: r.name for r in self.registrations if r.id}
        return _symbolic(unwrap(self.named(name).inputs), ids)

    def depends_on(self, name: str) -> set[str]:
        by_urn = {r.urn: r.name for r in self.registrations}
        return {by_urn[urn] for urn in self.named(name).dependencies}


def ID(name: str) -> str:  # noqa: N802 - reads as a reference in the literal expectations
    return f"ID({name})"


def _symbolic(value: Any, ids: Mapping[str, str]) -> Any:
    if isinstance(value, dict):
        return {k: _symbolic(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_symbolic(v, ids) for v in value]
    if isinstance(value, str) and value in ids:
        return ID(ids[value])
    return value


def build(program: Callable[[], Any], unassigned: Mapping[str, Sequence[str]] | None = None) -> Built:
    """Run `program` (which builds one component and returns it) under fresh recording mocks, with the stack
    transformation __main__.py registers (it drops azure-native's API-version aliases: 15 times faster).
    `unassigned`: output properties Azure's answer lacks, by resource type (see _Unassigned); the run is then an update
    (`pulumi up`), where a property missing from the answer reads as None (a preview would see it as unknown)."""
    install()
    mocks = _Unassigned(unassigned) if unassigned else _Mocks()
    built = Built(registrations=mocks.registrations)
    preview = not unassigned
    pulumi.runtime.reset_options(project="hybrid-aks", stack="test", preview=preview)
    pulumi.runtime.set_mocks(mocks, project="hybrid-aks", stack="test", preview=preview, monitor=_Monitor(mocks, built.component_outputs))

    def body() -> None:
        pulumi.runtime.register_stack_transformation(without_api_version_aliases)
        built.component = program()

    run(body, mocks)
    return built


def resolved(output: Any) -> Any:
    """The value of an Output built under mocks (they resolve synchronously once the run is over)."""
    if not isinstance(output, pulumi.Output):
        return output
    values: list[Any] = []
    output.apply(values.append)
    pulumi.runtime.sync_await._sync_await(output.future())
    return values[0] if values else None


# --- a hub with every feature on --------------------------------------------------------------------------------------

FULL_HUB = {
    "name": "core", "addressSpace": ["10.0.0.0/22", "10.0.8.0/24"],
    "subnets": {"GatewaySubnet": "10.0.0.0/27", "AzureFirewallSubnet": "10.0.0.64/26", "AzureFirewallManagementSubnet": "10.0.0.128/26",
                "AzureBastionSubnet": "10.0.0.192/26", "in": "10.0.1.0/28", "out": "10.0.1.16/28", "shared": "10.0.2.0/24"},
    "firewall": {"sku": "Premium", "intrusionDetection": "Alert", "threatIntelMode": "Alert", "forcedTunneling": True, "zones": ["1", "2"],
                 "dnsProxy": True, "egressFqdns": ["pkg.example.com"],
                 "tlsInspection": {"keyVaultSecretId": KV_SECRET, "identityId": FIREWALL_IDENTITY}},
    "bastion": True, "dnsResolver": {"inboundSubnet": "in", "outboundSubnet": "out"},
    "privateDnsZones": ["privatelink.file.core.windows.net"],  # replaced by the args' zones below
}
BLOB = "privatelink.blob.core.windows.net"
API = "privatelink.westeurope.azmk8s.io"


def full_args() -> HubArgs:
    return HubArgs(
        hub=HubConfig.model_validate(FULL_HUB), prefix="t", location=LOCATION, tags=TAGS, protect=True,
        dns_servers=["10.0.1.4"], forwarding_rules=[("corp.example.com.", ["172.16.0.10", "172.16.0.11"]), ("lab.example.net", ["172.17.0.10"]),
                          ("Branch.Example.BOX.", ["172.17.0.11"])],  # DNS names are case-insensitive: config keeps the case
        egress_sources=["10.1.0.0/22", "10.2.0.0/22"], default_route_to_gateway=True,
        gateway_routes=[("aks", "10.1.0.0/16"), ("data", "10.2.0.0/16")],
        firewall_flows=[FirewallFlow("onprem-to-web", ["172.16.0.0/16"], ["10.1.8.10/32"], ["443", "8443"], ["TCP"]),
                        FirewallFlow("aks-to-dns", ["10.1.0.0/22"], ["172.16.0.10/32"], ["53"], ["UDP", "TCP"])],
        registry_egress=[RegistryEgress("docker.io", ["10.2.0.0/22"], ["registry-1.docker.io", "auth.docker.io"])],
        addon_fqdns=["dc.services.visualstudio.com"], no_snat_ranges=["10.0.0.0/8", "100.64.0.0/10"],
        private_dns_zones=[BLOB, API],
        private_zone_aliases={API: ([pulumi.Alias(name="old-zone")], [pulumi.Alias(name="old-link")])},
        log_workspace_id=WORKSPACE, dns_upstream=["10.0.1.4", "168.63.129.16"])


@once_per_session
def full() -> Built:
    return build(lambda: Hub("hub", full_args()))


RG = {"resourceGroupName": "rg-t-core"}
WHERE = {**RG, "location": LOCATION, "tags": TAGS}


def test_full_hub_registers_exactly_its_resources_under_the_component() -> None:
    built = full()
    assert built.names() == {
        "hub", "hub-rg", "hub-vnet", "hub-firewall-routes", "hub-firewall-management-routes", "hub-gateway-routes",
        *(f"hub-subnet-{s}" for s in FULL_HUB["subnets"]),
        *(f"hub-nsg-{s}" for s in ("AzureBastionSubnet", "in", "out", "shared")),
        "hub-firewall-policy", "hub-firewall-aks-egress", "hub-firewall-hybrid", "hub-firewall", "hub-firewall-diagnostics",
        "hub-pip-firewall", "hub-pip-firewall-management", "hub-pip-bastion", "hub-bastion", "hub-bastion-diagnostics",
        "hub-resolver", "hub-resolver-inbound", "hub-resolver-outbound", "hub-ruleset", "hub-ruleset-link",
        "hub-rule-corp-example-com", "hub-rule-lab-example-net", "hub-rule-Branch-Example-BOX",
        "hub-zone-privatelink-blob-core-windows-net", "hub-zone-privatelink-blob-core-windows-net-link",
        "hub-zone-privatelink-westeurope-azmk8s-io", "hub-zone-privatelink-westeurope-azmk8s-io-link",
    }
    component = built.named("hub")
    assert (component.type, component.custom) == ("hybrid-aks:network:Hub", False)
    for registration in built.registrations:
        if registration is not component:
            assert registration.parent == component.urn, registration.name
    # Only the VNet is protected: the hub's address space is what every peering and on-prem route depends on.
    assert {r.name for r in built.registrations if r.protect} == {"hub-vnet"}


def test_full_hub_group_vnet_and_route_tables() -> None:
    built = full()
    assert built.inputs("hub-rg") == {"resourceGroupName": "rg-t-core", "location": LOCATION, "tags": TAGS}
    assert built.inputs("hub-vnet") == {
        **WHERE, "virtualNetworkName": "vnet-t-core", "addressSpace": {"addressPrefixes": ["10.0.0.0/22", "10.0.8.0/24"]},
        "dhcpOptions": {"dnsServers": ["10.0.1.4"]}, "enableDdosProtection": False, "enableVmProtection": False}
    assert built.inputs("hub-firewall-routes") == {
        **WHERE, "routeTableName": "rt-t-core-firewall", "disableBgpRoutePropagation": False,
        "routes": [{"name": "default-to-onprem", "addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualNetworkGateway"}]}
    assert built.inputs("hub-firewall-management-routes") == {
        **WHERE, "routeTableName": "rt-t-core-firewall-management", "disableBgpRoutePropagation": True,
        "routes": [{"name": "default-to-internet", "addressPrefix": "0.0.0.0/0", "nextHopType": "Internet"}]}
    assert built.inputs("hub-gateway-routes") == {
        **WHERE, "routeTableName": "rt-t-core-gateway", "disableBgpRoutePropagation": False,
        "routes": [
            # .4 of AzureFirewallSubnet 10.0.0.64/26: the firewall's first address
            {"name": "to-aks-via-firewall", "addressPrefix": "10.1.0.0/16", "nextHopType": "VirtualAppliance", "nextHopIpAddress": "10.0.0.68"},
            {"name": "to-data-via-firewall", "addressPrefix": "10.2.0.0/16", "nextHopType": "VirtualAppliance", "nextHopIpAddress": "10.0.0.68"},
        ]}
    # The firewall's address is derived, so GatewaySubnet (and the gateways in it) don't wait for the firewall.
    assert built.depends_on("hub-gateway-routes") == {"hub-rg"}


SUBNET_DEFAULTS = {"privateEndpointNetworkPolicies": "Disabled", "privateLinkServiceNetworkPolicies": "Enabled"}


def subnet(name: str, cidr: str, **extra: Any) -> dict[str, Any]:
    return {**RG, **SUBNET_DEFAULTS, "virtualNetworkName": "vnet-t-core", "subnetName": name, "addressPrefix": cidr, **extra}


def test_full_hub_subnets_and_their_nsgs() -> None:
    built = full()
    resolver = [{"name": "dnsResolvers", "serviceName": "Microsoft.Network/dnsResolvers"}]
    assert {name: built.inputs(f"hub-subnet-{name}") for name in FULL_HUB["subnets"]} == {
        # Azure refuses an NSG on GatewaySubnet and the firewall's subnets (NO_NSG_SUBNETS).
        "GatewaySubnet": subnet("GatewaySubnet", "10.0.0.0/27", routeTable={"id": ID("hub-gateway-routes")}),
        "AzureFirewallSubnet": subnet("AzureFirewallSubnet", "10.0.0.64/26", routeTable={"id": ID("hub-firewall-routes")}),
        "AzureFirewallManagementSubnet": subnet("AzureFirewallManagementSubnet", "10.0.0.128/26",
                                                routeTable={"id": ID("hub-firewall-management-routes")}),
        "AzureBastionSubnet": subnet("AzureBastionSubnet", "10.0.0.192/26", networkSecurityGroup={"id": ID("hub-nsg-AzureBastionSubnet")}),
        "in": subnet("in", "10.0.1.0/28", networkSecurityGroup={"id": ID("hub-nsg-in")}, delegations=resolver),
        "out": subnet("out", "10.0.1.16/28", networkSecurityGroup={"id": ID("hub-nsg-out")}, delegations=resolver),
        "shared": subnet("shared", "10.0.2.0/24", networkSecurityGroup={"id": ID("hub-nsg-shared")}),
    }
    for name in ("in", "out", "shared"):
        assert built.inputs(f"hub-nsg-{name}") == {**WHERE, "networkSecurityGroupName": f"nsg-t-core-{name}"}, name
    bastion = built.inputs("hub-nsg-AzureBastionSubnet")
    assert {k: v for k, v in bastion.items() if k != "securityRules"} == {**WHERE, "networkSecurityGroupName": "nsg-t-core-AzureBastionSubnet"}


def bastion_rule(name: str, priority: int, direction: str, source: str, destination: str, ports: list[str], protocol: str) -> dict[str, Any]:
    return {"name": name, "priority": priority, "direction": direction, "access": "Allow", "protocol": protocol,
            "sourceAddressPrefix": source, "sourcePortRange": "*", "destinationAddressPrefix": destination, "destinationPortRanges": ports}


def test_bastion_subnet_nsg_holds_exactly_the_rules_azure_bastion_requires() -> None:
    # Learn: bastion-nsg (ingress from the internet and GatewayManager on 443, the load balancer's probes, the data plane
    # between Bastion hosts on 8080/5701; egress to the VMs on 22/3389, to AzureCloud on 443, to the internet on 80).
    assert full().inputs("hub-nsg-AzureBastionSubnet")["securityRules"] == [
        bastion_rule("AllowHttpsInbound", 120, "Inbound", "Internet", "*", ["443"], "Tcp"),
        bastion_rule("AllowGatewayManagerInbound", 130, "Inbound", "GatewayManager", "*", ["443"], "Tcp"),
        bastion_rule("AllowAzureLoadBalancerInbound", 140, "Inbound", "AzureLoadBalancer", "*", ["443"], "Tcp"),
        bastion_rule("AllowBastionHostCommunication", 150, "Inbound", "VirtualNetwork", "VirtualNetwork", ["8080", "5701"], "*"),
        bastion_rule("AllowSshRdpOutbound", 100, "Outbound", "*", "VirtualNetwork", ["22", "3389"], "*"),
        bastion_rule("AllowAzureCloudOutbound", 110, "Outbound", "*", "AzureCloud", ["443"], "Tcp"),
        bastion_rule("AllowBastionCommunication", 120, "Outbound", "VirtualNetwork", "VirtualNetwork", ["8080", "5701"], "*"),
        bastion_rule("AllowHttpOutbound", 130, "Outbound", "*", "Internet", ["80"], "Tcp"),
    ]


def public_ip(azure_name: str, zones: list[str]) -> dict[str, Any]:
    return {**WHERE, "publicIpAddressName": azure_name, "sku": {"name": "Standard", "tier": "Regional"},
            "publicIPAllocationMethod": "Static", "zones": zones}


def test_full_hub_firewall_policy_and_firewall() -> None:
    built = full()
    assert built.inputs("hub-firewall-policy") == {
        **WHERE, "firewallPolicyName": "afwp-t-core", "sku": {"tier": "Premium"}, "threatIntelMode": "Alert",
        "snat": {"privateRanges": ["10.0.0.0/8", "100.64.0.0/10"]},
        "intrusionDetection": {"mode": "Alert"},
        "transportSecurity": {"certificateAuthority": {"name": "tls-inspection", "keyVaultSecretId": KV_SECRET}},
        "identity": {"type": "UserAssigned", "userAssignedIdentities": [FIREWALL_IDENTITY]},
        "dnsSettings": {"enableProxy": True, "servers": ["10.0.1.4", "168.63.129.16"]}}
    assert built.inputs("hub-pip-firewall") == public_ip("pip-t-core-firewall", ["1", "2"])
    assert built.inputs("hub-pip-firewall-management") == public_ip("pip-t-core-firewall-management", ["1", "2"])
    assert built.inputs("hub-firewall") == {
        **WHERE, "azureFirewallName": "afw-t-core", "sku": {"name": "AZFW_VNet", "tier": "Premium"},
        "firewallPolicy": {"id": ID("hub-firewall-policy")}, "zones": ["1", "2"],
        "ipConfigurations": [{"name": "data", "subnet": {"id": ID("hub-subnet-AzureFirewallSubnet")},
                              "publicIPAddress": {"id": ID("hub-pip-firewall")}}],
        "managementIpConfiguration": {"name": "management", "subnet": {"id": ID("hub-subnet-AzureFirewallManagementSubnet")},
                                      "publicIPAddress": {"id": ID("hub-pip-firewall-management")}}}
    # A policy takes one rule collection group change at a time, and the firewall waits for every group.
    assert {"hub-firewall-aks-egress", "hub-firewall-hybrid"} <= built.depends_on("hub-firewall")
    assert "hub-firewall-aks-egress" in built.depends_on("hub-firewall-hybrid")
    assert "hub-firewall-hybrid" not in built.depends_on("hub-firewall-aks-egress")
    assert resolved(built.component.firewall_private_ip) == "10.0.0.68"


def https(name: str, sources: list[str], fqdns: list[str] | None = None, tags: list[str] | None = None) -> dict[str, Any]:
    rule: dict[str, Any] = {"name": name, "ruleType": "ApplicationRule", "sourceAddresses": sources,
                            "protocols": [{"protocolType": "Https", "port": 443}]}
    if fqdns is not None:
        rule["targetFqdns"] = fqdns
    if tags is not None:
        rule["fqdnTags"] = tags
    return rule


def allow(name: str, priority: int, rules: list[dict[str, Any]]) -> dict[str, Any]:
    return {"name": name, "priority": priority, "ruleCollectionType": "FirewallPolicyFilterRuleCollection", "action": {"type": "Allow"},
            "rules": rules}


# Learn: outbound-rules-control-egress (AKS required FQDNs under userDefinedRouting; the API server's *.hcp.<region>.azmk8s.io).
AKS_FQDNS = ["*.hcp.westeurope.azmk8s.io", "mcr.microsoft.com", "*.data.mcr.microsoft.com", "mcr-0001.mcr-msedge.net",
             "management.azure.com", "login.microsoftonline.com", "packages.microsoft.com", "acs-mirror.azureedge.net",
             "packages.aks.azure.com"]


def test_full_hub_rule_collection_groups() -> None:
    built = full()
    nodes = ["10.1.0.0/22", "10.2.0.0/22"]
    assert built.inputs("hub-firewall-aks-egress") == {
        **RG, "firewallPolicyName": "afwp-t-core", "ruleCollectionGroupName": "aks-egress", "priority": 200,
        "ruleCollections": [
            allow("aks-network", 200, [
                {"name": "dns", "ruleType": "NetworkRule", "ipProtocols": ["UDP", "TCP"], "sourceAddresses": nodes,
                 "destinationAddresses": ["10.0.1.4"], "destinationPorts": ["53"]},
                {"name": "ntp", "ruleType": "NetworkRule", "ipProtocols": ["UDP"], "sourceAddresses": nodes,
                 "destinationAddresses": ["*"], "destinationPorts": ["123"]},
            ]),
            allow("aks-fqdns", 300, [
                https("aks-fqdn-tag", nodes, tags=["AzureKubernetesService"]),
                https("aks-fqdns", nodes, fqdns=AKS_FQDNS),
                https("images-docker.io", ["10.2.0.0/22"], fqdns=["registry-1.docker.io", "auth.docker.io"]),
                https("aks-addons", nodes, fqdns=["dc.services.visualstudio.com"]),
                https("egress-fqdns", nodes, fqdns=["pkg.example.com"]),
            ]),
        ]}
    assert built.inputs("hub-firewall-hybrid") == {
        **RG, "firewallPolicyName": "afwp-t-core", "ruleCollectionGroupName": "hybrid", "priority": 300,
        "ruleCollections": [allow("flows", 300, [
            {"name": "onprem-to-web", "ruleType": "NetworkRule", "ipProtocols": ["TCP"], "sourceAddresses": ["172.16.0.0/16"],
             "destinationAddresses": ["10.1.8.10/32"], "destinationPorts": ["443", "8443"]},
            {"name": "aks-to-dns", "ruleType": "NetworkRule", "ipProtocols": ["UDP", "TCP"], "sourceAddresses": ["10.1.0.0/22"],
             "destinationAddresses": ["172.16.0.10/32"], "destinationPorts": ["53"]},
        ])]}


def diagnostics(resource: str, dedicated: bool) -> dict[str, Any]:
    setting = {"name": "to-log-analytics", "resourceUri": ID(resource), "workspaceId": WORKSPACE,
               "logs": [{"categoryGroup": "allLogs", "enabled": True}], "metrics": [{"category": "AllMetrics", "enabled": True}]}
    return {**setting, "logAnalyticsDestinationType": "Dedicated"} if dedicated else setting


def test_full_hub_bastion_and_diagnostic_settings() -> None:
    built = full()
    assert built.inputs("hub-pip-bastion") == public_ip("pip-t-core-bastion", ["1", "2", "3"])  # zone-redundant whatever the firewall's zones
    bastion = built.inputs("hub-bastion")
    assert {k: v for k, v in bastion.items() if not k.startswith(("enable", "disable"))} == {
        **WHERE, "bastionHostName": "bas-t-core",
        "ipConfigurations": [{"name": "bastion", "subnet": {"id": ID("hub-subnet-AzureBastionSubnet")},
                              "publicIPAddress": {"id": ID("hub-pip-bastion")}}]}
    # AZFW* resource-specific tables for the firewall; Bastion has none (AzureDiagnostics).
    assert built.inputs("hub-firewall-diagnostics") == diagnostics("hub-firewall", dedicated=True)
    assert built.inputs("hub-bastion-diagnostics") == diagnostics("hub-bastion", dedicated=False)


def test_full_hub_dns_resolver_ruleset_and_rules() -> None:
    built = full()
    assert built.component.resolver_inbound_ip == "10.0.1.4"  # .4 of the inbound subnet 10.0.1.0/28
    assert built.inputs("hub-resolver") == {**WHERE, "dnsResolverName": "dnspr-t-core", "virtualNetwork": {"id": ID("hub-vnet")}}
    assert built.inputs("hub-resolver-inbound") == {
        **WHERE, "dnsResolverName": "dnspr-t-core", "inboundEndpointName": "inbound",
        "ipConfigurations": [{"subnet": {"id": ID("hub-subnet-in")}, "privateIpAddress": "10.0.1.4", "privateIpAllocationMethod": "Static"}]}
    assert built.inputs("hub-resolver-outbound") == {
        **WHERE, "dnsResolverName": "dnspr-t-core", "outboundEndpointName": "outbound", "subnet": {"id": ID("hub-subnet-out")}}
    assert built.inputs("hub-ruleset") == {
        **WHERE, "dnsForwardingRulesetName": "dnsfrs-t-core", "dnsResolverOutboundEndpoints": [{"id": ID("hub-resolver-outbound")}]}
    assert built.inputs("hub-rule-corp-example-com") == {
        **RG, "dnsForwardingRulesetName": "dnsfrs-t-core", "forwardingRuleName": "corp-example-com", "domainName": "corp.example.com.",
        "forwardingRuleState": "Enabled",
        "targetDnsServers": [{"ipAddress": "172.16.0.10", "port": 53}, {"ipAddress": "172.16.0.11", "port": 53}]}
    assert built.inputs("hub-rule-lab-example-net") == {
        **RG, "dnsForwardingRulesetName": "dnsfrs-t-core", "forwardingRuleName": "lab-example-net", "domainName": "lab.example.net",
        "forwardingRuleState": "Enabled", "targetDnsServers": [{"ipAddress": "172.17.0.10", "port": 53}]}
    assert built.inputs("hub-rule-Branch-Example-BOX") == {
        **RG, "dnsForwardingRulesetName": "dnsfrs-t-core", "forwardingRuleName": "Branch-Example-BOX", "domainName": "Branch.Example.BOX.",
        "forwardingRuleState": "Enabled", "targetDnsServers": [{"ipAddress": "172.17.0.11", "port": 53}]}
    assert built.inputs("hub-ruleset-link") == {
        **RG, "dnsForwardingRulesetName": "dnsfrs-t-core", "virtualNetworkLinkName": "link-core", "virtualNetwork": {"id": ID("hub-vnet")}}


def test_full_hub_private_zones_are_the_args_zones_linked_to_the_hub() -> None:
    built = full()
    for zone, slug in ((BLOB, "privatelink-blob-core-windows-net"), (API, "privatelink-westeurope-azmk8s-io")):
        assert built.inputs(f"hub-zone-{slug}") == {**WHERE, "location": "global", "privateZoneName": zone}
        link = built.named(f"hub-zone-{slug}-link")
        assert built.inputs(link.name) == {
            **WHERE, "location": "global", "privateZoneName": zone, "virtualNetworkLinkName": "link-core", "registrationEnabled": False,
            "virtualNetwork": {"id": ID("hub-vnet")}}
        assert link.delete_before_replace is True  # a VNet links to a zone once: the old link goes first
    names = {zone: resolved(zone_id) for zone, zone_id in built.component.private_dns_zone_ids.items()}
    assert names == {BLOB: built.named("hub-zone-privatelink-blob-core-windows-net").id,
                     API: built.named("hub-zone-privatelink-westeurope-azmk8s-io").id}
    # The aliases given for a zone, and for its link, go to that zone and link only.
    aliased = {r.name: [a["spec"].get("name") for a in r.aliases if "spec" in a and a["spec"].get("name")]
               for r in built.registrations if r.type.startswith("azure-native:privatedns:")}
    assert aliased == {"hub-zone-privatelink-blob-core-windows-net": [], "hub-zone-privatelink-blob-core-windows-net-link": [],
                       "hub-zone-privatelink-westeurope-azmk8s-io": ["old-zone"],
                       "hub-zone-privatelink-westeurope-azmk8s-io-link": ["old-link"]}


def test_full_hub_dns_ready_and_outputs() -> None:
    built = full()
    hub = built.component
    # What a VNet resolving through the hub needs before its machines boot: the inbound endpoint and every zone link.
    assert sorted(resource._name for resource in hub.dns_ready) == [
        "hub-resolver-inbound", "hub-zone-privatelink-blob-core-windows-net-link", "hub-zone-privatelink-westeurope-azmk8s-io-link"]
    assert resolved(hub.resource_group_name) == "rg-t-core"
    assert (resolved(hub.vnet_id), resolved(hub.vnet_name)) == (built.named("hub-vnet").id, "vnet-t-core")
    assert {k: resolved(v) for k, v in hub.subnet_ids.items()} == {s: built.named(f"hub-subnet-{s}").id for s in FULL_HUB["subnets"]}
    outputs = built.component_outputs["hub"]
    assert outputs == {
        "resourceGroupName": "rg-t-core", "vnetId": built.named("hub-vnet").id,
        "subnetIds": {s: built.named(f"hub-subnet-{s}").id for s in FULL_HUB["subnets"]},
        "firewallPrivateIp": "10.0.0.68", "resolverInboundIp": "10.0.1.4",
        "privateDnsZoneIds": {BLOB: built.named("hub-zone-privatelink-blob-core-windows-net").id,
                              API: built.named("hub-zone-privatelink-westeurope-azmk8s-io").id},
    }


# --- a hub with a Standard firewall and every option off --------------------------------------------------------------

PLAIN_HUB = {
    "addressSpace": ["10.0.0.0/23"],
    "subnets": {"GatewaySubnet": "10.0.0.0/27", "AzureFirewallSubnet": "10.0.0.64/26", "AzureFirewallManagementSubnet": "10.0.0.128/26",
                "dns-inbound": "10.0.1.0/28", "dns-outbound": "10.0.1.16/28"},
    "firewall": {}, "dnsResolver": {}, "privateDnsZones": ["privatelink.file.core.windows.net"],
}


def plain_args() -> HubArgs:
    return HubArgs(
        hub=HubConfig.model_validate(PLAIN_HUB), prefix="p", location="northeurope", tags={}, protect=False,
        dns_servers=[], forwarding_rules=[], egress_sources=[], default_route_to_gateway=False, gateway_routes=[],
        firewall_flows=[], registry_egress=[], addon_fqdns=[], no_snat_ranges=None,
        dns_upstream=["10.0.1.4"])  # the resolver, where a DNS proxy would forward (config.topology.dns_upstream)


@once_per_session
def plain() -> Built:
    return build(lambda: Hub("hub", plain_args()))


def test_plain_hub_standard_firewall_with_defaults() -> None:
    built = plain()
    where = {"resourceGroupName": "rg-p-hub", "location": "northeurope", "tags": {}}
    assert built.inputs("hub-vnet") == {
        **where, "virtualNetworkName": "vnet-p-hub", "addressSpace": {"addressPrefixes": ["10.0.0.0/23"]},
        "enableDdosProtection": False, "enableVmProtection": False}  # no dhcpOptions: Azure DNS
    assert built.named("hub-vnet").protect is False
    # Standard: no IDPS or TLS inspection (Premium features), Azure's default SNAT, threat intel denies, DNS proxy stated off
    # (and no servers: they are the proxy's).
    assert built.inputs("hub-firewall-policy") == {
        **where, "firewallPolicyName": "afwp-p-hub", "sku": {"tier": "Standard"}, "threatIntelMode": "Deny",
        "dnsSettings": {"enableProxy": False}}
    # No zones: a regional firewall and public IP; no forced tunneling: no management configuration.
    assert built.inputs("hub-firewall") == {
        **where, "azureFirewallName": "afw-p-hub", "sku": {"name": "AZFW_VNet", "tier": "Standard"},
        "firewallPolicy": {"id": ID("hub-firewall-policy")},
        "ipConfigurations": [{"name": "data", "subnet": {"id": ID("hub-subnet-AzureFirewallSubnet")},
                              "publicIPAddress": {"id": ID("hub-pip-firewall")}}]}
    assert built.inputs("hub-pip-firewall") == {
        **where, "publicIpAddressName": "pip-p-hub-firewall", "sku": {"name": "Standard", "tier": "Regional"},
        "publicIPAllocationMethod": "Static"}
    # Without node subnets any source; without VNet DNS servers Azure DNS (168.63.129.16); no add-on or extra FQDN rules.
    rules = built.inputs("hub-firewall-aks-egress")["ruleCollections"]
    assert rules == [
        allow("aks-network", 200, [
            {"name": "dns", "ruleType": "NetworkRule", "ipProtocols": ["UDP", "TCP"], "sourceAddresses": ["*"],
             "destinationAddresses": ["168.63.129.16"], "destinationPorts": ["53"]},
            {"name": "ntp", "ruleType": "NetworkRule", "ipProtocols": ["UDP"], "sourceAddresses": ["*"],
             "destinationAddresses": ["*"], "destinationPorts": ["123"]},
        ]),
        allow("aks-fqdns", 300, [
            https("aks-fqdn-tag", ["*"], tags=["AzureKubernetesService"]),
            https("aks-fqdns", ["*"], fqdns=["*.hcp.northeurope.azmk8s.io", *AKS_FQDNS[1:]]),
        ]),
    ]


def test_plain_hub_has_no_route_tables_hybrid_rules_ruleset_or_diagnostics() -> None:
    built = plain()
    assert built.names(f"{N}RouteTable") == set()
    for name in PLAIN_HUB["subnets"]:
        assert "routeTable" not in built.inputs(f"hub-subnet-{name}"), name
    assert "hub-firewall-hybrid" not in built.names()
    assert built.names("azure-native:monitor:DiagnosticSetting") == set()
    assert built.names("azure-native:dnsresolver:DnsForwardingRuleset") == set()
    assert built.names("azure-native:dnsresolver:ForwardingRule") == set()
    assert built.names("azure-native:dnsresolver:PrivateResolverVirtualNetworkLink") == set()
    assert built.names(f"{N}BastionHost") == set()
    # No zones in the args: the hub's own privateDnsZones.
    assert built.names("azure-native:privatedns:PrivateZone") == {"hub-zone-privatelink-file-core-windows-net"}
    assert built.depends_on("hub-firewall-aks-egress") == {"hub-firewall-policy", "hub-rg"}


def test_forced_tunneling_with_a_bgp_default_route_keeps_the_firewall_subnet_propagating() -> None:
    hub = {**PLAIN_HUB, "firewall": {"forcedTunneling": True}}
    built = build(lambda: Hub("hub", HubArgs(**{**plain_args().__dict__, "hub": HubConfig.model_validate(hub)})))
    assert built.names(f"{N}RouteTable") == {"hub-firewall-management-routes"}
    assert "routeTable" not in built.inputs("hub-subnet-AzureFirewallSubnet")
    assert built.inputs("hub-firewall")["managementIpConfiguration"] == {
        "name": "management", "subnet": {"id": ID("hub-subnet-AzureFirewallManagementSubnet")},
        "publicIPAddress": {"id": ID("hub-pip-firewall-management")}}


def test_firewall_dns_proxy_without_upstream_servers_sends_none() -> None:
    hub = {**PLAIN_HUB, "firewall": {"dnsProxy": True, "sku": "Premium"}}
    built = build(lambda: Hub("hub", HubArgs(**{**plain_args().__dict__, "hub": HubConfig.model_validate(hub), "dns_upstream": ()})))
    policy = built.inputs("hub-firewall-policy")
    assert policy["dnsSettings"] == {"enableProxy": True}  # Azure DNS
    assert policy["intrusionDetection"] == {"mode": "Deny"}  # Premium without intrusionDetection: Deny


# --- a hub with none of the hub services --------------------------------------------------------------------------------

def test_bare_hub_has_only_its_group_vnet_and_subnets() -> None:
    cfg = HubConfig.model_validate({"name": "edge", "addressSpace": ["10.9.0.0/24"],
                                    "subnets": {"GatewaySubnet": "10.9.0.0/27", "apps": "10.9.0.64/26"}})
    # Gateway routes without a firewall can't be (config/plan.py); without a GatewaySubnet they would have nowhere to go either.
    args = HubArgs(hub=cfg, prefix="b", location=LOCATION, tags={"k": "v"}, protect=False, dns_servers=["10.9.0.70"], forwarding_rules=[],
                   egress_sources=[], default_route_to_gateway=False, gateway_routes=[], firewall_flows=[], registry_egress=[],
                   addon_fqdns=[], no_snat_ranges=None)
    built = build(lambda: Hub("hub", args))
    assert built.names() == {"hub", "hub-rg", "hub-vnet", "hub-subnet-GatewaySubnet", "hub-nsg-apps", "hub-subnet-apps"}
    assert built.inputs("hub-vnet")["dhcpOptions"] == {"dnsServers": ["10.9.0.70"]}
    assert built.inputs("hub-subnet-GatewaySubnet") == {
        "resourceGroupName": "rg-b-edge", "virtualNetworkName": "vnet-b-edge", "subnetName": "GatewaySubnet", "addressPrefix": "10.9.0.0/27",
        **SUBNET_DEFAULTS}
    hub = built.component
    assert (hub.firewall_private_ip, hub.resolver_inbound_ip, hub.dns_ready, hub.private_dns_zone_ids) == (None, None, [], {})
    assert built.component_outputs["hub"] == {
        "resourceGroupName": "rg-b-edge", "vnetId": built.named("hub-vnet").id,
        "subnetIds": {"GatewaySubnet": built.named("hub-subnet-GatewaySubnet").id, "apps": built.named("hub-subnet-apps").id},
        "privateDnsZoneIds": {}}


def provider_opts() -> pulumi.ResourceOptions:
    """What __main__.py passes each component when the stack names its subscription: an explicit provider."""
    import pulumi_azure_native as azure
    return pulumi.ResourceOptions(providers=[azure.Provider("subscription", subscription_id="33333333-3333-3333-3333-333333333333")])


def assert_every_azure_resource_uses_the_stack_provider(built: Built) -> None:
    azure_resources = [r for r in built.registrations if r.type.startswith("azure-native:")]
    assert azure_resources
    for registration in azure_resources:
        # A provider reference is "<provider URN>::<provider ID>"; the URN ends with the provider's name.
        assert registration.provider is not None and registration.provider.split("::")[-2] == "subscription", registration.name


def test_the_stack_subscription_provider_reaches_every_hub_resource() -> None:
    built = build(lambda: Hub("hub", full_args(), opts=provider_opts()))
    assert_every_azure_resource_uses_the_stack_provider(built)


# --- an attaching stack reads its hub stack (components/hub_reference.py) -------------------------------------------------

class _ReferenceMocks(_Mocks):
    """Answers StackReferences with the given outputs, listing `secret` among the secret outputs (as the service does
    for an output the hub stack exported as a secret)."""

    def __init__(self, outputs: dict[str, Any], secret: list[str]) -> None:
        super().__init__()
        self.outputs, self.secret = outputs, secret

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        if args.typ == "pulumi:pulumi:StackReference":
            self.references.append(str(args.inputs.get("name")))
            return args.resource_id, {"name": args.inputs.get("name"), "outputs": self.outputs, "secretOutputNames": self.secret}
        return super().new_resource(args)


class _ReadMonitor(_Monitor):
    def __init__(self, mocks: RecordingMocks, reads: list[tuple[str, str]]) -> None:
        super().__init__(mocks, {})
        self.reads = reads

    def ReadResource(self, request: Any) -> Any:
        self.reads.append((request.type, request.name))
        return super().ReadResource(request)


def read_hub(reference: str, outputs: dict[str, Any], secret: list[str] = ()) -> tuple[Any, _ReferenceMocks, list[tuple[str, str]]]:
    from components.hub_reference import read_hub_context
    install(stack="lz")
    mocks, reads, result = _ReferenceMocks(outputs, list(secret)), [], []
    pulumi.runtime.reset_options(project="hybrid-aks", stack="lz", preview=True)
    pulumi.runtime.set_mocks(mocks, project="hybrid-aks", stack="lz", preview=True, monitor=_ReadMonitor(mocks, reads))

    def body() -> None:
        try:
            result.append(read_hub_context(reference))
        except Exception as error:  # noqa: BLE001 - the ConfigError is the result under test
            result.append(error)
    run(body, mocks)
    return result[0], mocks, reads


def prod_contract() -> dict[str, Any]:
    """What the prod hub stack publishes (its offline evaluation, cached for the session)."""
    from tests.stacks import evaluated
    return unwrap(evaluated("prod").outputs["connectivity"][0])


def test_the_hub_stack_is_read_once_by_its_reference_and_parsed() -> None:
    context, mocks, reads = read_hub("organization/hybrid-aks/prod", {"connectivity": prod_contract()})
    assert mocks.references == ["organization/hybrid-aks/prod"]
    assert reads == [("pulumi:pulumi:StackReference", "hub-stack")]
    assert (context.reference, context.stack, context.attaching_stack, context.prefix, context.location) == (
        "organization/hybrid-aks/prod", "prod", "lz", "prod", "westeurope")
    assert context.hub.address_space == ["10.0.0.0/22"] and context.ids["vnetName"] == "vnet-prod-hub"


def test_a_hub_stack_exporting_its_contract_as_a_secret_is_read_the_same() -> None:
    plain, _, _ = read_hub("organization/hybrid-aks/prod", {"connectivity": prod_contract()})
    secret, _, _ = read_hub("organization/hybrid-aks/prod", {"connectivity": prod_contract()}, secret=["connectivity"])
    assert secret == plain


def test_a_stack_without_the_contract_is_refused_at_attach_hub_stack() -> None:
    from config.problems import ConfigError
    error, _, _ = read_hub("organization/hybrid-aks/dev-app", {"other": 1})
    assert isinstance(error, ConfigError)
    (problem,) = error.problems
    assert problem.key == "hybrid-aks:attach.hubStack"
    assert "'organization/hybrid-aks/dev-app' publishes no 'connectivity' output" in problem.message


def test_the_firewall_address_reads_empty_until_azure_assigns_it() -> None:
    built = build(lambda: Hub("hub", plain_args()), unassigned={f"{N}AzureFirewall": ["ipConfigurations.0.privateIPAddress"]})
    assert resolved(built.component.firewall_private_ip) == ""
