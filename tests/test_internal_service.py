"""The internal-service component alone, on small inputs: the whole Kubernetes Service, NetworkPolicy and Deployment
as the API server would receive them (literal values)."""

from __future__ import annotations

from typing import Any

import pytest

from components.internal_service import InternalService, annotations_for
from config.model import InternalService as InternalServiceConfig
from offline.mocks import RecordingMocks
from tests.k8s_component import build_under_cluster, k8s

INTERNAL = "service.beta.kubernetes.io/azure-load-balancer-internal"
SUBNET = "service.beta.kubernetes.io/azure-load-balancer-internal-subnet"
IPV4 = "service.beta.kubernetes.io/azure-load-balancer-ipv4"
PROBE_PROTOCOL = "service.beta.kubernetes.io/azure-load-balancer-health-probe-protocol"
PROBE_PATH = "service.beta.kubernetes.io/azure-load-balancer-health-probe-request-path"
RESTRICTED = {"runAsNonRoot": True, "runAsUser": 2000, "runAsGroup": 2000, "allowPrivilegeEscalation": False, "privileged": False,
              "capabilities": {"drop": ["ALL"]}, "seccompProfile": {"type": "RuntimeDefault"}}


def service(**fields: Any) -> InternalServiceConfig:
    return InternalServiceConfig.model_validate({"name": "api", "subnet": "ilb", "port": 8080, "targetPort": 8080, **fields})


def build(config: InternalServiceConfig) -> RecordingMocks:
    return build_under_cluster(lambda opts: InternalService("svc", config, opts=opts))


def test_annotations_for_each_option() -> None:
    assert annotations_for(service()) == {INTERNAL: "true", SUBNET: "ilb"}
    assert annotations_for(service(subnet="lb2", staticIp="10.0.8.9", healthProbeRequestPath="/ready")) == {
        INTERNAL: "true", SUBNET: "lb2", IPV4: "10.0.8.9", PROBE_PROTOCOL: "http", PROBE_PATH: "/ready"}


def test_a_service_without_app_is_a_load_balancer_and_an_ingress_fence_only() -> None:
    mocks = build(service(namespace="shop", protocol="UDP", externalTrafficPolicy="Local", port=514, targetPort=5514))
    assert k8s(mocks, "svc-service") == {
        "metadata": {"name": "api", "namespace": "shop", "labels": {"app": "api"}, "annotations": {INTERNAL: "true", SUBNET: "ilb"}},
        "spec": {"type": "LoadBalancer", "selector": {"app": "api"}, "externalTrafficPolicy": "Local",
                 "ports": [{"name": "service", "port": 514, "targetPort": 5514, "protocol": "UDP"}]}}
    assert k8s(mocks, "svc-network-policy") == {
        "metadata": {"name": "api", "namespace": "shop", "labels": {"app": "api"}},
        "spec": {"podSelector": {"matchLabels": {"app": "api"}}, "policyTypes": ["Ingress"],
                 "ingress": [{"ports": [{"port": 5514, "protocol": "UDP"}]}]}}
    assert sorted(r.type for r in mocks.registrations if r.type.startswith("kubernetes:")) == ["kubernetes:core/v1:Service", "kubernetes:networking.k8s.io/v1:NetworkPolicy"]
    component = next(r for r in mocks.registrations if r.type == "hybrid-aks:k8s:InternalService")
    assert all(r.parent == component.urn for r in mocks.registrations if r.type.startswith("kubernetes:"))


APP = {"image": "example.azurecr.io/api:2.1", "containerPort": 8080, "replicas": 2, "args": ["--listen", ":8080"],
       "runAsUser": 2000, "readOnlyRootFilesystem": False, "writablePaths": [], "cpuRequest": "50m", "memoryRequest": "64Mi",
       "cpuLimit": "1", "memoryLimit": "1Gi"}


