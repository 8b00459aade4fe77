"""Production hardening as Azure would receive it (prod's recorded inputs), and the policy pack failing a copy of prod
that misses any piece of it: AKS baseline, firewall protection, strong IPsec on every connection, logs."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from offline.preview import _policy_record
from policy.evaluate import evaluate, load_levels
from tests.stacks import evaluated

Records = list[dict[str, Any]]


def prod_records() -> Records:
    return copy.deepcopy([_policy_record(r) for r in evaluated("prod").registrations])


def one(records: Records, name: str) -> dict[str, Any]:
    (record,) = [r for r in records if r["name"] == name]
    return record


def by_type(records: Records, suffix: str) -> Records:
    return [r for r in records if r["type"].endswith(suffix)]


def test_prod_cluster_carries_the_aks_baseline() -> None:
    cluster = one(prod_records(), "aks-aks-cluster")["inputs"]
    assert cluster["sku"] == {"name": "Base", "tier": "Standard"}
    assert cluster["autoUpgradeProfile"] == {"upgradeChannel": "patch", "nodeOSUpgradeChannel": "NodeImage"}
    assert cluster["oidcIssuerProfile"] == {"enabled": True}
    security = cluster["securityProfile"]
    assert security["workloadIdentity"] == {"enabled": True} and security["imageCleaner"] == {"enabled": True, "intervalHours": 168}
    assert security["defender"]["securityMonitoring"] == {"enabled": True}
    workspace = one(prod_records(), "logs-workspace")
    assert security["defender"]["logAnalyticsWorkspaceResourceId"] == workspace["id"]
    assert cluster["addonProfiles"]["azurepolicy"] == {"enabled": True}
    assert cluster["addonProfiles"]["omsagent"] == {
        "enabled": True, "config": {"logAnalyticsWorkspaceResourceID": workspace["id"], "useAADAuth": "true"}}
    (system,) = cluster["agentPoolProfiles"]
    assert system["mode"] == "System" and system["nodeTaints"] == ["CriticalAddonsOnly=true:NoSchedule"]
    assert "authorizedIPRanges" not in cluster["apiServerAccessProfile"]  # private: ranges apply to public API servers only
    windows = {r["inputs"]["configName"]: r["inputs"] for r in by_type(prod_records(), ":MaintenanceConfiguration")}
    assert set(windows) == {"aksManagedAutoUpgradeSchedule", "aksManagedNodeOSUpgradeSchedule"}
    for window in windows.values():
        assert window["resourceName"] == "aks-prod-aks" and window["maintenanceWindow"] == {
            "schedule": {"weekly": {"dayOfWeek": "Sunday", "intervalWeeks": 1}}, "startTime": "00:00", "durationHours": 4,
            "utcOffset": "+00:00"}


def test_prod_firewall_policy_denies_threats_with_idps_and_states_its_dns_choice() -> None:
    policy = one(prod_records(), "hub-firewall-policy")["inputs"]
    assert policy["sku"] == {"tier": "Premium"} and policy["threatIntelMode"] == "Deny"
    assert policy["intrusionDetection"] == {"mode": "Deny"}
    assert policy["dnsSettings"] == {"enableProxy": False}  # spokes resolve through the hub resolver, not the firewall
    assert "transportSecurity" not in policy  # TLS inspection needs the enterprise's CA (README)


def test_every_prod_vpn_connection_has_a_strong_explicit_ipsec_policy() -> None:
    connections = [r["inputs"] for r in by_type(prod_records(), ":VirtualNetworkGatewayConnection")
                   if r["inputs"]["connectionType"] == "IPsec"]
    assert len(connections) == 2
    for connection in connections:
        assert connection["ipsecPolicies"] == [{
            "ikeEncryption": "AES256", "ikeIntegrity": "SHA256", "dhGroup": "DHGroup14", "ipsecEncryption": "GCMAES256",
            "ipsecIntegrity": "GCMAES256", "pfsGroup": "PFS2048", "saLifeTimeSeconds": 27000, "saDataSizeKilobytes": 102400000}]


def test_prod_sends_every_watched_resource_to_log_analytics_and_flow_logs_every_vnet() -> None:
    records = prod_records()
    workspace = one(records, "logs-workspace")
    settings = {r["name"]: r["inputs"] for r in by_type(records, ":DiagnosticSetting")}
    # No Bastion in prod (its hub learns a default route from on-prem); dev's Bastion is checked below.
    assert set(settings) == {"hub-firewall-diagnostics", "gateways-vpn-diagnostics", "gateways-er-diagnostics", "aks-aks-diagnostics"}
    assert all(s["workspaceId"] == workspace["id"] for s in settings.values())
    assert settings["aks-aks-diagnostics"]["resourceUri"] == one(records, "aks-aks-cluster")["id"]
    assert {log["category"] for log in settings["aks-aks-diagnostics"]["logs"]} >= {"kube-audit-admin", "guard"}
    assert settings["hub-firewall-diagnostics"]["logAnalyticsDestinationType"] == "Dedicated"
    flow_logs = {r["inputs"]["targetResourceId"] for r in by_type(records, ":FlowLog")}
    assert flow_logs == {r["id"] for r in by_type(records, ":VirtualNetwork")}
    assert workspace["inputs"]["retentionInDays"] == 90


def drop(name: str) -> Callable[[Records], Records]:
    return lambda records: [r for r in records if r["name"] != name]


def edit(name: str, change: Callable[[dict[str, Any]], None]) -> Callable[[Records], Records]:
    def apply(records: Records) -> Records:
        change(one(records, name)["inputs"])
        return records
    return apply


CLUSTER = "aks-aks-cluster"


@pytest.mark.parametrize(("mutate", "policy"), [
    (edit(CLUSTER, lambda c: c["sku"].update(tier="Free")), "aks-uptime-sla"),
    (edit(CLUSTER, lambda c: c.pop("autoUpgradeProfile")), "aks-baseline"),
    (edit(CLUSTER, lambda c: c["autoUpgradeProfile"].update(nodeOSUpgradeChannel="Unmanaged")), "aks-baseline"),
    (edit(CLUSTER, lambda c: c["oidcIssuerProfile"].update(enabled=False)), "aks-baseline"),
    (edit(CLUSTER, lambda c: c["securityProfile"].pop("workloadIdentity")), "aks-baseline"),
    (edit(CLUSTER, lambda c: c["securityProfile"].pop("defender")), "aks-baseline"),
    (edit(CLUSTER, lambda c: c["securityProfile"]["imageCleaner"].update(enabled=False)), "aks-baseline"),
    (edit(CLUSTER, lambda c: c["addonProfiles"].pop("azurepolicy")), "aks-baseline"),
    (edit(CLUSTER, lambda c: c["agentPoolProfiles"][0].pop("nodeTaints")), "aks-baseline"),
    (drop("aks-aks-maintenance-upgrade"), "aks-maintenance-window"),
    (drop("aks-aks-maintenance-node-os"), "aks-maintenance-window"),
    (edit(CLUSTER, lambda c: c["networkProfile"].update(outboundType="loadBalancer")), "aks-egress-through-firewall"),
    (edit(CLUSTER, lambda c: c["apiServerAccessProfile"].update(enablePrivateCluster=False)), "aks-private-api-server"),
    (edit("hub-firewall-policy", lambda p: p.update(threatIntelMode="Alert")), "firewall-threat-protection"),
    (edit("hub-firewall-policy", lambda p: p.pop("intrusionDetection")), "firewall-threat-protection"),
    (edit("gateways-vpn-lyon-dc", lambda c: c.pop("ipsecPolicies")), "vpn-ikev2-strong-crypto"),
    (edit("gateways-vpn-paris-dc", lambda c: c["ipsecPolicies"][0].update(dhGroup="DHGroup2")), "vpn-ikev2-strong-crypto"),
    (drop("hub-firewall-diagnostics"), "diagnostic-settings"),
    (drop("gateways-vpn-diagnostics"), "diagnostic-settings"),
    (drop("gateways-er-diagnostics"), "diagnostic-settings"),
    (drop("aks-aks-diagnostics"), "diagnostic-settings"),
    (edit("aks-aks-diagnostics", lambda d: d.update(logs=[{"category": "kube-apiserver", "enabled": True}])), "diagnostic-settings"),
    (edit(CLUSTER, lambda c: c["addonProfiles"].pop("omsagent")), "diagnostic-settings"),
    (drop("logs-flowlog-hub"), "vnet-flow-logs"),
    (drop("logs-flowlog-data"), "vnet-flow-logs"),
], ids=lambda value: value if isinstance(value, str) else "")
def test_the_pack_fails_a_copy_of_prod_missing_a_piece(mutate: Callable[[Records], Records], policy: str) -> None:
    levels = load_levels("prod")
    assert [v for v in evaluate(prod_records(), levels) if v.level == "mandatory"] == []
    violations = [v for v in evaluate(mutate(prod_records()), levels) if v.level == "mandatory"]
    assert [v.policy for v in violations] == [policy], [str(v) for v in violations]


def test_fqdns_in_network_rules_need_the_dns_proxy() -> None:
    def fqdn_rule(records: Records) -> Records:
        group = one(records, "hub-firewall-hybrid")["inputs"]
        group["ruleCollections"][0]["rules"][0]["destinationFqdns"] = ["sql.corp.example.com"]
        return records
    levels = load_levels("prod")
    [violation] = [v for v in evaluate(fqdn_rule(prod_records()), levels) if v.level == "mandatory"]
    assert violation.policy == "firewall-dns-proxy-for-fqdn-rules"
    with_proxy = edit("hub-firewall-policy", lambda p: p["dnsSettings"].update(enableProxy=True))(fqdn_rule(prod_records()))
    assert [v for v in evaluate(with_proxy, levels) if v.level == "mandatory"] == []


def test_dev_bastion_sends_its_logs_to_the_workspace() -> None:
    from tests.stacks import evaluated
    registrations = {r.name: r for r in evaluated("dev").registrations}
    setting = registrations["hub-bastion-diagnostics"]
    assert setting.get("resourceUri") == registrations["hub-bastion"].id
    assert setting.get("workspaceId") == registrations["logs-workspace"].id


def test_container_insights_collects_through_a_rule_associated_with_the_cluster() -> None:
    """Managed-identity Container Insights needs a data collection rule associated as ContainerInsightsExtension
    (kubernetes-monitoring-enable); without it the agent runs and collects nothing."""
    records = prod_records()
    rule = one(records, "aks-aks-container-insights")["inputs"]
    association = one(records, "aks-aks-container-insights-association")["inputs"]
    (extension,) = rule["dataSources"]["extensions"]
    assert (extension["extensionName"], extension["streams"]) == ("ContainerInsights", ["Microsoft-ContainerInsights-Group-Default"])
    (destination,) = rule["destinations"]["logAnalytics"]
    assert destination["workspaceResourceId"] == one(records, "logs-workspace")["id"]
    assert rule["dataFlows"] == [{"streams": ["Microsoft-ContainerInsights-Group-Default"], "destinations": [destination["name"]]}]
    assert association["associationName"] == "ContainerInsightsExtension"
    assert association["resourceUri"] == one(records, "aks-aks-cluster")["id"]


def test_the_firewall_lets_the_add_ons_reach_their_endpoints() -> None:
    """Add-on endpoints are listed apart from AKS's core egress (outbound-rules-control-egress, AKS addons)."""
    records = prod_records()
    rules = {rule["name"]: rule for c in one(records, "hub-firewall-aks-egress")["inputs"]["ruleCollections"] for rule in c["rules"]}
    addons = set(rules["aks-addons"]["targetFqdns"])
    assert {"data.policy.core.windows.net", "store.policy.core.windows.net", "*.ods.opinsights.azure.com",
            "*.oms.opinsights.azure.com", "dc.services.visualstudio.com", "*.monitoring.azure.com"} <= addons
    assert rules["aks-addons"]["sourceAddresses"] == rules["aks-fqdns"]["sourceAddresses"]


def test_a_role_definition_lives_in_its_scopes_subscription() -> None:
    """Azure returns a role assignment's roleDefinitionId under the scope's subscription; one built under another
    (lz-payments' grant on prod's API zone) would read back different after a refresh and be replaced."""
    from tests.stacks import evaluated
    assignments = [r for r in evaluated("lz-payments").registrations if r.type == "azure-native:authorization:RoleAssignment"]
    assert assignments
    subscriptions = set()
    for assignment in assignments:
        scope_subscription = assignment.get("scope").split("/")[2]
        assert assignment.get("roleDefinitionId").split("/")[2] == scope_subscription, assignment.name
        subscriptions.add(scope_subscription)
    assert len(subscriptions) == 2  # the landing zone's own, and the hub's (its API zone)
