"""config/loader.py turns what pydantic refuses into problems a user can act on: the full config key, what is wrong
with the value given, and how to fix it. Each case changes one thing in a valid stack and asserts the whole problem."""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from config.loader import _problem_from
from config.problems import Problem
from tests.test_config import AK, SP, H, aks, problem_objects, site, spoke

REQUIRED_FIX = "add it; the config reference in README.md lists what it takes"
SPOKE_KEYS = "addressSpace, aks, name, privateEndpointSubnets, subnets"
POOL_KEYS = "maxCount, maxPods, maxSurge, minCount, name, subnet, vmSize, zones"


def one_problem(mutate: Any) -> Problem:
    (problem,) = problem_objects(mutate)
    return problem


def second_spoke_with_pool(pool: dict[str, Any]) -> Any:
    return lambda d: d["spokes"].append({"name": "b", "addressSpace": ["10.12.0.0/16"], "subnets": {"n": "10.12.0.0/24"},
                                         "aks": {"nodeSubnet": "n", "serviceCidr": "10.241.0.0/16", "dnsServiceIP": "10.241.0.10",
                                                 "systemPool": pool}})


CASES: list[tuple[str, Any, Problem, str]] = [
    ("missing", lambda d: spoke(d).pop("addressSpace"), Problem(f"{SP}.addressSpace", "is required", REQUIRED_FIX), ""),
    ("unknown-key-close-to-one", lambda d: spoke(d).__setitem__("adressSpace", ["10.11.0.0/16"]),
     Problem(f"{SP}.adressSpace", "is not a known key", f"did you mean 'addressSpace'? known keys here: {SPOKE_KEYS}"), ""),
    ("unknown-key-close-to-none", lambda d: spoke(d).__setitem__("zzz", 1),
     Problem(f"{SP}.zzz", "is not a known key", f"known keys here: {SPOKE_KEYS}"), ""),
    # Two lists and three models deep: the known keys are the node pool's, not the spoke's or the cluster's.
    ("unknown-key-in-a-pool-of-the-second-spoke", second_spoke_with_pool({"name": "system", "maxPodz": 30}),
     Problem(f"{H}spokes[1].aks.systemPool.maxPodz", "is not a known key", f"did you mean 'maxPods'? known keys here: {POOL_KEYS}"), ""),
    ("unknown-key-in-an-optional-model", lambda d: d["hub"]["firewall"].__setitem__("skuu", "Premium"),
     Problem(f"{H}hub.firewall.skuu", "is not a known key",
             "did you mean 'sku'? known keys here: dnsProxy, egressFqdns, forcedTunneling, intrusionDetection, sku, threatIntelMode, "
             "tlsInspection, zones"), ""),
    ("string-for-a-number", lambda d: aks(d)["systemPool"].__setitem__("maxPods", "many"),
     Problem(f"{AK}.systemPool.maxPods", 'must be a whole number, got "many"', "write it as a whole number"), ""),
    ("string-for-a-list", lambda d: spoke(d).__setitem__("addressSpace", "10.11.0.0/16"),
     Problem(f"{SP}.addressSpace", 'must be a list, got "10.11.0.0/16"', "write it as a list"), ""),
    ("text-for-a-boolean", lambda d: d.__setitem__("protect", "yes"),
     Problem(f"{H}protect", 'must be true or false, got "yes"', "write it as true or false"), ""),
    ("list-for-a-mapping", lambda d: spoke(d).__setitem__("subnets", ["a"]),
     Problem(f"{SP}.subnets", 'must be a mapping of keys to values, got ["a"]', "write it as a mapping of keys to values"), ""),
    # A value is shown whole up to 80 characters, then cut to its first 60 with its length.
    ("value-of-80-characters-shown-whole", lambda d: aks(d)["systemPool"].__setitem__("maxPods", ["x" * 76]),
     Problem(f"{AK}.systemPool.maxPods", f'must be a whole number, got ["{"x" * 76}"]', "write it as a whole number"), ""),
    ("value-of-81-characters-cut", lambda d: aks(d)["systemPool"].__setitem__("maxPods", ["x" * 77]),
     Problem(f"{AK}.systemPool.maxPods", f'must be a whole number, got ["{"x" * 58}... (81 characters)', "write it as a whole number"), ""),
    ("not-an-allowed-value", lambda d: d["hub"]["firewall"].__setitem__("sku", "Basic"),
     Problem(f"{H}hub.firewall.sku", 'is "Basic", which is not one of the allowed values', "use one of 'Standard' or 'Premium'"), ""),
    ("cidr-with-host-bits", lambda d: spoke(d).__setitem__("addressSpace", ["10.11.0.1/16"]),
     Problem(f"{SP}.addressSpace[0]", "'10.11.0.1/16' has host bits set; did you mean 10.11.0.0/16?",
             "use 10.11.0.0/16 (the range's network address)"), ""),
    ("not-a-cidr", lambda d: spoke(d).__setitem__("addressSpace", ["10.11.0.0"]),
     Problem(f"{SP}.addressSpace[0]", "'10.11.0.0' is not an IPv4 CIDR range; write it as address/prefix, e.g. 10.1.0.0/16",
             "correct the value's format"), ""),
    ("not-an-ip", lambda d: aks(d).__setitem__("dnsServiceIP", "10.240.0.300"),
     Problem(f"{AK}.dnsServiceIP", "'10.240.0.300' is not an IPv4 address; write it as four numbers, e.g. 10.1.8.10",
             "correct the value's format"), ""),
    ("not-a-name", lambda d: d.__setitem__("prefix", "T"),
     Problem(f"{H}prefix", "'T' is not a valid name (lowercase letters, digits and '-', starting with a letter); for example 'paris-dc'",
             "correct the value's format"), ""),
    # DNS names are ASCII (IDNs go in as punycode); IGNORECASE alone would let the Kelvin sign (U+212A) pass as a 'k'.
    ("domain-with-a-kelvin-sign", lambda d: site(d)["dns"].__setitem__("domains", ["\u212aab.example.com"]),
     Problem(f"{H}sites[0].dns.domains[0]", "'\u212aab.example.com' is not a valid DNS name; for example 'vpn.paris.example.com'",
             "correct the value's format"), ""),
    ("not-a-region", lambda d: d.__setitem__("location", "mars"),
     Problem(f"{H}location", "'mars' is not an Azure region",
             "use a region name as `az account list-locations -o table` prints it, e.g. westeurope"), "azure-region"),
    # The value is the user's: whatever it holds ("; " too) is quoted whole, and the fix is the check's.
    ("not-a-region-with-a-semicolon", lambda d: d.__setitem__("location", "west; europe"),
     Problem(f"{H}location", "'west; europe' is not an Azure region",
             "use a region name as `az account list-locations -o table` prints it, e.g. westeurope"), "azure-region"),
    ("reserved-namespace", lambda d: aks(d)["internalServices"][0].__setitem__("namespace", "kube-x"),
     Problem(f"{AK}.internalServices[0].namespace",
             "'kube-x' is not a namespace the program may deploy to (it is reserved for Kubernetes or AKS system components)",
             "use a namespace of your own, e.g. apps"), "namespace-not-reserved"),
    ("repeated-zone", lambda d: d["hub"]["firewall"].__setitem__("zones", ["2", "3", "2"]),
     Problem(f"{H}hub.firewall.zones", "lists zone '2' twice; Azure refuses a repeated entry", "remove the repeated entry"), "list-no-repeats"),
    ("repeated-domain-in-another-case", lambda d: site(d)["dns"].__setitem__("domains", ["lab.example.com", "LAB.example.com"]),
     Problem(f"{H}sites[0].dns.domains", "lists domain 'LAB.example.com' twice; Azure refuses a repeated entry", "remove the repeated entry"),
     "list-no-repeats"),
    ("empty-list", lambda d: spoke(d).__setitem__("addressSpace", []),
     Problem(f"{SP}.addressSpace", "the list should have at least 1 item after validation, not 0", "add or remove entries"), ""),
    ("number-below-range", lambda d: site(d)["vpn"]["bgp"].__setitem__("asn", 0),
     Problem(f"{H}sites[0].vpn.bgp.asn", "is 0: input should be greater than or equal to 1", "choose a value in range"), ""),
    ("number-above-range", lambda d: site(d)["vpn"]["bgp"].__setitem__("asn", 5000000000),
     Problem(f"{H}sites[0].vpn.bgp.asn", "is 5000000000: input should be less than or equal to 4294967295", "choose a value in range"), ""),
]


