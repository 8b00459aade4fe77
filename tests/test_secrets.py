"""Secrets in stack config: set as secrets (Pulumi encrypts them), read only as secret Outputs, never in plain text."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from config import ConfigError
from config.problems import Problem
from config.source import read_stack
from offline.mocks import install
from tests.stacks import ROOT


def dev_config(**extra: str) -> dict[str, str]:
    """dev's stack file as the language host hands it over (objects as JSON text), plus `extra` keys."""
    document: dict[str, Any] = yaml.safe_load((ROOT / "Pulumi.dev.yaml").read_text())["config"]
    return {**{k: v if isinstance(v, str) else json.dumps(v) for k, v in document.items()}, **extra}


def test_read_stack_refuses_a_secret_the_language_host_does_not_mark_secret() -> None:
    """`pulumi config set hybrid-aks:vpnSharedKey-lab k` (without --secret) leaves the key in plain text in the stack
    file: the language host passes it without listing it in PULUMI_CONFIG_SECRET_KEYS."""
    install(config=dev_config(**{"hybrid-aks:vpnSharedKey-lab": "k"}))
    with pytest.raises(ConfigError) as caught:
        read_stack()
    assert caught.value.problems == [Problem(
        "hybrid-aks:vpnSharedKey-lab", "is a secret but is stored in plain text in the stack file",
        "remove it and run: pulumi config set --secret hybrid-aks:vpnSharedKey-lab <value>")]
    install(config=dev_config(**{"hybrid-aks:vpnSharedKey-lab": "k"}), secret_keys=["hybrid-aks:vpnSharedKey-lab"])
    assert read_stack().prefix == "dev"
