"""AKS and the in-cluster part, asserted on what the shipped stacks would send; Kubernetes objects schema-checked."""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from config.org import repository_sources
from offline.orgplan import deploy_order

from components.aks_cluster import AKS_RBAC_CLUSTER_ADMIN, NETWORK_CONTRIBUTOR, PRIVATE_DNS_ZONE_CONTRIBUTOR
from components.external_backend import MANAGED_BY, MANAGED_BY_LABEL, SERVICE_NAME_LABEL
from offline.mocks import Registration, install, is_secret, run_program, unwrap
from offline.preview import preview, read_stack_file
from tests.stacks import ROOT, STACKS, evaluated

CS = "azure-native:containerservice:"
KUBERNETES_VERSION = "1.33.0"  # AKS's default minor when a stack pins none


def regs(stack: str, type_: str) -> list[Registration]:
    return [r for r in evaluated(stack).registrations if r.type == type_]


def one(stack: str, name: str) -> Registration:
    (match,) = [r for r in evaluated(stack).registrations if r.name == name]
    return match


def test_dev_network_profile_azure_cni_with_udr() -> None:
    cluster = one("dev", "aks-aks-cluster")
    assert cluster.inputs["networkProfile"] == {
        "networkPlugin": "azure", "networkPolicy": "calico", "serviceCidr": "10.240.0.0/16", "dnsServiceIP": "10.240.0.10",
        "outboundType": "userDefinedRouting", "loadBalancerSku": "standard"}
    assert "dockerBridgeCidr" not in cluster.inputs["networkProfile"]


def test_overlay_cilium_cluster_without_firewall_uses_its_load_balancer() -> None:
    profile = one("site-singapore", "aks-aks-cluster").inputs["networkProfile"]
    assert (profile["networkPluginMode"], profile["podCidr"], profile["networkPolicy"], profile["networkDataplane"]) == (
        "overlay", "100.64.0.0/16", "cilium", "cilium")
    assert profile["outboundType"] == "loadBalancer"


def test_pools_on_the_node_subnet_with_max_pods_and_surge() -> None:
    cluster = one("prod", "aks-aks-cluster")
    nodes_id = one("prod", "spoke-aks-subnet-nodes").id
    (system,) = cluster.inputs["agentPoolProfiles"]
    assert (system["mode"], system["vnetSubnetID"], system["maxPods"], system["minCount"], system["maxCount"]) == ("System", nodes_id, 30, 3, 5)
    assert system["availabilityZones"] == ["1", "2", "3"] and system["enableAutoScaling"] is True
    pool = one("prod", "aks-aks-pool-apps")
    assert (pool.get("mode"), pool.get("vnetSubnetID"), pool.get("maxPods"), pool.get("maxCount")) == ("User", nodes_id, 50, 20)
    assert pool.get("upgradeSettings.maxSurge") == "33%"
    assert cluster.urn in pool.dependencies


def test_a_pool_on_its_own_subnet_gets_that_subnet_its_grant_and_the_egress_routes() -> None:
    batch_subnet = one("prod", "spoke-aks-subnet-batch")
    pool = one("prod", "aks-aks-pool-batch")
    assert (pool.get("vnetSubnetID"), pool.get("maxPods"), pool.get("minCount")) == (batch_subnet.id, 30, 0)
    grant = one("prod", "aks-aks-subnet-batch-role")
    assert grant.get("scope") == batch_subnet.id and grant.get("roleDefinitionId").endswith(NETWORK_CONTRIBUTOR)
    assert grant.urn in one("prod", "aks-aks-cluster").dependencies
    assert batch_subnet.get("routeTable.id") == one("prod", "spoke-aks-routes").id  # BGP off, 0.0.0.0/0 to the firewall
    gateway_prefixes = {r["addressPrefix"] for r in one("prod", "hub-gateway-routes").inputs["routes"]}
    assert "10.1.0.0/16" in gateway_prefixes  # the spoke's whole space, the batch subnet included


def test_private_api_server_with_system_zone_where_vnets_use_azure_dns() -> None:
    cluster = one("site-singapore", "aks-aks-cluster")
    assert cluster.inputs["apiServerAccessProfile"] == {"enablePrivateCluster": True, "privateDNSZone": "system"}
    assert cluster.get("dnsPrefix") == "aks-sg-aks" and cluster.get("fqdnSubdomain") is None


def test_private_api_server_with_hub_zone_in_prod() -> None:
    cluster = one("prod", "aks-aks-cluster")
    zone = one("prod", "hub-zone-privatelink-westeurope-azmk8s-io")
    assert zone.get("privateZoneName") == "privatelink.westeurope.azmk8s.io" and zone.get("resourceGroupName") == "rg-prod-hub"
    assert cluster.get("apiServerAccessProfile.privateDNSZone") == zone.id
    assert cluster.get("fqdnSubdomain") == "aks-prod-aks" and cluster.get("dnsPrefix") is None
    grant = one("prod", "aks-aks-api-zone-role")
    assert grant.get("roleDefinitionId").endswith(PRIVATE_DNS_ZONE_CONTRIBUTOR) and grant.get("scope") == zone.id
    assert grant.urn in cluster.dependencies, "AKS needs rights on a bring-your-own zone before it creates records"


def test_entra_id_and_local_accounts() -> None:
    cluster = one("prod", "aks-aks-cluster")
    assert cluster.get("aadProfile") == {"managed": True, "enableAzureRBAC": True,
                                         "adminGroupObjectIDs": ["00000000-0000-0000-0000-000000000001"]}
    assert cluster.get("disableLocalAccounts") is True and cluster.get("enableRBAC") is True


def test_identity_gets_network_contributor_before_the_cluster() -> None:
    cluster = one("dev", "aks-aks-cluster")
    grants = [g for g in regs("dev", "azure-native:authorization:RoleAssignment")
              if g.name not in ("aks-aks-api-zone-role", "aks-aks-vnet-role", "aks-aks-deployer-cluster-admin")]
    scopes = {g.get("scope") for g in grants}
    assert scopes == {one("dev", "spoke-aks-subnet-nodes").id, one("dev", "spoke-aks-subnet-ilb").id, one("dev", "spoke-aks-routes").id}
    for grant in grants:
        assert grant.get("roleDefinitionId") == f"/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Authorization/roleDefinitions/{NETWORK_CONTRIBUTOR}"
        assert grant.get("principalType") == "ServicePrincipal" and grant.urn in cluster.dependencies
    assert len({g.get("principalId") for g in grants}) == 1
    assert cluster.get("identity.userAssignedIdentities") == [one("dev", "aks-aks-identity").id]


