"""Azure's facts about the addresses of a subnet, in one place so the checks, their messages and the components agree.

Azure reserves five addresses in every subnet: the network address, .1 (the default gateway), .2 and .3 (Azure DNS)
and the broadcast address; the first address it hands out is the network address + 4 (Learn: virtual-networks-faq).
"""

from __future__ import annotations

from netaddr import IPAddress, IPNetwork

AZURE_RESERVED_PER_SUBNET = 5
FIRST_USABLE_OFFSET = 4


def first_usable(cidr: str | IPNetwork) -> str:
    """The address Azure hands the first endpoint in a subnet (a firewall, a resolver endpoint, a NIC)."""
    return str(IPNetwork(cidr).network + FIRST_USABLE_OFFSET)


def azure_reserved(network: IPNetwork) -> set[IPAddress]:
    """The five addresses of `network` Azure keeps for itself."""
    return {network.network + k for k in range(FIRST_USABLE_OFFSET)} | {network.broadcast}
