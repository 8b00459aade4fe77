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
        self._create_network_policy(name, service, labels)
        self.register_outputs({"serviceName": self.service.metadata.name})

    def _create_network_policy(self, name: str, service: InternalServiceConfig, labels: dict[str, str]) -> None:
        """Default deny for the service's pods, then only its own traffic: ingress on the pod port (from anywhere: the
        internal load balancer keeps on-prem client addresses) and, for the pods this program runs, egress to DNS only.
        Pods of a service without `app` belong to someone else: their egress is left to them."""
        egress = None
        if service.app:
            egress = [k8s.networking.v1.NetworkPolicyEgressRuleArgs(
                to=[k8s.networking.v1.NetworkPolicyPeerArgs(
                    namespace_selector=k8s.meta.v1.LabelSelectorArgs(match_labels={"kubernetes.io/metadata.name": "kube-system"}),
                    pod_selector=k8s.meta.v1.LabelSelectorArgs(match_labels={"k8s-app": "kube-dns"}))],
                ports=[k8s.networking.v1.NetworkPolicyPortArgs(port=53, protocol=protocol) for protocol in ("UDP", "TCP")])]
        k8s.networking.v1.NetworkPolicy(
            f"{name}-network-policy",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=service.name, namespace=service.namespace, labels=labels),
            spec=k8s.networking.v1.NetworkPolicySpecArgs(
                pod_selector=k8s.meta.v1.LabelSelectorArgs(match_labels=labels),
                policy_types=["Ingress", "Egress"] if service.app else ["Ingress"],
                ingress=[k8s.networking.v1.NetworkPolicyIngressRuleArgs(
                    ports=[k8s.networking.v1.NetworkPolicyPortArgs(port=service.target_port, protocol=service.protocol)])],
                egress=egress),
            opts=ResourceOptions(parent=self))

    def _create_deployment(self, name: str, service: InternalServiceConfig, app: App, labels: dict[str, str]) -> None:
        """Restricted pod security (Kubernetes pod-security-standards "restricted"): non-root, no privilege escalation, no
        capabilities, RuntimeDefault seccomp, read-only root filesystem, requests and limits, probes, no API token."""
        app_port = app.container_port
        tcp = service.protocol == "TCP"
        resources = k8s.core.v1.ResourceRequirementsArgs(
            requests={"cpu": app.cpu_request, "memory": app.memory_request},
            limits={"cpu": app.cpu_limit, "memory": app.memory_limit})
        security = k8s.core.v1.SecurityContextArgs(
            run_as_non_root=True, run_as_user=app.run_as_user, run_as_group=app.run_as_user, allow_privilege_escalation=False,
            privileged=False, read_only_root_filesystem=app.read_only_root_filesystem,
            capabilities=k8s.core.v1.CapabilitiesArgs(drop=["ALL"]),
            seccomp_profile=k8s.core.v1.SeccompProfileArgs(type="RuntimeDefault"))

        def probe(port: int, delay: int) -> k8s.core.v1.ProbeArgs | None:
            # A TCP connect to the port; UDP has no generic probe (README: remaining findings).
            return k8s.core.v1.ProbeArgs(tcp_socket=k8s.core.v1.TCPSocketActionArgs(port=port), initial_delay_seconds=delay,
                                         period_seconds=10) if tcp else None

        volumes = [(f"writable-{i}", path) for i, path in enumerate(app.writable_paths)]
        containers = [k8s.core.v1.ContainerArgs(
            name="app", image=app.image, args=list(app.args) or None, image_pull_policy="Always",
            ports=[k8s.core.v1.ContainerPortArgs(container_port=app_port, protocol=service.protocol)],
            resources=resources, security_context=security,
            volume_mounts=[k8s.core.v1.VolumeMountArgs(name=volume, mount_path=path) for volume, path in volumes] or None,
            readiness_probe=probe(app_port, 0), liveness_probe=probe(app_port, 10))]
        if app_port != service.target_port:
            # The port-map sidecar stays: Kubernetes has no pod-level port mapping, and the seed scenario keeps the container,
            # pod and service ports distinct (80/8080 -> 85 -> 90). It meets the same bar as the app, with small resources.
            protocol = service.protocol  # "TCP" or "UDP": socat's address types TCP-LISTEN/TCP, UDP-LISTEN/UDP
            containers.append(k8s.core.v1.ContainerArgs(
                name="port-map", image=PORT_MAP_IMAGE, image_pull_policy="Always",
                args=[f"{protocol}-LISTEN:{service.target_port},fork,reuseaddr", f"{protocol}:127.0.0.1:{app_port}"],
                ports=[k8s.core.v1.ContainerPortArgs(container_port=service.target_port, protocol=service.protocol)],
                resources=k8s.core.v1.ResourceRequirementsArgs(requests={"cpu": "10m", "memory": "16Mi"},
                                                               limits={"cpu": "100m", "memory": "64Mi"}),
                security_context=security, readiness_probe=probe(service.target_port, 0),
                liveness_probe=probe(service.target_port, 10)))
        low_ports = min(app_port, service.target_port) < 1024
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
                        automount_service_account_token=False,
                        security_context=k8s.core.v1.PodSecurityContextArgs(
                            run_as_non_root=True, run_as_user=app.run_as_user, run_as_group=app.run_as_user,
                            fs_group=app.run_as_user, seccomp_profile=k8s.core.v1.SeccompProfileArgs(type="RuntimeDefault"),
                            # A non-root process binds a port below 1024 without NET_BIND_SERVICE: a namespaced, "safe" sysctl.
                            sysctls=[k8s.core.v1.SysctlArgs(name="net.ipv4.ip_unprivileged_port_start", value="0")] if low_ports else None),
                        volumes=[k8s.core.v1.VolumeArgs(name=volume, empty_dir=k8s.core.v1.EmptyDirVolumeSourceArgs(size_limit="64Mi"))
                                 for volume, _ in volumes] or None,
                        # One pod per node where there are enough nodes, as in the seed scenario.
                        topology_spread_constraints=[k8s.core.v1.TopologySpreadConstraintArgs(
                            max_skew=1, topology_key="kubernetes.io/hostname", when_unsatisfiable="ScheduleAnyway",
                            label_selector=k8s.meta.v1.LabelSelectorArgs(match_labels=labels))]))),
            opts=ResourceOptions(parent=self))
