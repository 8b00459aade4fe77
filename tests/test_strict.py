"""Bad input that must never get through (issue 13): each case changes one thing in a valid stack and asserts
the exact key, the message, and that nothing is registered.

Config cases run through load_stack (pure Python); stack-file cases through the offline preview, which must exit 1
with keyed messages and zero resources, never 2 or a bare exception.
"""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from config import ConfigError, load_stack
from offline.preview import main, preview
from tests.stacks import ROOT
from tests.test_config import AK, BASE, SP, H, aks, raw_of, site, spoke

GUID = "5b1e0c2a-6a4e-4f57-9a53-2f3c1c8e9d10"
KUBECONFIG = "apiVersion: v1\nkind: Config\nusers:\n- name: u\n  user: {token: eyJhbGciOiJSUzI1NiIsImtpZCI6IjEyMyJ9.abc}\n"


def second_site(d: dict[str, Any], **changes: Any) -> None:
    extra = {"name": "lab2", "addressPrefixes": ["172.20.0.0/16"], "vpn": {"gatewayAddress": "203.0.113.11"}}
    extra.update(changes)
    d["sites"].append(extra)


def second_aks_spoke(d: dict[str, Any], name: str = "aks2", **aks_changes: Any) -> None:
    other = copy.deepcopy(spoke(d))
    other.update(name=name, addressSpace=["10.12.0.0/16"], subnets={"nodes": "10.12.0.0/22", "ilb": "10.12.8.0/24"})
    other["aks"]["internalServices"] = []
    other["aks"].update(aks_changes)
    d["spokes"].append(other)


def app(d: dict[str, Any]) -> dict[str, Any]:
    service = aks(d)["internalServices"][0]
    service.setdefault("app", {"image": "nginx:1.27", "containerPort": 80})
    return service["app"]


def tags(n: int) -> Callable[[dict[str, Any]], None]:
    return lambda d: d.__setitem__("tags", {f"t{i}": "v" for i in range(n)})


LONG = "x" * 40

