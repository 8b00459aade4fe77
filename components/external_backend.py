"""A Service for a backend outside the cluster: selector-less with an EndpointSlice, or ExternalName.

Neither has readiness probes: Kubernetes sends traffic to the listed addresses whether or not they answer,
so health must come from elsewhere (the on-prem load balancer, or an Azure load balancer probe).
"""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s
from pulumi import ResourceOptions

from config.model import ExternalBackend as ExternalBackendConfig

SERVICE_NAME_LABEL = "kubernetes.io/service-name"
MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by"
MANAGED_BY = "hybrid-aks"  # not the EndpointSlice controller, which would otherwise reconcile it away


class ExternalBackend(pulumi.ComponentResource):
    def __init__(self, name: str, backend: ExternalBackendConfig, opts: ResourceOptions | None = None) -> None:
        super().__init__("hybrid-aks:k8s:ExternalBackend", name, None, opts)
        child = ResourceOptions(parent=self)
        metadata = k8s.meta.v1.ObjectMetaArgs(name=backend.name, namespace=backend.namespace)
        if backend.external_name:
            service = k8s.core.v1.Service(
                f"{name}-service", metadata=metadata,
                spec=k8s.core.v1.ServiceSpecArgs(type="ExternalName", external_name=backend.external_name), opts=child)
        else:
            ports = [(p.name or f"port-{p.port}", p.port, p.target_port or p.port, p.protocol) for p in backend.ports]
            service = k8s.core.v1.Service(
                f"{name}-service", metadata=metadata,
                spec=k8s.core.v1.ServiceSpecArgs(ports=[
                    k8s.core.v1.ServicePortArgs(name=port_name, port=port, target_port=target, protocol=protocol)
                    for port_name, port, target, protocol in ports]),
                opts=child)
            k8s.discovery.v1.EndpointSlice(
                f"{name}-endpoints",
                metadata=k8s.meta.v1.ObjectMetaArgs(
                    name=f"{backend.name}-onprem", namespace=backend.namespace,
                    labels={SERVICE_NAME_LABEL: backend.name, MANAGED_BY_LABEL: MANAGED_BY}),
                address_type="IPv4",
                endpoints=[k8s.discovery.v1.EndpointArgs(addresses=[address], conditions=k8s.discovery.v1.EndpointConditionsArgs(ready=True))
                           for address in backend.addresses],
                ports=[k8s.discovery.v1.EndpointPortArgs(name=port_name, port=target, protocol=protocol)
                       for port_name, _, target, protocol in ports],
                opts=child)
        self.service_name = service.metadata.name
        self.register_outputs({"serviceName": self.service_name})
