"""A Kubernetes component built alone under the mocks, with the cluster's provider, which must reach every object."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_kubernetes as k8s_sdk

from offline.mocks import RecordingMocks, install, run


def build_under_cluster(make: Callable[[pulumi.ResourceOptions], object]) -> RecordingMocks:
    """Run `make(opts)` (a component given the cluster's provider) and check every Kubernetes object uses it."""
    mocks = install()

    def program() -> None:
        cluster = k8s_sdk.Provider("cluster", kubeconfig="apiVersion: v1\nkind: Config\n")
        make(pulumi.ResourceOptions(providers={"kubernetes": cluster}))

    run(program, mocks)
    (provider,) = mocks.by_type("pulumi:providers:kubernetes")
    for r in mocks.registrations:
        if r.type.startswith("kubernetes:"):
            assert r.provider is not None and r.provider.startswith(provider.urn + "::"), r.name
    return mocks


def k8s(mocks: RecordingMocks, name: str) -> dict[str, Any]:
    """An object's inputs as the API server receives them, without apiVersion and kind."""
    return {k: v for k, v in mocks.named(name).inputs.items() if k not in ("apiVersion", "kind")}