CASES: list[tuple[str, Callable[[dict[str, Any]], None], str, str]] = [
    # --- values Azure or Kubernetes refuse at deployment ---
    ("empty-vm-size", lambda d: aks(d)["systemPool"].__setitem__("vmSize", ""), f"{AK}.systemPool.vmSize", "'' is not an Azure VM size"),
    ("vm-size-without-standard", lambda d: aks(d)["userPools"][0].__setitem__("vmSize", "D4s_v5"), f"{AK}.userPools[0].vmSize",
     "'D4s_v5' is not an Azure VM size"),
    ("vm-size-basic", lambda d: aks(d)["userPools"][0].__setitem__("vmSize", "Basic_A1"), f"{AK}.userPools[0].vmSize", "not an Azure VM size"),
    ("vm-size-with-space", lambda d: aks(d)["userPools"][0].__setitem__("vmSize", "Standard D4s v5"), f"{AK}.userPools[0].vmSize",
     "not an Azure VM size"),
    ("empty-image", lambda d: app(d).__setitem__("image", ""), f"{AK}.internalServices[0].app.image", "'' is not a container image reference"),
    ("image-with-space", lambda d: app(d).__setitem__("image", "nginx 1.27"), f"{AK}.internalServices[0].app.image",
     "is not a container image reference"),
    ("image-uppercase-repo", lambda d: app(d).__setitem__("image", "NGINX:1.27"), f"{AK}.internalServices[0].app.image",
     "is not a container image reference"),
    ("image-bad-digest", lambda d: app(d).__setitem__("image", "nginx@sha256:abc"), f"{AK}.internalServices[0].app.image",
     "is not a container image reference"),
    ("k8s-version-word", set_k8s := (lambda v: lambda d: aks(d).__setitem__("kubernetesVersion", v))("latest"), f"{AK}.kubernetesVersion",
     "'latest' is not a Kubernetes version"),
    ("k8s-version-v-prefix", set_k8s_v := (lambda d: aks(d).__setitem__("kubernetesVersion", "v1.33")), f"{AK}.kubernetesVersion",
     "'v1.33' is not a Kubernetes version"),
    ("k8s-version-major-2", lambda d: aks(d).__setitem__("kubernetesVersion", "2.1"), f"{AK}.kubernetesVersion", "not a Kubernetes version"),
    ("k8s-version-empty", lambda d: aks(d).__setitem__("kubernetesVersion", ""), f"{AK}.kubernetesVersion", "not a Kubernetes version"),
    ("k8s-version-trailing-newline", lambda d: aks(d).__setitem__("kubernetesVersion", "1.33\n"), f"{AK}.kubernetesVersion",
     "not a Kubernetes version"),
    ("admin-group-not-guid", lambda d: aks(d).__setitem__("entraId", {"adminGroupObjectIds": ["platform-admins"]}),
     f"{AK}.entraId.adminGroupObjectIds[0]", "'platform-admins' is not an Entra object ID"),
    ("admin-group-guid-short", lambda d: aks(d).__setitem__("entraId", {"adminGroupObjectIds": [GUID[:-1]]}),
     f"{AK}.entraId.adminGroupObjectIds[0]", "is not an Entra object ID"),
    ("admin-group-guid-braces", lambda d: aks(d).__setitem__("entraId", {"adminGroupObjectIds": ["{" + GUID + "}"]}),
     f"{AK}.entraId.adminGroupObjectIds[0]", "is not an Entra object ID"),
    ("admin-group-repeated", lambda d: aks(d).__setitem__("entraId", {"adminGroupObjectIds": [GUID, GUID.upper()]}),
     f"{AK}.entraId.adminGroupObjectIds", "lists group"),
    ("unknown-region", lambda d: d.__setitem__("location", "europewest"), f"{H}location", "'europewest' is not an Azure region"),
    ("region-display-name", lambda d: d.__setitem__("location", "West Europe"), f"{H}location", "'West Europe' is not an Azure region"),
    ("region-uppercase", lambda d: d.__setitem__("location", "WestEurope"), f"{H}location", "is not an Azure region"),
    ("region-trailing-newline", lambda d: d.__setitem__("location", "westeurope\n"), f"{H}location", "is not an Azure region"),
    ("probe-path-relative", lambda d: aks(d)["internalServices"][0].__setitem__("healthProbeRequestPath", "healthz"),
     f"{AK}.internalServices[0].healthProbeRequestPath", "'healthz' is not an HTTP path"),
    ("probe-path-url", lambda d: aks(d)["internalServices"][0].__setitem__("healthProbeRequestPath", "http://x/healthz"),
     f"{AK}.internalServices[0].healthProbeRequestPath", "is not an HTTP path"),
    ("probe-path-space", lambda d: aks(d)["internalServices"][0].__setitem__("healthProbeRequestPath", "/health z"),
     f"{AK}.internalServices[0].healthProbeRequestPath", "is not an HTTP path"),
    ("port-name-too-long", lambda d: aks(d)["externalBackends"][0]["ports"][0].__setitem__("name", "https-backend-port"),
     f"{AK}.externalBackends[0].ports[0].name", "'https-backend-port' is not a Kubernetes port name"),
    ("port-name-digits-only", lambda d: aks(d)["externalBackends"][0]["ports"][0].__setitem__("name", "443"),
     f"{AK}.externalBackends[0].ports[0].name", "is not a Kubernetes port name"),
    ("port-name-double-dash", lambda d: aks(d)["externalBackends"][0]["ports"][0].__setitem__("name", "a--b"),
     f"{AK}.externalBackends[0].ports[0].name", "is not a Kubernetes port name"),
    ("duplicate-port-names", lambda d: aks(d)["externalBackends"][0].__setitem__("ports", [{"name": "web", "port": 443}, {"name": "web", "port": 8443}]),
     f"{AK}.externalBackends[0].ports[1].name", "'web' is already the name of"),
    ("duplicate-port-numbers", lambda d: aks(d)["externalBackends"][0].__setitem__("ports", [{"name": "a", "port": 443}, {"name": "b", "port": 443}]),
     f"{AK}.externalBackends[0].ports[1].port", "TCP 443 is already hybrid-aks:spokes[0].aks.externalBackends[0].ports[0]"),
    ("unnamed-port-among-two", lambda d: aks(d)["externalBackends"][0].__setitem__("ports", [{"name": "a", "port": 443}, {"port": 80}]),
     f"{AK}.externalBackends[0].ports[1].name", "is required when a Service has more than one port"),
    ("namespace-kube-system", lambda d: aks(d)["internalServices"][0].__setitem__("namespace", "kube-system"),
     f"{AK}.internalServices[0].namespace", "'kube-system' is not a namespace the program may deploy to"),
    ("namespace-kube-prefix", lambda d: aks(d)["externalBackends"][0].__setitem__("namespace", "kube-apps"),
     f"{AK}.externalBackends[0].namespace", "is not a namespace the program may deploy to"),
    ("namespace-gatekeeper", lambda d: aks(d)["internalServices"][1].__setitem__("namespace", "gatekeeper-system"),
     f"{AK}.internalServices[1].namespace", "is not a namespace the program may deploy to"),
    ("duplicate-pool-zones", lambda d: aks(d)["userPools"][0].__setitem__("zones", ["1", "1"]), f"{AK}.userPools[0].zones", "lists zone '1' twice"),
    ("duplicate-firewall-zones", lambda d: d["hub"]["firewall"].__setitem__("zones", ["2", "3", "2"]), f"{H}hub.firewall.zones", "lists zone '2' twice"),
    ("duplicate-site-dns-server", lambda d: site(d)["dns"].__setitem__("servers", ["172.19.0.10", "172.19.0.10"]), f"{H}sites[0].dns.servers",
     "lists DNS server '172.19.0.10' twice"),
    ("duplicate-domain-case", lambda d: site(d)["dns"].__setitem__("domains", ["lab.example.com", "LAB.example.com"]), f"{H}sites[0].dns.domains",
     "twice"),
    ("duplicate-hub-dns-server", lambda d: d["hub"].__setitem__("dnsServers", ["10.10.2.4", "10.10.2.4"]), f"{H}hub.dnsServers", "twice"),
    ("duplicate-private-zone", lambda d: d["hub"].__setitem__("privateDnsZones", ["corp.internal.example", "Corp.Internal.example"]),
     f"{H}hub.privateDnsZones", "twice"),
    ("duplicate-backend-address", lambda d: aks(d)["externalBackends"][0].__setitem__("addresses", ["172.19.5.20", "172.19.5.20"]),
     f"{AK}.externalBackends[0].addresses", "lists address '172.19.5.20' twice"),
    ("prefix-trailing-newline", lambda d: d.__setitem__("prefix", "t\n"), f"{H}prefix", "is not a valid name"),
    ("subnet-name-trailing-newline", lambda d: spoke(d)["subnets"].__setitem__("ilb\n", "10.11.9.0/24"), f"{SP}.subnets.ilb\n",
     "is not a valid subnet name"),
    ("cidr-trailing-newline", lambda d: spoke(d).__setitem__("addressSpace", ["10.11.0.0/16\n"]), f"{SP}.addressSpace[0]", "is not an IPv4 CIDR range"),
    ("fqdn-trailing-newline", lambda d: site(d)["dns"].__setitem__("domains", ["lab.example.com\n"]), f"{H}sites[0].dns.domains[0]", "is not a valid DNS name"),
    ("null-vm-size", lambda d: aks(d)["systemPool"].__setitem__("vmSize", None), f"{AK}.systemPool.vmSize", "must be a string, got null"),
    ("null-hub", lambda d: d.__setitem__("hub", None), f"{H}hub", "is required: a stack owns a hub or attaches to one"),
    # --- Azure naming rules on final names ---
    ("cluster-name-too-long", lambda d: spoke(d).__setitem__("name", "a" + LONG + "b" * 20), f"{SP}.name",
     "AKS cluster name 'aks-t-a"),
    ("dns-prefix-too-long", lambda d: spoke(d).__setitem__("name", "k" * 49), f"{SP}.name", "Azure allows 1-54 for managedClusters dnsPrefix"),
    ("vnet-name-too-long-from-prefix", lambda d: (d.__setitem__("prefix", "p" * 60), d.__setitem__("spokes", [])), f"{H}hub.name",
     "virtual network name 'vnet-pppp"),
    ("nsg-name-too-long", lambda d: spoke(d)["subnets"].__setitem__("s" * 72, "10.11.12.0/24"), f"{SP}.subnets.{'s' * 72}",
     "network security group name 'nsg-t-aks-ssss"),
    ("subnet-name-ends-with-dot", lambda d: spoke(d)["subnets"].__setitem__("apps.", "10.11.12.0/24"), f"{SP}.subnets.apps.", "subnet name"),
    ("forwarding-rule-name-too-long", lambda d: site(d)["dns"].__setitem__("domains", [".".join(["abcdefghij"] * 9) + ".com"]),
     f"{H}sites[0].dns.domains[0]", "Azure allows 1-80 for Microsoft.Network/dnsForwardingRulesets/forwardingRules"),
    # --- clashes Azure sees because it compares names case-insensitively ---
    ("subnets-differ-in-case", lambda d: spoke(d)["subnets"].__setitem__("Nodes", "10.11.12.0/24"), f"{SP}.subnets.Nodes",
     "makes the subnet 'Nodes', but hybrid-aks:spokes[0].subnets.nodes already makes 'nodes', equal to it ignoring case"),
    ("spoke-named-like-hub", lambda d: d["spokes"].append({"name": "hub", "addressSpace": ["10.12.0.0/16"], "subnets": {"app": "10.12.0.0/24"}}),
     f"{H}spokes[1].name", "makes the resource group 'rg-t-hub', but hybrid-aks:hub.name already makes the same name"),
    ("spoke-named-like-arc-site", lambda d: (site(d).__setitem__("name", "edge"),
                                             d["spokes"].append({"name": "edge-arc", "addressSpace": ["10.12.0.0/16"], "subnets": {"app": "10.12.0.0/24"}}),
                                             _arc(site(d))),
     f"{H}spokes[1].name", "makes the resource group 'rg-t-edge-arc', but hybrid-aks:sites[0].name already makes the same name"),
    ("domain-forwarded-to-two-sites", lambda d: second_site(d, addressPrefixes=["172.20.0.0/16"],
                                                            dns={"servers": ["172.20.0.10"], "domains": ["lab.example.com"]}),
     f"{H}sites[1].dns.domains[0]", "makes the DNS forwarding rule 'lab-example-com', but hybrid-aks:sites[0].dns.domains[0] already makes the same name"),
    ("domains-differ-in-normalised-chars", lambda d: second_site(d, addressPrefixes=["172.20.0.0/16"],
                                                                 dns={"servers": ["172.20.0.10"], "domains": ["lab-example.com"]}),
     f"{H}sites[1].dns.domains[0]", "makes the DNS forwarding rule 'lab-example-com'"),
    # --- documented limits ---
    ("51-tags", tags(51), f"{H}tags", "has 51 tags; Azure allows 50 per resource"),
    ("tag-name-513", lambda d: d.__setitem__("tags", {"n" * 513: "v"}), f"{H}tags.{'n' * 513}", "is a tag name of 513 characters; Azure allows 512"),
    ("tag-value-257", lambda d: d.__setitem__("tags", {"owner": "v" * 257}), f"{H}tags.owner", "has a value of 257 characters; Azure allows 256"),
    ("tag-name-slash", lambda d: d.__setitem__("tags", {"cost/center": "x"}), f"{H}tags.cost/center", "a character Azure refuses in tag names"),
    ("tag-name-percent", lambda d: d.__setitem__("tags", {"100%": "x"}), f"{H}tags.100%", "a character Azure refuses in tag names"),
    ("501-spokes", lambda d: d.__setitem__("spokes", [{"name": f"s{i}", "addressSpace": [f"10.{64 + i // 256}.{i % 256}.0/24"],
                                                       "subnets": {"app": f"10.{64 + i // 256}.{i % 256}.0/26"}} for i in range(501)]),
     f"{H}spokes", "has 501 spokes, but the hub VNet can have at most 500 peerings"),
    ("31-vpn-sites-on-vpngw1", lambda d: d.__setitem__("sites", [{"name": f"s{i}", "addressPrefixes": [f"172.20.{i}.0/24"],
                                                                  "vpn": {"gatewayAddress": f"203.0.113.{i + 1}"}} for i in range(31)]),
     f"{H}gateways.vpn.sku", "VpnGw1AZ takes at most 30 site-to-site tunnels, but 31 sites use VPN"),
    ("seven-dns-targets", lambda d: site(d)["dns"].__setitem__("servers", [f"172.19.0.{i}" for i in range(10, 17)]), f"{H}sites[0].dns.servers",
     "lists 7 servers; a forwarding rule takes at most 6"),
    ("empty-tag-name", lambda d: d.__setitem__("tags", {" ": "x"}), f"{H}tags. ", "is an empty tag name"),
    ("101-node-pools", lambda d: aks(d).__setitem__("userPools", [{"name": f"p{i}", "maxCount": 1, "maxPods": 10} for i in range(100)]),
     f"{AK}.userPools", "makes 101 node pools; AKS allows 100 per cluster"),
    ("5-er-sites-on-ergw1az", lambda d: (d["gateways"].__setitem__("expressRoute", {"sku": "ErGw1AZ"}),
                                         d.__setitem__("sites", [{"name": f"s{i}", "addressPrefixes": [f"172.20.{i}.0/24"], "expressRoute": {
                                             "circuitId": f"/subscriptions/{GUID}/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/er{i}"}}
                                                                 for i in range(5)])),
     f"{H}gateways.expressRoute.sku", "ErGw1AZ takes at most 4 ExpressRoute circuit connections, but 5 sites use ExpressRoute"),
    ("1001-forwarded-domains", lambda d: site(d)["dns"].__setitem__("domains", [f"d{i}.lab.example.com" for i in range(1001)]),
     f"{H}sites", "forward 1001 DNS domains; a forwarding ruleset holds at most 1000 rules"),
    ("3001-subnets", lambda d: d["spokes"].append({"name": "wide", "addressSpace": ["10.64.0.0/16"],
                                                   "subnets": {f"s{i}": f"10.64.{i // 32}.{(i % 32) * 8}/29" for i in range(3001)}}),
     f"{H}spokes[1].subnets", "has 3001 subnets; a VNet holds at most 3000"),
    ("cluster-over-5000-nodes", lambda d: aks(d).__setitem__("userPools", [{"name": f"p{i}", "maxCount": 1000, "maxPods": 10} for i in range(6)]),
     f"{AK}.userPools", "lets the cluster grow to 6003 nodes"),
    # --- namespaces and keys the program doesn't read ---
]