def test_udr_cluster_waits_for_route_table_and_peerings() -> None:
    cluster = one("dev", "aks-aks-cluster")
    assert cluster.get("networkProfile.outboundType") == "userDefinedRouting"
    assert {one("dev", n).urn for n in ("spoke-aks-routes", "spoke-aks-spoke-to-hub", "spoke-aks-hub-to-spoke")} <= set(cluster.dependencies)
    load_balancer_cluster = one("site-singapore", "aks-aks-cluster")
    assert one("site-singapore", "spoke-aks-spoke-to-hub").urn not in load_balancer_cluster.dependencies


def test_kubernetes_provider_uses_the_cluster_credentials_secretly() -> None:
    (provider,) = regs("dev", "pulumi:providers:kubernetes")
    assert is_secret(provider.inputs["kubeconfig"])
    for obj in (r for r in evaluated("dev").registrations if r.type.startswith("kubernetes:")):
        assert obj.provider and obj.provider.startswith(provider.urn), obj.name


def test_the_deployer_gets_a_kubernetes_role_before_the_provider_uses_it() -> None:
    cluster, (provider,) = one("dev", "aks-aks-cluster"), regs("dev", "pulumi:providers:kubernetes")
    admin = one("dev", "aks-aks-deployer-cluster-admin")
    assert admin.get("scope") == cluster.id and admin.get("roleDefinitionId").endswith(AKS_RBAC_CLUSTER_ADMIN)
    assert admin.get("principalId") == str(uuid.uuid5(uuid.NAMESPACE_DNS, "object"))  # the mocks' getClientConfig objectId
    assert admin.get("principalType") == "ServicePrincipal"  # the workflows' OIDC app, unless kubernetes.deployerPrincipalType says User
    assert admin.urn in provider.dependencies


def test_a_kubeconfig_from_secret_config_replaces_the_credentials_call() -> None:
    kubeconfig = "apiVersion: v1\nkind: Config\nclusters: []\n"
    secrets = {"hybrid-aks:vpnSharedKey-lab": "k", "hybrid-aks:kubeconfig-aks": kubeconfig}
    mocks = install(config={**read_stack_file(ROOT, "dev").config, **secrets}, secret_keys=list(secrets))
    run_program(ROOT / "__main__.py", mocks)
    (provider,) = mocks.by_type("pulumi:providers:kubernetes")
    assert is_secret(provider.inputs["kubeconfig"]) and unwrap(provider.inputs["kubeconfig"]) == kubeconfig
    assert mocks.named("aks-aks-cluster").urn in provider.dependencies
    assert [token for token, _ in mocks.calls if token.endswith("listManagedClusterUserCredentials")] == []
    assert [r for r in mocks.registrations if r.name == "aks-aks-deployer-cluster-admin"] == []  # its identity is the kubeconfig's
    assert "kind: Config" not in json.dumps([unwrap(value) for value, _ in mocks.stack_outputs.values()])


def test_without_one_the_provider_reads_the_cluster_user_credentials() -> None:
    mocks = install(config={**read_stack_file(ROOT, "dev").config, "hybrid-aks:vpnSharedKey-lab": "k"},
                    secret_keys=["hybrid-aks:vpnSharedKey-lab"])
    run_program(ROOT / "__main__.py", mocks)
    calls = [args for token, args in mocks.calls if token == "azure-native:containerservice:listManagedClusterUserCredentials"]
    assert calls == [{"resourceGroupName": "rg-dev-aks", "resourceName": "aks-dev-aks"}]
    (provider,) = mocks.by_type("pulumi:providers:kubernetes")
    assert "server: https://aks-dev-aks.privatelink" in unwrap(provider.inputs["kubeconfig"])


def test_seed_internal_service() -> None:
    service = one("dev", "aks-aks-svc-default-web-service")
    assert service.get("metadata.annotations") == {
        "service.beta.kubernetes.io/azure-load-balancer-internal": "true",
        "service.beta.kubernetes.io/azure-load-balancer-internal-subnet": "ilb",
        "service.beta.kubernetes.io/azure-load-balancer-ipv4": "10.11.8.10"}
    assert service.get("spec.type") == "LoadBalancer" and "loadBalancerIP" not in service.inputs["spec"]
    assert service.get("spec.ports") == [{"name": "service", "port": 90, "targetPort": 85, "protocol": "TCP"}]
    deployment = one("dev", "aks-aks-svc-default-web-deployment")
    assert deployment.get("spec.replicas") == 3
    app, port_map = deployment.get("spec.template.spec.containers")
    assert app["ports"] == [{"containerPort": 8080, "protocol": "TCP"}]
    assert port_map["ports"] == [{"containerPort": 85, "protocol": "TCP"}]
    assert port_map["args"] == ["TCP-LISTEN:85,fork,reuseaddr", "TCP:127.0.0.1:8080"]
    assert deployment.get("spec.selector.matchLabels") == service.get("spec.selector") == {"app": "web"}


def test_health_probe_and_traffic_policy_options() -> None:
    service = one("prod", "aks-aks-svc-shop-orders-service")
    annotations = service.get("metadata.annotations")
    assert annotations["service.beta.kubernetes.io/azure-load-balancer-health-probe-request-path"] == "/healthz"
    assert annotations["service.beta.kubernetes.io/azure-load-balancer-health-probe-protocol"] == "http"
    assert service.get("spec.externalTrafficPolicy") == "Local" and service.get("metadata.namespace") == "shop"
    namespace = one("prod", "aks-aks-ns-shop")
    assert namespace.urn in one("prod", "aks-aks-svc-shop-orders").dependencies
    assert not [r for r in evaluated("dev").registrations if r.type == "kubernetes:core/v1:Namespace"]


