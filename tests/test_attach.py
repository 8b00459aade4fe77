"""Stacks that share one hub: attaching through a StackReference, both peering sides, subscriptions, the plan across stacks.

The shipped landing zone (lz-payments) and site (site-lyon) attach to prod; variants run in a copy of the repository's
stack files so the offline preview resolves their StackReference from the hub stack's own config, as `make preview` does.
"""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from config import ConfigError, load_stack
from config.attach import PublishedFlow, PublishedRange, PublishedRoute, hub_context
from config.loader import parse_stack
from config.model import Gateways
from config.org import context_for, repository_sources
from config.problems import Problem
from offline.mocks import SUBSCRIPTION, Registration, install, run_program
from offline.orgplan import main as org_main
from offline.preview import preview, read_stack_file
from tests.stacks import ROOT, evaluated
from tests.test_config import raw_of

N = "azure-native:network:"
LZ_SUBSCRIPTION = "33333333-3333-3333-3333-333333333333"


def document(stack: str) -> dict[str, Any]:
    return yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())


def repository(tmp_path: Path, stacks: dict[str, dict[str, Any]]) -> Path:
    """A project with the program and the given stack files (and nothing else)."""
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(ROOT / name, tmp_path / name)
    for name, doc in stacks.items():
        (tmp_path / f"Pulumi.{name}.yaml").write_text(yaml.safe_dump(doc))
    return tmp_path


def named(registrations: list[Registration], name: str) -> Registration:
    (match,) = [r for r in registrations if r.name == name]
    return match


def provider_of(registrations: list[Registration], r: Registration) -> Registration:
    assert r.provider, f"{r.name} uses the default provider"
    (match,) = [p for p in registrations if p.urn == r.provider.rsplit("::", 1)[0]]
    return match


# --- attaching to a hub with gateways (the shipped landing zone) ----------------------------------


