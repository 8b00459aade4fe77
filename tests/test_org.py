"""`make plan` (config/org.py): every stack file of the repository checked together, on plain pytest.

Stacks are built in memory from the shipped stack files, changed one thing at a time; the plan across them is asserted
with literal problems (key, message, fix) and literal free ranges.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import yaml

from config.attach import PublishedRange
from config.loader import load_stack
from config.org import OrgPlan, StackSource, attached_to, free_space, hub_contract, org_plan, repository_sources
from config.problems import Problem
from tests.stacks import ROOT

A = "hybrid-aks:"
MOVE = "move one of them; `make plan` lists the free space per region"


def shipped(stack: str) -> dict[str, Any]:
    """A shipped stack file's config (full keys, values as YAML reads them)."""
    config: dict[str, Any] = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]
    return copy.deepcopy(config)


def source(name: str, config: dict[str, Any]) -> StackSource:
    """As repository_sources hands a stack file over: objects as JSON text."""
    return StackSource(name, {k: v if isinstance(v, str) else json.dumps(v) for k, v in config.items()})


def plan(stacks: dict[str, dict[str, Any]]) -> OrgPlan:
    return org_plan([source(name, config) for name, config in stacks.items()], "hybrid-aks")


def gatewayless(config: dict[str, Any]) -> dict[str, Any]:
    """A lab that doesn't connect on-premises: dev without gateways and sites."""
    del config[f"{A}gateways"], config[f"{A}sites"]
    config[f"{A}spokes"][0]["aks"]["externalBackends"] = []
    return config


def landing_zone(hub_stack: str, space: str, service_cidr: str = "10.201.0.0/16") -> dict[str, Any]:
    """lz-payments attached to `hub_stack` (organization/project/stack) with its spoke moved to `space` (a /16)."""
    config = shipped("lz-payments")
    config[f"{A}attach"] = {"hubStack": hub_stack}
    net = space.split(".")[1]
    spoke = config[f"{A}spokes"][0]
    spoke["addressSpace"] = [space]
    spoke["subnets"] = {"nodes": f"10.{net}.0.0/22", "ilb": f"10.{net}.8.0/24"}
    spoke["aks"]["internalServices"][0]["staticIp"] = f"10.{net}.8.10"
    spoke["aks"]["externalBackends"] = []
    spoke["aks"]["serviceCidr"], spoke["aks"]["dnsServiceIP"] = service_cidr, service_cidr.replace(".0/16", ".10")
    config[f"{A}flows"] = []
    return config


WAN = "both connect to on-premises, so the corporate WAN joins them"


def overlap(second: str, second_key: str, cidr: str, owner: str, first: str, first_key: str, first_cidr: str, first_owner: str,
            why: str) -> Problem:
    return Problem(f"{second}:{A}{second_key}", f"{cidr} ({owner}) overlaps {first_cidr} ({first_owner}) of stack '{first}', "
                   f"{first}:{A}{first_key}; {why}", MOVE)


# --- each stack on its own: what kind of stack it is, which hub it joins, its own problems ------------------


def test_each_stack_is_checked_on_its_own_and_keyed_by_its_name() -> None:
    dev = shipped("dev")
    dev[f"{A}tags"] = {f"t{i}": "x" for i in range(51)}  # loads no more, but its ranges are still on the map
    broken = shipped("dev")
    del broken["azure-native:location"]  # doesn't even parse
    result = plan({
        "prod": shipped("prod"), "lz-payments": shipped("lz-payments"), "dev": dev, "broken": broken,
        "ext": landing_zone("acme/network/prod", "10.12.0.0/16"),  # another project: outside the repository
        "gone": landing_zone("organization/hybrid-aks/nope", "10.13.0.0/16"),  # no such stack file
        "chain": landing_zone("organization/hybrid-aks/lz-payments", "10.14.0.0/16"),  # attaches to an attaching stack
    })
    assert [(s.name, s.kind, s.group) for s in result.stacks] == [
        ("broken", "invalid", "broken"), ("chain", "attached", "lz-payments"), ("dev", "lab", "dev"), ("ext", "external", "ext"),
        ("gone", "external", "gone"), ("lz-payments", "attached", "prod"), ("prod", "hub", "prod")]
    stacks = "project 'hybrid-aks', stacks: broken, chain, dev, ext, gone, lz-payments, prod"
    elsewhere = "name a stack file of this repository, or check the stack against the backend with `pulumi preview`"
    assert result.problems == [
        Problem(f"broken:{A}location", "is required", "add it; the config reference in README.md lists what it takes"),
        Problem(f"chain:{A}attach.hubStack", "'organization/hybrid-aks/lz-payments' attaches to a hub itself; stacks attach to a hub stack",
                "attach to 'organization/hybrid-aks/prod' instead"),
        Problem(f"dev:{A}tags", "has 51 tags; Azure allows 50 per resource (tag-resources)", "remove 1 of them"),
        Problem(f"ext:{A}attach.hubStack", f"'acme/network/prod' is not a stack of this repository ({stacks})", elsewhere),
        Problem(f"gone:{A}attach.hubStack", f"'organization/hybrid-aks/nope' is not a stack of this repository ({stacks})", elsewhere),
    ]
    assert sorted({r.stack for r in result.ranges}) == ["chain", "dev", "ext", "gone", "lz-payments", "prod"]


