"""Property tests of the address plan against an independent oracle (Python's `ipaddress`, not netaddr).

hypothesis generates stacks of a hub, up to four spokes (some with AKS) and up to three sites whose ranges
may collide. The oracle decides what must be refused; the checker must agree, every overlap it reports must
be real, every free range it suggests must be free, aligned and allowed, and its capacity figures must equal
the documented formula (concepts-network-ip-address-planning: (nodes + surge) x (maxPods + 1)).
"""

from __future__ import annotations

import ipaddress
import json
import re
from itertools import combinations
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config import ConfigError, load_stack
from config.plan import address_plan_rows

Net = ipaddress.IPv4Network
# Where Azure and AKS refuse a range (virtual-networks-faq, concepts-network-cni-overview); a suggestion must avoid them.
FORBIDDEN = [Net(c) for c in ("224.0.0.0/4", "127.0.0.0/8", "169.254.0.0/16", "168.63.129.16/32",
                              "172.30.0.0/16", "172.31.0.0/16", "192.0.2.0/24")]
PRIVATE = [Net("10.0.0.0/8"), Net("172.16.0.0/12"), Net("192.168.0.0/16")]
CIDR = re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}/\d{1,2}\b")


def in_block(block: str, new_prefix: int) -> st.SearchStrategy[str]:
    """An aligned /new_prefix inside block, drawn from a few slots so that collisions are common."""
    network = Net(block)
    slots = 2 ** (new_prefix - network.prefixlen)
    return st.integers(0, min(slots, 24) - 1).map(lambda i: str(list(network.subnets(new_prefix=new_prefix))[i]
                                                                 if slots <= 4096 else Net((int(network.network_address) + i * 2 ** (32 - new_prefix), new_prefix))))


@st.composite
def spokes(draw: st.DrawFn, index: int) -> dict[str, Any]:
    prefix = draw(st.sampled_from([16, 20]))
    space = draw(in_block("10.0.0.0/11", prefix))
    nodes = str(list(Net(space).subnets(new_prefix=22))[0])
    spoke: dict[str, Any] = {"name": f"s{index}", "addressSpace": [space], "subnets": {"nodes": nodes}}
    if draw(st.booleans()):
        service = draw(in_block("10.0.0.0/11", 16) | in_block("192.168.0.0/16", 20))
        max_count, max_pods = draw(st.integers(1, 8)), draw(st.sampled_from([30, 50, 80]))
        # criticalAddonsOnly/allowDirectEgress: not address rules (config/plan.py _check_baseline), kept out of the oracle's way.
        spoke["aks"] = {"nodeSubnet": "nodes", "serviceCidr": service, "dnsServiceIP": str(Net(service).network_address + 10),
                        "criticalAddonsOnly": False, "allowDirectEgress": True,
                        "systemPool": {"name": "system", "minCount": 1, "maxCount": max_count, "maxPods": max_pods,
                                       "maxSurge": draw(st.sampled_from(["1", "2", "33%"]))}}
    return spoke


@st.composite
def stacks(draw: st.DrawFn) -> dict[str, Any]:
    hub_space = draw(in_block("10.0.0.0/11", 22))
    hub_subnets = list(Net(hub_space).subnets(new_prefix=24))
    document: dict[str, Any] = {
        "location": "westeurope", "prefix": "p",
        "hub": {"addressSpace": [hub_space], "subnets": {"GatewaySubnet": str(Net((hub_subnets[0].network_address, 27))),
                                                         "shared": str(hub_subnets[1])}},
        "gateways": {"vpn": {}},
        "spokes": [draw(spokes(i)) for i in range(draw(st.integers(0, 4)))],
        "sites": [{"name": f"site{i}", "addressPrefixes": [draw(in_block("10.0.0.0/11", 16) | in_block("172.16.0.0/14", 16))],
                   "vpn": {"gatewayAddress": f"203.0.113.{10 + i}"}} for i in range(draw(st.integers(0, 3)))],
    }
    return document


def oracle_collisions(document: dict[str, Any]) -> list[tuple[Net, Net]]:
    """Pairs that must not overlap: every VNet and site range (one routing domain), and each cluster's service
    CIDR against all of them. Two clusters may share a service CIDR: it never leaves its cluster."""
    routed = [Net(c) for c in document["hub"]["addressSpace"]]
    routed += [Net(c) for spoke in document["spokes"] for c in spoke["addressSpace"]]
    routed += [Net(c) for site in document["sites"] for c in site["addressPrefixes"]]
    pairs = [(a, b) for a, b in combinations(routed, 2) if a.overlaps(b)]
    services = [Net(spoke["aks"]["serviceCidr"]) for spoke in document["spokes"] if "aks" in spoke]
    pairs += [(s, r) for s in services for r in routed if s.overlaps(r)]
    return pairs


