"""Azure's facts about the addresses of a subnet, in one place so the checks, their messages and the components agree.

Azure reserves five addresses in every subnet: the network address, .1 (the default gateway), .2 and .3 (Azure DNS)
and the broadcast address; the first address it hands out is the network address + 4 (Learn: virtual-networks-faq).
"""

from __future__ import annotations

from netaddr import IPAddress, IPNetwork

AZURE_RESERVED_PER_SUBNET = 5
FIRST_USABLE_OFFSET = 4
# RFC 1918 and RFC 6598: what Azure's default routes send to None (virtual-networks-udr-overview, "Default") and what
# Azure Firewall leaves un-SNATed by default, "IANAPrivateRanges" (firewall snat-private-range).
PRIVATE_RANGES = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10")


def first_usable(cidr: str | IPNetwork) -> str:
    """The address Azure hands the first endpoint in a subnet (a firewall, a resolver endpoint, a NIC)."""
    return str(IPNetwork(cidr).network + FIRST_USABLE_OFFSET)


def azure_reserved(network: IPNetwork) -> set[IPAddress]:
    """The five addresses of `network` Azure keeps for itself."""
    return {network.network + k for k in range(FIRST_USABLE_OFFSET)} | {network.broadcast}