def test_an_app_on_the_service_port_runs_alone_with_no_sysctl_and_no_volumes() -> None:
    mocks = build(service(app=APP))
    context = {**RESTRICTED, "readOnlyRootFilesystem": False}
    probe = {"tcpSocket": {"port": 8080}, "periodSeconds": 10}
    assert k8s(mocks, "svc-deployment") == {
        "metadata": {"name": "api", "namespace": "default", "labels": {"app": "api"}},
        "spec": {
            "replicas": 2, "selector": {"matchLabels": {"app": "api"}},
            "template": {
                "metadata": {"labels": {"app": "api"}},
                "spec": {
                    "containers": [{
                        "name": "app", "image": "example.azurecr.io/api:2.1", "args": ["--listen", ":8080"], "imagePullPolicy": "Always",
                        "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                        "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"cpu": "1", "memory": "1Gi"}},
                        "securityContext": context,
                        "readinessProbe": {**probe, "initialDelaySeconds": 0}, "livenessProbe": {**probe, "initialDelaySeconds": 10}}],
                    "automountServiceAccountToken": False,
                    "securityContext": {"runAsNonRoot": True, "runAsUser": 2000, "runAsGroup": 2000, "fsGroup": 2000,
                                        "seccompProfile": {"type": "RuntimeDefault"}},
                    "topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "kubernetes.io/hostname",
                                                   "whenUnsatisfiable": "ScheduleAnyway", "labelSelector": {"matchLabels": {"app": "api"}}}]}}}}
    assert k8s(mocks, "svc-network-policy") == {
        "metadata": {"name": "api", "namespace": "default", "labels": {"app": "api"}},
        "spec": {"podSelector": {"matchLabels": {"app": "api"}}, "policyTypes": ["Ingress", "Egress"],
                 "ingress": [{"ports": [{"port": 8080, "protocol": "TCP"}]}],
                 "egress": [{"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                                     "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}],
                             "ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]}]}}


def test_a_udp_app_behind_a_low_pod_port_gets_the_sidecar_the_sysctl_volumes_and_no_probes() -> None:
    mocks = build(service(protocol="UDP", port=514, targetPort=514, app={
        "image": "example.azurecr.io/syslog:1", "containerPort": 5514, "writablePaths": ["/tmp", "/var/run"]}))
    pod = mocks.named("svc-deployment").get("spec.template.spec")
    context = {**RESTRICTED, "runAsUser": 10001, "runAsGroup": 10001, "readOnlyRootFilesystem": True}
    assert pod["containers"] == [
        {"name": "app", "image": "example.azurecr.io/syslog:1", "imagePullPolicy": "Always",
         "ports": [{"containerPort": 5514, "protocol": "UDP"}],
         "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": "500m", "memory": "256Mi"}},
         "securityContext": context,
         "volumeMounts": [{"name": "writable-0", "mountPath": "/tmp"}, {"name": "writable-1", "mountPath": "/var/run"}]},
        {"name": "port-map", "image": "alpine/socat:1.8.0.1", "imagePullPolicy": "Always",
         "args": ["UDP-LISTEN:514,fork,reuseaddr", "UDP:127.0.0.1:5514"],
         "ports": [{"containerPort": 514, "protocol": "UDP"}],
         "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}, "limits": {"cpu": "100m", "memory": "64Mi"}},
         "securityContext": context}]
    assert pod["volumes"] == [{"name": "writable-0", "emptyDir": {"sizeLimit": "64Mi"}}, {"name": "writable-1", "emptyDir": {"sizeLimit": "64Mi"}}]
    assert pod["securityContext"]["sysctls"] == [{"name": "net.ipv4.ip_unprivileged_port_start", "value": "0"}]
    assert mocks.named("svc-deployment").get("spec.replicas") == 3


def test_the_unprivileged_port_sysctl_follows_the_lowest_port_bound_in_the_pod() -> None:
    def sysctls(container_port: int, target_port: int) -> Any:
        mocks = build(service(port=80, targetPort=target_port, app={"image": "example.azurecr.io/a:1", "containerPort": container_port}))
        return mocks.named("svc-deployment").get("spec.template.spec.securityContext.sysctls")

    assert sysctls(1024, 1024) is None
    assert sysctls(1023, 8080) == [{"name": "net.ipv4.ip_unprivileged_port_start", "value": "0"}]
    assert sysctls(8080, 1023) == [{"name": "net.ipv4.ip_unprivileged_port_start", "value": "0"}]


def test_the_service_registers_its_name(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.test_onprem_site import recorded_component_outputs
    recorded = recorded_component_outputs(monkeypatch)
    mocks = build(service())
    (component,) = [r for r in mocks.registrations if r.type == "hybrid-aks:k8s:InternalService"]
    assert recorded[component.urn] == {"serviceName": "api"}


def test_a_tcp_port_map_sidecar_is_probed_like_the_app_on_its_own_port() -> None:
    mocks = build(service(port=90, targetPort=8085, app={"image": "example.azurecr.io/a:1", "containerPort": 8080}))
    app, port_map = mocks.named("svc-deployment").get("spec.template.spec.containers")
    assert (app["readinessProbe"], app["livenessProbe"]) == (
        {"tcpSocket": {"port": 8080}, "initialDelaySeconds": 0, "periodSeconds": 10},
        {"tcpSocket": {"port": 8080}, "initialDelaySeconds": 10, "periodSeconds": 10})
    assert (port_map["readinessProbe"], port_map["livenessProbe"]) == (
        {"tcpSocket": {"port": 8085}, "initialDelaySeconds": 0, "periodSeconds": 10},
        {"tcpSocket": {"port": 8085}, "initialDelaySeconds": 10, "periodSeconds": 10})
    assert port_map["args"] == ["TCP-LISTEN:8085,fork,reuseaddr", "TCP:127.0.0.1:8080"]
