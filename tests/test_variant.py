"""Features no shipped stack uses, on one variant of prod evaluated once: custom APIPA BGP addresses, a UDP service
whose pod port differs from the app's (the port-map sidecar), hub private DNS zones. Literal expected inputs."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml

from offline.mocks import Registration
from offline.preview import PreviewResult, preview
from tests.stacks import ROOT, once_per_session
from tests.test_preview import project_with

BLOB_ZONE = "privatelink.blob.core.windows.net"


def variant_document() -> dict[str, Any]:
    document = yaml.safe_load((ROOT / "Pulumi.prod.yaml").read_text())
    config = document["config"]
    config["hybrid-aks:gateways"]["vpn"]["apipaAddresses"] = [["169.254.21.1"], ["169.254.22.1"]]
    config["hybrid-aks:sites"][1]["vpn"]["bgp"]["peerAddress"] = "169.254.21.9"  # lyon peers over APIPA
    config["hybrid-aks:hub"]["privateDnsZones"] = [BLOB_ZONE]
    config["hybrid-aks:spokes"][0]["aks"]["internalServices"].append({
        "name": "syslog", "namespace": "shop", "subnet": "ilb", "port": 514, "targetPort": 5514, "protocol": "UDP",
        "staticIp": "10.1.16.11", "app": {"image": "mcr.microsoft.com/oss/syslog:1.0", "containerPort": 514, "replicas": 2}})
    return document


@once_per_session
def evaluated() -> PreviewResult:
    result = preview("prod", project_with(Path(tempfile.mkdtemp()), "prod", variant_document()))
    assert not result.errors, result.errors
    return result


def one(name: str) -> Registration:
    (match,) = [r for r in evaluated().registrations if r.name == name]
    return match


def test_custom_apipa_bgp_addresses_reach_each_gateway_instance() -> None:
    gateway = one("gateways-vpn")
    peering = gateway.get("bgpSettings.bgpPeeringAddresses")
    assert [p["customBgpIpAddresses"] for p in peering] == [["169.254.21.1"], ["169.254.22.1"]]
    assert [p["ipconfigurationId"].rsplit("/", 1)[-1] for p in peering] == ["ipconfig1", "ipconfig2"]
    assert peering[0]["ipconfigurationId"].endswith(
        "/resourceGroups/rg-prod-hub/providers/Microsoft.Network/virtualNetworkGateways/vgw-prod-hub/ipConfigurations/ipconfig1")
    assert one("gateways-lng-lyon-dc").get("bgpSettings.bgpPeeringAddress") == "169.254.21.9"


def test_udp_service_maps_its_port_with_a_udp_sidecar() -> None:
    deployment = one("aks-aks-svc-shop-syslog-deployment")
    containers = {c["name"]: c for c in deployment.get("spec.template.spec.containers")}
    assert containers["app"]["ports"] == [{"containerPort": 514, "protocol": "UDP"}]
    assert containers["port-map"]["args"] == ["UDP-LISTEN:5514,fork,reuseaddr", "UDP:127.0.0.1:514"]
    assert containers["port-map"]["ports"] == [{"containerPort": 5514, "protocol": "UDP"}]
    service = one("aks-aks-svc-shop-syslog-service")
    assert service.get("spec.ports") == [{"name": "service", "port": 514, "targetPort": 5514, "protocol": "UDP"}]


def test_hub_private_dns_zone_is_created_and_linked_to_the_hub() -> None:
    zones = [r for r in evaluated().registrations if r.type == "azure-native:privatedns:PrivateZone" and r.get("privateZoneName") == BLOB_ZONE]
    (zone,) = zones
    assert (zone.get("resourceGroupName"), zone.get("location")) == ("rg-prod-hub", "global")
    links = [r for r in evaluated().registrations if r.type == "azure-native:privatedns:VirtualNetworkLink" and zone.urn in r.dependencies]
    (link,) = links
    assert link.get("virtualNetwork.id") == one("hub-vnet").id and link.get("registrationEnabled") is False


def test_the_sidecars_registry_is_allowed_too() -> None:
    rules = {rule["name"]: rule for collection in one("hub-firewall-aks-egress").inputs["ruleCollections"] for rule in collection["rules"]}
    assert "mcr.microsoft.com" in rules["images-mcr.microsoft.com"]["targetFqdns"]
    assert rules["images-docker.io"]["sourceAddresses"] == ["10.1.0.0/20", "10.1.32.0/22"]  # the port-map sidecar comes from Docker Hub
