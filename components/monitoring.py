"""Logs: the stack's Log Analytics workspace (or one given by ID), and VNet flow logs through Network Watcher.

Diagnostic settings belong to the components whose resources they watch (components.common.diagnostic_setting).
VNet flow logs replace NSG flow logs, which Azure retires (Learn: vnet-flow-logs-overview); they go to a storage
account and, with traffic analytics, to the workspace. Azure creates the region's Network Watcher
(NetworkWatcher_<region> in NetworkWatcherRG) when a VNet is created there (Learn: network-watcher-create).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_azure_native as azure
from pulumi import Input, Output, ResourceOptions

from config.model import Logs


@dataclass(frozen=True)
class MonitoringArgs:
    logs: Logs
    prefix: str
    location: str
    tags: Mapping[str, str]


class Monitoring(pulumi.ComponentResource):
    workspace_id: Input[str]
    workspace_customer_id: Output[str] | None  # the workspace's GUID, for traffic analytics (own workspace only)
    storage_id: Output[str] | None  # where flow logs land
    resource_group_name: Output[str] | None

    def __init__(self, name: str, args: MonitoringArgs, opts: ResourceOptions | None = None) -> None:
        super().__init__("hybrid-aks:monitoring:Logs", name, None, opts)
        self._name, self._args = name, args
        child = ResourceOptions(parent=self)
        needs_group = args.logs.workspace_id is None or args.logs.flow_logs
        group = azure.resources.ResourceGroup(
            f"{name}-rg", resource_group_name=f"rg-{args.prefix}-monitoring", location=args.location, tags=dict(args.tags),
            opts=child) if needs_group else None
        self.resource_group_name = group.name if group else None
        self.workspace_customer_id = None
        if args.logs.workspace_id is not None:
            self.workspace_id = args.logs.workspace_id
        else:
            assert group is not None
            workspace = azure.operationalinsights.Workspace(
                f"{name}-workspace", resource_group_name=group.name, workspace_name=f"log-{args.prefix}", location=args.location,
                tags=dict(args.tags), retention_in_days=args.logs.retention_days,
                sku=azure.operationalinsights.WorkspaceSkuArgs(name="PerGB2018"), opts=child)
            self.workspace_id, self.workspace_customer_id = workspace.id, workspace.customer_id
        self.storage_id = None
        if args.logs.flow_logs:
            assert group is not None
            # Storage account names are global, 3-24 lowercase letters and digits (Learn: resource-name-rules).
            suffix = hashlib.sha256(f"{args.prefix}/{args.location}".encode()).hexdigest()[:8]
            account = azure.storage.StorageAccount(
                f"{name}-flowlogs", resource_group_name=group.name, account_name=f"stfl{args.prefix.replace('-', '')[:12]}{suffix}",
                location=args.location, tags=dict(args.tags), kind="StorageV2",
                sku=azure.storage.SkuArgs(name="Standard_LRS"), minimum_tls_version="TLS1_2", allow_blob_public_access=False,
                enable_https_traffic_only=True, opts=child)
            self.storage_id = account.id
        self.register_outputs({"workspaceId": self.workspace_id, "flowLogStorageId": self.storage_id})

    def flow_log(self, role: str, vnet_id: Input[str]) -> azure.network.FlowLog | None:
        """A VNet flow log (version 2, JSON) kept 90 days, with traffic analytics into the stack's own workspace."""
        args = self._args
        if self.storage_id is None:
            return None
        analytics = None
        if self.workspace_customer_id is not None:
            analytics = azure.network.TrafficAnalyticsPropertiesArgs(
                network_watcher_flow_analytics_configuration=azure.network.TrafficAnalyticsConfigurationPropertiesArgs(
                    enabled=True, workspace_id=self.workspace_customer_id, workspace_region=args.location,
                    workspace_resource_id=self.workspace_id, traffic_analytics_interval=10))
        return azure.network.FlowLog(
            f"{self._name}-flowlog-{role}", resource_group_name=args.logs.network_watcher_resource_group,
            network_watcher_name=f"NetworkWatcher_{args.location}", flow_log_name=f"fl-{args.prefix}-{role}",
            location=args.location, tags=dict(args.tags), target_resource_id=vnet_id, storage_id=self.storage_id, enabled=True,
            format=azure.network.FlowLogFormatParametersArgs(type="JSON", version=2),
            retention_policy=azure.network.RetentionPolicyParametersArgs(days=90, enabled=True),
            flow_analytics_configuration=analytics, opts=ResourceOptions(parent=self))
