"""Read the `hybrid-aks:` config once, at the edge, into a StackConfig; or raise every problem at once."""

from __future__ import annotations

import difflib
import functools
import json
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import replace
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from config.attach import HubContext
from config.model import StackConfig, nested_model
from config.limits import check_limits
from config.names import check_names
from config.plan import check_plan
from config.problems import NAMESPACE, ConfigError, Problem, key_of
from config.rules import known as known_rule
from config.secrets import SECRET_KEY_PATTERNS

_PREFIX = f"{NAMESPACE}:"
_FALLBACK_LOCATION_KEY = "azure-native:location"


def load_stack(raw: Mapping[str, Any], secret_keys: Collection[str] | None = None, hub: HubContext | None = None) -> StackConfig:
    """Parse and check a stack's config (see _load).

    The offline preview checks a stack's config, then runs the program, which reads and checks the same config again:
    a stack that owns its hub is checked once per process for the same text (the model is immutable, so sharing it is
    safe); an attaching stack, checked against its hub stack's context, is checked each time.
    """
    if hub is None and all(isinstance(v, str) for v in raw.values()):
        return _load_once(tuple(sorted(raw.items())), None if secret_keys is None else frozenset(secret_keys))
    return _load(raw, secret_keys, hub)


@functools.lru_cache(maxsize=1)
def _load_once(items: tuple[tuple[str, str], ...], secret_keys: frozenset[str] | None) -> StackConfig:
    return _load(dict(items), secret_keys)


def _load(raw: Mapping[str, Any], secret_keys: Collection[str] | None = None, hub: HubContext | None = None) -> StackConfig:
    """Parse and check a stack's config.

    `raw` maps full keys ("hybrid-aks:hub") to values as Pulumi passes them: strings, with objects and
    arrays as JSON text. `secret_keys`, when given, lets the loader insist that secrets were set as such.
    Secret values are never read here, and no value that looks like a credential is echoed into a problem. An
    attaching stack (hybrid-aks:attach) is checked against `hub`, its hub stack's published context, and comes back
    with that stack's hub and gateways in place of its own (config.attach).
    """
    problems: list[Problem] = []
    stack, finish = _parse(raw, secret_keys, problems)
    problems.extend(check_plan(stack, hub))
    problems.extend(check_names(stack))
    problems.extend(check_limits(stack))
    if problems:
        raise finish(problems)
    if stack.attach is not None and hub is not None:
        return stack.model_copy(update={"hub": hub.hub, "gateways": hub.gateways})
    return stack


def parse_stack(raw: Mapping[str, Any]) -> StackConfig:
    """The config's shape only (types, keys, formats), without the address plan: for reading other stacks' files."""
    problems: list[Problem] = []
    stack, finish = _parse(raw, None, problems)
    if problems:
        raise finish(problems)
    return stack


def _parse(raw: Mapping[str, Any], secret_keys: Collection[str] | None, problems: list[Problem]
           ) -> tuple[StackConfig, Callable[[list[Problem]], ConfigError]]:
    """The typed config, and how to turn problems into the error to raise; shape problems raise here."""
    document: dict[str, Any] = {}
    fields = _fields_by_alias(StackConfig)
    secret_candidates = _secret_key_candidates(raw)
    for full_key, value in raw.items():
        namespace, _, name = full_key.partition(":")
        if namespace != NAMESPACE:
            problems.extend(_foreign_key(full_key, namespace, name))
            continue
        if _is_secret_key(name):
            if secret_keys is not None and full_key not in secret_keys:
                problems.append(Problem(
                    full_key, "is a secret but is stored in plain text in the stack file",
                    f"remove it and run: pulumi config set --secret {full_key} <value>",
                ))
            continue
        if name not in fields:
            problems.append(_unknown_key(full_key, name, list(fields), secret_candidates))
            continue
        if value is None:
            problems.append(Problem(full_key, "has no value (null)", "give it a value or remove the key"))
            continue
        document[name] = _decode(value, fields[name])
    location_key = key_of("location")
    if "location" not in document and _FALLBACK_LOCATION_KEY in raw:
        document["location"] = raw[_FALLBACK_LOCATION_KEY]
        location_key = _FALLBACK_LOCATION_KEY

    def finish(found: list[Problem]) -> ConfigError:
        # A problem with the fallback location is reported under the key the user wrote: azure-native:location.
        found = [replace(p, key=location_key) if p.key == key_of("location") else p for p in found]
        return ConfigError(redact_problems(found, raw))

    try:
        stack = StackConfig.model_validate(document)
    except ValidationError as error:
        problems.extend(_problem_from(detail) for detail in error.errors())
        raise finish(problems) from None
    problems.extend(_unknown_secret_targets(raw, stack))
    return stack, finish