def test_on_prem_backend_endpoint_slice() -> None:
    service = one("dev", "aks-aks-ext-default-lab-api-service")
    assert "selector" not in service.inputs["spec"]
    assert service.get("spec.ports") == [{"name": "https", "port": 443, "targetPort": 443, "protocol": "TCP"}]
    endpoints = one("dev", "aks-aks-ext-default-lab-api-endpoints")
    assert endpoints.get("addressType") == "IPv4"
    assert [e["addresses"] for e in endpoints.inputs["endpoints"]] == [["172.19.5.20"], ["172.19.5.21"]]
    assert endpoints.get("ports") == [{"name": "https", "port": 443, "protocol": "TCP"}]
    assert endpoints.get("metadata.labels") == {SERVICE_NAME_LABEL: "lab-api", MANAGED_BY_LABEL: MANAGED_BY}


def test_external_name_backend() -> None:
    service = one("dev", "aks-aks-ext-default-lab-ldap-service")
    assert service.get("spec") == {"type": "ExternalName", "externalName": "ldap.lab.example.com"}


def test_kubernetes_switch_off_builds_no_in_cluster_part(tmp_path: Path) -> None:
    document = yaml.safe_load((ROOT / "Pulumi.dev.yaml").read_text())
    document["config"]["hybrid-aks:kubernetes"] = {"enabled": False}
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "Pulumi.off.yaml").write_text(yaml.safe_dump(document))
    result = preview("off", tmp_path)
    assert result.exit_code == 0
    types = {r.type for r in result.registrations}
    assert f"{CS}ManagedCluster" in types and not {t for t in types if t.startswith(("kubernetes:", "pulumi:providers:kubernetes"))}


def kubernetes_objects(stack: str) -> list[dict[str, Any]]:
    """Each Kubernetes object as it would be applied: apiVersion, kind and the recorded inputs."""
    out = []
    for r in evaluated(stack).registrations:
        if not r.type.startswith("kubernetes:") or not r.custom:
            continue
        _, group_version, kind = r.type.split(":")
        api_version = group_version.removeprefix("core/")
        out.append({"apiVersion": api_version, "kind": kind, **{k: v for k, v in r.inputs.items() if k not in ("apiVersion", "kind")}})
    return out


@pytest.mark.parametrize("stack", STACKS)
def test_every_kubernetes_object_matches_the_official_schema(stack: str) -> None:
    objects = kubernetes_objects(stack)
    has_cluster = any(r.type == f"{CS}ManagedCluster" for r in evaluated(stack).registrations)
    assert bool(objects) == has_cluster, "a stack with an AKS cluster renders its Kubernetes objects"
    pinned = {r.inputs.get("kubernetesVersion") for r in evaluated(stack).registrations if r.type == f"{CS}ManagedCluster"} - {None}
    (version,) = [f"{v}.0" if v.count(".") == 1 else v for v in pinned] or [KUBERNETES_VERSION]
    for obj in objects:
        kubernetes_validate.validate(obj, version, strict=True)


