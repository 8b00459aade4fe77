"""The benchmark's synthetic stacks stay valid, so `make bench` measures the real program, not an error path."""

from __future__ import annotations

import pytest

from config import load_stack
from offline.mocks import install, run_program
from offline.synthetic import synthetic_raw, synthetic_secrets
from tests.stacks import ROOT


@pytest.mark.parametrize("spokes", [1, 25, 500])  # 500: every size `make bench` measures
def test_synthetic_stacks_pass_the_plan_check(spokes: int) -> None:
    secrets = synthetic_secrets(spokes)
    stack = load_stack({**synthetic_raw(spokes), **secrets}, set(secrets))
    assert len(stack.spokes) == spokes and len(stack.sites) == max(1, spokes // 10)


def test_a_synthetic_stack_evaluates_with_every_component() -> None:
    secrets = synthetic_secrets(2)
    mocks = install(config={**synthetic_raw(2), **secrets}, secret_keys=list(secrets))
    run_program(ROOT / "__main__.py", mocks)
    components = {r.type for r in mocks.registrations if not r.custom and not r.type.startswith("pulumi:providers:")}
    assert {"hybrid-aks:network:Hub", "hybrid-aks:network:Spoke", "hybrid-aks:network:HybridGateways", "hybrid-aks:aks:Cluster",
            "hybrid-aks:k8s:InternalService", "hybrid-aks:k8s:ExternalBackend"} <= components
