"""Where the running program gets its raw config: what the Pulumi language host hands over.

The language host passes the stack's config as JSON in the `PULUMI_CONFIG` environment variable and the
secret keys in `PULUMI_CONFIG_SECRET_KEYS`; the SDK's public `get_config_env` and
`get_config_secret_keys_env` read them. The offline mocks set the same variables (offline/mocks.py).
"""

from __future__ import annotations

from collections.abc import Callable

from pulumi.runtime import get_config_env, get_config_secret_keys_env

from config.attach import HubContext
from config.loader import load_stack, parse_stack
from config.model import StackConfig
from config.problems import ConfigError


def read_stack() -> StackConfig:
    """Load and check the whole stack config; raises ConfigError before any resource exists."""
    return load_stack(get_config_env(), set(get_config_secret_keys_env()))


def read_stack_and_hub(read_hub: Callable[[str], HubContext]) -> tuple[StackConfig, HubContext | None]:
    """As read_stack; an attaching stack first reads its hub stack's context with `read_hub(reference)` (a
    StackReference in the program) and is checked against it. Raises ConfigError before any resource exists."""
    raw, secret_keys = get_config_env(), set(get_config_secret_keys_env())
    try:
        shape = parse_stack(raw)
    except ConfigError:
        return load_stack(raw, secret_keys), None  # raises again, with every problem the config shows (plan included)
    hub = read_hub(shape.attach.hub_stack) if shape.attach is not None else None
    return load_stack(raw, secret_keys, hub=hub), hub
