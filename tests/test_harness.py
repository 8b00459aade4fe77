"""Canary: the assumptions offline/mocks.py and config/source.py make about the Pulumi SDK.

Each assertion names the assumption, so an SDK upgrade that breaks one fails here with a clear message
instead of as a puzzling failure in a stack test. The harness uses only public names: `set_mocks(monitor=)`,
`reset_options`, `get_root_resource`, `pulumi.runtime.test`, `MockMonitor.RegisterResource` calling
`Mocks.new_resource`, the `PULUMI_CONFIG` environment, and the wire form of secrets.
"""

from __future__ import annotations

import inspect
import json
import os

import pulumi
import pulumi_azure_native as azure
import pytest

from config.source import read_stack
from offline.checks import duplicate_azure_ids
from offline.mocks import CONFIG_ENV, SECRET_KEYS_ENV, install, is_secret, run, unwrap

SDK = f"pulumi {pulumi.__version__ if hasattr(pulumi, '__version__') else '(unknown version)'}"


def test_set_mocks_still_takes_a_monitor() -> None:
    params = inspect.signature(pulumi.runtime.set_mocks).parameters
    assert "monitor" in params, f"{SDK}: set_mocks(monitor=...) is gone; offline/mocks.py install() needs another way to record"


def test_registration_records_inputs_options_and_secrets() -> None:
    mocks = install()

    def program() -> None:
        rg = azure.resources.ResourceGroup("rg", resource_group_name="rg-canary")
        azure.network.VirtualNetwork(
            "vnet", resource_group_name=rg.name, virtual_network_name="vnet-canary",
            address_space=azure.network.AddressSpaceArgs(address_prefixes=["10.0.0.0/16"]),
            tags={"secret": pulumi.Output.secret("s3cret")},
            opts=pulumi.ResourceOptions(protect=True, ignore_changes=["tags"], delete_before_replace=True,
                                        replace_on_changes=["addressSpace"], aliases=[pulumi.Alias(name="old-vnet")]))
        pulumi.export("answer", pulumi.Output.secret("42"))

    run(program, mocks)
    assert [r.name for r in mocks.registrations] == ["rg", "vnet"], (
        f"{SDK}: RecordingMonitor no longer sees each RegisterResource (MockMonitor.RegisterResource or new_resource changed)")
    vnet = mocks.named("vnet")
    assert vnet.get("addressSpace.addressPrefixes") == ["10.0.0.0/16"], f"{SDK}: inputs are no longer deserialized in camelCase wire form"
    tags = vnet.inputs["tags"]
    assert is_secret(tags) or is_secret(tags.get("secret")), (
        f"{SDK}: secrets no longer arrive in the wire form offline/mocks.py _SECRET_KEY/_SECRET_SIG expects")
    assert unwrap(vnet.inputs["tags"]) == {"secret": "s3cret"}
    assert vnet.id.endswith("/virtualNetworks/vnet-canary") and vnet.parent and vnet.parent.endswith("::hybrid-aks-test")
    options = vnet.options()
    assert (options["protect"], options["ignoreChanges"], options["deleteBeforeReplace"], options["replaceOnChanges"]) == (
        True, ["tags"], True, ["addressSpace"]), f"{SDK}: RegisterResourceRequest option fields renamed"
    assert any("old-vnet" in json.dumps(alias) for alias in options["aliases"]), f"{SDK}: aliases no longer reach the monitor as specs"
    assert mocks.stack_outputs == {"answer": ("42", True)}, f"{SDK}: stack exports no longer land on get_root_resource().outputs"


def test_config_reaches_the_program_through_pulumi_config_environment() -> None:
    install(config={"hybrid-aks:prefix": "t", "hybrid-aks:x": "1"}, secret_keys=["hybrid-aks:x"])
    assert json.loads(os.environ[CONFIG_ENV])["hybrid-aks:prefix"] == "t"
    assert pulumi.runtime.get_config_env()["hybrid-aks:prefix"] == "t", f"{SDK}: get_config_env no longer reads {CONFIG_ENV}"
    assert pulumi.runtime.get_config_secret_keys_env() == ["hybrid-aks:x"], f"{SDK}: {SECRET_KEYS_ENV} no longer read"
    assert pulumi.Config("hybrid-aks").get("prefix") == "t", f"{SDK}: pulumi.Config no longer falls back to {CONFIG_ENV}"