def used_ranges(document: dict[str, Any]) -> list[Net]:
    ranges = [Net(c) for c in document["hub"]["addressSpace"]]
    for spoke in document["spokes"]:
        ranges += [Net(c) for c in spoke["addressSpace"]]
        if "aks" in spoke:
            ranges.append(Net(spoke["aks"]["serviceCidr"]))
    return ranges + [Net(c) for site in document["sites"] for c in site["addressPrefixes"]]


def raw(document: dict[str, Any]) -> dict[str, str]:
    return {f"hybrid-aks:{k}": v if isinstance(v, str) else json.dumps(v) for k, v in document.items()}


PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)


@PROPERTY
@given(stacks())
def test_the_checker_refuses_exactly_the_plans_the_oracle_refuses(document: dict[str, Any]) -> None:
    collisions = oracle_collisions(document)
    try:
        load_stack(raw(document))
    except ConfigError as error:
        overlap_problems = [p for p in error.problems if " overlaps " in p.message]
        assert collisions and overlap_problems, "\n".join(str(p) for p in error.problems)
        assert len(overlap_problems) == len(error.problems), "only overlaps are possible in these plans:\n" + "\n".join(map(str, error.problems))
        for problem in overlap_problems:
            first, second = (Net(c) for c in CIDR.findall(problem.message)[:2])
            assert first.overlaps(second), f"reported overlap is not real: {problem}"
        used = used_ranges(document)
        for problem in overlap_problems:
            (suggested,) = CIDR.findall(problem.fix)
            network = Net(suggested)  # strict: raises on host bits, i.e. a garbled range
            reported = Net(CIDR.findall(problem.message)[0])
            assert network.prefixlen == reported.prefixlen, problem.fix
            assert not any(network.overlaps(u) for u in used), f"suggested {network} is taken: {problem.fix}"
            assert not any(network.overlaps(f) for f in FORBIDDEN), f"suggested {network} is reserved: {problem.fix}"
            assert any(network.subnet_of(p) for p in PRIVATE), problem.fix
    else:
        assert not collisions, f"accepted a plan with overlaps: {collisions}"


def surge(pool: dict[str, Any]) -> int:
    value = pool.get("maxSurge", "1")
    return -(-pool["maxCount"] * int(value[:-1]) // 100) if value.endswith("%") else int(value)


@PROPERTY
@given(stacks())
def test_capacity_figures_follow_the_documented_formula(document: dict[str, Any]) -> None:
    if oracle_collisions(document):
        return
    rows = {row.key: row for row in address_plan_rows(load_stack(raw(document)))}
    for i, spoke in enumerate(document["spokes"]):
        row = rows[f"hybrid-aks:spokes[{i}].subnets.nodes"]
        assert row.usable == Net(spoke["subnets"]["nodes"]).num_addresses - 5  # Azure reserves five (virtual-networks-faq)
        if "aks" in spoke:
            pool = spoke["aks"]["systemPool"]
            assert row.needed == (pool["maxCount"] + surge(pool)) * (pool["maxPods"] + 1)


def test_a_suggested_range_is_never_one_aks_reserves() -> None:
    """Found by the property above once the 172.16.0.0/12 block was nearly full: the fix suggested 172.30.0.0/16."""
    document = {"location": "westeurope", "prefix": "p", "gateways": {"vpn": {}},
                "hub": {"addressSpace": ["10.0.0.0/22"], "subnets": {"GatewaySubnet": "10.0.0.0/27"}},
                "sites": [{"name": "a", "addressPrefixes": ["172.16.0.0/13", "172.24.0.0/14", "172.28.0.0/15"],
                           "vpn": {"gatewayAddress": "203.0.113.1"}}],
                "spokes": [{"name": "s", "addressSpace": ["172.16.0.0/16"], "subnets": {"nodes": "172.16.0.0/22"}}]}
    try:
        load_stack(raw(document))
    except ConfigError as error:
        (problem,) = error.problems
        assert problem.fix == "move one of them; 10.1.0.0/16 is free and the same size"
    else:
        raise AssertionError("the overlap was accepted")
