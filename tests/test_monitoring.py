"""The logs component alone: the stack's Log Analytics workspace or an existing one, the flow-log storage account and
VNet flow logs, each resource's whole inputs with literal values (components/monitoring.py)."""

from __future__ import annotations

import re
from typing import Any

from components.monitoring import Monitoring, MonitoringArgs
from config.model import Logs
from tests.test_hub import ID, Built, build, resolved

VNET = "/subscriptions/s/resourceGroups/rg-x-aks/providers/Microsoft.Network/virtualNetworks/vnet-x-aks"
EXISTING = "/subscriptions/s/resourceGroups/rg-central/providers/Microsoft.OperationalInsights/workspaces/log-central"
TAGS = {"env": "x"}


def monitoring(logs: dict[str, Any], prefix: str = "my-long-prefix-x", flow_log: bool = True) -> Built:
    def program() -> Monitoring:
        component = Monitoring("logs", MonitoringArgs(logs=Logs.model_validate(logs), prefix=prefix, location="northeurope", tags=TAGS))
        if flow_log:
            component.flow_log("aks", VNET)
        return component
    return build(program)


def test_own_workspace_storage_and_flow_log_with_traffic_analytics() -> None:
    built = monitoring({"retentionDays": 120, "networkWatcherResourceGroup": "rg-watchers"})
    assert built.names() == {"logs", "logs-rg", "logs-workspace", "logs-flowlogs", "logs-flowlog-aks"}
    component = built.named("logs")
    assert component.type == "hybrid-aks:monitoring:Logs"
    for registration in built.registrations:
        if registration is not component:
            assert registration.parent == component.urn and registration.protect is False, registration.name
    where = {"resourceGroupName": "rg-my-long-prefix-x-monitoring", "location": "northeurope", "tags": TAGS}
    assert built.inputs("logs-rg") == where
    assert built.inputs("logs-workspace") == {**where, "workspaceName": "log-my-long-prefix-x", "retentionInDays": 120,
                                              "sku": {"name": "PerGB2018"}}
    # Storage account names: 3-24 lowercase letters and digits, globally unique: "stfl", the prefix without dashes (12 at
    # most) and 8 hex digits of sha256("my-long-prefix-x/northeurope").
    account = built.inputs("logs-flowlogs")
    assert account == {**where, "accountName": "stflmylongprefix9352ae75", "kind": "StorageV2", "sku": {"name": "Standard_LRS"},
                       "minimumTlsVersion": "TLS1_2", "allowBlobPublicAccess": False, "enableHttpsTrafficOnly": True}
    assert re.fullmatch(r"[a-z0-9]{3,24}", account["accountName"])
    workspace = built.named("logs-workspace")
    customer_id = workspace.id and resolved(built.component.workspace_customer_id)
    assert isinstance(customer_id, str) and re.fullmatch(r"[0-9a-f-]{36}", customer_id)
    assert built.inputs("logs-flowlog-aks") == {
        "resourceGroupName": "rg-watchers", "networkWatcherName": "NetworkWatcher_northeurope", "flowLogName": "fl-my-long-prefix-x-aks",
        "location": "northeurope", "tags": TAGS, "targetResourceId": VNET, "storageId": ID("logs-flowlogs"), "enabled": True,
        "format": {"type": "JSON", "version": 2}, "retentionPolicy": {"days": 90, "enabled": True},
        "flowAnalyticsConfiguration": {"networkWatcherFlowAnalyticsConfiguration": {
            "enabled": True, "workspaceId": customer_id, "workspaceRegion": "northeurope", "workspaceResourceId": ID("logs-workspace"),
            "trafficAnalyticsInterval": 10}}}
    assert resolved(built.component.workspace_id) == workspace.id
    assert resolved(built.component.storage_id) == built.named("logs-flowlogs").id
    assert resolved(built.component.resource_group_name) == "rg-my-long-prefix-x-monitoring"
    assert built.component_outputs["logs"] == {"workspaceId": workspace.id, "flowLogStorageId": built.named("logs-flowlogs").id}


def test_defaults_a_short_prefix_and_the_network_watcher_group() -> None:
    built = monitoring({}, prefix="t")
    assert built.inputs("logs-workspace")["retentionInDays"] == 90
    assert built.inputs("logs-flowlogs")["accountName"] == "stflt097905cb"
    flow_log = built.inputs("logs-flowlog-aks")
    assert (flow_log["resourceGroupName"], flow_log["networkWatcherName"], flow_log["flowLogName"]) == (
        "NetworkWatcherRG", "NetworkWatcher_northeurope", "fl-t-aks")


def test_existing_workspace_with_flow_logs_has_no_traffic_analytics() -> None:
    built = monitoring({"workspaceId": EXISTING})
    # The group holds the storage account only; traffic analytics needs the workspace's GUID, known for the stack's own.
    assert built.names() == {"logs", "logs-rg", "logs-flowlogs", "logs-flowlog-aks"}
    assert "flowAnalyticsConfiguration" not in built.inputs("logs-flowlog-aks")
    assert built.component.workspace_id == EXISTING and built.component.workspace_customer_id is None
    assert built.component_outputs["logs"] == {"workspaceId": EXISTING, "flowLogStorageId": built.named("logs-flowlogs").id}


def test_existing_workspace_without_flow_logs_creates_nothing() -> None:
    flow_logs: list[Any] = []

    def program() -> Monitoring:
        component = Monitoring("logs", MonitoringArgs(logs=Logs.model_validate({"workspaceId": EXISTING, "flowLogs": False}), prefix="t",
                                                      location="northeurope", tags=TAGS))
        flow_logs.append(component.flow_log("aks", VNET))
        return component
    built = build(program)
    assert built.names() == {"logs"}
    assert flow_logs == [None]
    component = built.component
    assert (component.workspace_id, component.storage_id, component.resource_group_name) == (EXISTING, None, None)
    assert built.component_outputs["logs"] == {"workspaceId": EXISTING}


def test_own_workspace_without_flow_logs() -> None:
    built = monitoring({"flowLogs": False})
    assert built.names() == {"logs", "logs-rg", "logs-workspace"}
    assert built.component.storage_id is None


def test_the_stack_subscription_provider_reaches_every_monitoring_resource() -> None:
    from tests.test_hub import assert_every_azure_resource_uses_the_stack_provider, provider_opts

    def program() -> Monitoring:
        component = Monitoring("logs", MonitoringArgs(logs=Logs(), prefix="t", location="northeurope", tags=TAGS), opts=provider_opts())
        component.flow_log("aks", VNET)
        return component
    assert_every_azure_resource_uses_the_stack_provider(build(program))