# --- overlaps between stacks that reach each other ------------------------------------------------------


def test_two_hubs_that_both_connect_on_premises_may_not_overlap() -> None:
    """dev2 is dev again: both VPN-connected, so the corporate WAN joins their VNets (not their cluster-internal service
    CIDRs, nor their on-prem prefixes, which may be one corporate network). quiet, the same without gateways or sites,
    reaches neither."""
    result = plan({"dev": shipped("dev"), "dev2": shipped("dev"), "quiet": gatewayless(shipped("dev"))})
    why = f"stacks 'dev' (hub 'dev') and 'dev2' (hub 'dev2') {WAN}"
    assert result.problems == [
        overlap("dev2", "hub.addressSpace[0]", "10.10.0.0/22", "hub VNet 'hub'", "dev", "hub.addressSpace[0]", "10.10.0.0/22", "hub VNet 'hub'", why),
        overlap("dev2", "spokes[0].addressSpace[0]", "10.11.0.0/16", "spoke VNet 'aks'", "dev", "spokes[0].addressSpace[0]", "10.11.0.0/16",
                "spoke VNet 'aks'", why),
    ]


def test_a_stack_in_front_of_the_others_that_does_not_connect_hides_no_overlap() -> None:
    """As above with the lab that doesn't connect named first: its ranges come first at every address."""
    result = plan({"aa-quiet": gatewayless(shipped("dev")), "dev": shipped("dev"), "dev2": shipped("dev")})
    assert [p.key for p in result.problems] == [f"dev2:{A}hub.addressSpace[0]", f"dev2:{A}spokes[0].addressSpace[0]"]


def test_attached_and_external_stacks_connect_through_their_hub() -> None:
    """A landing zone has no gateway of its own, but reaches on-premises through prod's (attached) or an outside hub
    stack's (external): overlapping dev's VNets, which the WAN joins too, is an overlap. lz also has a problem of its
    own (51 tags): it still reaches on-premises through prod."""
    lz = landing_zone("organization/hybrid-aks/prod", "10.11.0.0/16")
    lz[f"{A}tags"] = {f"t{i}": "x" for i in range(51)}
    result = plan({"dev": shipped("dev"), "prod": shipped("prod"), "lz": lz, "ext": landing_zone("acme/network/prod", "10.10.0.0/16")})
    assert [p for p in result.problems if "overlaps" in p.message] == [
        overlap("ext", "spokes[0].addressSpace[0]", "10.10.0.0/16", "spoke VNet 'shop'", "dev", "hub.addressSpace[0]", "10.10.0.0/22",
                "hub VNet 'hub'", f"stacks 'dev' (hub 'dev') and 'ext' (hub 'ext') {WAN}"),
        overlap("lz", "spokes[0].addressSpace[0]", "10.11.0.0/16", "spoke VNet 'shop'", "dev", "spokes[0].addressSpace[0]", "10.11.0.0/16",
                "spoke VNet 'aks'", f"stacks 'dev' (hub 'dev') and 'lz' (hub 'prod') {WAN}"),
    ]


