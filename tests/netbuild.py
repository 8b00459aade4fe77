"""Hand-built registrations for the routing and filtering tests: the camelCase inputs the program would record."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

N = "azure-native:network:"
ARM = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network"


@dataclass(frozen=True)
class Rec:
    type: str
    name: str
    inputs: dict[str, Any] = field(default_factory=dict)


def vnet(name: str, *prefixes: str) -> Rec:
    return Rec(N + "VirtualNetwork", name, {"virtualNetworkName": name, "addressSpace": {"addressPrefixes": list(prefixes)}})


def subnet(vnet_name: str, name: str, prefix: str, table: str | None = None, nsg: str | None = None) -> Rec:
    inputs: dict[str, Any] = {"virtualNetworkName": vnet_name, "subnetName": name, "addressPrefix": prefix}
    if table:
        inputs["routeTable"] = {"id": f"{ARM}/routeTables/{table}"}
    if nsg:
        inputs["networkSecurityGroup"] = {"id": f"{ARM}/networkSecurityGroups/{nsg}"}
    return Rec(N + "Subnet", f"{vnet_name}-{name}", inputs)


def route(name: str, prefix: str, hop: str, ip: str | None = None) -> dict[str, Any]:
    return {"name": name, "addressPrefix": prefix, "nextHopType": hop, **({"nextHopIpAddress": ip} if ip else {})}


def table(name: str, *routes: dict[str, Any], propagate: bool = True) -> Rec:
    return Rec(N + "RouteTable", name, {"routeTableName": name, "routes": list(routes), "disableBgpRoutePropagation": not propagate})


def nsg(name: str, *rules: dict[str, Any]) -> Rec:
    return Rec(N + "NetworkSecurityGroup", name, {"networkSecurityGroupName": name, "securityRules": list(rules)})


def peering(local: str, remote: str, *, transit: bool = False, remote_gateways: bool = False, forwarded: bool = True) -> Rec:
    return Rec(N + "VirtualNetworkPeering", f"{local}-to-{remote}", {
        "virtualNetworkName": local, "remoteVirtualNetwork": {"id": f"{ARM}/virtualNetworks/{remote}"},
        "allowVirtualNetworkAccess": True, "allowForwardedTraffic": forwarded, "allowGatewayTransit": transit,
        "useRemoteGateways": remote_gateways})


def peered(a: str, b: str, **flags: bool) -> list[Rec]:
    """Both sides of a hub (a) - spoke (b) peering; transit=True gives the hub's gateways to the spoke."""
    transit = flags.get("transit", False)
    return [peering(a, b, transit=transit, forwarded=flags.get("forwarded", True)),
            peering(b, a, remote_gateways=transit, forwarded=flags.get("forwarded", True))]


def gateway(name: str, vnet_name: str, kind: str = "Vpn", default_site: str | None = None) -> Rec:
    inputs: dict[str, Any] = {"virtualNetworkGatewayName": name, "gatewayType": kind,
                              "ipConfigurations": [{"subnet": {"id": f"{ARM}/virtualNetworks/{vnet_name}/subnets/GatewaySubnet"}}]}
    if default_site:
        inputs["gatewayDefaultSite"] = {"id": f"{ARM}/localNetworkGateways/{default_site}"}
    return Rec(N + "VirtualNetworkGateway", name, inputs)


def local_gateway(name: str, device: str, *prefixes: str) -> Rec:
    return Rec(N + "LocalNetworkGateway", name, {"localNetworkGatewayName": name, "gatewayIpAddress": device,
                                                  "localNetworkAddressSpace": {"addressPrefixes": list(prefixes)}})


def vpn_connection(gateway_name: str, local: str, bgp: bool = False) -> Rec:
    return Rec(N + "VirtualNetworkGatewayConnection", f"{gateway_name}-{local}", {
        "connectionType": "IPsec", "virtualNetworkGateway1": {"id": f"{ARM}/virtualNetworkGateways/{gateway_name}"},
        "localNetworkGateway2": {"id": f"{ARM}/localNetworkGateways/{local}"}, "enableBgp": bgp})


def er_connection(gateway_name: str, circuit: str) -> Rec:
    return Rec(N + "VirtualNetworkGatewayConnection", f"{gateway_name}-er", {
        "connectionType": "ExpressRoute", "virtualNetworkGateway1": {"id": f"{ARM}/virtualNetworkGateways/{gateway_name}"},
        "peer": {"id": circuit}})


def firewall(name: str, vnet_name: str, policy: str) -> Rec:
    return Rec(N + "AzureFirewall", name, {
        "azureFirewallName": name, "firewallPolicy": {"id": f"{ARM}/firewallPolicies/{policy}"},
        "ipConfigurations": [{"subnet": {"id": f"{ARM}/virtualNetworks/{vnet_name}/subnets/AzureFirewallSubnet"}}]})


def group(policy: str, name: str, priority: int, *collections: dict[str, Any]) -> Rec:
    return Rec(N + "FirewallPolicyRuleCollectionGroup", name, {
        "firewallPolicyName": policy, "ruleCollectionGroupName": name, "priority": priority, "ruleCollections": list(collections)})


def collection(name: str, priority: int, action: str, *rules: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "priority": priority, "action": {"type": action}, "rules": list(rules),
            "ruleCollectionType": "FirewallPolicyFilterRuleCollection"}


def network_rule(name: str, sources: list[str], destinations: list[str], ports: list[str], protocols: tuple[str, ...] = ("TCP",)
                 ) -> dict[str, Any]:
    return {"name": name, "ruleType": "NetworkRule", "sourceAddresses": sources, "destinationAddresses": destinations,
            "destinationPorts": ports, "ipProtocols": list(protocols)}


def application_rule(name: str, sources: list[str], fqdns: list[str], port: int = 443) -> dict[str, Any]:
    return {"name": name, "ruleType": "ApplicationRule", "sourceAddresses": sources, "targetFqdns": fqdns,
            "protocols": [{"protocolType": "Https", "port": port}]}