@pytest.mark.parametrize(("mutate", "expected", "rule"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_refused_value_is_one_problem_with_its_key_message_and_fix(mutate: Any, expected: Problem, rule: str) -> None:
    problem = one_problem(mutate)
    assert (problem.key, problem.message, problem.fix, problem.rule) == (expected.key, expected.message, expected.fix, rule)


def test_a_misspelled_secret_key_suggests_the_secret_and_how_to_set_it() -> None:
    problems = problem_objects(lambda d: None, extra={f"{H}vpnShareKey-lab": "x"})
    assert problems == [Problem(
        f"{H}vpnShareKey-lab", "is not a known key (the program never reads it, so the secret it holds is unused)",
        f"did you mean 'vpnSharedKey-lab'? run: pulumi config rm {H}vpnShareKey-lab; pulumi config set --secret {H}vpnSharedKey-lab <value>")]


# Errors no field of StackConfig raises today (no list has a maximum length, no string a length limit), as pydantic
# would report them for a field that did.
class _Limited(BaseModel):
    model_config = ConfigDict(strict=True)
    zones: list[str] = Field(default=[], max_length=2)
    name: Annotated[str, Field(max_length=3)] = "a"


def _details(document: dict[str, Any]) -> Any:
    with pytest.raises(ValidationError) as caught:
        _Limited.model_validate(document)
    (detail,) = caught.value.errors()
    return detail


def test_a_list_too_long_is_reported_as_such() -> None:
    assert _problem_from(_details({"zones": ["1", "2", "3"]})) == Problem(
        f"{H}zones", "the list should have at most 2 items after validation, not 3", "add or remove entries")


def test_any_other_refusal_keeps_pydantics_message() -> None:
    assert _problem_from(_details({"name": "abcd"})) == Problem(f"{H}name", "String should have at most 3 characters", "correct the value")


@pytest.mark.parametrize(("value", "hidden"), [
    ("ssh-rsa AAAA\nline two", True),       # several lines: a pasted key or kubeconfig, whatever its words
    ("  one line with spaces  \n", False),  # a trailing newline alone is still one line
    ("westeurope", False),
])
def test_a_multi_line_value_is_treated_as_a_credential(value: str, hidden: bool) -> None:
    from config.loader import looks_like_credential
    assert looks_like_credential(value) is hidden


def test_the_problem_count_reads_as_english() -> None:
    from config.problems import ConfigError
    one = ConfigError([Problem("hybrid-aks:prefix", "is required", "set it")])
    two = ConfigError([Problem("hybrid-aks:prefix", "is required", "set it"), Problem("hybrid-aks:location", "is required", "set it")])
    assert str(one).splitlines()[0] == "the stack config has 1 problem:"
    assert str(two).splitlines()[0] == "the stack config has 2 problems:"


def test_a_misspelled_kubeconfig_key_suggests_the_spokes_kubeconfig() -> None:
    problems = problem_objects(lambda d: None, extra={f"{H}kubeconfg-aks": "x"})
    assert problems == [Problem(
        f"{H}kubeconfg-aks", "is not a known key (the program never reads it, so the secret it holds is unused)",
        f"did you mean 'kubeconfig-aks'? run: pulumi config rm {H}kubeconfg-aks; pulumi config set --secret {H}kubeconfig-aks <value>")]


def test_a_key_set_to_null_is_a_problem_naming_it() -> None:
    problems = problem_objects(lambda d: None, extra={f"{H}protect": None})  # type: ignore[dict-item]
    assert [(p.key, p.message, p.fix) for p in problems] == [(f"{H}protect", "has no value (null)", "give it a value or remove the key")]


def test_a_repeated_port_name_names_the_port_that_has_it() -> None:
    def repeat(d: dict[str, Any]) -> None:
        aks(d)["externalBackends"][0]["ports"] = [{"name": "https", "port": 443}, {"name": "https", "port": 8443}]
    problems = [p for p in problem_objects(repeat) if p.rule == "port-names-unique"]
    key = f"{AK}.externalBackends[0].ports"
    assert [(p.key, p.message) for p in problems] == [(
        f"{key}[1].name", f"'https' is already the name of {key}[0]; Kubernetes refuses two ports of one name in a Service")]
