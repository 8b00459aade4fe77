"""Where the running program gets its raw config: what the Pulumi language host hands over.

The language host passes the stack's config as JSON in the `PULUMI_CONFIG` environment variable and the
secret keys in `PULUMI_CONFIG_SECRET_KEYS`; the SDK's public `get_config_env` and
`get_config_secret_keys_env` read them. The offline mocks set the same variables (offline/mocks.py).
"""

from __future__ import annotations

from pulumi.runtime import get_config_env, get_config_secret_keys_env

from config.loader import load_stack
from config.model import StackConfig


def read_stack() -> StackConfig:
    """Load and check the whole stack config; raises ConfigError before any resource exists."""
    return load_stack(get_config_env(), set(get_config_secret_keys_env()))
