"""Where the running program gets its raw config: the values the Pulumi engine (or the mocks) set."""

from __future__ import annotations

from collections.abc import Callable

from pulumi.runtime import config as runtime_config

from config.attach import HubContext
from config.loader import load_stack, parse_stack
from config.model import StackConfig


def _raw() -> tuple[dict[str, str], set[str]]:
    raw = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    secret_keys = set(runtime_config.get_config_secret_keys_env()) | {k for k in raw if runtime_config.is_config_secret(k)}
    return raw, secret_keys


def read_stack() -> StackConfig:
    """Load and check the whole stack config; raises ConfigError before any resource exists."""
    raw, secret_keys = _raw()
    return load_stack(raw, secret_keys)


def read_stack_and_hub(read_hub: Callable[[str], HubContext]) -> tuple[StackConfig, HubContext | None]:
    """As read_stack; an attaching stack first reads its hub stack's context with `read_hub(reference)` (a
    StackReference in the program) and is checked against it. Raises ConfigError before any resource exists."""
    raw, secret_keys = _raw()
    shape = parse_stack(raw)
    hub = read_hub(shape.attach.hub_stack) if shape.attach is not None else None
    return load_stack(raw, secret_keys, hub=hub), hub