def test_the_schema_check_catches_a_typo() -> None:
    (service, *_) = [o for o in kubernetes_objects("dev") if o["kind"] == "Service"]
    broken = {**service, "spec": {**service["spec"], "extrnalTrafficPolicy": "Local"}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


def in_cluster_part(stack: str) -> bool:
    """Whether the stack builds Kubernetes objects (behind a private API server in every shipped stack)."""
    config = read_stack_file(ROOT, stack).config
    spokes = json.loads(config.get("hybrid-aks:spokes", "[]"))
    enabled = json.loads(config.get("hybrid-aks:kubernetes", "{}")).get("enabled", True)
    return enabled and any("aks" in spoke for spoke in spokes)


@pytest.mark.parametrize("workflow", ["deploy.yml", "pull-request.yml"])
def test_workflows_run_the_in_cluster_part_from_the_runner_inside_the_network(workflow: str) -> None:
    """deploy.yml's matrices come from `offline.orgplan --order` (in the StackReferences' order) and run pulumi-up.yml
    per stack; pull-request.yml lists the stacks. Either way in_cluster equals the stacks."""
    if workflow == "deploy.yml":
        project, sources = repository_sources(ROOT)
        waves = deploy_order(sources, project)
        entries = {e["stack"]: e["in_cluster"] for wave in waves.values() for e in wave}
        document = yaml.safe_load((ROOT / ".github" / "workflows" / "pulumi-up.yml").read_text())
        (job,) = document["jobs"].values()
        var = "inputs"
    else:
        document = yaml.safe_load((ROOT / ".github" / "workflows" / workflow).read_text())
        (job,) = [j for j in document["jobs"].values() if "matrix" in j.get("strategy", {})]
        entries = {e["stack"]: e["in_cluster"] for e in job["strategy"]["matrix"]["include"]}
        var = "matrix"
    assert entries == {stack: in_cluster_part(stack) for stack in STACKS}
    assert entries["site-lyon"] is False and entries["dev"] is True  # sanity: the rule is not vacuous
    assert job["runs-on"] == f"${{{{ {var}.in_cluster && vars.IN_CLUSTER_RUNNER_LABEL || 'ubuntu-latest' }}}}"
    steps = job["steps"]
    # pull-request.yml adds `matrix.cloud &&`: production stacks get no cloud preview from branch code.
    guard = next(s for s in steps if s.get("if", "").endswith(f"{var}.in_cluster && vars.IN_CLUSTER_RUNNER_LABEL == ''"))
    assert "exit 1" in guard["run"], "without the label an in-cluster stack fails loudly instead of timing out on a private API"
    uses = [s.get("uses", "") for s in steps]
    first = {action: next(i for i, u in enumerate(uses) if u.startswith(f"{action}@")) for action in
             ("azure/use-kubelogin", "azure/login", "pulumi/actions")}  # pinned by commit SHA (tests/test_workflows.py)
    assert first["azure/use-kubelogin"] < first["pulumi/actions"] and first["azure/login"] < first["pulumi/actions"]


DEVICE_CODE_KUBECONFIG = """apiVersion: v1
kind: Config
clusters:
- name: aks
  cluster: {server: 'https://aks.privatelink.westeurope.azmk8s.io:443', certificate-authority-data: bW9jaw==}
contexts:
- name: aks
  context: {cluster: aks, user: clusterUser_rg_aks}
current-context: aks
users:
- name: clusterUser_rg_aks
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: kubelogin
      args: [get-token, --environment, AzurePublicCloud, --server-id, 6dae42f8-4368-4678-94ff-3960e28e3630,
             --client-id, 80faf920-1908-4b52-b5ef-a8e7bedfc67a, --tenant-id, 11111111-2222-3333-4444-555555555555, --login, devicecode]
      installHint: install kubelogin
      provideClusterInfo: false
"""


def test_the_cluster_kubeconfig_logs_in_with_azurecli_not_a_device_code() -> None:
    from components.aks_cluster import noninteractive_kubeconfig
    converted = yaml.safe_load(noninteractive_kubeconfig(DEVICE_CODE_KUBECONFIG))
    exec_ = converted["users"][0]["user"]["exec"]
    # What `kubelogin convert-kubeconfig -l azurecli` writes (Azure/kubelogin pkg/internal/converter).
    assert exec_["command"] == "kubelogin" and exec_["args"] == [
        "get-token", "--login", "azurecli", "--server-id", "6dae42f8-4368-4678-94ff-3960e28e3630"]
    assert exec_["apiVersion"] == "client.authentication.k8s.io/v1beta1" and exec_["installHint"] == "install kubelogin"
    assert converted["clusters"] == yaml.safe_load(DEVICE_CODE_KUBECONFIG)["clusters"]
    token_only = "apiVersion: v1\nkind: Config\nusers:\n- name: u\n  user: {token: t}\n"
    assert yaml.safe_load(noninteractive_kubeconfig(token_only)) == yaml.safe_load(token_only)


def test_seed_workload_is_restricted_and_fenced() -> None:
    """Pod security "restricted" for the app and its port-map sidecar, requests/limits, probes, no API token, and a
    NetworkPolicy that lets in only the service's pod port and lets out only DNS."""
    pod = one("dev", "aks-aks-svc-default-web-deployment").get("spec.template.spec")
    assert pod["automountServiceAccountToken"] is False
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert pod["securityContext"]["sysctls"] == [{"name": "net.ipv4.ip_unprivileged_port_start", "value": "0"}]  # port 85, non-root
    for container in pod["containers"]:
        context = container["securityContext"]
        assert context["runAsNonRoot"] is True and context["runAsUser"] == 10001 and context["allowPrivilegeEscalation"] is False
        assert context["capabilities"] == {"drop": ["ALL"]} and context["readOnlyRootFilesystem"] is True
        assert context["seccompProfile"] == {"type": "RuntimeDefault"}
        assert set(container["resources"]) == {"requests", "limits"}
        assert container["readinessProbe"]["tcpSocket"] == container["livenessProbe"]["tcpSocket"] == {"port": container["ports"][0]["containerPort"]}
    assert pod["containers"][0]["volumeMounts"] == [{"name": "writable-0", "mountPath": "/tmp"}]
    policy = one("dev", "aks-aks-svc-default-web-network-policy").get("spec")
    assert policy["podSelector"] == {"matchLabels": {"app": "web"}} and policy["policyTypes"] == ["Ingress", "Egress"]
    assert policy["ingress"] == [{"ports": [{"port": 85, "protocol": "TCP"}]}]
    assert [p["port"] for p in policy["egress"][0]["ports"]] == [53, 53]
    # prod's orders service has no app of ours: its pods get the ingress fence only.
    assert one("prod", "aks-aks-svc-shop-orders-network-policy").get("spec.policyTypes") == ["Ingress"]


# --- whole inputs, as Azure receives them -------------------------------------------------------------------------


def test_dev_cluster_sends_its_whole_body() -> None:
    """Every input of dev's ManagedCluster: a private cluster on the hub's API-server zone, UDR egress, Entra ID with
    Azure RBAC, the AKS baseline add-ons reporting to the stack's workspace."""
    workspace = one("dev", "logs-workspace").id
    assert one("dev", "aks-aks-cluster").inputs == {
        "resourceGroupName": "rg-dev-aks", "location": "westeurope", "tags": {"environment": "dev", "owner": "platform-team"},
        "resourceName": "aks-dev-aks", "fqdnSubdomain": "aks-dev-aks",
        "identity": {"type": "UserAssigned", "userAssignedIdentities": [one("dev", "aks-aks-identity").id]},
        "enableRBAC": True, "disableLocalAccounts": True, "aadProfile": {"managed": True, "enableAzureRBAC": True},
        "agentPoolProfiles": [{
            "name": "system", "mode": "System", "osType": "Linux", "type": "VirtualMachineScaleSets", "vmSize": "Standard_D4s_v5",
            "count": 1, "minCount": 1, "maxCount": 3, "enableAutoScaling": True, "maxPods": 30,
            "vnetSubnetID": one("dev", "spoke-aks-subnet-nodes").id, "nodeTaints": ["CriticalAddonsOnly=true:NoSchedule"],
            "upgradeSettings": {"maxSurge": "1"}}],
        "networkProfile": {"networkPlugin": "azure", "networkPolicy": "calico", "serviceCidr": "10.240.0.0/16",
                           "dnsServiceIP": "10.240.0.10", "outboundType": "userDefinedRouting", "loadBalancerSku": "standard"},
        "apiServerAccessProfile": {"enablePrivateCluster": True, "privateDNSZone": one("dev", "hub-zone-privatelink-westeurope-azmk8s-io").id},
        "sku": {"name": "Base", "tier": "Standard"},
        "autoUpgradeProfile": {"upgradeChannel": "patch", "nodeOSUpgradeChannel": "NodeImage"},
        "oidcIssuerProfile": {"enabled": True},
        "securityProfile": {"workloadIdentity": {"enabled": True}, "imageCleaner": {"enabled": True, "intervalHours": 168},
                            "defender": {"logAnalyticsWorkspaceResourceId": workspace, "securityMonitoring": {"enabled": True}}},
        "addonProfiles": {"azurepolicy": {"enabled": True},
                          "omsagent": {"enabled": True, "config": {"logAnalyticsWorkspaceResourceID": workspace, "useAADAuth": "true"}}},
    }


def test_singapore_cluster_with_the_system_zone_and_overlay() -> None:
    cluster = one("site-singapore", "aks-aks-cluster")
    assert (cluster.get("dnsPrefix"), cluster.get("resourceName"), cluster.get("location")) == ("aks-sg-aks", "aks-sg-aks", "southeastasia")
    assert "fqdnSubdomain" not in cluster.inputs and "kubernetesVersion" not in cluster.inputs
    assert cluster.inputs["networkProfile"] == {
        "networkPlugin": "azure", "networkPluginMode": "overlay", "podCidr": "100.64.0.0/16", "networkPolicy": "cilium",
        "networkDataplane": "cilium", "serviceCidr": "10.241.0.0/16", "dnsServiceIP": "10.241.0.10", "outboundType": "loadBalancer",
        "loadBalancerSku": "standard"}


def test_prod_cluster_pins_its_version_and_names_its_admin_group() -> None:
    cluster = one("prod", "aks-aks-cluster")
    assert cluster.get("kubernetesVersion") == "1.33"
    assert cluster.get("aadProfile") == {"managed": True, "enableAzureRBAC": True, "adminGroupObjectIDs": ["00000000-0000-0000-0000-000000000001"]}
    assert cluster.get("agentPoolProfiles.0.availabilityZones") == ["1", "2", "3"]


def test_user_pools_send_their_whole_body() -> None:
    nodes, batch = one("prod", "spoke-aks-subnet-nodes").id, one("prod", "spoke-aks-subnet-batch").id
    common = {"resourceGroupName": "rg-prod-aks", "resourceName": "aks-prod-aks", "mode": "User", "osType": "Linux",
              "type": "VirtualMachineScaleSets", "vmSize": "Standard_D8s_v5", "enableAutoScaling": True, "availabilityZones": ["1", "2", "3"]}
    assert one("prod", "aks-aks-pool-apps").inputs == {
        **common, "agentPoolName": "apps", "count": 3, "minCount": 3, "maxCount": 20, "maxPods": 50, "vnetSubnetID": nodes,
        "upgradeSettings": {"maxSurge": "33%"}}
    assert one("prod", "aks-aks-pool-batch").inputs == {
        **common, "agentPoolName": "batch", "count": 0, "minCount": 0, "maxCount": 10, "maxPods": 30, "vnetSubnetID": batch,
        "upgradeSettings": {"maxSurge": "1"}}
    assert "availabilityZones" not in one("dev", "aks-aks-pool-user").inputs  # no zones in config: AKS's regional placement


def test_both_upgrade_channels_get_a_weekly_maintenance_window() -> None:
    """planned-maintenance: the reserved configuration names, a weekly schedule, at least 4 hours."""
    for role, config_name in (("upgrade", "aksManagedAutoUpgradeSchedule"), ("node-os", "aksManagedNodeOSUpgradeSchedule")):
        assert one("dev", f"aks-aks-maintenance-{role}").inputs == {
            "resourceGroupName": "rg-dev-aks", "resourceName": "aks-dev-aks", "configName": config_name,
            "maintenanceWindow": {"schedule": {"weekly": {"dayOfWeek": "Sunday", "intervalWeeks": 1}},
                                  "startTime": "00:00", "durationHours": 4, "utcOffset": "+00:00"}}


def test_container_insights_collects_through_its_data_collection_rule() -> None:
    """kubernetes-monitoring-enable: a Linux DCR named MSCI-<region>-<cluster> with the ContainerInsights extension,
    associated with the cluster as ContainerInsightsExtension."""
    workspace = one("dev", "logs-workspace").id
    rule = one("dev", "aks-aks-container-insights")
    streams = ["Microsoft-ContainerInsights-Group-Default"]
    assert rule.inputs == {
        "resourceGroupName": "rg-dev-aks", "location": "westeurope", "tags": {"environment": "dev", "owner": "platform-team"},
        "dataCollectionRuleName": "MSCI-westeurope-aks-dev-aks", "kind": "Linux",
        "dataSources": {"extensions": [{"name": "ContainerInsightsExtension", "extensionName": "ContainerInsights", "streams": streams,
                                        "extensionSettings": {"dataCollectionSettings": {"interval": "1m", "namespaceFilteringMode": "Off",
                                                                                         "enableContainerLogV2": True}}}]},
        "destinations": {"logAnalytics": [{"workspaceResourceId": workspace, "name": "ciworkspace"}]},
        "dataFlows": [{"streams": streams, "destinations": ["ciworkspace"]}]}
    cluster = one("dev", "aks-aks-cluster")
    assert one("dev", "aks-aks-container-insights-association").inputs == {
        "resourceUri": cluster.id, "associationName": "ContainerInsightsExtension", "dataCollectionRuleId": rule.id}


def test_control_plane_logs_go_to_the_workspace_in_dedicated_tables() -> None:
    """monitor-aks-reference: the control-plane categories aks-baseline keeps (kube-audit-admin, not kube-audit)."""
    setting = one("dev", "aks-aks-diagnostics")
    assert setting.get("resourceUri") == one("dev", "aks-aks-cluster").id and setting.get("workspaceId") == one("dev", "logs-workspace").id
    assert setting.get("logAnalyticsDestinationType") == "Dedicated"
    assert setting.get("logs") == [{"category": c, "enabled": True} for c in (
        "kube-apiserver", "kube-audit-admin", "kube-controller-manager", "kube-scheduler", "cluster-autoscaler",
        "cloud-controller-manager", "guard")]


def test_the_cluster_identity_and_its_grants_send_their_whole_body() -> None:
    assert one("dev", "aks-aks-identity").inputs == {
        "resourceGroupName": "rg-dev-aks", "location": "westeurope", "tags": {"environment": "dev", "owner": "platform-team"},
        "resourceName": "id-dev-aks-aks"}
    principal = one("dev", "aks-aks-identity")
    roles = "/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Authorization/roleDefinitions/"
    expected = {"subnet-nodes": ("spoke-aks-subnet-nodes", NETWORK_CONTRIBUTOR), "subnet-ilb": ("spoke-aks-subnet-ilb", NETWORK_CONTRIBUTOR),
                "route-table": ("spoke-aks-routes", NETWORK_CONTRIBUTOR), "vnet": ("spoke-aks-vnet", NETWORK_CONTRIBUTOR),
                "api-zone": ("hub-zone-privatelink-westeurope-azmk8s-io", PRIVATE_DNS_ZONE_CONTRIBUTOR)}
    principals, names = set(), set()
    for scope_name, (scope, role) in expected.items():
        grant = one("dev", f"aks-aks-{scope_name}-role")
        assert grant.parent is not None and grant.parent.endswith("::aks-aks")
        principals.add(grant.get("principalId"))
        names.add(grant.get("roleAssignmentName"))  # stable across runs: the snapshots pin each one
        assert {k: v for k, v in grant.inputs.items() if k not in ("principalId", "roleAssignmentName")} == {
            "scope": one("dev", scope).id, "principalType": "ServicePrincipal", "roleDefinitionId": roles + role}
    assert len(principals) == 1 and len(names) == len(expected)
    assert principal.urn in one("dev", "aks-aks-subnet-nodes-role").dependencies


def test_the_deployer_admin_assignment_sends_its_whole_body() -> None:
    admin = one("dev", "aks-aks-deployer-cluster-admin")
    deployer = str(uuid.uuid5(uuid.NAMESPACE_DNS, "object"))  # the mocks' getClientConfig objectId
    assert {k: v for k, v in admin.inputs.items() if k != "roleAssignmentName"} == {
        "scope": one("dev", "aks-aks-cluster").id, "principalId": deployer, "principalType": "ServicePrincipal",
        "roleDefinitionId": f"/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Authorization/roleDefinitions/{AKS_RBAC_CLUSTER_ADMIN}"}


# --- the component alone, on small inputs: what no shipped stack uses --------------------------------------------

SUB = "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-t-app/providers/Microsoft.Network"
SUBNETS = {"nodes": f"{SUB}/virtualNetworks/vnet-t-app/subnets/nodes", "gpu": f"{SUB}/virtualNetworks/vnet-t-app/subnets/gpu",
           "lb": f"{SUB}/virtualNetworks/vnet-t-app/subnets/lb"}
ZONE_ID = "/subscriptions/22222222-2222-2222-2222-222222222222/resourceGroups/rg-t-hub/providers/Microsoft.Network/privateDnsZones/privatelink.westeurope.azmk8s.io"
WORKSPACE = "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-t-mon/providers/Microsoft.OperationalInsights/workspaces/log-t"
DEPLOYER = "33333333-3333-3333-3333-333333333333"


def alone(aks: dict[str, Any], *, workspace: str | None = WORKSPACE, kubernetes: bool = True, route_table: bool = False,
          kubeconfig: str | None = None) -> Any:
    """One AksCluster under the mocks (no stack around it); returns the mocks."""
    import pulumi
    import pulumi_azure_native as azure

    from components.aks_cluster import AksCluster, AksClusterArgs
    from config.model import Spoke as SpokeConfig
    from offline.mocks import run
    spoke = SpokeConfig.model_validate({"name": "app", "addressSpace": ["10.20.0.0/16"],
                                        "subnets": {"nodes": "10.20.0.0/22", "gpu": "10.20.4.0/24", "lb": "10.20.8.0/24"},
                                        "aks": {"nodeSubnet": "nodes", "serviceCidr": "10.250.0.0/16", "dnsServiceIP": "10.250.0.10", **aks}})
    mocks = install()

    def program() -> None:
        table = azure.network.RouteTable("rt", resource_group_name="rg-t-app", route_table_name="rt-t-app") if route_table else None
        peering = azure.network.VirtualNetworkPeering("peering", resource_group_name="rg-t-app", virtual_network_name="vnet-t-app")
        dns = azure.privatedns.VirtualNetworkLink("dns-link", resource_group_name="rg-t-hub", private_zone_name="corp.internal")
        AksCluster("aks-app", AksClusterArgs(
            spoke=spoke, prefix="t", location="westeurope", tags={"env": "t"}, protect=False,
            subscription_id="11111111-1111-1111-1111-111111111111", deployer_object_id=pulumi.Output.from_input(DEPLOYER),
            deployer_principal_type="User", resource_group_name="rg-t-app", subnet_ids=SUBNETS,
            spoke_vnet_id=f"{SUB}/virtualNetworks/vnet-t-app", route_table=table, peerings=[peering], api_zone_id=ZONE_ID,
            kubernetes_enabled=kubernetes, kubeconfig=pulumi.Output.from_input(kubeconfig) if kubeconfig else None,
            dns_ready=[dns], log_workspace_id=workspace),
            opts=pulumi.ResourceOptions(providers=[azure.Provider("subscription", subscription_id="11111111-1111-1111-1111-111111111111")]))

    run(program, mocks)
    # The stack's subscription provider reaches every Azure resource of the cluster through the component.
    (subscription,) = mocks.by_type("pulumi:providers:azure-native")
    for r in mocks.registrations:
        if r.type.startswith("azure-native:") and r.name not in ("rt", "peering", "dns-link"):
            assert r.provider is not None and r.provider.startswith(subscription.urn + "::"), r.name
            assert r.parent is not None and r.parent.endswith("::aks-app"), r.name
    return mocks


PUBLIC_MINIMAL = {
    "privateCluster": False, "privateDnsZone": "hub", "authorizedIpRanges": ["203.0.113.0/24", "198.51.100.0/25"],
    "networkPolicy": "azure", "skuTier": "Free", "kubernetesVersion": "1.32",
    "entraId": {"enabled": False, "disableLocalAccounts": False}, "workloadIdentity": False, "defender": False,
    "imageCleanerIntervalHours": None, "azurePolicy": False, "criticalAddonsOnly": False, "containerInsights": False,
    "upgradeChannel": "none", "nodeOsUpgradeChannel": "None",
    "systemPool": {"name": "sys", "vmSize": "Standard_D2s_v5", "minCount": 2, "maxCount": 4, "maxPods": 50, "maxSurge": "50%", "zones": ["1", "3"]},
}


def test_a_public_cluster_with_every_option_off() -> None:
    mocks = alone(PUBLIC_MINIMAL)
    cluster = mocks.named("aks-app-cluster")
    assert cluster.inputs == {
        "resourceGroupName": "rg-t-app", "location": "westeurope", "tags": {"env": "t"}, "resourceName": "aks-t-app",
        "kubernetesVersion": "1.32", "dnsPrefix": "aks-t-app",  # a public cluster takes no API-server zone
        "identity": {"type": "UserAssigned", "userAssignedIdentities": [mocks.named("aks-app-identity").id]},
        "enableRBAC": True, "disableLocalAccounts": False,
        "agentPoolProfiles": [{
            "name": "sys", "mode": "System", "osType": "Linux", "type": "VirtualMachineScaleSets", "vmSize": "Standard_D2s_v5",
            "count": 2, "minCount": 2, "maxCount": 4, "enableAutoScaling": True, "maxPods": 50, "vnetSubnetID": SUBNETS["nodes"],
            "availabilityZones": ["1", "3"], "upgradeSettings": {"maxSurge": "50%"}}],
        "networkProfile": {"networkPlugin": "azure", "networkPolicy": "azure", "serviceCidr": "10.250.0.0/16",
                           "dnsServiceIP": "10.250.0.10", "outboundType": "loadBalancer", "loadBalancerSku": "standard"},
        "apiServerAccessProfile": {"authorizedIPRanges": ["203.0.113.0/24", "198.51.100.0/25"], "enablePrivateCluster": False},
        "sku": {"name": "Base", "tier": "Free"},
        "autoUpgradeProfile": {"upgradeChannel": "none", "nodeOSUpgradeChannel": "None"},
        "oidcIssuerProfile": {"enabled": False},
        "securityProfile": {"workloadIdentity": {"enabled": False}, "imageCleaner": {"enabled": False}},
        "addonProfiles": {"azurepolicy": {"enabled": False}},
    }
    assert cluster.protect is False  # a stack's protect setting reaches the cluster (prod: tests/test_api_zone.py)
    names = {r.name for r in mocks.registrations}
    # No maintenance window for channels that are off, no Container Insights rule, no zone grants, no Kubernetes role
    # for the deployer (without Entra ID the cluster's own RBAC and credentials apply).
    assert not {n for n in names if "maintenance" in n or "container-insights" in n or n.endswith(("api-zone-role", "vnet-role"))}
    assert "aks-app-deployer-cluster-admin" not in names
    assert {r.name for r in mocks.by_type("azure-native:authorization:RoleAssignment")} == {"aks-app-subnet-nodes-role"}
    # loadBalancer egress: the nodes wait for the VNet's DNS, not for the peerings (and so not for a gateway).
    assert mocks.named("dns-link").urn in cluster.dependencies and mocks.named("peering").urn not in cluster.dependencies
    assert mocks.named("aks-app-diagnostics").get("workspaceId") == WORKSPACE
    (provider,) = mocks.by_type("pulumi:providers:kubernetes")
    assert provider.dependencies == [cluster.urn]  # through the credentials it reads; no role to wait for


def test_without_a_workspace_nothing_reports_and_with_entra_without_azure_rbac_no_deployer_role() -> None:
    mocks = alone({"entraId": {"azureRbac": False, "adminGroupObjectIds": ["44444444-4444-4444-4444-444444444444"]},
                   "upgradeChannel": "stable", "nodeOsUpgradeChannel": "None",
                   "maintenanceWindow": {"dayOfWeek": "Tuesday", "startTime": "22:30", "durationHours": 6, "utcOffset": "+01:00"},
                   "networkPolicy": "cilium", "networkPluginMode": "overlay", "podCidr": "100.70.0.0/16"}, workspace=None)
    cluster = mocks.named("aks-app-cluster")
    assert cluster.get("aadProfile") == {"managed": True, "enableAzureRBAC": False, "adminGroupObjectIDs": ["44444444-4444-4444-4444-444444444444"]}
    assert cluster.get("securityProfile") == {"workloadIdentity": {"enabled": True}, "imageCleaner": {"enabled": True, "intervalHours": 168}}
    assert cluster.get("addonProfiles") == {"azurepolicy": {"enabled": True}}
    assert cluster.get("apiServerAccessProfile") == {"enablePrivateCluster": True, "privateDNSZone": "system"}
    assert cluster.get("networkProfile.networkDataplane") == "cilium" and cluster.get("networkProfile.podCidr") == "100.70.0.0/16"
    names = {r.name for r in mocks.registrations}
    assert not {n for n in names if "diagnostics" in n or "container-insights" in n}
    assert "aks-app-deployer-cluster-admin" not in names
    (window,) = mocks.by_type("azure-native:containerservice:MaintenanceConfiguration")
    assert window.name == "aks-app-maintenance-upgrade" and window.inputs == {
        "resourceGroupName": "rg-t-app", "resourceName": "aks-t-app", "configName": "aksManagedAutoUpgradeSchedule",
        "maintenanceWindow": {"schedule": {"weekly": {"dayOfWeek": "Tuesday", "intervalWeeks": 1}},
                              "startTime": "22:30", "durationHours": 6, "utcOffset": "+01:00"}}


def test_only_the_node_os_channel_gets_its_window_when_cluster_upgrades_are_off() -> None:
    mocks = alone({"upgradeChannel": "none", "nodeOsUpgradeChannel": "SecurityPatch"}, kubernetes=False)
    (window,) = mocks.by_type("azure-native:containerservice:MaintenanceConfiguration")
    assert (window.name, window.get("configName")) == ("aks-app-maintenance-node-os", "aksManagedNodeOSUpgradeSchedule")
    assert not [r for r in mocks.registrations if r.type.startswith(("kubernetes:", "pulumi:providers:kubernetes"))]


def test_a_hub_zone_cluster_with_udr_grants_and_waits() -> None:
    mocks = alone({"privateDnsZone": "hub", "userPools": [{"name": "gpu", "subnet": "gpu", "minCount": 0, "maxCount": 2}],
                   "internalServices": [{"name": "api", "namespace": "team", "subnet": "lb", "port": 80, "targetPort": 8080}],
                   "externalBackends": [{"name": "db", "namespace": "data", "externalName": "db.corp.example.com"},
                                        {"name": "ldap", "externalName": "ldap.corp.example.com"}]},
                  route_table=True)
    cluster = mocks.named("aks-app-cluster")
    assert cluster.get("fqdnSubdomain") == "aks-t-app" and "dnsPrefix" not in cluster.inputs
    assert cluster.get("apiServerAccessProfile") == {"enablePrivateCluster": True, "privateDNSZone": ZONE_ID}
    assert cluster.get("networkProfile.outboundType") == "userDefinedRouting"
    grants = {r.name: r for r in mocks.by_type("azure-native:authorization:RoleAssignment")}
    scopes = {name: g.get("scope") for name, g in grants.items() if name != "aks-app-deployer-cluster-admin"}
    assert scopes == {"aks-app-subnet-nodes-role": SUBNETS["nodes"], "aks-app-subnet-gpu-role": SUBNETS["gpu"],
                      "aks-app-subnet-lb-role": SUBNETS["lb"], "aks-app-route-table-role": mocks.named("rt").id,
                      "aks-app-api-zone-role": ZONE_ID, "aks-app-vnet-role": f"{SUB}/virtualNetworks/vnet-t-app"}
    # Each role under its scope's subscription (the zone lives in the hub's).
    assert grants["aks-app-api-zone-role"].get("roleDefinitionId") == (
        f"/subscriptions/22222222-2222-2222-2222-222222222222/providers/Microsoft.Authorization/roleDefinitions/{PRIVATE_DNS_ZONE_CONTRIBUTOR}")
    assert grants["aks-app-subnet-gpu-role"].get("roleDefinitionId") == (
        f"/subscriptions/11111111-1111-1111-1111-111111111111/providers/Microsoft.Authorization/roleDefinitions/{NETWORK_CONTRIBUTOR}")
    assert {g.urn for name, g in grants.items() if name != "aks-app-deployer-cluster-admin"} | {mocks.named(n).urn for n in ("rt", "peering", "dns-link")} <= set(cluster.dependencies)
    admin = grants["aks-app-deployer-cluster-admin"]
    assert (admin.get("principalId"), admin.get("principalType")) == (DEPLOYER, "User")
    assert admin.get("roleDefinitionId") == (
        f"/subscriptions/11111111-1111-1111-1111-111111111111/providers/Microsoft.Authorization/roleDefinitions/{AKS_RBAC_CLUSTER_ADMIN}")
    (provider,) = mocks.by_type("pulumi:providers:kubernetes")
    assert admin.urn in provider.dependencies
    pool = mocks.named("aks-app-pool-gpu")
    assert (pool.get("vnetSubnetID"), pool.get("count"), pool.get("minCount")) == (SUBNETS["gpu"], 0, 0)
    namespaces = {r.name: r.get("metadata") for r in mocks.by_type("kubernetes:core/v1:Namespace")}
    assert namespaces == {"aks-app-ns-data": {"name": "data"}, "aks-app-ns-team": {"name": "team"}}  # default exists already
    assert mocks.named("aks-app-ns-team").urn in mocks.named("aks-app-svc-team-api").dependencies
    assert mocks.named("aks-app-ns-data").urn in mocks.named("aks-app-ext-data-db").dependencies
    assert mocks.named("aks-app-ext-default-ldap").dependencies == []
    for r in mocks.registrations:
        if r.type.startswith("kubernetes:"):
            assert r.provider is not None and r.provider.startswith(provider.urn), r.name


def test_a_kubeconfig_from_config_is_used_as_given_after_the_cluster() -> None:
    mocks = alone({}, kubeconfig="apiVersion: v1\nkind: Config\n")
    (provider,) = mocks.by_type("pulumi:providers:kubernetes")
    assert unwrap(provider.inputs["kubeconfig"]) == "apiVersion: v1\nkind: Config\n" and is_secret(provider.inputs["kubeconfig"])
    assert provider.dependencies == [mocks.named("aks-app-cluster").urn]
    assert "aks-app-deployer-cluster-admin" not in {r.name for r in mocks.registrations}


def test_kubeconfig_conversion_per_user() -> None:
    """kubelogin's converter: only kubelogin exec users with a --server-id change; a --cache-dir (or the older
    --token-cache-dir) is kept as --cache-dir; everything else stays as it was."""
    from components.aks_cluster import noninteractive_kubeconfig

    def user(name: str, command: str, args: list[str]) -> dict[str, Any]:
        return {"name": name, "user": {"exec": {"apiVersion": "client.authentication.k8s.io/v1", "command": command, "args": args}}}

    document = {"apiVersion": "v1", "kind": "Config", "users": [
        user("cache", "/usr/local/bin/Kubelogin", ["get-token", "--server-id", "s1", "--cache-dir", "/c", "--login", "devicecode"]),
        user("token-cache", "kubelogin", ["get-token", "--token-cache-dir", "/t", "--server-id", "s2"]),
        user("no-server", "kubelogin", ["get-token", "--login", "devicecode"]),
        user("flag-last", "kubelogin", ["get-token", "--server-id"]),
        user("other", "aws", ["eks", "get-token", "--server-id", "x"]),
        {"name": "token", "user": {"token": "t"}},
        {"name": "empty"},
    ]}
    converted = yaml.safe_load(noninteractive_kubeconfig(yaml.safe_dump(document)))
    azurecli = {"apiVersion": "client.authentication.k8s.io/v1beta1", "command": "kubelogin"}
    assert converted["users"] == [
        {"name": "cache", "user": {"exec": {**azurecli, "args": ["get-token", "--login", "azurecli", "--server-id", "s1", "--cache-dir", "/c"]}}},
        {"name": "token-cache", "user": {"exec": {**azurecli, "args": ["get-token", "--login", "azurecli", "--server-id", "s2", "--cache-dir", "/t"]}}},
        *document["users"][2:]]
    assert noninteractive_kubeconfig("") == ""
    assert noninteractive_kubeconfig("- just\n- a list\n") == "- just\n- a list\n"
    assert yaml.safe_load(noninteractive_kubeconfig("apiVersion: v1\nusers:\n")) == {"apiVersion": "v1", "users": None}


def test_the_cluster_registers_its_outputs(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.test_onprem_site import recorded_component_outputs
    recorded = recorded_component_outputs(monkeypatch)
    mocks = alone({}, kubeconfig="apiVersion: v1\nkind: Config\n")
    (component,) = [r for r in mocks.registrations if r.type == "hybrid-aks:aks:Cluster"]
    outputs = recorded[component.urn]
    kubeconfig = outputs.pop("kubeconfig")
    assert outputs == {"clusterName": "aks-t-app", "clusterId": mocks.named("aks-app-cluster").id,
                       "identityPrincipalId": mocks.named("aks-app-subnet-nodes-role").get("principalId")}  # the identity's
    assert is_secret(kubeconfig) and unwrap(kubeconfig) == "apiVersion: v1\nkind: Config\n"
    recorded.clear()
    mocks = alone({}, kubernetes=False)
    (component,) = [r for r in mocks.registrations if r.type == "hybrid-aks:aks:Cluster"]
    assert "kubeconfig" not in recorded[component.urn] and recorded[component.urn]["clusterName"] == "aks-t-app"
