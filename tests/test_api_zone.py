"""The API-server zone of private clusters with `privateDnsZone: hub`, and one owner for each Azure object.

Learn private-clusters ("Configure a private DNS zone"): with a bring-your-own zone the cluster's identity needs
Private DNS Zone Contributor on the zone and Network Contributor on the cluster's VNet, because AKS creates the
zone's link to that VNet itself; a VNet links to a zone only once; one privatelink.<region>.azmk8s.io zone can
serve many clusters. Azure compares resource IDs case-insensitively (resource-name-rules).
"""

from __future__ import annotations

import copy
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.aks_cluster import NETWORK_CONTRIBUTOR, PRIVATE_DNS_ZONE_CONTRIBUTOR
from offline.mocks import Registration
from offline.preview import PreviewResult, preview, to_json
from tests.stacks import ROOT, STACKS, evaluated

ZONE = "azure-native:privatedns:PrivateZone"
LINK = "azure-native:privatedns:VirtualNetworkLink"
ROLE = "azure-native:authorization:RoleAssignment"


def of_type(registrations: list[Registration], type_: str) -> list[Registration]:
    return [r for r in registrations if r.type == type_]


def named(registrations: list[Registration], name: str) -> Registration:
    (match,) = [r for r in registrations if r.name == name]
    return match


def duplicate_azure_ids(registrations: list[Registration]) -> list[str]:
    """Azure resource IDs that more than one resource of the program would own (compared as Azure does)."""
    ids = Counter(r.id.lower() for r in registrations if r.custom and r.type.startswith("azure-native:") and r.id)
    return sorted(i for i, n in ids.items() if n > 1)


def variant(tmp_path: Path, change: Any, stack: str = "dev") -> PreviewResult:
    document = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())
    change(document["config"])
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "Pulumi.variant.yaml").write_text(yaml.safe_dump(document))
    return preview("variant", tmp_path)


def second_aks_spoke(config: dict[str, Any]) -> None:
    """dev with a second private AKS spoke in the same region, also on the hub's API-server zone."""
    spokes = config["hybrid-aks:spokes"]
    other = copy.deepcopy(spokes[0])
    other["name"] = "aks2"
    other["addressSpace"] = ["10.12.0.0/16"]
    other["subnets"] = {"nodes": "10.12.0.0/22", "ilb": "10.12.8.0/24"}
    other["aks"]["internalServices"][0]["staticIp"] = "10.12.8.10"
    other["aks"]["internalServices"][0]["name"] = "web2"
    other["aks"]["externalBackends"] = []
    spokes.append(other)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_each_hub_zone_cluster_gets_network_contributor_on_its_vnet_and_no_program_link_from_it(stack: str) -> None:
    registrations = evaluated(stack).registrations
    spoke_vnet = named(registrations, "spoke-aks-vnet")
    cluster = named(registrations, "aks-aks-cluster")
    grant = named(registrations, "aks-aks-vnet-role")
    assert grant.get("scope") == spoke_vnet.id and grant.get("roleDefinitionId").endswith(NETWORK_CONTRIBUTOR)
    assert grant.get("principalId") == named(registrations, "aks-aks-api-zone-role").get("principalId")  # the cluster's identity
    assert grant.urn in cluster.dependencies, "AKS links the zone to the VNet while it creates the cluster"
    # AKS creates the spoke's link itself; the program links only the hub.
    assert [link.get("virtualNetwork.id") for link in of_type(registrations, LINK)] == [named(registrations, "hub-vnet").id]


