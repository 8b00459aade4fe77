"""Secrets in stack config: set as secrets (Pulumi encrypts them), read only as secret Outputs, never in plain text."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pulumi
import pytest
import yaml

from config import ConfigError, load_stack
from config.problems import Problem
from config.secrets import read_kubeconfigs, read_secrets, required_secrets
from config.attach import HubContext, hub_context
from config.source import read_stack, read_stack_and_hub
from offline.mocks import install
from offline.preview import read_stack_file
from tests.stacks import ROOT, evaluated


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


def resolved(output: pulumi.Output[str]) -> tuple[str | None, bool]:
    """An Output's value and whether it is secret."""
    loop = asyncio.get_event_loop()
    return loop.run_until_complete(output.future()), loop.run_until_complete(output.is_secret())


PROD = load_stack(read_stack_file(ROOT, "prod").config)
PROD_SECRETS = ["hybrid-aks:vpnSharedKey-paris-dc", "hybrid-aks:erAuthorizationKey-paris-dc", "hybrid-aks:vpnSharedKey-lyon-dc"]


def test_the_secrets_a_stack_needs_follow_its_sites_connections() -> None:
    """paris-dc: a VPN connection (shared key) and an ExpressRoute circuit in another subscription (authorization key);
    lyon-dc: a VPN connection. A site without a connection (an attaching stack's) needs none."""
    assert [(s.key, s.description, s.command) for s in required_secrets(PROD)] == [
        ("hybrid-aks:vpnSharedKey-paris-dc", "IPsec shared key of the VPN connection to site 'paris-dc'",
         "pulumi config set --secret hybrid-aks:vpnSharedKey-paris-dc <value>"),
        ("hybrid-aks:erAuthorizationKey-paris-dc", "authorization key of the ExpressRoute circuit for site 'paris-dc'",
         "pulumi config set --secret hybrid-aks:erAuthorizationKey-paris-dc <value>"),
        ("hybrid-aks:vpnSharedKey-lyon-dc", "IPsec shared key of the VPN connection to site 'lyon-dc'",
         "pulumi config set --secret hybrid-aks:vpnSharedKey-lyon-dc <value>"),
    ]
    assert required_secrets(load_stack(read_stack_file(ROOT, "site-singapore").config))[0].key == "hybrid-aks:vpnSharedKey-office"
    assert required_secrets(PROD.model_copy(update={"sites": [PROD.sites[1].model_copy(update={"vpn": None})]})) == []


def test_every_missing_secret_is_a_problem_with_the_command_that_sets_it() -> None:
    install(config={"hybrid-aks:vpnSharedKey-lyon-dc": "lyon-key"}, secret_keys=["hybrid-aks:vpnSharedKey-lyon-dc"])
    with pytest.raises(ConfigError) as caught:
        read_secrets(PROD)
    assert caught.value.problems == [
        Problem("hybrid-aks:erAuthorizationKey-paris-dc", "is not set (authorization key of the ExpressRoute circuit for site 'paris-dc')",
                "run: pulumi config set --secret hybrid-aks:erAuthorizationKey-paris-dc <value>"),
        Problem("hybrid-aks:vpnSharedKey-paris-dc", "is not set (IPsec shared key of the VPN connection to site 'paris-dc')",
                "run: pulumi config set --secret hybrid-aks:vpnSharedKey-paris-dc <value>"),
    ]


def test_secrets_are_read_as_secret_outputs_keyed_by_their_full_key() -> None:
    install(config={key: f"value-{i}" for i, key in enumerate(PROD_SECRETS)}, secret_keys=PROD_SECRETS)
    secrets = read_secrets(PROD)
    assert sorted(secrets) == sorted(PROD_SECRETS)
    assert [resolved(secrets[key]) for key in PROD_SECRETS] == [("value-0", True), ("value-1", True), ("value-2", True)]


def test_a_kubeconfig_is_read_per_aks_spoke_as_a_secret_output_when_set() -> None:
    """prod's spokes: aks (a cluster: its kubeconfig is read) and data (no cluster: a kubeconfig-data key is not read)."""
    install(config={"hybrid-aks:kubeconfig-aks": "apiVersion: v1", "hybrid-aks:kubeconfig-data": "x"},
            secret_keys=["hybrid-aks:kubeconfig-aks", "hybrid-aks:kubeconfig-data"])
    kubeconfigs = read_kubeconfigs(PROD)
    assert list(kubeconfigs) == ["aks"] and resolved(kubeconfigs["aks"]) == ("apiVersion: v1", True)
    install()
    assert read_kubeconfigs(PROD) == {}


# --- the program's entry: read_stack_and_hub ----------------------------------------------------------------


def test_a_stack_that_owns_its_hub_reads_no_hub_stack() -> None:
    install(config=dev_config(), secret_keys=[])
    calls: list[str] = []
    stack, hub = read_stack_and_hub(lambda reference: calls.append(reference))  # type: ignore[func-returns-value]
    assert (stack.prefix, hub, calls) == ("dev", None, [])


def test_an_attaching_stack_reads_its_hub_stack_and_takes_its_hub_and_gateways() -> None:
    contract = json.loads(json.dumps(evaluated("prod").outputs["connectivity"][0]))  # (evaluating prod installs its own config)
    install(config=read_stack_file(ROOT, "lz-payments").config, secret_keys=[])
    calls: list[str] = []

    def read_hub(reference: str) -> HubContext:
        calls.append(reference)
        return hub_context(reference, contract, "lz-payments")

    stack, hub = read_stack_and_hub(read_hub)
    assert calls == ["organization/hybrid-aks/prod"] and hub is not None and hub.stack == "prod"
    assert (stack.prefix, stack.hub, stack.gateways) == ("pay", PROD.hub, PROD.gateways)


def test_a_config_that_does_not_parse_reports_every_problem_it_shows_and_reads_no_hub_stack() -> None:
    """An unknown key (shape), the VPN key in plain text, and the spoke overlapping the hub (plan): all three at once."""
    spokes = json.loads(dev_config()["hybrid-aks:spokes"])
    spokes[0]["addressSpace"] = ["10.10.0.0/16"]
    install(config=dev_config(**{"hybrid-aks:bogus": "x", "hybrid-aks:vpnSharedKey-lab": "k", "hybrid-aks:spokes": json.dumps(spokes)}))
    calls: list[str] = []
    with pytest.raises(ConfigError) as caught:
        read_stack_and_hub(lambda reference: calls.append(reference))  # type: ignore[func-returns-value]
    keys = [p.key for p in caught.value.problems]
    assert "hybrid-aks:bogus" in keys and "hybrid-aks:vpnSharedKey-lab" in keys and "hybrid-aks:spokes[0].addressSpace[0]" in keys, keys
    assert calls == []


def test_the_program_refuses_a_secret_left_in_plain_text() -> None:
    install(config=dev_config(**{"hybrid-aks:vpnSharedKey-lab": "k"}))
    with pytest.raises(ConfigError) as caught:
        read_stack_and_hub(lambda reference: pytest.fail(f"read {reference}"))
    assert [(p.key, p.message) for p in caught.value.problems] == [
        ("hybrid-aks:vpnSharedKey-lab", "is a secret but is stored in plain text in the stack file")]