def _arc(s: dict[str, Any]) -> None:
    s["addressPrefixes"] = ["172.19.0.0/16"]
    s["aksHybrid"] = {
        "customLocationId": "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg/providers/Microsoft.ExtendedLocation/customLocations/cl",
        "subnet": "172.19.10.0/24", "gateway": "172.19.10.1", "dnsServers": ["172.19.0.10"],
        "nodePool": {"start": "172.19.10.10", "end": "172.19.10.40"}, "controlPlaneIp": "172.19.10.50",
        "loadBalancer": {"ranges": [{"start": "172.19.10.100", "end": "172.19.10.120"}]},
    }


EXTRA_KEY_CASES: list[tuple[str, dict[str, str], str, str]] = [
    ("namespace-typo", {"hybird-aks:spokes": "[]"}, "hybird-aks:spokes", "did you mean 'hybrid-aks:spokes'?"),
    ("foreign-namespace", {"azure:location": "westeurope"}, "azure:location", "is in namespace 'azure', which nothing in this program reads"),
    ("azure-native-typo", {"azure-native:subscriptionID": GUID}, "azure-native:subscriptionID", "did you mean 'azure-native:subscriptionId'?"),
    ("azure-native-unknown", {"azure-native:region": "westeurope"}, "azure-native:region", "is not a setting of the azure-native provider"),
    ("secret-key-case-typo", {"hybrid-aks:vpnSharedkey-lab": "k"}, "hybrid-aks:vpnSharedkey-lab", "did you mean 'vpnSharedKey-lab'?"),
    ("secret-key-underscore", {"hybrid-aks:vpnSharedKey_lab": "k"}, "hybrid-aks:vpnSharedKey_lab", "did you mean 'vpnSharedKey-lab'?"),
    ("secret-for-misspelled-site", {"hybrid-aks:vpnSharedKey-lap": "k"}, "hybrid-aks:vpnSharedKey-lap", "did you mean 'vpnSharedKey-lab'?"),
]