# Namespaces a stack's config may use: this program's, the azure-native provider's (whose location the program
# also reads), Pulumi's own (pulumi:tags, pulumi:disable-default-providers) and the kubernetes provider's.
_KNOWN_NAMESPACES = (NAMESPACE, "azure-native", "pulumi", "kubernetes")
# azure-native provider configuration (Pulumi registry: azure-native installation-configuration).
_AZURE_NATIVE_KEYS = (
    "location", "subscriptionId", "tenantId", "clientId", "clientSecret", "clientCertificatePath",
    "clientCertificatePassword", "environment", "metadataHost", "msiEndpoint", "useMsi", "useOidc", "useDefaultAzureCredential",
    "oidcRequestToken", "oidcRequestUrl", "oidcToken", "oidcTokenFilePath", "auxiliaryTenantIds", "partnerId",
    "disablePulumiPartnerId", "disableInstanceDiscovery",
)


def _foreign_key(full_key: str, namespace: str, name: str) -> list[Problem]:
    if namespace == "azure-native":
        if name in _AZURE_NATIVE_KEYS:
            return []
        close = difflib.get_close_matches(name, _AZURE_NATIVE_KEYS, n=1)
        hint = f"did you mean 'azure-native:{close[0]}'? " if close else ""
        return [Problem(full_key, "is not a setting of the azure-native provider, which ignores it",
                        f"{hint}its settings: {', '.join(sorted(_AZURE_NATIVE_KEYS))}")]
    if namespace in _KNOWN_NAMESPACES:
        return []
    close = difflib.get_close_matches(namespace, _KNOWN_NAMESPACES, n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}:{name}'? " if close else ""
    return [Problem(full_key, f"is in namespace '{namespace}', which nothing in this program reads, so it would be ignored",
                    f"{hint}this program reads {NAMESPACE}:, azure-native:, kubernetes: and pulumi: keys")]


def _secret_key_candidates(raw: Mapping[str, Any]) -> list[str]:
    """The secret key names this config may hold (for suggesting one when a key is misspelled)."""
    def names(key: str) -> list[str]:
        try:
            entries = json.loads(raw.get(f"{_PREFIX}{key}") or "[]")
        except (TypeError, json.JSONDecodeError):
            return []
        return [e["name"] for e in entries if isinstance(e, dict) and isinstance(e.get("name"), str)] if isinstance(entries, list) else []
    sites, spokes = names("sites"), names("spokes")
    return [*(f"vpnSharedKey-{s}" for s in sites), *(f"erAuthorizationKey-{s}" for s in sites), *(f"kubeconfig-{s}" for s in spokes)]


_CREDENTIAL_HINTS = re.compile(
    r"-----BEGIN|client-key-data|client-certificate-data|certificate-authority-data|\btoken\b|password|secret|"
    r"\beyJ[A-Za-z0-9_-]{10,}|apiVersion:\s*v1|AccountKey=|SharedAccessSignature|sig=",
    re.IGNORECASE)
_LONG_OPAQUE = re.compile(r"[A-Za-z0-9+/=_-]{32,}")
REDACTED = "(a value that looks like a credential, not shown)"