def test_stacks_sharing_a_hub_that_does_not_connect_still_meet_there() -> None:
    """quiet's hub has no gateway, so neither stack reaches on-premises; but lz's spoke is peered to quiet's hub, where it
    meets quiet's spoke. Their AKS service CIDRs are the same and never meet (each stays inside its cluster)."""
    result = plan({"quiet": gatewayless(shipped("dev")),
                   "lz": landing_zone("organization/hybrid-aks/quiet", "10.11.0.0/16", service_cidr="10.240.0.0/16")})
    cross = [p for p in result.problems if "share the hub" in p.message]
    assert cross == [overlap("quiet", "spokes[0].addressSpace[0]", "10.11.0.0/16", "spoke VNet 'aks'", "lz", "spokes[0].addressSpace[0]",
                             "10.11.0.0/16", "spoke VNet 'shop'", "stacks 'lz' and 'quiet' share the hub of stack 'quiet'")]


def test_an_on_prem_host_route_at_the_last_address_of_a_vnet_overlaps_it() -> None:
    """site-singapore's office also announces 10.11.255.255/32: the last address of dev's spoke, which the WAN reaches."""
    singapore = shipped("site-singapore")
    singapore[f"{A}sites"][0]["addressPrefixes"].append("10.11.255.255/32")
    result = plan({"dev": shipped("dev"), "site-singapore": singapore})
    assert result.problems == [
        overlap("site-singapore", "sites[0].addressPrefixes[1]", "10.11.255.255/32", "on-prem site 'office'", "dev",
                "spokes[0].addressSpace[0]", "10.11.0.0/16", "spoke VNet 'aks'",
                f"stacks 'dev' (hub 'dev') and 'site-singapore' (hub 'site-singapore') {WAN}")]


# --- free space per region ---------------------------------------------------------------------------------


def vnet(cidr: str, region: str = "westeurope", kind: str = "vnet") -> PublishedRange:
    return PublishedRange("s", f"{A}x", "x", cidr, kind, region)


def test_free_space_lists_the_first_three_free_16s_of_the_block_covering_the_regions_vnets() -> None:
    """10.0.0.0/12 covers the region's VNets; 10.1.0.0/16 is free whole, 10.4.0.0/16 is another region's and 10.5.0.0/16
    a cluster's (neither is free), 10.6.0.0/15 is."""
    ranges = [vnet("10.0.0.0/16"), vnet("10.2.0.0/15"), vnet("10.8.0.0/16"), vnet("10.4.0.0/16", region="northeurope"),
              vnet("10.5.0.0/16", kind="cluster"), vnet("192.168.0.0/16", kind="site")]
    assert free_space(ranges, "westeurope") == (["10.0.0.0/16", "10.2.0.0/15", "10.8.0.0/16"], ["10.1.0.0/16", "10.6.0.0/16", "10.7.0.0/16"])
    assert free_space(ranges, "francecentral") == ([], [])


def test_free_space_without_a_whole_16_lists_the_largest_free_ranges() -> None:
    assert free_space([vnet("10.0.0.0/16"), vnet("10.1.0.0/16")], "westeurope") == (["10.0.0.0/15"], [])
    assert free_space([vnet("10.0.0.0/16"), vnet("10.1.0.0/17")], "westeurope") == (["10.0.0.0/16", "10.1.0.0/17"], ["10.1.128.0/17"])
    # site-singapore's VNets: 10.64.0.0/15 covers them, and its largest free ranges are /17s, then /18s, in address order.
    assert free_space([vnet("10.64.0.0/22", "southeastasia"), vnet("10.65.0.0/20", "southeastasia")], "southeastasia") == (
        ["10.64.0.0/22", "10.65.0.0/20"], ["10.64.128.0/17", "10.65.128.0/17", "10.64.64.0/18"])


def test_a_stack_attached_to_a_hub_without_gateways_does_not_reach_on_premises() -> None:
    """lz's spoke is peered to quiet's hub, which has no gateway: the corporate WAN never reaches it, so site-singapore
    (VPN-connected) may use the same range. Attached to prod (VPN and ExpressRoute), it may not."""
    lz = {"quiet": gatewayless(shipped("dev")), "lz": landing_zone("organization/hybrid-aks/quiet", "10.65.0.0/16")}
    assert plan({**lz, "site-singapore": shipped("site-singapore")}).problems == []
    result = plan({"prod": shipped("prod"), "lz": landing_zone("organization/hybrid-aks/prod", "10.65.0.0/16"),
                   "site-singapore": shipped("site-singapore")})
    assert result.problems == [
        overlap("site-singapore", "spokes[0].addressSpace[0]", "10.65.0.0/20", "spoke VNet 'aks'", "lz", "spokes[0].addressSpace[0]",
                "10.65.0.0/16", "spoke VNet 'shop'", f"stacks 'lz' (hub 'prod') and 'site-singapore' (hub 'site-singapore') {WAN}")]