def _problems(document: dict[str, Any], extra: dict[str, str] | None = None, secret_keys: Any = None) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_stack({**raw_of(document), **(extra or {})}, secret_keys)
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize(("mutate", "key", "fragment"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_value_is_refused_at_its_key(mutate: Callable[[dict[str, Any]], None], key: str, fragment: str) -> None:
    document = copy.deepcopy(BASE)
    mutate(document)
    problems = _problems(document)
    assert [p for p in problems if p.startswith(f"{key}: ") and fragment in p], (
        f"expected a problem at {key} containing {fragment!r}; got:\n" + "\n".join(problems))
    assert all("\n    fix: " in p and not p.rstrip().endswith("fix:") for p in problems)


@pytest.mark.parametrize(("extra", "key", "fragment"), [c[1:] for c in EXTRA_KEY_CASES], ids=[c[0] for c in EXTRA_KEY_CASES])
def test_key_the_program_does_not_read_is_refused(extra: dict[str, str], key: str, fragment: str) -> None:
    problems = _problems(BASE, extra, secret_keys=set(extra))
    assert [p for p in problems if p.startswith(f"{key}: ") and fragment in p], "\n".join(problems)


def test_cases_are_distinct() -> None:
    ids = [c[0] for c in CASES] + [c[0] for c in EXTRA_KEY_CASES]
    assert len(set(ids)) == len(ids)


def test_azure_native_location_is_reported_under_its_own_name() -> None:
    document = copy.deepcopy(BASE)
    del document["location"]
    problems = _problems(document, {"azure-native:location": "West Europe"})
    assert problems and problems[0].startswith("azure-native:location: 'West Europe' is not an Azure region")


@pytest.mark.parametrize("credential", [KUBECONFIG, "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig",
                                        "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----",
                                        "DefaultEndpointsProtocol=https;AccountName=x;AccountKey=abcdefghijklmnopqrstuvwxyz0123456789ABCD=="],
                         ids=["kubeconfig", "jwt", "private-key", "storage-connection-string"])
def test_a_credential_pasted_into_the_wrong_key_is_never_echoed(credential: str) -> None:
    document = copy.deepcopy(BASE)
    document["prefix"] = credential
    aks(document)["systemPool"]["vmSize"] = credential
    problems = _problems(document)
    text = "\n".join(problems)
    assert f"{H}prefix: " in text and f"{AK}.systemPool.vmSize: " in text
    for line in credential.splitlines():
        if len(line) >= 8:
            assert line not in text, f"credential text echoed: {line!r}"
    assert "looks like a credential, not shown" in text


def test_suggested_free_range_is_never_forbidden() -> None:
    """The overlap fix suggests a free range of the same size; AKS forbids 172.30/172.31, so never suggest them."""
    from config.plan import _first_free
    from netaddr import IPNetwork, IPSet

    used = IPSet(["172.16.0.0/15", "172.18.0.0/15", "172.20.0.0/14", "172.24.0.0/14", "172.28.0.0/15"])
    assert _first_free(16, used, [IPNetwork("172.16.0.0/12")]) is None
    assert _first_free(-1, IPSet(), [IPNetwork("10.0.0.0/8")]) is None


# --- the stack file itself, through the offline preview --------------------------------------------------------


def project(tmp_path: Path, stack: str, text: str | bytes) -> Path:
    shutil.copy(ROOT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    shutil.copy(ROOT / "__main__.py", tmp_path / "__main__.py")
    target = tmp_path / f"Pulumi.{stack}.yaml"
    target.write_bytes(text if isinstance(text, bytes) else text.encode())
    return tmp_path


DEV = (ROOT / "Pulumi.dev.yaml").read_text()
LAUGHS = "".join(f"{c}: &{c} [{', '.join([f'*{p}'] * 10) if p else ', '.join(['x'] * 10)}]\n"
                 for p, c in zip(["", "a", "b", "c", "d", "e"], "abcdef")) + "config:\n  hybrid-aks:x: *f\n"

FILE_CASES = [
    ("duplicate-yaml-key", DEV.replace("  hybrid-aks:prefix: dev\n", "  hybrid-aks:prefix: dev\n  hybrid-aks:prefix: prod\n"),
     "key 'hybrid-aks:prefix' appears twice (first at line"),
    ("top-level-list", "- config\n", "must be a map with a config: section, not a list"),
    ("top-level-scalar", "hello\n", "must be a map with a config: section, not a string"),
    ("config-is-list", "config:\n  - hybrid-aks:prefix\n", "config: must be a map of keys to values, not a list"),
    ("config-is-string", "config: hybrid-aks\n", "config: must be a map of keys to values, not a string"),
    ("not-utf8", DEV.encode().replace(b"owner: platform-team", b"owner: \xe9quipe"), "is not UTF-8 text (byte 0xe9 on line"),
    ("deep-nesting", "config:\n  hybrid-aks:x: " + "[" * 30 + "]" * 30 + "\n", "nests maps and lists more than 20 levels deep"),
    ("very-deep-nesting", "config:\n  hybrid-aks:x: " + "[" * 3000 + "]" * 3000 + "\n", "nests maps and lists more than 20 levels deep"),
    ("billion-laughs", LAUGHS, "expands to more than 200000 values"),
    ("too-large", "config:\n  hybrid-aks:prefix: dev\n" + "# padding\n" * 110_000, "the offline preview reads stack files up to 1000000 bytes"),
    ("invalid-yaml", "config:\n  hybrid-aks:prefix: [dev\n", "is not valid YAML"),
    ("null-prefix", DEV.replace("hybrid-aks:prefix: dev", "hybrid-aks:prefix:"), "hybrid-aks:prefix: has no value (null)"),
    ("empty-prefix", DEV.replace("hybrid-aks:prefix: dev", "hybrid-aks:prefix: ''"), "hybrid-aks:prefix: '' is not a valid name"),
    ("protect-not-boolean", DEV.replace("hybrid-aks:prefix: dev", "hybrid-aks:prefix: dev\n  hybrid-aks:protect: 'yes'"),
     "hybrid-aks:protect: Pulumi.yaml declares it as boolean, but the stack sets string"),
    ("prefix-not-string", DEV.replace("hybrid-aks:prefix: dev", "hybrid-aks:prefix: 42"),
     "hybrid-aks:prefix: Pulumi.yaml declares it as string, but the stack sets number"),
    ("section-typo", DEV.replace("hybrid-aks:spokes:", "hybrid-aks:spoke:"), "hybrid-aks:spoke: is not a known key"),
    ("namespace-typo-in-file", DEV.replace("hybrid-aks:tags:", "hybird-aks:tags:"), "hybird-aks:tags: is in namespace 'hybird-aks'"),
]


@pytest.mark.parametrize(("text", "fragment"), [c[1:] for c in FILE_CASES], ids=[c[0] for c in FILE_CASES])
def test_bad_stack_file_exits_1_with_a_keyed_message_and_no_resources(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str | bytes, fragment: str) -> None:
    root = project(tmp_path, "bad", text)
    code = main(["--stack", "bad", "--project-dir", str(root), "--json", str(tmp_path / "r.json")])
    out = capsys.readouterr()
    assert code == 1, out.out + out.err
    assert "the program failed" not in out.err and "Traceback" not in out.out + out.err
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["resources"] == []
    assert any(fragment in e for e in report["errors"]), report["errors"]


def test_a_directory_in_place_of_the_stack_file(tmp_path: Path) -> None:
    root = project(tmp_path, "other", DEV)
    (root / "Pulumi.dir.yaml").mkdir()
    result = preview("dir", root)
    assert result.exit_code == 1 and result.registrations == []
    assert result.errors == ["Pulumi.dir.yaml is a directory, not a stack file"]


def test_a_key_without_namespace_lands_in_the_projects(tmp_path: Path) -> None:
    root = project(tmp_path, "bare", DEV.replace("hybrid-aks:prefix: dev", "prefix: dev"))
    result = preview("bare", root)
    assert result.errors == [] and result.exit_code == 0


def test_a_duplicate_urn_fails_the_preview(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """What only the registrations show: a second resource with the same type and name (the engine refuses it)."""
    root = project(tmp_path, "dup", DEV)
    (root / "__main__.py").write_text((ROOT / "__main__.py").read_text() + '''
azure.resources.ResourceGroup("extra", resource_group_name="rg-extra-1")
azure.resources.ResourceGroup("extra", resource_group_name="rg-extra-2")
''')
    assert main(["--stack", "dup", "--project-dir", str(root)]) == 1
    text = capsys.readouterr().out
    (line,) = [line for line in text.splitlines() if line.startswith("- duplicate resource URN ")]
    assert "azure-native:resources:ResourceGroup::extra: 2 resources of type azure-native:resources:ResourceGroup are named 'extra'" in line


def test_an_azure_id_equal_ignoring_case_fails_the_preview(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path, "case", DEV)
    (root / "__main__.py").write_text((ROOT / "__main__.py").read_text() + '''
azure.resources.ResourceGroup("shouting", resource_group_name="RG-DEV-HUB")
''')
    assert main(["--stack", "case", "--project-dir", str(root)]) == 1
    text = capsys.readouterr().out
    (line,) = [line for line in text.splitlines() if line.startswith("- one Azure resource created 2 times: ")]
    assert "'shouting' (azure-native:resources:ResourceGroup" in line and "'hub-rg' (azure-native:resources:ResourceGroup" in line


def test_the_program_registers_nothing_for_bad_values() -> None:
    """Under the engine (not the preview's pre-check), __main__.py refuses a naming clash before any resource."""
    from offline.mocks import install, run_program
    from offline.preview import read_stack_file

    config = dict(read_stack_file(ROOT, "dev").config)
    spokes = json.loads(config["hybrid-aks:spokes"])
    spokes[0]["subnets"]["Nodes"] = "10.11.12.0/24"
    config.update({"hybrid-aks:spokes": json.dumps(spokes), "hybrid-aks:vpnSharedKey-lab": "k", "hybird-aks:x": "1"})
    mocks = install(config=config, secret_keys=["hybrid-aks:vpnSharedKey-lab"])
    with pytest.raises(ConfigError) as caught:
        run_program(ROOT / "__main__.py", mocks)
    assert {p.key for p in caught.value.problems} >= {"hybrid-aks:spokes[0].subnets.Nodes", "hybird-aks:x"}
    assert mocks.registrations == []


def _limit_problems(mutate: Callable[[dict[str, Any]], None]) -> list[tuple[str, str, str]]:
    from tests.test_config import problem_objects
    return [(p.key, p.message, p.fix) for p in problem_objects(mutate)]


def test_tag_and_forwarding_limits_name_the_key_and_the_fix() -> None:
    """tag-resources: names up to 512 characters, none of < > % & \\ ? /; dns-private-resolver limits: 1000 rules."""
    assert _limit_problems(lambda d: d.__setitem__("tags", {"n" * 513: "v"})) == [
        (f"hybrid-aks:tags.{'n' * 513}", "is a tag name of 513 characters; Azure allows 512 (tag-resources)", "shorten the name")]
    assert _limit_problems(lambda d: d.__setitem__("tags", {"a/b": "v", "n" * 512: "v"})) == [
        ("hybrid-aks:tags.a/b", "is a tag name with a character Azure refuses in tag names (< > % & \\ ? /) (tag-resources)",
         "remove those characters from the name")]  # 512 characters is allowed
    many = [f"d{i}.example.com" for i in range(1001)]
    assert ("hybrid-aks:sites", "forward 1001 DNS domains; a forwarding ruleset holds at most 1000 rules (dns-private-resolver limits)",
            "forward parent domains instead of each subdomain") in _limit_problems(lambda d: d["sites"][0]["dns"].update(domains=many))


def test_a_ruleset_of_exactly_1000_domains_is_accepted() -> None:
    from config import load_stack
    from tests.test_config import BASE, raw_of
    document = copy.deepcopy(BASE)
    document["sites"][0]["dns"]["domains"] = [f"d{i}.example.com" for i in range(1000)]
    assert len(load_stack(raw_of(document)).sites[0].dns.domains) == 1000  # type: ignore[union-attr]


def test_a_repeated_port_number_says_kubernetes_refuses_it() -> None:
    from tests.test_config import aks, problem_objects
    key = "hybrid-aks:spokes[0].aks.externalBackends[0].ports"
    problems = [p for p in problem_objects(lambda d: aks(d)["externalBackends"][0].update(ports=[{"port": 443}, {"port": 443}]))
                if p.rule == "port-numbers-unique"]
    assert [(p.key, p.message, p.fix) for p in problems] == [(
        f"{key}[1].port", f"TCP 443 is already {key}[0]; Kubernetes refuses a repeated port in a Service", "remove the repeated port")]


@pytest.mark.parametrize(("sites", "refused"), [(4, False), (5, True)])
def test_an_ergw1az_connects_at_most_four_circuits(sites: int, refused: bool) -> None:
    """expressroute-about-virtual-network-gateways: ErGw1AZ takes 4 circuit connections; the fifth is refused."""
    from config import ConfigError, load_stack
    from tests.test_config import BASE, raw_of
    document = copy.deepcopy(BASE)
    document["gateways"]["expressRoute"] = {"sku": "ErGw1AZ"}
    document["sites"] = [{"name": f"dc{i}", "addressPrefixes": [f"172.{20 + i}.0.0/16"], "expressRoute": {"circuitId": (
        "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg/providers/Microsoft.Network/"
        f"expressRouteCircuits/er{i}")}} for i in range(sites)]
    document["spokes"][0]["aks"].pop("externalBackends", None)
    key = "hybrid-aks:gateways.expressRoute.sku"
    keys: set[str] = set()
    try:
        load_stack(raw_of(document))
    except ConfigError as error:
        keys = {p.key for p in error.problems}
    assert keys == ({key} if refused else set()), keys
