"""A Kubernetes Service on an internal Azure load balancer, in a chosen subnet, and optionally its workload.

The seed scenario maps three ports: the container listens on 80, the pod exposes 85, the service 90. A
Kubernetes pod has no port mapping of its own (its ports are its containers' ports), so when the app's
containerPort differs from the service's targetPort, a small socat sidecar listens on targetPort and
forwards to the app's port inside the pod. The load balancer then sends 90 -> 85 -> 80, as in the seed.
"""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s
from pulumi import ResourceOptions

from config.model import App
from config.model import InternalService as InternalServiceConfig
from config.registries import PORT_MAP_IMAGE

INTERNAL = "service.beta.kubernetes.io/azure-load-balancer-internal"
INTERNAL_SUBNET = "service.beta.kubernetes.io/azure-load-balancer-internal-subnet"
STATIC_IP = "service.beta.kubernetes.io/azure-load-balancer-ipv4"  # spec.loadBalancerIP is deprecated
PROBE_PROTOCOL = "service.beta.kubernetes.io/azure-load-balancer-health-probe-protocol"
PROBE_PATH = "service.beta.kubernetes.io/azure-load-balancer-health-probe-request-path"


def annotations_for(service: InternalServiceConfig) -> dict[str, str]:
    annotations = {INTERNAL: "true", INTERNAL_SUBNET: service.subnet}
    if service.static_ip:
        annotations[STATIC_IP] = service.static_ip
    if service.health_probe_request_path:
        annotations[PROBE_PROTOCOL] = "http"
        annotations[PROBE_PATH] = service.health_probe_request_path
    return annotations


class InternalService(pulumi.ComponentResource):
    def __init__(self, name: str, service: InternalServiceConfig, opts: ResourceOptions | None = None) -> None:
        super().__init__("hybrid-aks:k8s:InternalService", name, None, opts)
        labels = {"app": service.name}
        self.service = k8s.core.v1.Service(
            f"{name}-service",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=service.name, namespace=service.namespace, labels=labels,
                                                annotations=annotations_for(service)),
            spec=k8s.core.v1.ServiceSpecArgs(
                type="LoadBalancer", selector=labels, external_traffic_policy=service.external_traffic_policy,
                ports=[k8s.core.v1.ServicePortArgs(name="service", port=service.port, target_port=service.target_port,
                                                   protocol=service.protocol)]),
            opts=ResourceOptions(parent=self))
        if service.app:
            self._create_deployment(name, service, service.app, labels)
        self.register_outputs({"serviceName": self.service.metadata.name})

    def _create_deployment(self, name: str, service: InternalServiceConfig, app: App, labels: dict[str, str]) -> None:
        app_port = app.container_port
        containers = [k8s.core.v1.ContainerArgs(
            name="app", image=app.image, args=list(app.args) or None,
            ports=[k8s.core.v1.ContainerPortArgs(container_port=app_port, protocol=service.protocol)])]
        if app_port != service.target_port:
            protocol = service.protocol.lower()
            containers.append(k8s.core.v1.ContainerArgs(
                name="port-map", image=PORT_MAP_IMAGE,
                args=[f"{protocol.upper()}-LISTEN:{service.target_port},fork,reuseaddr", f"{protocol.upper()}:127.0.0.1:{app_port}"],
                ports=[k8s.core.v1.ContainerPortArgs(container_port=service.target_port, protocol=service.protocol)]))
        k8s.apps.v1.Deployment(
            f"{name}-deployment",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=service.name, namespace=service.namespace, labels=labels),
            spec=k8s.apps.v1.DeploymentSpecArgs(
                replicas=app.replicas,
                selector=k8s.meta.v1.LabelSelectorArgs(match_labels=labels),
                template=k8s.core.v1.PodTemplateSpecArgs(
                    metadata=k8s.meta.v1.ObjectMetaArgs(labels=labels),
                    spec=k8s.core.v1.PodSpecArgs(
                        containers=containers,
                        # One pod per node where there are enough nodes, as in the seed scenario.
                        topology_spread_constraints=[k8s.core.v1.TopologySpreadConstraintArgs(
                            max_skew=1, topology_key="kubernetes.io/hostname", when_unsatisfiable="ScheduleAnyway",
                            label_selector=k8s.meta.v1.LabelSelectorArgs(match_labels=labels))]))),
            opts=ResourceOptions(parent=self))
