"""Values Azure and Kubernetes accept only in a given form, refused at deployment otherwise.

Annotated types for config/model.py; each check matches the whole value (`fullmatch`), so a trailing newline or
space never slips through. Sources are named per rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from typing import Annotated, Any

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

# `az account list-locations --query "[?metadata.regionType=='Physical'].name"` (Azure public cloud), plus the
# sovereign clouds' regions; Learn: "Azure geographies" / products-available-by-region.
AZURE_REGIONS = frozenset("""
eastus eastus2 southcentralus westus2 westus3 australiaeast southeastasia northeurope swedencentral uksouth westeurope
centralus southafricanorth centralindia eastasia japaneast koreacentral canadacentral francecentral germanywestcentral
italynorth norwayeast polandcentral spaincentral switzerlandnorth mexicocentral uaenorth brazilsouth israelcentral
qatarcentral northcentralus westus japanwest australiacentral australiacentral2 australiasoutheast brazilsoutheast
canadaeast francesouth germanynorth jioindiacentral jioindiawest koreasouth newzealandnorth norwaywest southafricawest
southindia swedensouth switzerlandwest uaecentral ukwest westcentralus westindia austriaeast belgiumcentral chilecentral
denmarkeast indonesiacentral malaysiawest taiwannorth taiwannorthwest
usgovvirginia usgovarizona usgovtexas usdodcentral usdodeast chinaeast chinaeast2 chinaeast3 chinanorth chinanorth2 chinanorth3
""".split())

# Reserved by Kubernetes (the kube- prefix is for system namespaces: kubernetes.io "Namespaces") and by AKS add-ons
# (Learn: AKS "system namespaces"; azure-policy's gatekeeper-system, Calico's calico-system/tigera-operator).
RESERVED_NAMESPACES = frozenset({"kube-system", "kube-public", "kube-node-lease", "gatekeeper-system", "calico-system",
                                 "tigera-operator", "app-routing-system"})

_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
# AKS takes "1.33" (latest patch) or "1.33.2" (Learn: supported-kubernetes-versions; az aks get-versions).
_KUBERNETES_VERSION = re.compile(r"1\.[1-9][0-9]?(\.(0|[1-9][0-9]{0,2}))?")
# Azure VM sizes: Standard_<family><size>[_v<n>], e.g. Standard_D4s_v5 (Learn: vm-naming-conventions); AKS has no Basic.
_VM_SIZE = re.compile(r"Standard_[A-Z][A-Za-z0-9]*(_[A-Za-z0-9]+)*")
# An OCI image reference: [registry[:port]/]path[:tag][@sha256:digest] (distribution/reference grammar).
_COMPONENT = r"[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*"
_IMAGE = re.compile(
    rf"(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?/)?"
    rf"{_COMPONENT}(?:/{_COMPONENT})*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{{0,127}})?(?:@sha256:[a-f0-9]{{64}})?")
# An HTTP path for the load balancer probe: starts with '/', visible ASCII only (RFC 3986 path + query).
_PROBE_PATH = re.compile(r"/[A-Za-z0-9\-._~%!$&'()*+,;=:@/?]*")
# A Kubernetes port name (IANA_SVC_NAME): 1-15 lowercase letters, digits and '-', a letter somewhere, no '--',
# no leading or trailing '-' (k8s.io/apimachinery validation IsValidPortName).
_PORT_NAME = re.compile(r"(?!.*--)[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?")


# The checks run as module-level functions bound with partial (not closures built at import), so a test run can
# swap them out: mutmut switches a mutant on only in code that runs after import. The binders below run only at
# import, so mutmut skips them ("no mutate block"); what they build is checked by every bad-value test.
def _validate(kind: str, test: Callable[[str], bool], what: str, fix: str, value: str) -> str:
    if not test(value):
        raise PydanticCustomError(kind, "'{value}' is not {what}; {fix}", {"value": value, "what": what, "fix": fix})
    return value


def _check(kind: str, test: Callable[[str], bool], what: str, fix: str) -> AfterValidator:  # pragma: no mutate block
    return AfterValidator(partial(_validate, kind, test, what, fix))


def _refuse_repeats(what: str, values: list[Any]) -> list[Any]:
    seen: set[str] = set()
    for value in values:
        folded = str(value).lower()
        if folded in seen:
            raise PydanticCustomError("duplicate", "lists {what} '{value}' twice; Azure refuses a repeated entry",
                                      {"what": what, "value": value})
        seen.add(folded)
    return values


Region = Annotated[str, _check(
    "region", lambda v: v in AZURE_REGIONS, "an Azure region",
    "use a region name as `az account list-locations -o table` prints it, e.g. westeurope")]
VmSize = Annotated[str, _check(
    "vm_size", lambda v: bool(_VM_SIZE.fullmatch(v)), "an Azure VM size", "write it like Standard_D4s_v5 (az vm list-sizes)")]
KubernetesVersion = Annotated[str, _check(
    "kubernetes_version", lambda v: bool(_KUBERNETES_VERSION.fullmatch(v)), "a Kubernetes version",
    "write it as major.minor or major.minor.patch, e.g. 1.33 (az aks get-versions)")]
ObjectId = Annotated[str, _check(
    "object_id", lambda v: bool(_GUID.fullmatch(v)), "an Entra object ID",
    "use the group's object ID, a GUID like 00000000-0000-0000-0000-000000000000 (az ad group show --query id)")]
Image = Annotated[str, _check(
    "image", lambda v: bool(_IMAGE.fullmatch(v)) and len(v) <= 4096, "a container image reference",
    "write it as [registry/]repository[:tag][@sha256:digest], e.g. mcr.microsoft.com/azurelinux/base/nginx:1.25")]
ProbePath = Annotated[str, _check(
    "probe_path", lambda v: bool(_PROBE_PATH.fullmatch(v)), "an HTTP path",
    "start it with '/', without spaces, e.g. /healthz")]
PortName = Annotated[str, _check(
    "port_name", lambda v: bool(_PORT_NAME.fullmatch(v)) and any(c.isalpha() for c in v), "a Kubernetes port name",
    "use 1-15 lowercase letters, digits and single '-', with at least one letter, e.g. https")]
NAMESPACE_CHECK = _check(
    "namespace", lambda v: v not in RESERVED_NAMESPACES and not v.startswith("kube-"),
    "a namespace the program may deploy to (it is reserved for Kubernetes or AKS system components)",
    "use a namespace of your own, e.g. apps")


def unique(what: str) -> AfterValidator:  # pragma: no mutate block
    """A list in which no entry repeats (compared case-insensitively, as Azure does)."""
    return AfterValidator(partial(_refuse_repeats, what))