def test_two_clusters_in_one_region_share_one_zone_and_one_hub_link(tmp_path: Path) -> None:
    result = variant(tmp_path, second_aks_spoke)
    assert result.exit_code == 0, result.errors
    (zone,) = of_type(result.registrations, ZONE)
    assert zone.get("privateZoneName") == "privatelink.westeurope.azmk8s.io" and zone.get("resourceGroupName") == "rg-dev-hub"
    (link,) = of_type(result.registrations, LINK)
    assert link.get("virtualNetwork.id") == named(result.registrations, "hub-vnet").id
    for spoke in ("aks", "aks2"):
        cluster = named(result.registrations, f"aks-{spoke}-cluster")
        assert cluster.get("apiServerAccessProfile.privateDNSZone") == zone.id
        zone_grant, vnet_grant = (named(result.registrations, f"aks-{spoke}-{role}-role") for role in ("api-zone", "vnet"))
        assert zone_grant.get("scope") == zone.id and zone_grant.get("roleDefinitionId").endswith(PRIVATE_DNS_ZONE_CONTRIBUTOR)
        assert vnet_grant.get("scope") == named(result.registrations, f"spoke-{spoke}-vnet").id
        assert {zone_grant.urn, vnet_grant.urn} <= set(cluster.dependencies)
    assert duplicate_azure_ids(result.registrations) == []


def test_listing_the_api_zone_in_hub_private_dns_zones_reuses_it(tmp_path: Path) -> None:
    result = variant(tmp_path, lambda c: c["hybrid-aks:hub"].update(privateDnsZones=["PrivateLink.WestEurope.azmk8s.io", "corp.internal"]))
    assert result.exit_code == 0, result.errors
    zones = of_type(result.registrations, ZONE)
    assert sorted(z.get("privateZoneName") for z in zones) == ["PrivateLink.WestEurope.azmk8s.io", "corp.internal"]
    api_zone = next(z for z in zones if z.get("privateZoneName").lower().startswith("privatelink"))
    assert named(result.registrations, "aks-aks-cluster").get("apiServerAccessProfile.privateDNSZone") == api_zone.id
    assert len(of_type(result.registrations, LINK)) == 2 and duplicate_azure_ids(result.registrations) == []


def test_a_zone_listed_twice_in_another_case_is_refused_with_its_key(tmp_path: Path) -> None:
    result = variant(tmp_path, lambda c: c["hybrid-aks:hub"].update(privateDnsZones=["corp.internal", "Corp.Internal."]))
    assert result.exit_code != 0 and not [r for r in result.registrations if r.custom]
    assert any(e.startswith("hybrid-aks:hub.privateDnsZones[1]: ") and "already makes 'corp.internal', equal to it ignoring case" in e
               for e in result.errors), result.errors


@pytest.mark.parametrize("stack", STACKS)
def test_no_two_resources_of_a_shipped_stack_address_one_azure_object(stack: str) -> None:
    registrations = evaluated(stack).registrations
    assert duplicate_azure_ids(registrations) == []


def test_the_cluster_ignores_the_pool_list_aks_owns_after_creation() -> None:
    report = {r["name"]: r for r in to_json(evaluated("prod"))["resources"]}
    assert report["aks-aks-cluster"]["options"]["ignoreChanges"] == ["agentPoolProfiles"]
    assert report["aks-aks-cluster"]["options"]["protect"] is True
    assert report["aks-aks-pool-apps"]["options"]["ignoreChanges"] == ["count"]
    # The system pool is still sent when the cluster is created (AKS refuses a cluster without one).
    (system,) = report["aks-aks-cluster"]["inputs"]["agentPoolProfiles"]
    assert system["name"] == "system" and system["mode"] == "System"


def test_a_hub_zone_link_is_deleted_before_its_replacement_and_keeps_its_former_state() -> None:
    report = {r["name"]: r for r in to_json(evaluated("prod"))["resources"]}
    link = report["hub-zone-privatelink-westeurope-azmk8s-io-link"]["options"]
    assert link["deleteBeforeReplace"] is True, "a VNet links to a zone once: the old link must go first"
    zone_aliases = report["hub-zone-privatelink-westeurope-azmk8s-io"]["options"]["aliases"]
    assert {"name": "aks-aks-api-zone", "parentUrn": "urn:pulumi:prod::hybrid-aks::hybrid-aks:aks:Cluster::aks-aks"} in [
        a.get("spec") for a in zone_aliases]
    # The link lived beside the zone, under the first cluster using it, as <cluster>-api-zone-hub.
    assert {"name": "aks-aks-api-zone-hub", "parentUrn": "urn:pulumi:prod::hybrid-aks::hybrid-aks:aks:Cluster::aks-aks"} in [
        a.get("spec") for a in link["aliases"]]