def test_each_run_starts_from_fresh_config() -> None:
    # pulumi-policy's analyzer copies PULUMI_CONFIG into the SDK's config map (a ContextVar whose default dict is
    # shared); a later run must not read the earlier run's values from there instead of its own.
    install(config={"hybrid-aks:prefix": "first", "hybrid-aks:vpnSharedKey-lab": "k"})
    pulumi.runtime.set_config("hybrid-aks:prefix", "first")
    pulumi.runtime.set_config("hybrid-aks:vpnSharedKey-lab", "k")
    install(config={"hybrid-aks:prefix": "second"})
    assert pulumi.Config("hybrid-aks").get("prefix") == "second"
    assert pulumi.Config("hybrid-aks").get("vpnSharedKey-lab") is None


def test_each_run_starts_from_a_fresh_runtime() -> None:
    first = install()
    run(lambda: azure.resources.ResourceGroup("rg", resource_group_name="rg-a"), first)
    second = install()
    run(lambda: azure.resources.ResourceGroup("rg", resource_group_name="rg-a"), second)
    assert len(second.registrations) == 1 and second.duplicate_urns == [], (
        f"{SDK}: reset_options/set_mocks no longer give a fresh root stack and settings")


def test_source_reads_the_environment_like_the_language_host() -> None:
    install(config={"hybrid-aks:prefix": "t"})
    with pytest.raises(Exception) as caught:
        read_stack()
    assert "hybrid-aks:location: is required" in str(caught.value)


def test_the_monitor_records_a_duplicate_urn_the_engine_would_refuse() -> None:
    mocks = install()

    def program() -> None:
        azure.resources.ResourceGroup("rg", resource_group_name="rg-a")
        azure.resources.ResourceGroup("rg", resource_group_name="rg-b")

    run(program, mocks)
    assert len(mocks.duplicate_urns) == 1 and mocks.duplicate_urns[0].endswith("azure-native:resources:ResourceGroup::rg")


def test_azure_ids_are_compared_case_insensitively() -> None:
    mocks = install()

    def program() -> None:
        rg = azure.resources.ResourceGroup("rg", resource_group_name="rg-a")
        azure.resources.ResourceGroup("rg2", resource_group_name="RG-A")
        azure.privatedns.PrivateZone("zone-1", resource_group_name=rg.name, private_zone_name="privatelink.westeurope.azmk8s.io", location="global")
        azure.privatedns.PrivateZone("zone-2", resource_group_name=rg.name, private_zone_name="privatelink.westeurope.azmk8s.io", location="global")

    run(program, mocks)
    errors = duplicate_azure_ids(mocks.registrations)
    assert len(errors) == 2
    assert "'rg' (azure-native:resources:ResourceGroup" in errors[0] and "'rg2'" in errors[0] and "case-insensitively" in errors[0]
    assert "'zone-1'" in errors[1] and "'zone-2'" in errors[1]


def test_the_program_can_still_await_a_stack_reference_synchronously() -> None:
    """components/hub_reference.py reads the hub stack's output before registering anything, with the SDK's own
    synchronous await (pulumi.runtime.sync_await._sync_await, as pulumi.runtime.invoke uses). An SDK that drops it
    breaks every attaching stack: move to whatever replaced it."""
    from pulumi.runtime import sync_await
    assert callable(getattr(sync_await, "_sync_await", None)), "pulumi.runtime.sync_await._sync_await is gone"


def test_mock_ids_end_with_the_azure_name_not_the_pulumi_name() -> None:
    # Azure builds a resource's ID from its name input (clusterName for a connected cluster), never from Pulumi's name.
    from tests.stacks import STACKS, evaluated
    named = [(r, key) for s in STACKS for r in evaluated(s).registrations if r.type.startswith("azure-native:")
             for key in ("clusterName", "resourceName", "virtualNetworkName") if isinstance(r.inputs.get(key), str)
             and r.type.rsplit(":", 1)[1] in ("ConnectedCluster", "ManagedCluster", "VirtualNetwork")]
    assert {r.type.rsplit(":", 1)[1] for r, _ in named} == {"ConnectedCluster", "ManagedCluster", "VirtualNetwork"}
    for registration, key in named:
        assert registration.id.endswith("/" + registration.inputs[key]), (registration.name, registration.id)
