"""Read the `hybrid-aks:` config once, at the edge, into a StackConfig; or raise every problem at once."""

from __future__ import annotations

import difflib
import json
import re
import typing
from collections.abc import Collection, Mapping
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from config.model import StackConfig
from config.plan import check_plan
from config.problems import NAMESPACE, ConfigError, Problem, key_of
from config.secrets import SECRET_KEY_PATTERNS

_PREFIX = f"{NAMESPACE}:"
_FALLBACK_LOCATION_KEY = "azure-native:location"


def load_stack(raw: Mapping[str, Any], secret_keys: Collection[str] | None = None) -> StackConfig:
    """Parse and check a stack's config.

    `raw` maps full keys ("hybrid-aks:hub") to values as Pulumi passes them: strings, with objects and
    arrays as JSON text. `secret_keys`, when given, lets the loader insist that secrets were set as such.
    Secret values are never read here.
    """
    problems: list[Problem] = []
    document: dict[str, Any] = {}
    fields = _fields_by_alias(StackConfig)
    for full_key, value in raw.items():
        if not full_key.startswith(_PREFIX):
            continue
        name = full_key[len(_PREFIX):]
        if _is_secret_key(name):
            if secret_keys is not None and full_key not in secret_keys:
                problems.append(Problem(
                    full_key, "is a secret but is stored in plain text in the stack file",
                    f"remove it and run: pulumi config set --secret {full_key} <value>",
                ))
            continue
        if name not in fields:
            problems.append(_unknown_key(full_key, name, list(fields)))
            continue
        document[name] = _decode(value, fields[name])
    if "location" not in document and _FALLBACK_LOCATION_KEY in raw:
        document["location"] = raw[_FALLBACK_LOCATION_KEY]

    try:
        stack, plan_problems = _checked(document)
    except ValidationError as error:
        problems.extend(_problem_from(detail) for detail in error.errors())
        raise ConfigError(problems) from None
    problems.extend(_unknown_secret_targets(raw, stack))
    problems.extend(plan_problems)
    if problems:
        raise ConfigError(problems)
    return stack


# The offline preview checks a stack's config, then runs the program, which reads and checks the same
# document again: the last document's immutable model and plan problems are kept (one entry, keyed by the
# document itself), so the second read costs a JSON dump instead of a second parse and plan check.
_last_checked: tuple[str, StackConfig, list[Problem]] | None = None


def _checked(document: dict[str, Any]) -> tuple[StackConfig, list[Problem]]:
    global _last_checked
    try:
        key = json.dumps(document, sort_keys=True)
    except (TypeError, ValueError):  # not JSON (a test's own objects): check it, keep nothing
        stack = StackConfig.model_validate(document)
        return stack, check_plan(stack)
    if _last_checked is None or _last_checked[0] != key:
        stack = StackConfig.model_validate(document)
        _last_checked = (key, stack, check_plan(stack))
    return _last_checked[1], list(_last_checked[2])


def _is_secret_key(name: str) -> bool:
    return any(re.fullmatch(pattern, name) for pattern in SECRET_KEY_PATTERNS)


def _unknown_secret_targets(raw: Mapping[str, Any], stack: StackConfig) -> list[Problem]:
    """A secret such as vpnSharedKey-<site> must name what exists (a typo would leave it unused)."""
    sites = {site.name for site in stack.sites}
    clusters = {spoke.name for spoke in stack.spokes if spoke.aks is not None}
    problems = []
    for full_key in raw:
        match = re.fullmatch(rf"{re.escape(_PREFIX)}(vpnSharedKey|erAuthorizationKey|kubeconfig)-(.+)", full_key)
        if match is None:
            continue
        kind, target = match.groups()
        known, what = (clusters, "spoke with aks in hybrid-aks:spokes") if kind == "kubeconfig" else (sites, "site in hybrid-aks:sites")
        if target not in known:
            problems.append(Problem(
                full_key, f"names '{target}', but no {what} has that name",
                f"rename it after one of: {', '.join(sorted(known)) or '(none declared)'}",
            ))
    return problems


def _decode(value: Any, annotation: Any) -> Any:
    """Pulumi hands every value over as text; objects, lists, numbers and booleans are JSON."""
    if not isinstance(value, str) or annotation is str:
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        return value


def _fields_by_alias(model: type[BaseModel]) -> dict[str, Any]:
    return {(field.alias or name): field.annotation for name, field in model.model_fields.items()}


def _model_at(path: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The model class found by following a config path from StackConfig (for listing known keys)."""
    model: Any = StackConfig
    annotation: Any = None
    for part in path:
        if isinstance(part, int) or model is None:
            annotation = _unwrap(annotation, list)
            model = annotation if _is_model(annotation) else None
            continue
        fields = _fields_by_alias(model)
        if part not in fields:
            return None
        annotation = _unwrap(fields[part], None)
        model = annotation if _is_model(annotation) else None
    return model


def _unwrap(annotation: Any, container: type | None) -> Any:
    for arg in (typing.get_args(annotation) or (annotation,)):
        if container is not None and typing.get_origin(arg) is container:
            return typing.get_args(arg)[0]
        if container is None and arg is not type(None):
            return arg
    return annotation


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _unknown_key(full_key: str, name: str, known: list[str]) -> Problem:
    close = difflib.get_close_matches(name, known, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return Problem(full_key, "is not a known key", f"{hint}known keys here: {', '.join(sorted(known))}")


_TYPE_NAMES = {
    "string_type": "a string",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "bool_type": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping of keys to values",
    "model_type": "a mapping of keys to values",
    "model_attributes_type": "a mapping of keys to values",
}


def _problem_from(detail: ErrorDetails) -> Problem:
    loc = detail["loc"]
    key = key_of(*loc)
    kind = detail["type"]
    given = detail.get("input")
    if kind == "missing":
        return Problem(key, "is required", "add it; the config reference in README.md lists what it takes")
    if kind == "extra_forbidden":
        model = _model_at(tuple(loc[:-1]))
        known = list(_fields_by_alias(model)) if model else []
        return _unknown_key(key, str(loc[-1]), known)
    if kind in _TYPE_NAMES:
        return Problem(key, f"must be {_TYPE_NAMES[kind]}, got {json.dumps(given)}", f"write it as {_TYPE_NAMES[kind]}")
    if kind == "literal_error":
        expected = detail.get("ctx", {}).get("expected", "")
        return Problem(key, f"is {json.dumps(given)}, which is not one of the allowed values", f"use one of {expected}")
    if kind == "cidr_host_bits":
        aligned = detail.get("ctx", {}).get("aligned")
        return Problem(key, detail["msg"], f"use {aligned} (the range's network address)")
    if kind in ("cidr", "ip", "format"):
        return Problem(key, detail["msg"], "correct the value's format")
    if kind in ("too_short", "too_long"):
        return Problem(key, detail["msg"].replace("List", "the list"), "add or remove entries")
    if kind.startswith(("greater_than", "less_than")):
        return Problem(key, f"is {json.dumps(given)}: {detail['msg'].lower()}", "choose a value in range")
    return Problem(key, detail["msg"], "correct the value")
