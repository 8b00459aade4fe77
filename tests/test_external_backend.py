"""The external-backend component alone, on small inputs: the whole selector-less Service and its EndpointSlice, or
the ExternalName Service, as the API server would receive them (literal values)."""

from __future__ import annotations

from typing import Any

import pytest

from components.external_backend import ExternalBackend
from config.model import ExternalBackend as ExternalBackendConfig
from offline.mocks import RecordingMocks
from tests.k8s_component import build_under_cluster, k8s


def build(**fields: Any) -> RecordingMocks:
    config = ExternalBackendConfig.model_validate({"name": "db", **fields})
    return build_under_cluster(lambda opts: ExternalBackend("ext", config, opts=opts))


def test_addresses_and_ports_make_a_selector_less_service_and_its_endpoint_slice() -> None:
    mocks = build(namespace="data", addresses=["172.16.1.5", "172.16.1.6"], ports=[
        {"name": "sql", "port": 1433, "targetPort": 11433}, {"port": 53, "protocol": "UDP"}])
    assert k8s(mocks, "ext-service") == {
        "metadata": {"name": "db", "namespace": "data"},
        "spec": {"ports": [{"name": "sql", "port": 1433, "targetPort": 11433, "protocol": "TCP"},
                           {"name": "port-53", "port": 53, "targetPort": 53, "protocol": "UDP"}]}}
    assert k8s(mocks, "ext-endpoints") == {
        "metadata": {"name": "db-onprem", "namespace": "data",
                     "labels": {"kubernetes.io/service-name": "db", "endpointslice.kubernetes.io/managed-by": "hybrid-aks"}},
        "addressType": "IPv4",
        "endpoints": [{"addresses": ["172.16.1.5"], "conditions": {"ready": True}},
                      {"addresses": ["172.16.1.6"], "conditions": {"ready": True}}],
        # The slice lists the backend's own ports: the Service's targetPort, under the Service port's name.
        "ports": [{"name": "sql", "port": 11433, "protocol": "TCP"}, {"name": "port-53", "port": 53, "protocol": "UDP"}]}
    component = next(r for r in mocks.registrations if r.type == "hybrid-aks:k8s:ExternalBackend")
    assert all(r.parent == component.urn for r in mocks.registrations if r.type.startswith("kubernetes:"))


def test_an_external_name_is_a_service_alone() -> None:
    mocks = build(externalName="db.corp.example.com")
    assert k8s(mocks, "ext-service") == {"metadata": {"name": "db", "namespace": "default"},
                                         "spec": {"type": "ExternalName", "externalName": "db.corp.example.com"}}
    assert [r.type for r in mocks.registrations if r.type.startswith("kubernetes:")] == ["kubernetes:core/v1:Service"]


def test_the_backend_registers_its_service_name(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.test_onprem_site import recorded_component_outputs
    recorded = recorded_component_outputs(monkeypatch)
    for fields in ({"externalName": "db.corp.example.com"}, {"addresses": ["172.16.1.5"], "ports": [{"port": 1433}]}):
        recorded.clear()
        mocks = build(**fields)
        (component,) = [r for r in mocks.registrations if r.type == "hybrid-aks:k8s:ExternalBackend"]
        assert recorded[component.urn] == {"serviceName": "db"}
