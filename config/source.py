"""Where the running program gets its raw config: the values the Pulumi engine (or the mocks) set."""

from __future__ import annotations

from pulumi.runtime import config as runtime_config

from config.loader import load_stack
from config.model import StackConfig


def read_stack() -> StackConfig:
    """Load and check the whole stack config; raises ConfigError before any resource exists."""
    raw = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    secret_keys = set(runtime_config.get_config_secret_keys_env()) | {k for k in raw if runtime_config.is_config_secret(k)}
    return load_stack(raw, secret_keys)