def looks_like_credential(value: str) -> bool:
    """Kubeconfigs, tokens, keys and certificates pasted into the wrong key must not reach CI logs."""
    opaque = any(re.search("[a-z]", m) and re.search("[A-Z]", m) and re.search("[0-9]", m) for m in _LONG_OPAQUE.findall(value))
    return bool(_CREDENTIAL_HINTS.search(value) or opaque or "\n" in value.strip())


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        try:
            decoded = json.loads(value)
        except json.JSONDecodeError:
            return [value]
        return [value, *_strings(decoded)] if not isinstance(decoded, str) else [value, decoded]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def redact_problems(problems: list[Problem], raw: Mapping[str, Any]) -> list[Problem]:
    """Problems with every config value that looks like a credential replaced by a placeholder."""
    secrets = sorted({s for value in raw.values() for s in _strings(value) if len(s) >= 8 and looks_like_credential(s)},
                     key=len, reverse=True)
    if not secrets:
        return problems

    def clean(text: str) -> str:
        for secret in secrets:
            text = text.replace(json.dumps(secret), REDACTED).replace(secret, REDACTED)
        return text

    return [replace(p, message=clean(p.message), fix=clean(p.fix)) for p in problems]


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
            close = difflib.get_close_matches(target, sorted(known), n=1)
            hint = f"did you mean '{kind}-{close[0]}'? " if close else ""
            problems.append(Problem(
                full_key, f"names '{target}', but no {what} has that name",
                f"{hint}rename it after one of: {', '.join(sorted(known)) or '(none declared)'}",
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


def _model_at(path: tuple[int | str, ...]) -> type[BaseModel]:
    """The model whose keys are at a config path from StackConfig (a list index stays in the list's model). Pydantic
    reports unknown keys only inside a model, and every model of the config is a field typed X, X | None or list[X]."""
    model: Any = StackConfig
    for part in path:
        if isinstance(part, str):
            model = nested_model(_fields_by_alias(model)[part])
    return model


def _unknown_key(full_key: str, name: str, known: list[str], secrets: list[str] = []) -> Problem:  # noqa: B006
    close = difflib.get_close_matches(name, [*known, *secrets], n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    if close and close[0] in secrets:
        return Problem(full_key, "is not a known key (the program never reads it, so the secret it holds is unused)",
                       f"{hint}run: pulumi config rm {full_key}; pulumi config set --secret {NAMESPACE}:{close[0]} <value>")
    return Problem(full_key, "is not a known key", f"{hint}known keys here: {', '.join(sorted(known))}")


# The value checks of config/values.py, by error type, and the rule of config/rules.py each is.
_VALUE_KINDS = {"region": "azure-region", "vm_size": "vm-size", "kubernetes_version": "kubernetes-version", "object_id": "entra-object-id",
                "image": "image-reference", "probe_path": "probe-path", "port_name": "port-name", "namespace": "namespace-not-reserved"}

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
    loc = tuple(part for part in detail["loc"] if part != "[key]")  # a bad dict key is reported at the key itself
    key = key_of(*loc)
    kind = detail["type"]
    given = detail.get("input")
    if kind == "missing":
        return Problem(key, "is required", "add it; the config reference in README.md lists what it takes")
    if kind == "extra_forbidden":
        return _unknown_key(key, str(loc[-1]), list(_fields_by_alias(_model_at(tuple(loc[:-1])))))
    if kind in _TYPE_NAMES:
        shown = json.dumps(given) if len(json.dumps(given)) <= 80 else f"{json.dumps(given)[:60]}... ({len(json.dumps(given))} characters)"
        return Problem(key, f"must be {_TYPE_NAMES[kind]}, got {shown}", f"write it as {_TYPE_NAMES[kind]}")
    if kind == "literal_error":
        return Problem(key, f"is {json.dumps(given)}, which is not one of the allowed values", f"use one of {detail['ctx']['expected']}")
    if kind == "cidr_host_bits":
        return Problem(key, detail["msg"], f"use {detail['ctx']['aligned']} (the range's network address)")
    if kind in ("cidr", "ip", "format"):
        return Problem(key, detail["msg"], "correct the value's format")
    if kind in _VALUE_KINDS:
        # From the check's own parts, not by splitting its text: the value may hold "; " itself.
        ctx = detail["ctx"]
        return Problem(key, f"'{ctx['value']}' is not {ctx['what']}", ctx["fix"], rule=known_rule(_VALUE_KINDS[kind]))
    if kind == "duplicate":
        return Problem(key, detail["msg"], "remove the repeated entry", rule=known_rule("list-no-repeats"))
    if kind in ("too_short", "too_long"):
        return Problem(key, detail["msg"].replace("List", "the list"), "add or remove entries")
    if kind.startswith(("greater_than", "less_than")):
        return Problem(key, f"is {json.dumps(given)}: {detail['msg'].lower()}", "choose a value in range")
    return Problem(key, detail["msg"], "correct the value")
