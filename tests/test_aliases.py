"""The program drops azure-native's API-version aliases and keeps its own (components/common.py)."""

from __future__ import annotations

import re

import pulumi
import pulumi_azure_native as azure
import pytest

from components.common import without_api_version_aliases
from offline.mocks import RecordingMocks, install, run
from tests.stacks import STACKS, evaluated

API_VERSION_TYPE = re.compile(r"^azure-native:[^:/]+/v\d{8}")


def alias_types(aliases: list[dict]) -> list[str]:
    return [alias.get("spec", {}).get("type", "") for alias in aliases]


@pytest.mark.parametrize("stack", STACKS)
def test_no_shipped_stack_sends_api_version_aliases(stack: str) -> None:
    azure_resources = [r for r in evaluated(stack).registrations if r.type.startswith("azure-native:")]
    assert azure_resources
    sent = [(r.name, t) for r in azure_resources for t in alias_types(r.aliases) if API_VERSION_TYPE.match(t)]
    assert sent == []


def resource_group(transform: bool, aliases: list[pulumi.Alias]) -> RecordingMocks:
    mocks = install()

    def program() -> None:
        if transform:
            pulumi.runtime.register_stack_transformation(without_api_version_aliases)
        azure.resources.ResourceGroup("rg", resource_group_name="rg-t", opts=pulumi.ResourceOptions(aliases=aliases))

    run(program, mocks)
    return mocks


def test_the_sdk_alone_sends_dozens_of_api_version_aliases() -> None:
    (rg,) = resource_group(transform=False, aliases=[]).registrations
    assert len([t for t in alias_types(rg.aliases) if API_VERSION_TYPE.match(t)]) >= 20


def test_the_programs_own_alias_survives_the_trim() -> None:
    (rg,) = resource_group(transform=True, aliases=[pulumi.Alias(name="rg-old")]).registrations
    assert [alias["spec"].get("name") for alias in rg.aliases] == ["rg-old"]
    assert not any(API_VERSION_TYPE.match(t) for t in alias_types(rg.aliases))


def test_a_type_alias_of_the_programs_own_is_kept() -> None:
    moved = pulumi.Alias(type_="hybrid-aks:network:OldHub")
    (rg,) = resource_group(transform=True, aliases=[moved]).registrations
    assert alias_types(rg.aliases) == ["hybrid-aks:network:OldHub"]


# --- the other shared helpers of components/common.py -------------------------------------------------------------------

def test_diagnostic_setting_with_categories_enables_each_one() -> None:
    from components.common import diagnostic_setting
    from tests.test_hub import build

    def program() -> pulumi.ComponentResource:
        parent = pulumi.ComponentResource("test:index:Parent", "parent")
        diagnostic_setting("d", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks",
                           "/subscriptions/s/workspaces/log", parent, categories=["kube-audit-admin", "guard"], dedicated=True)
        return parent
    built = build(program)
    assert built.inputs("d") == {
        "name": "to-log-analytics", "resourceUri": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks",
        "workspaceId": "/subscriptions/s/workspaces/log", "logAnalyticsDestinationType": "Dedicated",
        "logs": [{"category": "kube-audit-admin", "enabled": True}, {"category": "guard", "enabled": True}],
        "metrics": [{"category": "AllMetrics", "enabled": True}]}
    assert built.named("d").parent == built.named("parent").urn


def test_tuning_the_garbage_collector_collects_freezes_and_raises_the_young_threshold() -> None:
    import gc

    from components.common import tune_gc_for_evaluation
    thresholds = gc.get_threshold()
    try:
        gc.unfreeze()
        garbage: list[object] = []
        garbage.append(garbage)  # a cycle only the collector reclaims
        del garbage
        tune_gc_for_evaluation()
        assert gc.get_threshold() == (100_000, 50, 100)  # young generation every 100,000 net allocations (README, Performance)
        assert gc.get_freeze_count() > 0
        assert gc.get_count()[0] < 100
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
