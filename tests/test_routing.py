"""Issue 11's routing facts: forced tunneling Azure can honour, gateway coexistence, declared flows, pullable images.

Config rules on plain pytest (bad input: key, message, nothing else); what Azure would receive on the shipped stacks
and on small variants evaluated through the real program.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
import yaml

from config import load_stack
from config.registries import registry_of
from offline.mocks import Registration
from offline.preview import preview
from tests.stacks import ROOT, STACKS, evaluated
from tests.test_config import BASE, H, problems_of, raw_of, site, with_er_gateway
from tests.test_preview import project_with

N = "azure-native:network:"


def forced(d: dict[str, Any]) -> None:
    d["hub"]["subnets"]["AzureFirewallManagementSubnet"] = "10.10.0.128/26"
    d["hub"]["firewall"]["forcedTunneling"] = True


def data_spoke(d: dict[str, Any]) -> None:
    d["spokes"].append({"name": "data", "addressSpace": ["10.12.0.0/16"], "subnets": {"app": "10.12.0.0/24"}})


def flow(d: dict[str, Any], **fields: Any) -> None:
    data_spoke(d)
    d["flows"] = [{"name": "f", "from": {"spoke": "aks"}, "to": {"spoke": "data"}, "ports": [443], **fields}]


def app_image(image: str) -> Callable[[dict[str, Any]], None]:
    def mutate(d: dict[str, Any]) -> None:
        d["spokes"][0]["aks"]["internalServices"][0]["app"] = {"image": image, "containerPort": 85}
    return mutate


BAD = [
    ("forced-tunneling-without-a-default-route", forced, f"{H}hub.firewall.forcedTunneling", "has no default route to follow"),
    ("forced-tunneling-er-only-without-bgp-default",
     lambda d: (forced(d), with_er_gateway(d), d["gateways"].pop("vpn"), d["sites"][0].pop("vpn"),
                site(d).__setitem__("expressRoute", {"circuitId": CIRCUIT})),
     f"{H}hub.firewall.forcedTunneling", "no site advertises 0.0.0.0/0"),
    ("default-site-with-express-route",
     lambda d: (forced(d), with_er_gateway(d), d["gateways"]["vpn"].__setitem__("defaultSite", "lab")),
     f"{H}gateways.vpn.defaultSite", "refuses while VPN and ExpressRoute gateways coexist"),
    ("default-site-unknown", lambda d: (forced(d), d["gateways"]["vpn"].__setitem__("defaultSite", "paris")),
     f"{H}gateways.vpn.defaultSite", "names 'paris', which is not a site with a VPN connection"),
    ("default-site-without-forced-tunneling", lambda d: d["gateways"]["vpn"].__setitem__("defaultSite", "lab"),
     f"{H}gateways.vpn.defaultSite", "hub.firewall.forcedTunneling is off"),
    ("default-route-from-a-static-site", lambda d: (site(d)["vpn"].pop("bgp"), site(d).__setitem__("advertisesDefaultRoute", True)),
     f"{H}sites[0].advertisesDefaultRoute", "needs BGP"),
    ("vpn-asn-not-65515-next-to-express-route", lambda d: (with_er_gateway(d), d["gateways"]["vpn"].__setitem__("asn", 65100)),
     f"{H}gateways.vpn.asn", "must keep ASN 65515"),
    ("flow-unknown-spoke", lambda d: flow(d, to={"spoke": "dta"}), f"{H}flows[0].to.spoke", "names spoke 'dta'"),
    ("flow-unknown-subnet", lambda d: flow(d, to={"spoke": "data", "subnet": "db"}), f"{H}flows[0].to.subnet", "names subnet 'db'"),
    ("flow-unknown-site", lambda d: flow(d, **{"from": {"site": "paris"}}), f"{H}flows[0].from.site", "names site 'paris'"),
    ("flow-end-both-kinds", lambda d: flow(d, to={"spoke": "data", "site": "lab"}), f"{H}flows[0].to", "exactly one of spoke or site"),
    ("flow-end-empty", lambda d: flow(d, to={}), f"{H}flows[0].to", "exactly one of spoke or site"),
    ("flow-subnet-on-a-site", lambda d: flow(d, to={"site": "lab", "subnet": "app"}), f"{H}flows[0].to.subnet", "applies only to a spoke"),
    ("flow-inside-one-spoke", lambda d: flow(d, to={"spoke": "aks", "subnet": "ilb"}), f"{H}flows[0]", "stays inside spoke 'aks'"),
    ("flow-between-sites", lambda d: flow(d, **{"from": {"site": "lab"}, "to": {"site": "lab"}}), f"{H}flows[0]", "joins two on-prem sites"),
    ("flow-spokes-without-firewall", lambda d: (flow(d), d["hub"].pop("firewall")), f"{H}flows[0]", "only through a hub firewall"),
    ("flow-name-repeated", lambda d: (flow(d), d["flows"].append(dict(d["flows"][0]))), f"{H}flows[1].name", "also the name of flows[0]"),
    ("flow-without-ports", lambda d: flow(d, ports=[]), f"{H}flows[0].ports", ""),
    ("bastion-with-a-bgp-default-route",
     lambda d: (forced(d), site(d).__setitem__("advertisesDefaultRoute", True), d["hub"].__setitem__("bastion", True),
                d["hub"]["subnets"].__setitem__("AzureBastionSubnet", "10.10.0.192/26")),
     f"{H}hub.bastion", "site 'lab' advertises 0.0.0.0/0"),
    ("bastion-with-a-default-site",
     lambda d: (forced(d), d["gateways"]["vpn"].__setitem__("defaultSite", "lab"), d["hub"].__setitem__("bastion", True),
                d["hub"]["subnets"].__setitem__("AzureBastionSubnet", "10.10.0.192/26")),
     f"{H}hub.bastion", "default site pushes 0.0.0.0/0"),
    ("private-endpoint-subnet-unknown", lambda d: d["spokes"][0].__setitem__("privateEndpointSubnets", ["pe"]),
     f"{H}spokes[0].privateEndpointSubnets[0]", "names subnet 'pe'"),
    ("private-endpoints-in-the-node-subnet", lambda d: d["spokes"][0].__setitem__("privateEndpointSubnets", ["nodes"]),
     f"{H}spokes[0].privateEndpointSubnets[0]", "holds AKS nodes"),
    ("image-from-an-unknown-registry", app_image("registry.example.com/team/web:1.0"),
     f"{H}spokes[0].aks.internalServices[0].app.image", "pulls from registry.example.com, which the hub firewall does not allow"),
    ("sidecar-image-counts-too", lambda d: (app_image("registry.example.com/web:1")(d),
                                            d["spokes"][0]["aks"]["internalServices"][0]["app"].__setitem__("containerPort", 80)),
     f"{H}spokes[0].aks.internalServices[0].app.image", "registry.example.com"),
]
CIRCUIT = "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-er/providers/Microsoft.Network/expressRouteCircuits/er-x"


@pytest.mark.parametrize(("mutate", "key", "fragment"), [case[1:] for case in BAD], ids=[case[0] for case in BAD])
def test_routing_config_refused_with_key(mutate: Callable[[dict[str, Any]], None], key: str, fragment: str) -> None:
    problems = problems_of(mutate)
    assert [p for p in problems if p.startswith(f"{key}: ") and fragment in p], "\n".join(problems)


@pytest.mark.parametrize("mutate", [
    lambda d: (forced(d), site(d).__setitem__("advertisesDefaultRoute", True)),  # BGP VPN advertises 0.0.0.0/0
    lambda d: (forced(d), d["gateways"]["vpn"].__setitem__("defaultSite", "lab")),  # VPN-only default site
    lambda d: (with_er_gateway(d), d["hub"]["subnets"].__setitem__("GatewaySubnet", "10.10.0.0/27"),
               d["gateways"]["vpn"].__setitem__("asn", 65515)),
    lambda d: flow(d, **{"from": {"site": "lab"}, "to": {"spoke": "data", "subnet": "app"}}),
    lambda d: (app_image("registry.example.com/team/web:1.0")(d), d["hub"]["firewall"].__setitem__("egressFqdns", ["registry.example.com"])),
    lambda d: (app_image("registry.example.com/team/web:1.0")(d), d["hub"].pop("firewall"),  # no firewall filters egress
               d["spokes"][0]["aks"].__setitem__("allowDirectEgress", True)),  # ... which the stack must accept explicitly
], ids=["bgp-default", "default-site", "er-with-65515", "site-to-spoke-subnet", "explicit-egress", "no-firewall"])
def test_routing_config_that_azure_honours_is_accepted(mutate: Callable[[dict[str, Any]], None]) -> None:
    document = copy.deepcopy(BASE)
    mutate(document)
    load_stack(raw_of(document))


@pytest.mark.parametrize(("image", "registry"), [
    ("nginx:1.27", "docker.io"), ("alpine/socat:1.8.0.1", "docker.io"), ("mcr.microsoft.com/azurelinux/base/nginx:1.25", "mcr.microsoft.com"),
    ("ghcr.io/org/app@sha256:abc", "ghcr.io"), ("localhost:5000/app", "localhost:5000"), ("Contoso.azurecr.io/app:1", "contoso.azurecr.io"),
])
def test_registry_of_an_image(image: str, registry: str) -> None:
    assert registry_of(image) == registry


# --- what Azure would receive ------------------------------------------------------------------------


def one(stack: str, name: str) -> Registration:
    (match,) = [r for r in evaluated(stack).registrations if r.name == name]
    return match


def rules_of(registration: Registration) -> dict[str, dict[str, Any]]:
    return {rule["name"]: rule for collection in registration.inputs["ruleCollections"] for rule in collection["rules"]}


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_firewall_waits_for_every_rule_collection_group(stack: str) -> None:
    groups = [r for r in evaluated(stack).registrations if r.type == f"{N}FirewallPolicyRuleCollectionGroup"]
    assert [g.name for g in groups] == ["hub-firewall-aks-egress", "hub-firewall-hybrid"]
    assert {g.urn for g in groups} <= set(one(stack, "hub-firewall").dependencies)
    assert groups[0].urn in groups[1].dependencies  # one group change at a time on a policy


@pytest.mark.parametrize("stack", STACKS)
def test_critical_path_stays_at_the_lower_bound(stack: str) -> None:
    critical = evaluated(stack).critical_path
    assert critical is not None and critical.ratio == 1.0


def test_site_lyons_critical_path_is_the_arc_cluster_then_its_load_balancer() -> None:
    """Connected cluster (5 min), the provisioned cluster instance's deployment (about 20, aks-create-clusters-arm),
    then the networking extension, BGP peer and MetalLB, each waiting on what Azure needs before it."""
    critical = evaluated("site-lyon").critical_path
    assert critical is not None
    assert [link.name for link in critical.longest.chain] == [
        "site-lyon-dc-rg", "site-lyon-dc-arc", "site-lyon-dc-cluster-instance", "site-lyon-dc-arcnetworking",
        "site-lyon-dc-bgp-peer-0", "site-lyon-dc-metallb"]
    assert round(critical.longest.minutes, 1) == 26.0


def test_prod_critical_path_is_the_gateway_then_peerings_then_cluster() -> None:
    critical = evaluated("prod").critical_path
    assert critical is not None and round(critical.longest.minutes, 1) == 61.2


def test_prod_data_spoke_flows_are_allowed_through_the_firewall() -> None:
    rules = rules_of(one("prod", "hub-firewall-hybrid"))
    assert {k: (v["sourceAddresses"], v["destinationAddresses"], v["destinationPorts"], v["ipProtocols"]) for k, v in rules.items()
            if k.endswith("data-app") or k.endswith("data-sql")} == {
        "aks-to-data-sql": (["10.1.0.0/16"], ["10.2.1.0/24"], ["1433"], ["TCP"]),
        "aks-to-data-app": (["10.1.0.0/16"], ["10.2.0.0/24"], ["443"], ["TCP"]),
        "paris-to-data-app": (["172.16.0.0/16"], ["10.2.0.0/24"], ["443"], ["TCP"]),
        "lyon-to-data-app": (["172.17.0.0/16"], ["10.2.0.0/24"], ["443"], ["TCP"]),
    }


def test_routing_weights_are_the_configured_ones() -> None:
    # Higher wins among connections of one kind; ExpressRoute beats VPN whatever the weight: no "backup" weight.
    assert one("prod", "gateways-vpn-paris-dc").get("routingWeight") == 0
    assert one("prod", "gateways-er-paris-dc").get("routingWeight") == 0
    document = yaml.safe_load((ROOT / "Pulumi.prod.yaml").read_text())
    document["config"]["hybrid-aks:sites"][0]["vpn"]["routingWeight"] = 20
    document["config"]["hybrid-aks:sites"][0]["expressRoute"]["routingWeight"] = 30
    variant = _variant("prod", document)
    assert _named(variant, "gateways-vpn-paris-dc").get("routingWeight") == 20
    assert _named(variant, "gateways-er-paris-dc").get("routingWeight") == 30
    assert _named(variant, "gateways-vpn-lyon-dc").get("routingWeight") == 0


def test_vpn_only_forced_tunneling_uses_the_default_site(tmp_path_factory: pytest.TempPathFactory) -> None:
    document = yaml.safe_load((ROOT / "Pulumi.dev.yaml").read_text())
    config = document["config"]
    config["hybrid-aks:hub"]["subnets"]["AzureFirewallManagementSubnet"] = "10.10.0.192/26"
    config["hybrid-aks:hub"]["firewall"]["forcedTunneling"] = True
    config["hybrid-aks:gateways"]["vpn"]["defaultSite"] = "lab"
    config["hybrid-aks:hub"]["bastion"] = False  # a default site pushes 0.0.0.0/0 to AzureBastionSubnet too
    registrations = _variant("dev", document, tmp_path_factory.mktemp("dev-forced"))
    table = _named(registrations, "hub-firewall-routes")
    assert table.inputs["routes"] == [{"name": "default-to-onprem", "addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualNetworkGateway"}]
    assert _named(registrations, "hub-subnet-AzureFirewallSubnet").get("routeTable.id") == table.id
    gateway = _named(registrations, "gateways-vpn")
    assert gateway.get("gatewayDefaultSite.id") == _named(registrations, "gateways-lng-lab").id
    management = _named(registrations, "hub-firewall-management-routes")
    assert _named(registrations, "hub-subnet-AzureFirewallManagementSubnet").get("routeTable.id") == management.id


# Docker Hub serves layers from its CDN and R2 bucket (docs.docker.com allowlist); alpine/socat is the port-map sidecar.
PULL_HOSTS = {"docker.io": {"registry-1.docker.io", "auth.docker.io", "production.cloudflare.docker.com", "production.cloudfront.docker.com",
                            "docker-images-prod.6aa30f8b08e16409b46e0173d6de2f56.r2.cloudflarestorage.com"}}


def test_every_allowed_fqdn_is_one_azure_firewall_accepts() -> None:
    """A wildcard may only lead a target FQDN (firewall-faq); one in the middle fails the rule collection group and,
    since the firewall waits for it, the firewall."""
    from config.registries import PULL_HOSTS as KNOWN
    for hosts in KNOWN.values():
        for host in hosts:
            assert "*" not in host.removeprefix("*."), host


@pytest.mark.parametrize("stack", ["dev", "prod", "site-singapore", "site-lyon"])
def test_every_image_is_pullable_through_the_firewall(stack: str) -> None:
    result = evaluated(stack)
    egress = [r for r in result.registrations if r.name == "hub-firewall-aks-egress"]
    allowed: set[tuple[str, str]] = set()
    for group in egress:
        for rule in rules_of(group).values():
            if rule["ruleType"] == "ApplicationRule" and {"protocolType": "Https", "port": 443} in rule["protocols"]:
                allowed |= {(source, fqdn) for source in rule["sourceAddresses"] for fqdn in rule.get("targetFqdns", [])}
    deployments = [r for r in result.registrations if r.type == "kubernetes:apps/v1:Deployment"]
    for deployment in deployments:
        images = [c["image"] for c in deployment.get("spec.template.spec.containers")]
        if not egress:
            continue  # no hub firewall: nodes egress through the cluster's own load balancer
        nodes = "10.11.0.0/22" if stack == "dev" else "10.1.0.0/20"
        for image in images:
            registry = "docker.io" if "/" not in image or "." not in image.split("/")[0] else image.split("/")[0]
            assert registry in PULL_HOSTS, f"{image}: no known pull hosts"
            missing = {host for host in PULL_HOSTS[registry] if (nodes, host) not in allowed}
            assert not missing, f"{stack}: {image} can't be pulled from {nodes}: {missing} not allowed"
    if stack == "dev":
        assert {c["image"] for d in deployments for c in d.get("spec.template.spec.containers")} == {"nginxinc/nginx-unprivileged:1.27", "alpine/socat:1.8.0.1"}


def test_a_cluster_behind_the_hub_resolver_waits_for_its_dns() -> None:
    cluster = one("dev", "aks-aks-cluster")
    api_zone_link = [r for r in evaluated("dev").registrations
                     if r.type == "azure-native:privatedns:VirtualNetworkLink" and r.get("privateZoneName") == "privatelink.westeurope.azmk8s.io"]
    assert len(api_zone_link) == 1
    for registration in (one("dev", "hub-resolver-inbound"), *api_zone_link):
        assert registration.urn in cluster.dependencies, registration.name


def test_peerings_follow_the_remote_address_space_and_sync() -> None:
    to_spoke, to_hub = one("prod", "spoke-data-hub-to-spoke"), one("prod", "spoke-data-spoke-to-hub")
    # remoteAddressSpace (what the peering carries), not remoteVirtualNetworkAddressSpace, which a refresh would update.
    assert to_spoke.get("remoteAddressSpace.addressPrefixes") == ["10.2.0.0/16"]
    assert to_hub.get("remoteAddressSpace.addressPrefixes") == ["10.0.0.0/22"]
    assert to_spoke.get("syncRemoteAddressSpace") == to_hub.get("syncRemoteAddressSpace") == "true"


def _variant(stack: str, document: dict[str, Any], where: Any = None) -> list[Registration]:
    import tempfile
    from pathlib import Path
    directory = Path(where) if where else Path(tempfile.mkdtemp())
    result = preview(stack, project_with(directory, stack, document))
    assert not result.errors, result.errors
    return result.registrations


def _named(registrations: list[Registration], name: str) -> Registration:
    (match,) = [r for r in registrations if r.name == name]
    return match


def test_traffic_to_private_endpoints_is_snated_by_the_firewall() -> None:
    """A private endpoint's replies ignore route tables, so network rules to it need SNAT at the firewall
    (inspect-traffic-with-azure-firewall): the policy's private ranges leave out prod's endpoint subnet, 10.2.1.0/24."""
    policy = one("prod", "hub-firewall-policy")
    ranges = policy.get("snat.privateRanges")
    import ipaddress
    covered = [ipaddress.ip_network(r) for r in ranges]
    assert not any(ipaddress.ip_network("10.2.1.0/24").overlaps(r) for r in covered)
    for address in ("10.1.0.4", "10.2.0.4", "172.16.0.10", "192.168.1.1", "100.64.0.1", "10.2.2.1"):
        assert any(ipaddress.ip_address(address) in r for r in covered), address  # still not SNATed
    assert one("dev", "hub-firewall-policy").get("snat") is None  # no private endpoints: Azure's default


def test_registry_of_localhost_without_a_port() -> None:
    assert registry_of("localhost/team/app:1") == "localhost"


def test_an_azure_container_registry_pulls_from_its_regional_data_endpoint() -> None:
    from config.registries import pull_hosts
    assert pull_hosts("contoso.azurecr.io", "westeurope") == ("contoso.azurecr.io", "contoso.westeurope.data.azurecr.io")
    assert pull_hosts("registry.example.com", "westeurope") is None


def test_spoke_images_name_each_image_and_the_sidecar_by_their_keys() -> None:
    from config.model import Spoke
    from config.registries import spoke_images
    spoke = Spoke.model_validate({
        "name": "s", "addressSpace": ["10.5.0.0/16"], "subnets": {"nodes": "10.5.0.0/22", "ilb": "10.5.8.0/24"},
        "aks": {"nodeSubnet": "nodes", "serviceCidr": "10.240.0.0/16", "dnsServiceIP": "10.240.0.10", "internalServices": [
            {"name": "bare", "subnet": "ilb", "port": 80, "targetPort": 80},
            {"name": "same", "subnet": "ilb", "port": 80, "targetPort": 8080, "app": {"image": "ghcr.io/a/b:1", "containerPort": 8080}},
            {"name": "mapped", "subnet": "ilb", "port": 90, "targetPort": 85, "app": {"image": "mcr.microsoft.com/c:1", "containerPort": 80}},
        ]}})
    app = ("aks", "internalServices")
    assert spoke_images(spoke) == [
        ((*app, 1, "app", "image"), "ghcr.io/a/b:1"),
        ((*app, 2, "app", "image"), "mcr.microsoft.com/c:1"),
        ((*app, 2, "app", "containerPort"), "alpine/socat:1.8.0.1"),
    ]
