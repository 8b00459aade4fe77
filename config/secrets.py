"""Secrets a stack needs: shared keys and authorization keys, read only as secret Outputs.

They are top-level keys so Pulumi keeps each one encrypted on its own, and the rest of the config
stays readable: `pulumi config set --secret hybrid-aks:vpnSharedKey-<site> <key>`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from config.model import StackConfig
from config.problems import NAMESPACE, ConfigError, Problem

# Names (without the namespace) that hold secrets; the loader never reads their values.
SECRET_KEY_PATTERNS = (r"vpnSharedKey-[a-z][-a-z0-9]*", r"erAuthorizationKey-[a-z][-a-z0-9]*", r"kubeconfig-[a-z][-a-z0-9]*")


@dataclass(frozen=True)
class RequiredSecret:
    key: str  # full key, e.g. hybrid-aks:vpnSharedKey-paris
    description: str

    @property
    def command(self) -> str:
        return f"pulumi config set --secret {self.key} <value>"


def vpn_shared_key(site: str) -> str:
    return f"{NAMESPACE}:vpnSharedKey-{site}"


def er_authorization_key(site: str) -> str:
    return f"{NAMESPACE}:erAuthorizationKey-{site}"


def kubeconfig_key(spoke: str) -> str:
    return f"{NAMESPACE}:kubeconfig-{spoke}"


def required_secrets(stack: StackConfig) -> list[RequiredSecret]:
    out = []
    for site in stack.sites:
        if site.vpn:
            out.append(RequiredSecret(vpn_shared_key(site.name), f"IPsec shared key of the VPN connection to site '{site.name}'"))
        if site.express_route and site.express_route.authorization_key:
            out.append(RequiredSecret(er_authorization_key(site.name),
                                      f"authorization key of the ExpressRoute circuit for site '{site.name}'"))
    return out


def read_secrets(stack: StackConfig) -> dict[str, pulumi.Output[str]]:
    """Each required secret as a secret Output, keyed by its full key; every missing one is a problem."""
    config = pulumi.Config(NAMESPACE)
    values: dict[str, pulumi.Output[str]] = {}
    problems = []
    for secret in required_secrets(stack):
        value = config.get_secret(secret.key.split(":", 1)[1])
        if value is None:
            problems.append(Problem(secret.key, f"is not set ({secret.description})", f"run: {secret.command}"))
        else:
            values[secret.key] = value
    if problems:
        raise ConfigError(problems)
    return values


def read_kubeconfigs(stack: StackConfig) -> dict[str, pulumi.Output[str]]:
    """Optional kubeconfigs by spoke name, for clusters whose in-cluster part must not use the AKS credentials API
    (an existing cluster, or a runner that reaches the API server another way)."""
    config = pulumi.Config(NAMESPACE)
    values = {}
    for spoke in stack.spokes:
        if spoke.aks is not None:
            value = config.get_secret(kubeconfig_key(spoke.name).split(":", 1)[1])
            if value is not None:
                values[spoke.name] = value
    return values
