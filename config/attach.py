"""What a hub stack publishes for the stacks that attach to it, and how an attaching stack reads it back.

A hub stack exports one output, `connectivity` (CONTRACT_OUTPUT), holding the facts an attaching stack needs before it
registers anything: the hub's config (hub, gateways, sites, as validated documents), its location, what exists
(gateways, firewall address, resolver inbound IP, private zones) and the organisation's address plan as the hub stack
knows it (its own ranges and those of every stack attached to it). `hub_context()` turns that value back into a
HubContext, or raises ConfigError keyed at hybrid-aks:attach.hubStack; config.load_stack(..., hub=context) then checks
the attaching stack's plan against it. Pure Python: the Pulumi side only reads the output and hands it over.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from pydantic import ValidationError

from config.model import Gateways, Hub, Site, StackConfig
from config.problems import ConfigError, Problem, key_of

CONTRACT_OUTPUT = "connectivity"
CONTRACT_VERSION = 1
ATTACH_KEY = key_of("attach", "hubStack")


@dataclass(frozen=True)
class PublishedRange:
    """One range of the organisation's plan as a hub stack publishes it."""

    stack: str  # the stack whose config holds it
    key: str  # its config key there
    owner: str
    cidr: str
    kind: str  # "vnet" (an Azure VNet's space), "site" (on-prem prefix) or "cluster" (AKS service/pod range)
    region: str = ""
    site: str | None = None  # for kind "site": the site's name
    cluster: str | None = None  # for kind "cluster": the cluster it belongs to


@dataclass(frozen=True)
class PublishedRoute:
    stack: str
    name: str
    prefix: str


@dataclass(frozen=True)
class PublishedFlow:
    stack: str
    name: str
    sources: list[str]
    destinations: list[str]
    ports: list[str]
    protocols: list[str]


@dataclass(frozen=True)
class HubContext:
    """The hub stack as an attaching stack sees it (from its `connectivity` output)."""

    reference: str  # organization/project/stack, as hybrid-aks:attach.hubStack names it
    stack: str  # the hub stack's name
    attaching_stack: str  # the stack being checked against it (its own published rows are skipped)
    location: str
    prefix: str
    hub: Hub
    gateways: Gateways
    sites: tuple[Site, ...]
    ranges: tuple[PublishedRange, ...] = ()
    routes: tuple[PublishedRoute, ...] = ()
    flows: tuple[PublishedFlow, ...] = ()
    api_zone: str | None = None  # the region's API-server zone the hub created, if any
    ids: Mapping[str, Any] = field(default_factory=dict)  # subscriptionId, resourceGroupName, vnetName, vnetId, privateDnsZoneIds

    @property
    def has_gateways(self) -> bool:
        """A hub stack publishes its outputs once its `pulumi up` succeeded, so its gateways exist by then."""
        return self.gateways.vpn is not None or self.gateways.express_route is not None

    def site(self, name: str) -> Site | None:
        return next((s for s in self.sites if s.name == name), None)

    def others(self) -> list[PublishedRange]:
        """Every published range except the attaching stack's own."""
        return [r for r in self.ranges if r.stack != self.attaching_stack]


def hub_context(reference: str, value: Any, attaching_stack: str) -> HubContext:
    """Parse the hub stack's `connectivity` output; a missing or malformed one is a ConfigError naming the reference."""
    def refuse(message: str, fix: str) -> ConfigError:
        return ConfigError([Problem(ATTACH_KEY, f"'{reference}' {message}", fix)])

    if not isinstance(value, Mapping) or not value:
        raise refuse(f"publishes no '{CONTRACT_OUTPUT}' output: it is not a hub stack of this project, or it has never "
                     "been deployed", f"name a stack that owns a hub (hybrid-aks:hub) and run `pulumi up` on it first")
    if value.get("version") != CONTRACT_VERSION:
        raise refuse(f"publishes '{CONTRACT_OUTPUT}' version {value.get('version')!r}; this program reads version {CONTRACT_VERSION}",
                     "deploy the hub stack with the same version of this program")
    document = value.get("config") or {}
    try:
        hub = Hub.model_validate(document.get("hub"), strict=False)  # numbers come back as floats from outputs
        gateways = Gateways.model_validate(document.get("gateways") or {}, strict=False)
        sites = tuple(Site.model_validate(site, strict=False) for site in document.get("sites") or [])
        ranges = tuple(PublishedRange(**r) for r in value.get("addressPlan") or [])
        routes = tuple(PublishedRoute(**r) for r in value.get("routes") or [])
        flows = tuple(PublishedFlow(**f) for f in value.get("flows") or [])
    except (ValidationError, TypeError) as error:
        raise refuse(f"publishes a '{CONTRACT_OUTPUT}' output this program can't read ({str(error).splitlines()[0]})",
                     "deploy the hub stack with the same version of this program") from None
    return HubContext(
        reference=reference, stack=str(value.get("stack", reference.split("/")[-1])), attaching_stack=attaching_stack,
        location=str(value.get("location", "")), prefix=str(value.get("prefix", "")), hub=hub, gateways=gateways, sites=sites,
        ranges=ranges, routes=routes, flows=flows, api_zone=value.get("apiServerZone"), ids=dict(value.get("ids") or {}))


def contract_document(stack: StackConfig, stack_name: str, ranges: Sequence[PublishedRange],
                      routes: Sequence[PublishedRoute], flows: Sequence[PublishedFlow], api_zone: str | None) -> dict[str, Any]:
    """The config part of a hub stack's `connectivity` output (the deployed IDs are added by the program)."""
    return {
        "version": CONTRACT_VERSION,
        "stack": stack_name,
        "location": stack.location,
        "prefix": stack.prefix,
        "config": {
            "hub": stack.the_hub.model_dump(by_alias=True, exclude_defaults=True),
            "gateways": stack.gateways.model_dump(by_alias=True, exclude_defaults=True),
            "sites": [site.model_dump(by_alias=True, exclude_defaults=True, exclude={"aks_hybrid"}) for site in stack.sites],
        },
        "gateways": {"vpn": stack.gateways.vpn is not None, "expressRoute": stack.gateways.express_route is not None},
        "apiServerZone": api_zone,
        "addressPlan": [asdict(r) for r in ranges],
        "routes": [asdict(r) for r in routes],
        "flows": [asdict(f) for f in flows],
    }
