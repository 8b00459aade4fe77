"""An attaching stack's view of its hub stack: a StackReference, read before anything is registered."""

from __future__ import annotations

import pulumi
from pulumi.runtime.sync_await import _sync_await

from config.attach import CONTRACT_OUTPUT, HubContext, hub_context


def read_hub_context(reference: str) -> HubContext:
    """The hub stack's `connectivity` output, parsed; a ConfigError keyed at hybrid-aks:attach.hubStack when it is
    missing or unreadable.

    The address plan must be checked against the hub's ranges before any resource is registered, so the value is
    awaited here, as the SDK itself awaits a synchronous invoke (pulumi.runtime.invoke). Under the offline preview the
    reference resolves from the hub stack's own config in the repository (offline/stackref.py); elsewhere from the
    backend, as any StackReference does.
    """
    ref = pulumi.StackReference("hub-stack", stack_name=reference)
    details = _sync_await(ref.get_output_details(CONTRACT_OUTPUT))
    value = details.value if details.value is not None else details.secret_value
    return hub_context(reference, value, pulumi.get_stack())