def test_a_stacks_own_overlaps_hide_none_of_its_overlaps_with_other_stacks() -> None:
    """dev's spoke also declares 10.11.128.0/17, inside its 10.11.0.0/16 (its own problem); dev2 is dev as shipped: both
    of dev's ranges overlap dev2's spoke, and each is reported."""
    dev = shipped("dev")
    dev[f"{A}spokes"][0]["addressSpace"].append("10.11.128.0/17")
    result = plan({"dev": dev, "dev2": shipped("dev")})
    why = f"stacks 'dev' (hub 'dev') and 'dev2' (hub 'dev2') {WAN}"
    assert [p.key for p in result.problems] == [f"dev:{A}spokes[0].addressSpace[1]", f"dev2:{A}hub.addressSpace[0]",
                                                f"dev2:{A}spokes[0].addressSpace[0]", f"dev2:{A}spokes[0].addressSpace[0]"]
    assert result.problems[3] == overlap("dev2", "spokes[0].addressSpace[0]", "10.11.0.0/16", "spoke VNet 'aks'", "dev",
                                         "spokes[0].addressSpace[1]", "10.11.128.0/17", "spoke VNet 'aks'", why)


# --- Azure's limits on one hub, as stacks attach to it -----------------------------------------------------


def spokes(hub_stack: str, count: int, net: int) -> dict[str, Any]:
    """A landing zone with `count` small spokes, 10.<net>.<i>.0/24 each."""
    config = landing_zone(hub_stack, "10.12.0.0/16")
    config[f"{A}spokes"] = [{"name": f"s{i}", "addressSpace": [f"10.{net}.{i}.0/24"], "subnets": {"app": f"10.{net}.{i}.0/24"}}
                            for i in range(count)]
    return config


def test_the_stack_that_crosses_a_hubs_peering_or_route_limit_is_named() -> None:
    """Keyed by the attaching stack's own config key (not prefixed again with the hub's name).
    prod has 2 spokes; lz-a adds 248, lz-b 150 (400 routes on GatewaySubnet: Azure's limit per route table, reached),
    lz-c 100 (500 peerings: Azure's limit per VNet, reached; 500 routes: over), lz-d 1 (501 peerings: over)."""
    hub = "organization/hybrid-aks/prod"
    result = plan({"prod": shipped("prod"), "lz-a": spokes(hub, 248, 100), "lz-b": spokes(hub, 150, 101), "lz-c": spokes(hub, 100, 102),
                   "lz-d": spokes(hub, 1, 103)})
    peerings = "attach it to another regional hub, or use Azure Virtual WAN (azure-subscription-service-limits)"
    routes = "give spokes one address range each, or attach to another regional hub"
    assert result.problems == [
        Problem(f"lz-c:{A}spokes", "would make 500 routes on GatewaySubnet's route table of stack 'prod'; Azure allows 400 per table", routes),
        Problem(f"lz-d:{A}spokes", "would make 501 peerings on the hub VNet of stack 'prod'; Azure allows 500 per VNet", peerings),
        Problem(f"lz-d:{A}spokes", "would make 501 routes on GatewaySubnet's route table of stack 'prod'; Azure allows 400 per table", routes),
    ]


# --- the repository's stack files and the ranges each publishes ----------------------------------------------


