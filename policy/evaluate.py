"""Run the CrossGuard policies outside the Pulumi engine, over plain registration records.

The offline preview (no Pulumi CLI) records every resource registration and calls `evaluate()`;
`load_levels()` reads the same `policy/policy-config.<stack>.json` that
`pulumi preview --policy-pack policy --policy-config policy/policy-config.<stack>.json` uses.

A record is a dict:
    {"type": "azure-native:network:Subnet", "name": "hub-gateway-subnet", "urn": "urn:pulumi:...",
     "inputs": {...camelCase wire inputs...}, "dependencies": [urn, ...], "parent": urn or None}
and optionally
    "id": the id the (mock) provider returned, so references by id (`routeTable.id`) resolve;
    "propertyDependencies": {"routeTable": [urn, ...], ...}.
Secrets in `inputs` (`{"4dabf18193072939515e22adb298388d": ..., "value": v}`) are unwrapped to `v`, as the
engine does before a policy runs; `pulumi.output.Unknown` objects become the engine's unknown sentinel.

Differences from the engine, on purpose: stack policies see the recorded inputs (the engine gives them the
provider's outputs), with the recorded id added as `id` when the inputs have none.
"""

from __future__ import annotations

import asyncio
import inspect
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from pulumi_policy import (
    Policy,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError, unknown_checking_proxy

from policy.policies import POLICIES, POLICY_NAMES

SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d"
LEVELS = ("advisory", "mandatory", "remediate", "disabled")
DEFAULT_LEVEL = "mandatory"
POLICY_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Violation:
    policy: str
    level: str     # "advisory" or "mandatory" ("remediate" reports as mandatory, as in the engine)
    urn: str       # the resource in violation; "" for the stack as a whole
    name: str      # its logical name
    message: str   # what is wrong and how to fix it

    def __str__(self) -> str:
        return f"[{self.level}] {self.policy}: {self.name or '(stack)'}: {self.message}"


def load_levels(stack: str, directory: Optional[Path] = None) -> dict[str, str]:
    """The enforcement level of every policy for `stack`, from `policy-config.<stack>.json`.

    Pulumi's `--policy-config` format: `{"all": level, "<policy>": level | {"enforcementLevel": level}}`.
    Policies the file doesn't name (or every policy, without a file) keep the pack's level (mandatory but for warnings).
    """
    path = (directory or POLICY_DIR) / f"policy-config.{stack}.json"
    # Each policy's own level (the pack's default: mandatory, advisory for warnings such as digest pinning).
    levels = {policy.name: str(policy.enforcement_level.value if policy.enforcement_level else DEFAULT_LEVEL) for policy in POLICIES}
    if not path.is_file():
        return levels
    config = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(config, dict):
        raise ValueError(f"{path}: expected a JSON object of policy name -> enforcement level")
    problems: list[str] = []
    parsed: dict[str, str] = {}
    for key, value in config.items():
        level = value.get("enforcementLevel") if isinstance(value, dict) else value
        if key != "all" and key not in levels:
            problems.append(f"{key!r} is not a policy of this pack (known: {', '.join(POLICY_NAMES)})")
        elif level is None and isinstance(value, dict):
            continue  # config properties only
        elif level not in LEVELS:
            problems.append(f"{key!r}: {level!r} is not an enforcement level ({', '.join(LEVELS)})")
        else:
            parsed[key] = str(level)
    if problems:
        raise ValueError(f"{path}: " + "; ".join(problems))
    if "all" in parsed:
        levels = {name: parsed["all"] for name in levels}
    levels.update({k: v for k, v in parsed.items() if k != "all"})
    return levels


def _plain(value: Any) -> Any:
    """Wire value -> what a policy sees: secrets unwrapped, unknowns as the engine's sentinel."""
    if isinstance(value, Mapping):
        if SECRET_SIG_KEY in value:
            return _plain(value["value"]) if "value" in value else dict(value)
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if type(value).__name__ == "Unknown" and type(value).__module__ == "pulumi.output":
        return UNKNOWN_STRING_VALUE
    return value


def _options(parent: Optional[str]) -> PolicyResourceOptions:
    return PolicyResourceOptions(
        protect=False, ignore_changes=[], delete_before_replace=None, aliases=[],
        custom_timeouts=PolicyCustomTimeouts(0, 0, 0), additional_secret_outputs=[], parent=parent)


def _name_of(record: Mapping[str, Any]) -> str:
    name = record.get("name")
    if name:
        return str(name)
    return str(record.get("urn", "")).rsplit("::", 1)[-1]


def _level_for(policy: Policy, levels: Mapping[str, str]) -> str:
    level = levels.get(policy.name) or levels.get("all") or DEFAULT_LEVEL
    return "mandatory" if level == "remediate" else level


def _run(validate: Any) -> None:
    """Run a validation that may return an awaitable (async policies), to completion."""
    result = validate()
    if inspect.isawaitable(result):
        async def wait() -> None:
            await result
        asyncio.run(wait())


def evaluate(resources: Iterable[Mapping[str, Any]], levels: Optional[Mapping[str, str]] = None,
             policies: Optional[Sequence[Policy]] = None,
             configs: Optional[Mapping[str, Mapping[str, Any]]] = None) -> list[Violation]:
    """Every violation of `policies` (default: the pack's) over the recorded `resources`.

    `levels` maps policy name (or "all") to an enforcement level, as `load_levels()` returns; policies
    absent from it are mandatory, "disabled" ones are skipped. `configs` maps a policy name to the properties its
    policy config holds (`args.get_config()`), as `--policy-config` hands them to the pack. A policy that reads a value unknown during
    the preview yields one advisory "can't run" violation, like the engine's diagnostic.
    """
    levels = levels or {}
    policies = list(POLICIES if policies is None else policies)
    records = list(resources)
    names = {str(r.get("urn", "")): _name_of(r) for r in records}

    resource_args: list[ResourceValidationArgs] = []
    stack_resources: list[PolicyResource] = []
    for record in records:
        inputs = _plain(record.get("inputs") or {})
        urn, name, parent = str(record.get("urn", "")), _name_of(record), record.get("parent") or None
        resource_args.append(ResourceValidationArgs(
            str(record["type"]), unknown_checking_proxy(inputs), urn, name, _options(parent), None))
        outputs = dict(inputs)
        if record.get("id") and "id" not in outputs:
            outputs["id"] = _plain(record["id"])
        stack_resources.append(PolicyResource(
            str(record["type"]), unknown_checking_proxy(outputs), urn, name, _options(parent), None, None, [], {}))

    by_urn = {r.urn: r for r in stack_resources}
    for record, resource in zip(records, stack_resources):
        parent = record.get("parent")
        resource.parent = by_urn.get(parent) if parent else None
        resource.dependencies = [by_urn[u] for u in record.get("dependencies") or [] if u in by_urn]
        resource.property_dependencies = {
            str(k): [by_urn[u] for u in urns if u in by_urn]
            for k, urns in (record.get("propertyDependencies") or {}).items()
        }

    violations: list[Violation] = []
    for policy in policies:
        level = _level_for(policy, levels)
        if level == "disabled":
            continue

        if isinstance(policy, ResourceValidationPolicy):
            for args in resource_args:
                def report(message: str, urn: Optional[str] = None, _args: ResourceValidationArgs = args,
                           _policy: Policy = policy, _level: str = level) -> None:
                    violations.append(Violation(_policy.name, _level, _args.urn, _args.name, message))
                try:
                    _run(lambda: policy.validate(args, report))
                except UnknownValueError as e:
                    violations.append(Violation(policy.name, "advisory", args.urn, args.name,
                                                f"can't run policy '{policy.name}' during preview: {e.message}"))

        elif isinstance(policy, StackValidationPolicy):
            stack_args = StackValidationArgs(stack_resources, (configs or {}).get(policy.name))

            def report_stack(message: str, urn: Optional[str] = None, _policy: Policy = policy,
                             _level: str = level) -> None:
                violations.append(Violation(_policy.name, _level, urn or "", names.get(urn or "", ""), message))
            try:
                _run(lambda: policy.validate(stack_args, report_stack))
            except UnknownValueError as e:
                violations.append(Violation(policy.name, "advisory", "", "",
                                            f"can't run policy '{policy.name}' during preview: {e.message}"))
    return violations
