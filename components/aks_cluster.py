"""An AKS cluster with Azure CNI in a spoke, its identity and rights, and (optionally) its in-cluster part."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_azure_native as azure
import pulumi_kubernetes as k8s
import yaml
from pulumi import Input, Output, ResourceOptions

from components.common import diagnostic_setting
from components.external_backend import ExternalBackend
from components.internal_service import InternalService
from config.model import NodePool
from config.model import Spoke as SpokeConfig

NETWORK_CONTRIBUTOR = "4d97b98b-1d4f-4787-a291-c67834d212e7"
PRIVATE_DNS_ZONE_CONTRIBUTOR = "b12aa53e-6015-4669-85d0-8515ebb3ae7f"
AKS_RBAC_CLUSTER_ADMIN = "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b"


@dataclass(frozen=True)
class AksClusterArgs:
    spoke: SpokeConfig  # with .aks set
    prefix: str
    location: str
    tags: Mapping[str, str]
    protect: bool
    subscription_id: Input[str]
    deployer_object_id: Output[str]  # who runs `pulumi up` (get_client_config): it creates the in-cluster objects
    deployer_principal_type: str  # "ServicePrincipal" or "User"; Azure refuses an assignment whose type doesn't match
    resource_group_name: Input[str]  # the spoke's
    subnet_ids: Mapping[str, Input[str]]  # the spoke's subnets by name
    spoke_vnet_id: Input[str]
    # userDefinedRouting through the hub firewall when set; the cluster waits for the table and the peerings.
    route_table: azure.network.RouteTable | None
    peerings: Sequence[pulumi.Resource]
    # privateDnsZone "hub": the region's privatelink.<region>.azmk8s.io, created once in the hub and linked to the hub
    # VNet there (Hub.private_dns_zone_ids); AKS links it to this spoke's VNet itself. None: AKS's own system zone.
    api_zone_id: Input[str] | None
    kubernetes_enabled: bool
    # A kubeconfig from secret config (config.secrets.read_kubeconfigs); None: the AKS user credentials.
    kubeconfig: Output[str] | None = None
    dns_ready: Sequence[pulumi.Resource] = ()  # the VNet's DNS (hub resolver endpoint, zone links) the nodes need
    log_workspace_id: Input[str] | None = None  # control-plane logs, Container Insights and Defender report there

# Control-plane logs (Learn: monitor-aks-reference, supported logs of managedClusters): kube-audit-admin is the audit log
# without get/list (the cheaper one aks-baseline keeps), guard holds Entra ID and Azure RBAC decisions.
CONTROL_PLANE_LOGS = ["kube-apiserver", "kube-audit-admin", "kube-controller-manager", "kube-scheduler", "cluster-autoscaler",
                      "cloud-controller-manager", "guard"]
CRITICAL_ADDONS_ONLY = "CriticalAddonsOnly=true:NoSchedule"  # use-system-pools: only critical system pods on the system pool


def noninteractive_kubeconfig(kubeconfig: str) -> str:
    """The AKS user kubeconfig as `kubelogin convert-kubeconfig -l azurecli` leaves it: `get-token --login azurecli
    --server-id <id>` (its cache dir kept), so the token comes from the runner's az login (the workflows' OIDC login)
    instead of a device code nobody can enter. Mirrors kubelogin's converter (pkg/internal/converter/convert.go)."""
    document = yaml.safe_load(kubeconfig) if kubeconfig else None
    if not isinstance(document, dict):
        return kubeconfig
    for user in document.get("users") or []:
        exec_ = (user.get("user") or {}).get("exec")
        if not exec_ or "kubelogin" not in str(exec_.get("command", "")).lower():
            continue
        args = [str(a) for a in exec_.get("args") or []]
        value = {flag: args[i + 1] for i, flag in enumerate(args[:-1]) if flag in ("--server-id", "--cache-dir", "--token-cache-dir")}
        if "--server-id" not in value:
            continue  # kubelogin itself refuses to convert without it
        converted = ["get-token", "--login", "azurecli", "--server-id", value["--server-id"]]
        cache = value.get("--cache-dir") or value.get("--token-cache-dir")
        converted += ["--cache-dir", cache] if cache else []
        exec_.update({"command": "kubelogin", "args": converted, "apiVersion": "client.authentication.k8s.io/v1beta1"})
    return yaml.safe_dump(document, sort_keys=False)