def test_repository_sources_hand_over_each_stack_file_as_pulumi_does_without_its_secrets(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: acme-net\nruntime: python\n")
    (tmp_path / "Pulumi.lab-1.yaml").write_text(yaml.safe_dump({"config": {
        "azure-native:location": "westeurope", "hybrid-aks:protect": True, "hybrid-aks:hub": {"addressSpace": ["10.0.0.0/22"]},
        "hybrid-aks:vpnSharedKey-lab": {"secure": "v1:AAAA"}, "hybrid-aks:tags": {"secure": "no", "owner": "me"}}}))
    (tmp_path / "Pulumi.empty.yaml").write_text("")
    (tmp_path / "Pulumi.bare.yaml").write_text("config:\n")
    (tmp_path / "README.yaml").write_text("config: {a: b}\n")
    assert repository_sources(tmp_path) == ("acme-net", [
        StackSource("bare", {}), StackSource("empty", {}),
        StackSource("lab-1", {"azure-native:location": "westeurope", "hybrid-aks:protect": "true",
                              "hybrid-aks:hub": '{"addressSpace": ["10.0.0.0/22"]}', "hybrid-aks:tags": '{"owner": "me", "secure": "no"}'}),
    ])


def r(stack: str, key: str, owner: str, cidr: str, kind: str, region: str, site: str | None = None,
      cluster: str | None = None) -> PublishedRange:
    return PublishedRange(stack, f"{A}{key}", owner, cidr, kind, region, site, cluster)


def test_every_range_a_stack_declares_is_on_the_map_with_its_key_owner_kind_and_region() -> None:
    """A hub VNet (not the one an attaching stack peers to), spoke VNets, AKS service and pod CIDRs (each its cluster's),
    on-prem prefixes (each its site's) and an AKS hybrid cluster's pod and service CIDRs."""
    names = ("lz-payments", "prod", "site-lyon", "site-singapore")
    result = plan({name: shipped(name) for name in names})
    assert result.problems == []
    we, fc, sea = "westeurope", "francecentral", "southeastasia"
    assert result.ranges == [
        r("lz-payments", "spokes[0].addressSpace[0]", "spoke VNet 'shop'", "10.3.0.0/16", "vnet", we),
        r("lz-payments", "spokes[0].aks.serviceCidr", "AKS service CIDR of 'shop'", "10.201.0.0/16", "cluster", we, cluster="shop"),
        r("prod", "hub.addressSpace[0]", "hub VNet 'hub'", "10.0.0.0/22", "vnet", we),
        r("prod", "spokes[0].addressSpace[0]", "spoke VNet 'aks'", "10.1.0.0/16", "vnet", we),
        r("prod", "spokes[0].aks.serviceCidr", "AKS service CIDR of 'aks'", "10.200.0.0/16", "cluster", we, cluster="aks"),
        r("prod", "spokes[1].addressSpace[0]", "spoke VNet 'data'", "10.2.0.0/16", "vnet", we),
        r("prod", "sites[0].addressPrefixes[0]", "on-prem site 'paris-dc'", "172.16.0.0/16", "site", we, site="paris-dc"),
        r("prod", "sites[1].addressPrefixes[0]", "on-prem site 'lyon-dc'", "172.17.0.0/16", "site", we, site="lyon-dc"),
        r("site-lyon", "sites[0].addressPrefixes[0]", "on-prem site 'lyon-dc'", "172.17.0.0/16", "site", fc, site="lyon-dc"),
        r("site-lyon", "sites[0].aksHybrid.podCidr", "AKS hybrid pod CIDR of site 'lyon-dc'", "10.244.0.0/16", "cluster", fc,
          cluster="site:lyon-dc"),
        r("site-lyon", "sites[0].aksHybrid.serviceCidr", "AKS hybrid service CIDR of site 'lyon-dc'", "10.96.0.0/12", "cluster", fc,
          cluster="site:lyon-dc"),
        r("site-singapore", "hub.addressSpace[0]", "hub VNet 'hub'", "10.64.0.0/22", "vnet", sea),
        r("site-singapore", "spokes[0].addressSpace[0]", "spoke VNet 'aks'", "10.65.0.0/20", "vnet", sea),
        r("site-singapore", "spokes[0].aks.serviceCidr", "AKS service CIDR of 'aks'", "10.241.0.0/16", "cluster", sea, cluster="aks"),
        r("site-singapore", "spokes[0].aks.podCidr", "AKS pod CIDR of 'aks'", "100.64.0.0/16", "cluster", sea, cluster="aks"),
        r("site-singapore", "sites[0].addressPrefixes[0]", "on-prem site 'office'", "172.18.0.0/16", "site", sea, site="office"),
    ]


# --- what a hub stack publishes for the stacks attached to it ------------------------------------------------------


def test_the_stacks_attached_to_a_hub_stack_are_those_naming_it_in_this_project_from_any_organization() -> None:
    broken = landing_zone("organization/hybrid-aks/prod", "10.12.0.0/16")
    broken[f"{A}spokes"] = "nope"  # doesn't parse: fails its own preview, not its hub stack's run
    sources = [source("site-lyon", shipped("site-lyon")), source("lz-payments", shipped("lz-payments")), source("prod", shipped("prod")),
               source("other-org", landing_zone("acme/hybrid-aks/prod", "10.13.0.0/16")),
               source("other-project", landing_zone("organization/network/prod", "10.14.0.0/16")),
               source("other-hub", landing_zone("organization/hybrid-aks/dev", "10.15.0.0/16")), source("broken", broken)]
    assert [(a.name, a.config.spokes[0].address_space if a.config.spokes else []) for a in attached_to("hybrid-aks", "prod", sources)] == [
        ("lz-payments", ["10.3.0.0/16"]), ("other-org", ["10.13.0.0/16"]), ("site-lyon", [])]


def test_a_hub_stack_publishes_the_routes_and_flows_it_adds_for_itself_and_each_attached_stack() -> None:
    """GatewaySubnet routes each spoke's space through the firewall; the firewall allows each stack's flows (the ones its
    services and backends imply and the declared ones), attached stacks' names prefixed with the stack's name."""
    sources = [source(name, shipped(name)) for name in ("lz-payments", "prod", "site-lyon")]
    contract = hub_contract("prod", load_stack(sources[1].raw), attached_to("hybrid-aks", "prod", sources))
    assert {k: contract[k] for k in ("version", "stack", "location", "prefix", "gateways", "apiServerZone")} == {
        "version": 1, "stack": "prod", "location": "westeurope", "prefix": "prod", "gateways": {"vpn": True, "expressRoute": True},
        "apiServerZone": "privatelink.westeurope.azmk8s.io"}
    assert contract["routes"] == [{"stack": "prod", "name": "aks-0", "prefix": "10.1.0.0/16"},
                                  {"stack": "prod", "name": "data-0", "prefix": "10.2.0.0/16"},
                                  {"stack": "lz-payments", "name": "lz-payments-shop-0", "prefix": "10.3.0.0/16"}]
    paris, lyon = "172.16.0.0/16", "172.17.0.0/16"

    def flow(stack: str, name: str, sources: list[str], destinations: list[str], port: str) -> dict[str, Any]:
        return {"stack": stack, "name": name, "sources": sources, "destinations": destinations, "ports": [port], "protocols": ["TCP"]}

    assert contract["flows"] == [
        flow("prod", "onprem-to-aks-shop-orders", [paris, lyon], ["10.1.16.10/32"], "443"),
        flow("prod", "aks-to-shop-mainframe", ["10.1.32.0/22", "10.1.0.0/20"], ["172.16.20.5/32"], "1414"),
        flow("prod", "aks-to-data-sql", ["10.1.0.0/16"], ["10.2.1.0/24"], "1433"),
        flow("prod", "aks-to-data-app", ["10.1.0.0/16"], ["10.2.0.0/24"], "443"),
        flow("prod", "paris-to-data-app", [paris], ["10.2.0.0/24"], "443"),
        flow("prod", "lyon-to-data-app", [lyon], ["10.2.0.0/24"], "443"),
        flow("lz-payments", "onprem-to-lz-payments-shop-payments-checkout", [paris, lyon], ["10.3.8.10/32"], "443"),
        flow("lz-payments", "lz-payments-shop-to-payments-ledger", ["10.3.0.0/22"], ["172.16.30.5/32"], "443"),
        flow("lz-payments", "lz-payments-lyon-to-shop", [lyon], ["10.3.8.0/24"], "443"),
    ]
    assert [(r["stack"], r["cidr"]) for r in contract["addressPlan"]] == [
        ("prod", "10.0.0.0/22"), ("prod", "10.1.0.0/16"), ("prod", "10.200.0.0/16"), ("prod", "10.2.0.0/16"), ("prod", paris), ("prod", lyon),
        ("lz-payments", "10.3.0.0/16"), ("lz-payments", "10.201.0.0/16"), ("site-lyon", lyon), ("site-lyon", "10.244.0.0/16"),
        ("site-lyon", "10.96.0.0/12")]
