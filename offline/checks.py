"""What the Pulumi engine and Azure refuse on the registrations themselves, which no config rule sees.

- Pulumi: one URN per resource; the engine stops a deployment with "Duplicate resource URN '<urn>'; try giving
  it a unique name" at the second registration. The stock mock monitor accepts both.
- Azure: resource names are case-insensitive (Learn: resource-name-rules, "Resource names are
  case-insensitive unless noted"), so two resources whose resource IDs differ only in case, or that are equal,
  are the same Azure resource: the second PUT overwrites the first (a resource group, a private DNS zone) or
  fails. The IDs compared are those the mocks build the way ARM does (offline/mocks.py `_azure_id`).
"""

from __future__ import annotations

from collections.abc import Iterable

from offline.mocks import Registration


def duplicate_urns(urns: Iterable[str], registrations: list[Registration]) -> list[str]:
    errors = []
    for urn in sorted(set(urns)):
        holders = [r for r in registrations if r.urn == urn]
        errors.append(
            f"duplicate resource URN {urn}: {len(holders)} resources of type {holders[0].type} are named "
            f"'{holders[0].name}'; the Pulumi engine stops at the second one (\"Duplicate resource URN\"). "
            "Two config entries produce the same name: make them distinct (a repeated list entry, the same DNS "
            "domain under two sites, or names that differ only in characters the program replaces)")
    return errors


def duplicate_azure_ids(registrations: list[Registration]) -> list[str]:
    by_id: dict[str, list[Registration]] = {}
    for r in registrations:
        if r.custom and r.type.startswith("azure-native:") and r.id.startswith("/subscriptions/"):
            by_id.setdefault(r.id.lower(), []).append(r)
    errors = []
    for holders in by_id.values():
        if len(holders) < 2:
            continue
        names = ", ".join(f"'{r.name}' ({r.type}, {r.id})" for r in holders)
        errors.append(
            f"one Azure resource created {len(holders)} times: {names}. Azure compares resource names "
            "case-insensitively, so these are the same resource and the second deployment overwrites or fails; "
            "rename one of the config entries behind them")
    return errors
