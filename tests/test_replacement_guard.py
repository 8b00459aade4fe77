"""The replacement guard: shipped stacks match their snapshots, and the guard sees renames and replacements."""

from __future__ import annotations

import dataclasses
import json

import pytest

from offline.mocks import Registration
from offline.snapshot import SNAPSHOTS, differences
from tests.stacks import STACKS, evaluated


def saved(stack: str) -> dict:
    return json.loads((SNAPSHOTS / f"{stack}.json").read_text())


@pytest.mark.parametrize("stack", STACKS)
def test_stack_matches_its_snapshot(stack: str) -> None:
    problems = differences(stack, evaluated(stack).registrations, saved(stack))
    assert not problems, "\n".join(problems) + "\nIf intended, run `make snapshot` (and add aliases for renames)."


def renamed(registrations: list[Registration], name: str, new_name: str, aliases: list[dict] | None = None) -> list[Registration]:
    out = []
    for r in registrations:
        if r.name == name:
            r = dataclasses.replace(r, name=new_name, urn=r.urn.rsplit("::", 1)[0] + f"::{new_name}", aliases=aliases or [])
        out.append(r)
    return out


def test_a_rename_without_alias_is_a_deletion() -> None:
    registrations = renamed(evaluated("dev").registrations, "spoke-aks-vnet", "spoke-aks-network")
    problems = differences("dev", registrations, saved("dev"))
    assert "dev: hybrid-aks:network:Spoke$azure-native:network:VirtualNetwork::spoke-aks-vnet would be deleted (renamed or moved without an alias)" in problems


def test_a_rename_with_an_alias_is_accepted() -> None:
    registrations = renamed(evaluated("dev").registrations, "spoke-aks-vnet", "spoke-aks-network", aliases=[{"spec": {"name": "spoke-aks-vnet"}}])
    problems = differences("dev", registrations, saved("dev"))
    assert not [p for p in problems if "would be deleted" in p]


def test_a_changed_service_cidr_replaces_the_cluster() -> None:
    registrations = []
    for r in evaluated("dev").registrations:
        if r.name == "aks-aks-cluster":
            r = dataclasses.replace(r, inputs={**r.inputs, "networkProfile": {**r.inputs["networkProfile"], "serviceCidr": "10.241.0.0/16"}})
        registrations.append(r)
    (problem,) = differences("dev", registrations, saved("dev"))
    assert "aks-aks-cluster would be replaced: networkProfile" in problem and "10.241.0.0/16" in problem
