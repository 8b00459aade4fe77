"""config/reference.py writes the README's config reference; on a small model, the rows it makes for each kind of field."""

from __future__ import annotations

from typing import Annotated, Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field

from config.model import Cidr, Ip
from config.readme import replace_block
from config.reference import reference_rows
from config.values import unique


class _Pool(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)
    name: str
    """Pool name."""
    size: int = 3
    """Nodes."""


class _Gateway(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)
    asn: int | None = None
    """BGP ASN."""


class _Sample(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)
    address_space: list[Cidr] = Field(alias="addressSpace")
    """Ranges."""
    dns: Annotated[list[Ip], unique("DNS server")] = []
    """Servers."""
    subnets: dict[str, Cidr] = {}
    """Subnets by name."""
    peer: Ip | None = None
    """Peer address."""
    sku: Literal["A", "B"] = "A"
    """Tier."""
    port: int | str = 443
    """A number or a named port."""
    pools: list[_Pool] = []
    """Pools."""
    gateway: _Gateway | None = None
    """Gateway."""
    enabled: bool = False


def test_each_kind_of_field_has_its_row() -> None:
    assert reference_rows(_Sample) == [
        ("addressSpace", "list of CIDR", "required", "Ranges."),
        ("dns", "list of IPv4 address", "`[]`", "Servers."),
        ("subnets", "map of name to CIDR", "`{}`", "Subnets by name."),
        ("peer", "IPv4 address", "-", "Peer address."),
        ("sku", "`A` \\| `B`", '`"A"`', "Tier."),
        ("port", "integer or string", "`443`", "A number or a named port."),
        ("pools", "list of object", "`[]`", "Pools."),
        ("pools.name", "string", "required", "Pool name."),
        ("pools.size", "integer", "`3`", "Nodes."),
        ("gateway", "object", "-", "Gateway."),
        ("gateway.asn", "integer", "-", "BGP ASN."),
        ("enabled", "boolean", "`false`", ""),
    ]


def test_a_type_the_reference_cannot_name_is_refused() -> None:
    class Odd(BaseModel):
        ratio: float = 0.5
        """A share."""

    with pytest.raises(TypeError, match="no name for the type <class 'float'>"):
        reference_rows(Odd)


def test_only_the_first_marked_block_is_replaced() -> None:
    text = "intro\n<!-- s -->\nold\n<!-- e -->\nmiddle <!-- s --> and <!-- e --> quoted\nend\n"
    assert replace_block(text, "<!-- s -->", "<!-- e -->", "new") == (
        "intro\n<!-- s -->\nnew\n<!-- e -->\nmiddle <!-- s --> and <!-- e --> quoted\nend\n")