def legacy_api_zone_aliases(spoke: str) -> tuple[list[pulumi.Alias], list[pulumi.Alias]]:
    """Where the hub's API-server zone and its hub link lived before the zone was shared: children of the first
    cluster using it. The aliases keep that zone (and the records AKS wrote in it) in place."""
    cluster_urn = pulumi.create_urn(f"aks-{spoke}", "hybrid-aks:aks:Cluster")
    return ([pulumi.Alias(name=f"aks-{spoke}-api-zone", parent=cluster_urn)],
            [pulumi.Alias(name=f"aks-{spoke}-api-zone-hub", parent=cluster_urn)])


class AksCluster(pulumi.ComponentResource):
    cluster_name: Output[str]
    cluster_id: Output[str]
    identity_principal_id: Output[str]
    kubeconfig: Output[str] | None
    provider: k8s.Provider | None

    def __init__(self, name: str, args: AksClusterArgs, opts: ResourceOptions | None = None) -> None:
        super().__init__("hybrid-aks:aks:Cluster", name, None, opts)
        aks = args.spoke.aks
        assert aks is not None
        self._name, self._args = name, args
        child = ResourceOptions(parent=self)
        identity = azure.managedidentity.UserAssignedIdentity(
            f"{name}-identity", resource_group_name=args.resource_group_name, location=args.location, tags=dict(args.tags),
            resource_name_=f"id-{args.prefix}-{args.spoke.name}-aks", opts=child)
        self.identity_principal_id = identity.principal_id
        grants = self._grant_network_contributor(identity)
        zone_id = args.api_zone_id if aks.private_dns_zone == "hub" and aks.private_cluster else None
        if zone_id is not None:
            grants += self._grant_api_zone_rights(identity, zone_id)
        outbound = "userDefinedRouting" if args.route_table is not None else "loadBalancer"
        # Egress through the hub firewall needs the route table and connected peerings before nodes boot;
        # with loadBalancer egress nothing here waits for the peerings (and so for the gateway).
        waits_for: list[pulumi.Resource] = [*grants, *([args.route_table, *args.peerings] if args.route_table else []),
                                            *args.dns_ready]
        cluster = azure.containerservice.ManagedCluster(
            f"{name}-cluster", resource_group_name=args.resource_group_name, location=args.location, tags=dict(args.tags),
            resource_name_=f"aks-{args.prefix}-{args.spoke.name}", kubernetes_version=aks.kubernetes_version,
            # A bring-your-own private zone needs fqdnSubdomain instead of dnsPrefix (private-clusters).
            dns_prefix=None if zone_id is not None else f"aks-{args.prefix}-{args.spoke.name}",
            fqdn_subdomain=f"aks-{args.prefix}-{args.spoke.name}" if zone_id is not None else None,
            identity=azure.containerservice.ManagedClusterIdentityArgs(
                type=azure.containerservice.ResourceIdentityType.USER_ASSIGNED, user_assigned_identities=[identity.id]),
            enable_rbac=True,
            agent_pool_profiles=[self._pool_profile(aks.system_pool, "System")],
            network_profile=self._network_profile(outbound),
            api_server_access_profile=azure.containerservice.ManagedClusterAPIServerAccessProfileArgs(
                # A public API server answers only its authorized ranges (api-server-authorized-ip-ranges; config/plan.py).
                authorized_ip_ranges=list(aks.authorized_ip_ranges) or None,
                enable_private_cluster=aks.private_cluster, private_dns_zone=(zone_id if zone_id is not None else "system") if aks.private_cluster else None),
            aad_profile=azure.containerservice.ManagedClusterAADProfileArgs(
                managed=True, enable_azure_rbac=aks.entra_id.azure_rbac,
                admin_group_object_ids=list(aks.entra_id.admin_group_object_ids) or None) if aks.entra_id.enabled else None,
            disable_local_accounts=aks.entra_id.disable_local_accounts,
            # What mspnp/aks-baseline and the AVM AKS module turn on, from typed config with secure defaults; each an in-place
            # update of an existing cluster. Standard: the financially backed uptime SLA (free-standard-pricing-tiers).
            sku=azure.containerservice.ManagedClusterSKUArgs(name="Base", tier=aks.sku_tier),
            auto_upgrade_profile=azure.containerservice.ManagedClusterAutoUpgradeProfileArgs(
                upgrade_channel=aks.upgrade_channel, node_os_upgrade_channel=aks.node_os_upgrade_channel),
            # Workload identity needs the OIDC issuer (workload-identity-deploy-cluster).
            oidc_issuer_profile=azure.containerservice.ManagedClusterOIDCIssuerProfileArgs(enabled=aks.workload_identity),
            security_profile=self._security_profile(), addon_profiles=self._addon_profiles(),
            # agentPoolProfiles only creates the cluster (AKS needs its system pool in the create call); ignoring it
            # keeps pool changes out of the cluster's diff. An update for another reason still sends the list in
            # state, which a refresh fills with every pool (pulumi-azure-native#4264, #2719): see README. Pools change
            # through the AgentPool resources; a changed system pool is a new pool.
            opts=ResourceOptions(parent=self, protect=args.protect, depends_on=waits_for,
                                 ignore_changes=["agentPoolProfiles"]))
        self.cluster_name, self.cluster_id = cluster.name, cluster.id
        self._create_maintenance_windows(cluster)
        if args.log_workspace_id is not None:
            diagnostic_setting(f"{name}-diagnostics", cluster.id, args.log_workspace_id, self, categories=CONTROL_PLANE_LOGS,
                               dedicated=True)
            if aks.container_insights:
                self._create_container_insights_rule(cluster, args.log_workspace_id)
        for pool in aks.user_pools:
            azure.containerservice.AgentPool(
                f"{name}-pool-{pool.name}", resource_group_name=args.resource_group_name, resource_name_=cluster.name,
                agent_pool_name=pool.name, mode="User", os_type="Linux", type="VirtualMachineScaleSets",
                vm_size=pool.vm_size, count=pool.min_count, min_count=pool.min_count, max_count=pool.max_count,
                enable_auto_scaling=True, max_pods=pool.max_pods, vnet_subnet_id=args.subnet_ids[aks.pool_subnet(pool)],
                availability_zones=list(pool.zones) or None,
                upgrade_settings=azure.containerservice.AgentPoolUpgradeSettingsArgs(max_surge=pool.max_surge),
                opts=ResourceOptions(parent=self, ignore_changes=["count"]))
        self.kubeconfig, self.provider = None, None
        if args.kubernetes_enabled:
            self._create_in_cluster_part(cluster)
        self.register_outputs({"clusterName": self.cluster_name, "clusterId": self.cluster_id,
                               "identityPrincipalId": self.identity_principal_id, "kubeconfig": self.kubeconfig})

    def _security_profile(self) -> azure.containerservice.ManagedClusterSecurityProfileArgs:
        """Workload identity, the Defender sensor reporting to the stack's workspace, Image Cleaner (image-cleaner)."""
        aks, workspace = self._args.spoke.aks, self._args.log_workspace_id
        assert aks is not None
        cs = azure.containerservice
        return cs.ManagedClusterSecurityProfileArgs(
            workload_identity=cs.ManagedClusterSecurityProfileWorkloadIdentityArgs(enabled=aks.workload_identity),
            defender=cs.ManagedClusterSecurityProfileDefenderArgs(
                log_analytics_workspace_resource_id=workspace,
                security_monitoring=cs.ManagedClusterSecurityProfileDefenderSecurityMonitoringArgs(enabled=True))
            if aks.defender and workspace is not None else None,
            image_cleaner=cs.ManagedClusterSecurityProfileImageCleanerArgs(
                enabled=aks.image_cleaner_interval_hours is not None, interval_hours=aks.image_cleaner_interval_hours))

    def _addon_profiles(self) -> dict[str, azure.containerservice.ManagedClusterAddonProfileArgs]:
        """The Azure Policy add-on (use-azure-policy), and Container Insights with managed-identity auth
        (container-insights-enable-aks) when the stack has a workspace."""
        aks, workspace = self._args.spoke.aks, self._args.log_workspace_id
        assert aks is not None
        cs = azure.containerservice
        addons = {"azurepolicy": cs.ManagedClusterAddonProfileArgs(enabled=aks.azure_policy)}
        if aks.container_insights and workspace is not None:
            addons["omsagent"] = cs.ManagedClusterAddonProfileArgs(
                enabled=True, config={"logAnalyticsWorkspaceResourceID": workspace, "useAADAuth": "true"})
        return addons

    def _create_container_insights_rule(self, cluster: azure.containerservice.ManagedCluster, workspace: Input[str]) -> None:
        """With managed-identity auth the agent collects only what a data collection rule associated with the cluster
        as ContainerInsightsExtension says; `az aks enable-addons` creates both, ARM and Pulumi must declare them
        (kubernetes-monitoring-enable, and Microsoft's onboarding templates)."""
        args, monitor = self._args, azure.monitor
        streams = ["Microsoft-ContainerInsights-Group-Default"]
        rule = monitor.DataCollectionRule(
            f"{self._name}-container-insights", resource_group_name=args.resource_group_name, location=args.location,
            tags=dict(args.tags), data_collection_rule_name=f"MSCI-{args.location}-aks-{args.prefix}-{args.spoke.name}", kind="Linux",
            data_sources=monitor.DataCollectionRuleDataSourcesArgs(extensions=[monitor.ExtensionDataSourceArgs(
                name="ContainerInsightsExtension", extension_name="ContainerInsights", streams=streams,
                extension_settings={"dataCollectionSettings": {"interval": "1m", "namespaceFilteringMode": "Off",
                                                               "enableContainerLogV2": True}})]),
            destinations=monitor.DataCollectionRuleDestinationsArgs(
                log_analytics=[monitor.LogAnalyticsDestinationArgs(workspace_resource_id=workspace, name="ciworkspace")]),
            data_flows=[monitor.DataFlowArgs(streams=streams, destinations=["ciworkspace"])],
            opts=ResourceOptions(parent=self))
        monitor.DataCollectionRuleAssociation(
            f"{self._name}-container-insights-association", resource_uri=cluster.id, association_name="ContainerInsightsExtension",
            data_collection_rule_id=rule.id, opts=ResourceOptions(parent=self))

    def _create_maintenance_windows(self, cluster: azure.containerservice.ManagedCluster) -> None:
        """The planned maintenance windows of both auto-upgrade channels (planned-maintenance): the reserved names
        aksManagedAutoUpgradeSchedule and aksManagedNodeOSUpgradeSchedule take a weekly window of at least 4 hours."""
        aks, args = self._args.spoke.aks, self._args
        assert aks is not None
        window = aks.maintenance_window
        for role, config_name, channel in (("upgrade", "aksManagedAutoUpgradeSchedule", aks.upgrade_channel),
                                           ("node-os", "aksManagedNodeOSUpgradeSchedule", aks.node_os_upgrade_channel)):
            if channel.lower() == "none":
                continue
            azure.containerservice.MaintenanceConfiguration(
                f"{self._name}-maintenance-{role}", resource_group_name=args.resource_group_name, resource_name_=cluster.name,
                config_name=config_name,
                maintenance_window=azure.containerservice.MaintenanceWindowArgs(
                    schedule=azure.containerservice.ScheduleArgs(
                        weekly=azure.containerservice.WeeklyScheduleArgs(day_of_week=window.day_of_week, interval_weeks=1)),
                    start_time=window.start_time, duration_hours=window.duration_hours, utc_offset=window.utc_offset),
                opts=ResourceOptions(parent=self))

    def _network_profile(self, outbound: str) -> azure.containerservice.ContainerServiceNetworkProfileArgsDict:
        """The typed dict, not the Args class: the class fills in podCidr 10.244.0.0/16 when it is omitted, and a
        pod CIDR with Azure CNI outside overlay is refused by AKS tooling (azure-cli#26237)."""
        aks = self._args.spoke.aks
        assert aks is not None
        profile: azure.containerservice.ContainerServiceNetworkProfileArgsDict = {
            "network_plugin": "azure", "network_policy": aks.network_policy,
            "service_cidr": aks.service_cidr, "dns_service_ip": aks.dns_service_ip,
            "outbound_type": outbound, "load_balancer_sku": "standard",
        }
        if aks.network_plugin_mode == "overlay":
            profile |= {"network_plugin_mode": "overlay", "pod_cidr": aks.pod_cidr}
        if aks.network_policy == "cilium":
            profile["network_dataplane"] = "cilium"
        return profile

    def _pool_profile(self, pool: NodePool, mode: str) -> azure.containerservice.ManagedClusterAgentPoolProfileArgs:
        """The system pool's body: sent only when the cluster is created (ignoreChanges agentPoolProfiles), so its taint
        reaches a new cluster; an existing one gets it with `az aks nodepool update --node-taints` (README)."""
        aks = self._args.spoke.aks
        assert aks is not None
        return azure.containerservice.ManagedClusterAgentPoolProfileArgs(
            node_taints=[CRITICAL_ADDONS_ONLY] if mode == "System" and aks.critical_addons_only else None,
            name=pool.name, mode=mode, os_type="Linux", type="VirtualMachineScaleSets", vm_size=pool.vm_size,
            count=pool.min_count, min_count=pool.min_count, max_count=pool.max_count, enable_auto_scaling=True,
            max_pods=pool.max_pods, vnet_subnet_id=self._args.subnet_ids[aks.pool_subnet(pool)],
            availability_zones=list(pool.zones) or None,
            upgrade_settings=azure.containerservice.AgentPoolUpgradeSettingsArgs(max_surge=pool.max_surge))

    def _role(self, role: str, scope_name: str, scope: Input[str], principal: Output[str]) -> azure.authorization.RoleAssignment:
        args = self._args
        return azure.authorization.RoleAssignment(
            f"{self._name}-{scope_name}-role",
            # A name derived from stable strings, so the assignment is never replaced between runs.
            role_assignment_name=str(uuid.uuid5(uuid.NAMESPACE_URL, f"hybrid-aks/{args.prefix}/{args.spoke.name}/{scope_name}/{role}")),
            scope=scope, principal_id=principal, principal_type="ServicePrincipal",
            # Under the scope's subscription, as Azure returns it: one under another subscription (a landing zone's grant
            # on the hub's zone) reads back different after a refresh and would replace the assignment.
            role_definition_id=Output.from_input(scope).apply(
                lambda scope_id: f"/subscriptions/{scope_id.split('/')[2]}/providers/Microsoft.Authorization/roleDefinitions/{role}"),
            opts=ResourceOptions(parent=self))

    def _grant_network_contributor(self, identity: azure.managedidentity.UserAssignedIdentity) -> list[pulumi.Resource]:
        """Network Contributor on node subnets, load-balancer subnets and the route table (internal-lb, egress-udr)."""
        aks, args = self._args.spoke.aks, self._args
        assert aks is not None
        subnets = aks.pool_subnets()
        subnets |= {service.subnet for service in aks.internal_services}
        grants: list[pulumi.Resource] = [
            self._role(NETWORK_CONTRIBUTOR, f"subnet-{subnet}", args.subnet_ids[subnet], identity.principal_id) for subnet in sorted(subnets)]
        if args.route_table is not None:
            grants.append(self._role(NETWORK_CONTRIBUTOR, "route-table", args.route_table.id, identity.principal_id))
        return grants

    def _grant_api_zone_rights(self, identity: azure.managedidentity.UserAssignedIdentity, zone_id: Input[str]) -> list[pulumi.Resource]:
        """A bring-your-own API-server zone: Private DNS Zone Contributor on the zone, and Network Contributor on the
        cluster's VNet, where AKS creates the zone's virtual-network link itself (Learn: private-clusters, "Configure a
        private DNS zone"). The program makes no link from the spoke: a VNet links to a zone only once."""
        return [self._role(PRIVATE_DNS_ZONE_CONTRIBUTOR, "api-zone", zone_id, identity.principal_id),
                self._role(NETWORK_CONTRIBUTOR, "vnet", self._args.spoke_vnet_id, identity.principal_id)]

    def _create_in_cluster_part(self, cluster: azure.containerservice.ManagedCluster) -> None:
        aks, args = self._args.spoke.aks, self._args
        assert aks is not None
        if args.kubeconfig is not None:
            # Given in config: it doesn't come from the cluster, so wait for it explicitly.
            self.kubeconfig = Output.secret(args.kubeconfig)
            provider_opts = ResourceOptions(parent=self, depends_on=[cluster])
        else:
            credentials = azure.containerservice.list_managed_cluster_user_credentials_output(
                resource_group_name=args.resource_group_name, resource_name=cluster.name)
            self.kubeconfig = Output.secret(credentials.kubeconfigs.apply(
                lambda configs: noninteractive_kubeconfig(base64.b64decode(configs[0].value).decode()) if configs else ""))
            provider_opts = ResourceOptions(parent=self)
            if aks.entra_id.enabled and aks.entra_id.azure_rbac:
                # With Azure RBAC, Contributor has no data actions: the deployer needs a Kubernetes role to create objects.
                admin = azure.authorization.RoleAssignment(
                    f"{self._name}-deployer-cluster-admin",
                    # Derived from the deployer, so another deployer gets its own assignment instead of a name clash.
                    role_assignment_name=args.deployer_object_id.apply(lambda deployer: str(uuid.uuid5(
                        uuid.NAMESPACE_URL, f"hybrid-aks/{args.prefix}/{args.spoke.name}/cluster-admin/{deployer}"))),
                    scope=cluster.id, principal_id=args.deployer_object_id, principal_type=args.deployer_principal_type,
                    role_definition_id=Output.concat("/subscriptions/", args.subscription_id,
                                                     "/providers/Microsoft.Authorization/roleDefinitions/", AKS_RBAC_CLUSTER_ADMIN),
                    opts=ResourceOptions(parent=self))
                provider_opts = ResourceOptions(parent=self, depends_on=[admin])
        self.provider = k8s.Provider(f"{self._name}-k8s", kubeconfig=self.kubeconfig, opts=provider_opts)
        in_cluster = ResourceOptions(parent=self, providers={"kubernetes": self.provider})
        namespaces = sorted(({s.namespace for s in aks.internal_services} | {b.namespace for b in aks.external_backends}) - {"default"})
        created = {ns: k8s.core.v1.Namespace(f"{self._name}-ns-{ns}", metadata=k8s.meta.v1.ObjectMetaArgs(name=ns), opts=in_cluster)
                   for ns in namespaces}
        for service in aks.internal_services:
            InternalService(f"{self._name}-svc-{service.namespace}-{service.name}", service,
                            opts=ResourceOptions(parent=self, providers={"kubernetes": self.provider},
                                                 depends_on=[created[service.namespace]] if service.namespace in created else None))
        for backend in aks.external_backends:
            ExternalBackend(f"{self._name}-ext-{backend.namespace}-{backend.name}", backend,
                            opts=ResourceOptions(parent=self, providers={"kubernetes": self.provider},
                                                 depends_on=[created[backend.namespace]] if backend.namespace in created else None))

