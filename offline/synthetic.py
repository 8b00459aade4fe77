"""Synthetic stacks of any size for the benchmark: a hub, N spokes and sites in proportion.

Every plan is valid: spokes take consecutive /22s of 10.0.0.0/8 after the hub, sites take /20s of
172.16.0.0/12, and the first spoke hosts an AKS cluster so every component type is exercised.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from netaddr import IPNetwork

ROOT = Path(__file__).resolve().parent.parent

SPOKES_PER_SITE = 10


def synthetic_document(spokes: int) -> dict[str, Any]:
    """The `hybrid-aks:` keys (without namespace) of a stack with `spokes` spokes."""
    sites = max(1, spokes // SPOKES_PER_SITE)
    spoke_blocks = IPNetwork("10.0.0.0/8").subnet(22)
    next(spoke_blocks)  # 10.0.0.0/22: the hub's
    for _ in range(3):
        next(spoke_blocks)  # 10.0.4.0/22 .. 10.0.12.0/22: headroom after the hub
    site_blocks = IPNetwork("172.16.0.0/12").subnet(20)
    document: dict[str, Any] = {
        "location": "westeurope",
        "prefix": "bench",
        "hub": {
            "addressSpace": ["10.0.0.0/22"],
            "subnets": {
                "GatewaySubnet": "10.0.0.0/27",
                "AzureFirewallSubnet": "10.0.0.64/26",
                "shared": "10.0.1.0/24",
                "dns-inbound": "10.0.2.0/28",
                "dns-outbound": "10.0.2.16/28",
            },
            "firewall": {},
            "dnsResolver": {},
        },
        "gateways": {"vpn": {"sku": "VpnGw5AZ", "activeActive": True}},  # 100 tunnels: a site per ten spokes up to 1,000
        "sites": [],
        "spokes": [],
    }
    for i in range(sites):
        block = next(site_blocks)
        document["sites"].append({
            "name": f"site{i}",
            "addressPrefixes": [str(block)],
            "dns": {"servers": [str(block.network + 10)], "domains": [f"site{i}.example.com"]},
            "vpn": {"gatewayAddress": f"198.51.{100 + i // 250}.{1 + i % 250}",
                    "bgp": {"asn": 65001 + i, "peerAddress": str(block.network + 1)}},
        })
    for i in range(spokes):
        block = next(spoke_blocks)
        halves = list(block.subnet(23))
        spoke: dict[str, Any] = {
            "name": f"spoke{i}",
            "addressSpace": [str(block)],
            "subnets": {"app": str(halves[0]), "ilb": str(next(halves[1].subnet(24)))},
        }
        if i == 0:
            spoke["aks"] = {
                "nodeSubnet": "app",
                "privateDnsZone": "hub",  # the VNets resolve through the hub resolver
                "serviceCidr": "192.168.0.0/16",
                "dnsServiceIP": "192.168.0.10",
                "systemPool": {"name": "system", "minCount": 1, "maxCount": 3},
                "userPools": [{"name": "user", "minCount": 1, "maxCount": 5}],
                "internalServices": [{"name": "web", "subnet": "ilb", "port": 80, "targetPort": 8080}],
                "externalBackends": [{"name": "onprem", "site": "site0", "ports": [{"port": 443}],
                                      "addresses": [str(IPNetwork(document["sites"][0]["addressPrefixes"][0]).network + 20)]}],
            }
        document["spokes"].append(spoke)
    return document


def synthetic_raw(spokes: int) -> dict[str, str]:
    """As Pulumi hands config to the program: full keys, JSON text."""
    return {f"hybrid-aks:{k}": v if isinstance(v, str) else json.dumps(v) for k, v in synthetic_document(spokes).items()}


def synthetic_secrets(spokes: int) -> dict[str, str]:
    return {f"hybrid-aks:vpnSharedKey-{site['name']}": "bench-placeholder" for site in synthetic_document(spokes)["sites"]}


def write_project(directory: Path, spokes: int, stack: str = "bench") -> Path:
    """A project directory `make preview` can run: Pulumi.yaml, Pulumi.<stack>.yaml and the real __main__.py.

    The secrets stay unset, as in a fresh checkout: the preview supplies placeholders and lists them.
    """
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text())
    document = {f"hybrid-aks:{key}": value for key, value in synthetic_document(spokes).items()}
    (directory / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump({"config": document}, sort_keys=False))
    main = directory / "__main__.py"
    if not main.exists():
        main.symlink_to(ROOT / "__main__.py")
    return directory