def test_landing_zone_creates_both_peering_sides_with_gateway_transit_in_the_right_order() -> None:
    regs = evaluated("lz-payments").registrations
    hub_side, spoke_side = named(regs, "spoke-shop-hub-to-spoke"), named(regs, "spoke-shop-spoke-to-hub")
    # The hub side lives on prod's hub VNet, in prod's subscription, named after this stack so stacks never clash.
    assert (hub_side.inputs["resourceGroupName"], hub_side.inputs["virtualNetworkName"], hub_side.inputs["virtualNetworkPeeringName"]) == (
        "rg-prod-hub", "vnet-prod-hub", "to-pay-shop")
    assert hub_side.inputs["allowGatewayTransit"] is True and hub_side.inputs["useRemoteGateways"] is False
    assert hub_side.get("remoteAddressSpace.addressPrefixes") == ["10.3.0.0/16"]
    # prod publishes that its gateways exist (its outputs are written after its `up`): use them, after the hub side.
    assert spoke_side.inputs["useRemoteGateways"] is True and spoke_side.inputs["allowForwardedTraffic"] is True
    assert hub_side.urn in spoke_side.dependencies
    assert spoke_side.get("remoteVirtualNetwork.id") == (
        f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-prod-hub/providers/Microsoft.Network/virtualNetworks/vnet-prod-hub")
    assert spoke_side.get("remoteAddressSpace.addressPrefixes") == ["10.0.0.0/22"]


def test_landing_zone_egress_dns_and_api_zone_come_from_the_hub_stack() -> None:
    regs = evaluated("lz-payments").registrations
    routes = named(regs, "spoke-shop-routes")
    assert routes.get("routes.0.nextHopIpAddress") == "10.0.0.68" and routes.inputs["disableBgpRoutePropagation"] is True
    assert named(regs, "spoke-shop-vnet").get("dhcpOptions.dnsServers") == ["10.0.2.4"]  # prod's resolver inbound endpoint
    cluster = named(regs, "aks-shop-cluster")
    assert cluster.get("apiServerAccessProfile.privateDNSZone") == (
        f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-prod-hub/providers/Microsoft.Network/privateDnsZones/privatelink.westeurope.azmk8s.io")
    # Nothing of the hub itself is created by the landing zone: no hub VNet, gateway, firewall, zone or route table.
    types = {r.type for r in regs}
    assert not types & {f"{N}VirtualNetworkGateway", f"{N}AzureFirewall", "azure-native:privatedns:PrivateZone"}
    assert [r.name for r in regs if r.type == f"{N}VirtualNetwork"] == ["spoke-shop-vnet"]


def test_the_hub_stack_routes_and_allows_the_attached_stacks() -> None:
    """prod reads lz-payments from the repository: GatewaySubnet sends its space through the firewall, its flows are rules."""
    regs = evaluated("prod").registrations
    routes = {r["name"]: r["addressPrefix"] for r in named(regs, "hub-gateway-routes").inputs["routes"]}
    assert routes["to-lz-payments-shop-0-via-firewall"] == "10.3.0.0/16"
    rules = {rule["name"]: rule for c in named(regs, "hub-firewall-hybrid").inputs["ruleCollections"] for rule in c["rules"]}
    assert (rules["lz-payments-lyon-to-shop"]["sourceAddresses"], rules["lz-payments-lyon-to-shop"]["destinationAddresses"]) == (
        ["172.17.0.0/16"], ["10.3.8.0/24"])
    assert rules["lz-payments-shop-to-payments-ledger"]["destinationAddresses"] == ["172.16.30.5/32"]
    egress = named(regs, "hub-firewall-aks-egress").inputs["ruleCollections"][0]["rules"][0]["sourceAddresses"]
    assert "10.3.0.0/22" in egress  # the attached cluster's nodes get AKS egress
    contract = evaluated("prod").outputs["connectivity"][0]
    assert {r["stack"] for r in contract["addressPlan"]} == {"prod", "lz-payments", "site-lyon"}


# --- a spoke in another subscription ----------------------------------------------------------------


def test_a_landing_zone_in_another_subscription_uses_explicit_providers_for_both() -> None:
    regs = evaluated("lz-payments").registrations
    own = provider_of(regs, named(regs, "spoke-shop-vnet"))
    hub = provider_of(regs, named(regs, "spoke-shop-hub-to-spoke"))
    assert (own.name, own.inputs["subscriptionId"]) == ("subscription", LZ_SUBSCRIPTION)
    assert (hub.name, hub.inputs["subscriptionId"]) == ("hub-subscription", SUBSCRIPTION)  # prod's, as it publishes it
    assert provider_of(regs, named(regs, "spoke-shop-spoke-to-hub")).name == "subscription"
    assert provider_of(regs, named(regs, "aks-shop-cluster")).name == "subscription"
    assert named(regs, "spoke-shop-vnet").id.startswith(f"/subscriptions/{LZ_SUBSCRIPTION}/resourceGroups/rg-pay-shop/")
    hub_side = named(regs, "spoke-shop-hub-to-spoke")
    assert hub_side.get("remoteVirtualNetwork.id").startswith(f"/subscriptions/{LZ_SUBSCRIPTION}/")
    assert hub_side.id.startswith(f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-prod-hub/")


# --- attaching to a hub without gateways -------------------------------------------------------------


def gatewayless_hub() -> dict[str, Any]:
    doc = document("dev")
    config = doc["config"]
    del config["hybrid-aks:gateways"], config["hybrid-aks:sites"]
    config["hybrid-aks:spokes"][0]["aks"]["externalBackends"] = []
    return doc


def lz_on(hub_stack: str, space: str = "10.12.0.0/16") -> dict[str, Any]:
    doc = copy.deepcopy(document("lz-payments"))
    config = doc["config"]
    config["hybrid-aks:attach"] = {"hubStack": f"organization/hybrid-aks/{hub_stack}"}
    net = space.split(".")[1]
    spoke = config["hybrid-aks:spokes"][0]
    spoke["addressSpace"] = [space]
    spoke["subnets"] = {"nodes": f"10.{net}.0.0/22", "ilb": f"10.{net}.8.0/24"}
    spoke["aks"]["internalServices"][0]["staticIp"] = f"10.{net}.8.10"
    spoke["aks"]["externalBackends"] = []
    config["hybrid-aks:flows"] = []
    return doc


# --- the rules of an attaching stack, on plain pytest ------------------------------------------------------

LZ = document("lz-payments")["config"]
LZ_BASE = {key.split(":", 1)[1]: value for key, value in LZ.items() if key.startswith("hybrid-aks:")}
LZ_BASE["location"] = LZ["azure-native:location"]


def problem_objects(mutate: Callable[[dict[str, Any]], None]) -> list[Problem]:
    """lz-payments changed by `mutate`, checked against what prod (its hub stack, as the repository holds it) publishes."""
    doc = copy.deepcopy(LZ_BASE)
    mutate(doc)
    raw = raw_of(doc)
    shape = parse_stack(raw)
    hub = context_for("lz-payments", shape, repository_sources(ROOT)[1], "hybrid-aks") if shape.attach else None
    with pytest.raises(ConfigError) as caught:
        load_stack(raw, hub=hub)
    return caught.value.problems


def lz_site(d: dict[str, Any], **changes: Any) -> None:
    """A site of the landing zone: prod's lyon-dc as site-lyon declares it."""
    site = {"name": "lyon-dc", "addressPrefixes": ["172.17.0.0/16"]}
    site.update(changes)
    d.setdefault("sites", []).append(site)


A = "hybrid-aks:"
ATTACH_BAD: list[tuple[str, Callable[[dict[str, Any]], None], str, str]] = [
    ("gateways-in-an-attaching-stack", lambda d: d.__setitem__("gateways", {"vpn": {"sku": "VpnGw1AZ"}}), f"{A}gateways",
     "belong to the hub stack 'prod' in an attaching stack"),
    ("site-declares-a-connection", lambda d: lz_site(d, vpn={"gatewayAddress": "198.51.100.20"}), f"{A}sites[0].vpn",
     "is a connection, and connections belong to the hub stack 'prod'"),
    ("site-the-hub-stack-does-not-connect", lambda d: lz_site(d, name="nice-dc", addressPrefixes=["192.168.77.0/24"]), f"{A}sites[0].name",
     "'nice-dc' is no site of the hub stack 'prod'"),
    ("site-prefix-outside-the-hubs-site", lambda d: lz_site(d, addressPrefixes=["172.17.0.0/16", "172.29.0.0/16"]), f"{A}sites[0].addressPrefixes[1]",
     "172.29.0.0/16 is outside site 'lyon-dc' as stack 'prod' connects it (172.17.0.0/16)"),
    ("spoke-the-hub-stack-does-not-route-yet", lambda d: d["spokes"].append({"name": "more", "addressSpace": ["10.4.0.0/16"],
                                                                             "subnets": {"app": "10.4.0.0/24"}}),
     f"{A}attach.hubStack", "stack 'prod' does not yet route or allow 10.4.0.0/16 of stack 'lz-payments' through its firewall"),
    ("hub-zone-in-another-region", lambda d: d.__setitem__("location", "northeurope"), f"{A}spokes[0].aks.privateDnsZone",
     "is 'hub', but the hub stack 'prod' is in westeurope and creates only privatelink.westeurope.azmk8s.io"),
]


@pytest.mark.parametrize(("mutate", "key", "fragment"), [c[1:] for c in ATTACH_BAD], ids=[c[0] for c in ATTACH_BAD])
def test_attaching_stack_config_refused_with_key(mutate: Callable[[dict[str, Any]], None], key: str, fragment: str) -> None:
    problems = [str(p) for p in problem_objects(mutate)]
    assert [p for p in problems if p.startswith(f"{key}: ") and fragment in p], "\n".join(problems)


def test_attaching_to_a_hub_without_gateways_peers_without_gateway_transit(tmp_path: Path) -> None:
    project = repository(tmp_path, {"lab": gatewayless_hub(), "lz": lz_on("lab")})
    result = preview("lz", project)
    assert result.exit_code == 0, result.errors
    hub_side, spoke_side = named(result.registrations, "spoke-shop-hub-to-spoke"), named(result.registrations, "spoke-shop-spoke-to-hub")
    assert hub_side.inputs["allowGatewayTransit"] is False and spoke_side.inputs["useRemoteGateways"] is False
    assert hub_side.inputs["virtualNetworkName"] == "vnet-dev-hub"
    assert hub_side.urn not in spoke_side.dependencies  # nothing to wait for without remote gateways


# --- the plan across stacks --------------------------------------------------------------------------


def test_an_attaching_stack_overlapping_another_stack_fails_naming_it_and_creates_nothing(tmp_path: Path) -> None:
    project = repository(tmp_path, {"prod": document("prod"), "lz": lz_on("prod", "10.2.0.0/16")})
    result = preview("lz", project)
    assert result.exit_code == 1 and result.registrations == []
    assert any(e.startswith("hybrid-aks:spokes[0].addressSpace[0]: 10.2.0.0/16 (spoke VNet 'shop') overlaps 10.2.0.0/16 "
                            "(spoke VNet 'data' in stack 'prod', prod:hybrid-aks:spokes[1].addressSpace[0])") for e in result.errors), result.errors


def test_make_plan_fails_on_an_overlap_between_two_attached_stacks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = repository(tmp_path, {"prod": document("prod"), "lz-a": lz_on("prod", "10.12.0.0/16"), "lz-b": lz_on("prod", "10.12.0.0/16")})
    assert org_main(["--project-dir", str(project)]) == 1
    text = capsys.readouterr().out
    assert ("- lz-b:hybrid-aks:spokes[0].addressSpace[0]: 10.12.0.0/16 (spoke VNet 'shop') overlaps 10.12.0.0/16 (spoke VNet 'shop') "
            "of stack 'lz-a', lz-a:hybrid-aks:spokes[0].addressSpace[0]; stacks 'lz-a' and 'lz-b' share the hub of stack 'prod'") in text
    assert "Address map" in text and "Free space per region" in text


def test_make_plan_on_the_shipped_stacks_is_clean(capsys: pytest.CaptureFixture[str]) -> None:
    assert org_main([]) == 0
    text = capsys.readouterr().out
    assert "  lz-payments      attaches to organization/hybrid-aks/prod (westeurope)" in text
    assert "westeurope     uses 10.0.0.0/22, 10.1.0.0/16, 10.2.0.0/15, 10.10.0.0/22, 10.11.0.0/16; free: 10.4.0.0/16" in text


def test_a_site_stack_may_not_declare_the_connection_or_leave_the_hubs_site(tmp_path: Path) -> None:
    doc = document("site-lyon")
    site = doc["config"]["hybrid-aks:sites"][0]
    site["vpn"] = {"gatewayAddress": "198.51.100.20"}
    site["addressPrefixes"] = ["172.17.0.0/16", "172.29.0.0/16"]
    result = preview("site", repository(tmp_path, {"prod": document("prod"), "site": doc}))
    assert result.registrations == []
    assert any(e.startswith("hybrid-aks:sites[0].vpn: is a connection, and connections belong to the hub stack 'prod'") for e in result.errors)
    assert any(e.startswith("hybrid-aks:sites[0].addressPrefixes[1]: 172.29.0.0/16 is outside site 'lyon-dc' as stack 'prod' connects it")
               for e in result.errors)


# --- a missing or unreadable referenced stack ---------------------------------------------------------


def test_a_missing_hub_stack_is_a_clear_error_and_nothing_is_created(tmp_path: Path) -> None:
    result = preview("lz", repository(tmp_path, {"lz": lz_on("nope")}))
    assert result.exit_code == 1 and result.registrations == []
    (error,) = result.errors
    assert error.startswith("lz: hybrid-aks:attach.hubStack 'organization/hybrid-aks/nope': no stack file Pulumi.nope.yaml")


def test_an_unreadable_hub_stack_is_a_clear_error_and_nothing_is_created(tmp_path: Path) -> None:
    broken = document("prod")
    broken["config"]["hybrid-aks:spokes"][0]["addressSpace"] = ["10.0.0.0/16"]  # overlaps its own hub
    result = preview("lz", repository(tmp_path, {"prod": broken, "lz": lz_on("prod")}))
    assert result.exit_code == 1 and result.registrations == []
    (error,) = result.errors
    assert "stack 'prod' does not evaluate offline" in error and "hybrid-aks:spokes[0].addressSpace[0]: 10.0.0.0/16" in error


def test_a_hub_stack_without_the_connectivity_output_stops_the_program_before_any_resource() -> None:
    """The program itself (not only the preview): a reference that reads no contract is a keyed ConfigError."""
    config = read_stack_file(ROOT, "lz-payments").config
    mocks = install(stack="lz-payments", config=config, stack_references={"organization/hybrid-aks/prod": {"hubVnetId": "x"}})
    with pytest.raises(ConfigError) as caught:
        run_program(ROOT / "__main__.py", mocks)
    (problem,) = caught.value.problems
    assert problem.key == "hybrid-aks:attach.hubStack" and "publishes no 'connectivity' output" in problem.message
    assert mocks.registrations == [] and mocks.references == ["organization/hybrid-aks/prod"]


def test_a_hub_stack_not_yet_deployed_with_this_stack_refuses_to_attach() -> None:
    """The hub stack's routes and rules for this stack come from its own run: attaching before it is refused."""
    config = read_stack_file(ROOT, "lz-payments").config
    outputs = json.loads(json.dumps(evaluated("prod").outputs["connectivity"][0]))
    outputs["routes"] = [r for r in outputs["routes"] if r["stack"] != "lz-payments"]
    mocks = install(stack="lz-payments", config=config, stack_references={"organization/hybrid-aks/prod": {"connectivity": outputs}})
    with pytest.raises(ConfigError) as caught:
        run_program(ROOT / "__main__.py", mocks)
    (problem,) = caught.value.problems
    assert problem.key == "hybrid-aks:attach.hubStack" and "does not yet route or allow 10.3.0.0/16" in problem.message
    assert mocks.registrations == []


# --- reading the hub stack's `connectivity` output -------------------------------------------------------------

PROD = "organization/hybrid-aks/prod"


def refused(value: Any) -> Problem:
    with pytest.raises(ConfigError) as caught:
        hub_context(PROD, value, "lz-payments")
    (problem,) = caught.value.problems
    return problem


def test_a_missing_or_foreign_connectivity_output_is_refused_at_attach_hub_stack() -> None:
    never = Problem("hybrid-aks:attach.hubStack", f"'{PROD}' publishes no 'connectivity' output: it is not a hub stack of this "
                    "project, or it has never been deployed", "name a stack that owns a hub (hybrid-aks:hub) and run `pulumi up` on it first")
    assert refused(None) == refused({}) == refused(["version", 1]) == never
    newer = "deploy the hub stack with the same version of this program"
    assert refused({"version": 2.0, "config": {}}) == Problem(
        "hybrid-aks:attach.hubStack", f"'{PROD}' publishes 'connectivity' version 2.0; this program reads version 1", newer)
    assert refused({"stack": "prod"}) == Problem(
        "hybrid-aks:attach.hubStack", f"'{PROD}' publishes 'connectivity' version None; this program reads version 1", newer)


def test_an_unreadable_connectivity_output_is_refused_with_the_first_line_of_why() -> None:
    contract = json.loads(json.dumps(evaluated("prod").outputs["connectivity"][0]))
    unreadable = f"'{PROD}' publishes a 'connectivity' output this program can't read ("
    for broken in ({**contract, "config": {**contract["config"], "hub": None}},
                   {**contract, "config": {**contract["config"], "gateways": {"vpn": {"sku": "Basic"}}}},
                   {**contract, "config": {**contract["config"], "sites": [{"name": "x"}]}},
                   {**contract, "addressPlan": [{"stack": "prod"}]}, {**contract, "routes": [{"stack": "prod", "via": "x"}]},
                   {**contract, "flows": [{"name": "x"}]}):
        problem = refused(broken)
        assert problem.key == "hybrid-aks:attach.hubStack" and problem.fix == "deploy the hub stack with the same version of this program"
        assert problem.message.startswith(unreadable) and problem.message.endswith(")") and "\n" not in problem.message, problem.message
    assert refused({**contract, "config": {**contract["config"], "hub": None}}).message == f"{unreadable}1 validation error for Hub)"


def test_the_hub_stacks_connectivity_output_reads_back_as_its_config_with_numbers_as_floats() -> None:
    """Pulumi hands a StackReference's numbers over as floats (65010.0): they read back as the hub stack's config."""
    contract = json.loads(json.dumps(evaluated("prod").outputs["connectivity"][0]), parse_int=float)
    hub = hub_context(PROD, contract, "lz-payments")
    prod = load_stack(read_stack_file(ROOT, "prod").config)
    assert (hub.reference, hub.stack, hub.attaching_stack, hub.location, hub.prefix) == (PROD, "prod", "lz-payments", "westeurope", "prod")
    assert (hub.hub, hub.gateways, hub.sites) == (prod.hub, prod.gateways, tuple(prod.sites))
    assert hub.has_gateways and hub.site("lyon-dc") == prod.sites[1] and hub.site("lyon") is None
    assert hub.ranges[0] == PublishedRange("prod", "hybrid-aks:hub.addressSpace[0]", "hub VNet 'hub'", "10.0.0.0/22", "vnet", "westeurope")
    assert [(r.stack, r.cidr) for r in hub.others()] == [
        ("prod", "10.0.0.0/22"), ("prod", "10.1.0.0/16"), ("prod", "10.200.0.0/16"), ("prod", "10.2.0.0/16"), ("prod", "172.16.0.0/16"),
        ("prod", "172.17.0.0/16"), ("site-lyon", "172.17.0.0/16"), ("site-lyon", "10.244.0.0/16"), ("site-lyon", "10.96.0.0/12")]
    assert hub.routes == (PublishedRoute("prod", "aks-0", "10.1.0.0/16"), PublishedRoute("prod", "data-0", "10.2.0.0/16"),
                          PublishedRoute("lz-payments", "lz-payments-shop-0", "10.3.0.0/16"))
    assert hub.flows[-1] == PublishedFlow("lz-payments", "lz-payments-lyon-to-shop", ["172.17.0.0/16"], ["10.3.8.0/24"], ["443"], ["TCP"])
    assert hub.api_zone == "privatelink.westeurope.azmk8s.io" and hub.ids["vnetName"] == "vnet-prod-hub"


def test_a_minimal_connectivity_output_reads_back_with_nothing_more() -> None:
    hub = hub_context(PROD, {"version": 1, "config": {"hub": {"addressSpace": ["10.0.0.0/22"], "subnets": {"shared": "10.0.1.0/24"}}}}, "lz")
    assert (hub.stack, hub.location, hub.prefix, hub.gateways, hub.sites, hub.ranges, hub.routes, hub.flows, hub.api_zone, hub.ids) == (
        "prod", "", "", Gateways(), (), (), (), (), None, {})
    assert hub.hub.address_space == ["10.0.0.0/22"] and not hub.has_gateways


def test_the_hub_stack_is_named_as_it_publishes_itself_and_its_gateway_asn_reads_back_from_a_float() -> None:
    hub = hub_context(PROD, {"version": 1.0, "stack": "connectivity-we", "config": {
        "hub": {"addressSpace": ["10.0.0.0/22"], "subnets": {"GatewaySubnet": "10.0.0.0/27"}},
        "gateways": {"vpn": {"sku": "VpnGw2AZ", "asn": 65001.0}}}}, "lz")
    assert hub.stack == "connectivity-we" and hub.gateways.vpn is not None and hub.gateways.vpn.asn == 65001 and hub.has_gateways


def test_the_published_hub_and_gateways_are_camel_case_without_defaults() -> None:
    """The connectivity contract (version 1) carries the hub's config as written in a stack file: camelCase keys, and
    only what the stack sets, so a default changed in a later release is the attaching stack's, not frozen here."""
    config = evaluated("prod").outputs["connectivity"][0]["config"]
    assert config["hub"] == {
        "addressSpace": ["10.0.0.0/22"],
        "subnets": {"GatewaySubnet": "10.0.0.0/27", "AzureFirewallSubnet": "10.0.0.64/26",
                    "AzureFirewallManagementSubnet": "10.0.0.128/26", "shared": "10.0.1.0/24",
                    "dns-inbound": "10.0.2.0/28", "dns-outbound": "10.0.2.16/28"},
        "firewall": {"sku": "Premium", "forcedTunneling": True, "zones": ["1", "2", "3"]},
        "dnsResolver": {}}
    assert config["gateways"] == {"vpn": {"sku": "VpnGw2AZ", "activeActive": True}, "expressRoute": {"sku": "ErGw2AZ"}}


def test_the_published_sites_are_camel_case_without_their_aks_hybrid_part() -> None:
    sites = evaluated("prod").outputs["connectivity"][0]["config"]["sites"]
    assert sites[1] == {"name": "lyon-dc", "addressPrefixes": ["172.17.0.0/16"],
                        "dns": {"servers": ["172.17.0.10"], "domains": ["lyon.corp.example.com"]},
                        "vpn": {"gatewayAddress": "198.51.100.20", "bgp": {"asn": 65020, "peerAddress": "172.17.255.1"}}}
    assert sites[0]["advertisesDefaultRoute"] is True and sites[0]["expressRoute"]["authorizationKey"] is True
