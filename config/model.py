"""The typed model of a stack's config (the `hybrid-aks:` namespace).

Pydantic checks shape, types, enums and formats here; the rules that relate one value to another
(overlaps, containment, capacity, ...) live in `config/plan.py`, so that every problem is reported
at once with its key. Field names are snake_case in Python and camelCase in the stack files.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

import netaddr
from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError


_CIDR_TEXT = re.compile(r"^\d{1,3}(\.\d{1,3}){3}/\d{1,2}$")


def _cidr(value: str) -> str:
    try:
        if not _CIDR_TEXT.match(value):
            raise ValueError(value)
        network = netaddr.IPNetwork(value)
    except (netaddr.AddrFormatError, ValueError, TypeError):
        raise PydanticCustomError(
            "cidr", "'{value}' is not an IPv4 CIDR range; write it as address/prefix, e.g. 10.1.0.0/16", {"value": value}
        ) from None
    if network.ip != network.network:
        raise PydanticCustomError(
            "cidr_host_bits",
            "'{value}' has host bits set; did you mean {aligned}?",
            {"value": value, "aligned": str(network.cidr)},
        )
    return str(network.cidr)


def _ip(value: str) -> str:
    try:
        address = netaddr.IPAddress(value, flags=netaddr.INET_PTON)
    except (netaddr.AddrFormatError, ValueError, TypeError):
        raise PydanticCustomError(
            "ip", "'{value}' is not an IPv4 address; write it as four numbers, e.g. 10.1.8.10", {"value": value}
        ) from None
    if address.version != 4:
        raise PydanticCustomError("ip", "'{value}' is not an IPv4 address", {"value": value})
    return str(address)


_DNS_LABEL = re.compile(r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$")
_FQDN = re.compile(r"^(?=.{1,253}\.?$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\.?$", re.IGNORECASE)
_SUBNET_NAME = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]{0,78}[A-Za-z0-9_])?$")
_POOL_NAME = re.compile(r"^[a-z][a-z0-9]{0,11}$")
_CIRCUIT_ID = re.compile(
    r"^/subscriptions/[0-9a-fA-F-]{36}/resourceGroups/[-\w._()]+/providers/Microsoft\.Network/expressRouteCircuits/[-\w._]+$"
)
_SURGE = re.compile(r"^([1-9][0-9]*)%?$")


def _pattern(pattern: re.Pattern[str], what: str, example: str):
    def check(value: str) -> str:
        if not pattern.match(value):
            raise PydanticCustomError(
                "format", "'{value}' is not a valid {what}; for example '{example}'",
                {"value": value, "what": what, "example": example},
            )
        return value

    return AfterValidator(check)


Cidr = Annotated[str, AfterValidator(_cidr)]
Ip = Annotated[str, AfterValidator(_ip)]
DnsLabel = Annotated[str, _pattern(_DNS_LABEL, "name (lowercase letters, digits and '-', starting with a letter)", "paris-dc")]
Fqdn = Annotated[str, _pattern(_FQDN, "DNS name", "vpn.paris.example.com")]
SubnetName = Annotated[str, _pattern(_SUBNET_NAME, "subnet name (letters, digits, '-', '_', '.')", "aks-nodes")]
PoolName = Annotated[str, _pattern(_POOL_NAME, "node pool name (1-12 lowercase letters and digits, starting with a letter)", "user1")]
CircuitId = Annotated[
    str,
    _pattern(
        _CIRCUIT_ID,
        "ExpressRoute circuit resource ID",
        "/subscriptions/<guid>/resourceGroups/rg-er/providers/Microsoft.Network/expressRouteCircuits/er-paris",
    ),
]
Port = Annotated[int, Field(ge=1, le=65535)]
Asn = Annotated[int, Field(ge=1, le=4294967295)]
# AKS takes maxSurge as a node count ("1") or a share of the pool ("33%").
Surge = Annotated[str, _pattern(_SURGE, "surge (a node count like '1' or a percentage like '33%')", "1")]


class Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, strict=True, alias_generator=to_camel, populate_by_name=True
    )


# --- hub ------------------------------------------------------------------------------------------


class Firewall(Model):
    sku: Literal["Standard", "Premium"] = "Standard"
    # Send 0.0.0.0/0 from the firewall on to on-premises (needs AzureFirewallManagementSubnet).
    forced_tunneling: bool = False
    zones: list[Literal["1", "2", "3"]] = []


class DnsResolver(Model):
    inbound_subnet: SubnetName = "dns-inbound"
    outbound_subnet: SubnetName = "dns-outbound"


class Hub(Model):
    name: DnsLabel = "hub"
    address_space: list[Cidr] = Field(min_length=1)
    subnets: dict[SubnetName, Cidr] = Field(min_length=1)
    # VNet DNS servers; empty means the resolver's inbound endpoint when there is one, else Azure DNS.
    dns_servers: list[Ip] = []
    firewall: Firewall | None = None
    bastion: bool = False
    dns_resolver: DnsResolver | None = None
    private_dns_zones: list[Fqdn] = []


# --- gateways -------------------------------------------------------------------------------------

VpnSku = Literal[
    "VpnGw1", "VpnGw2", "VpnGw3", "VpnGw4", "VpnGw5",
    "VpnGw1AZ", "VpnGw2AZ", "VpnGw3AZ", "VpnGw4AZ", "VpnGw5AZ",
]
ErSku = Literal["ErGw1AZ", "ErGw2AZ", "ErGw3AZ", "ErGwScale"]


class VpnGateway(Model):
    sku: VpnSku = "VpnGw1AZ"
    active_active: bool = False
    asn: Asn = 65515
    # Custom APIPA BGP addresses, one list per gateway instance (two when active-active).
    apipa_addresses: list[list[Ip]] = []


class ExpressRouteGateway(Model):
    sku: ErSku = "ErGw1AZ"


class Gateways(Model):
    vpn: VpnGateway | None = None
    express_route: ExpressRouteGateway | None = None


# --- on-premises sites ----------------------------------------------------------------------------


class SiteBgp(Model):
    asn: Asn
    peer_address: Ip


class IpsecPolicy(Model):
    # Exact enum values of Microsoft.Network IpsecPolicy; weak choices are refused by the policy pack.
    ike_encryption: Literal["AES128", "AES192", "AES256", "GCMAES128", "GCMAES256", "DES", "DES3"] = "AES256"
    ike_integrity: Literal["SHA256", "SHA384", "GCMAES128", "GCMAES256", "MD5", "SHA1"] = "SHA256"
    dh_group: Literal["DHGroup14", "DHGroup24", "DHGroup2048", "ECP256", "ECP384", "DHGroup1", "DHGroup2", "None"] = "DHGroup14"
    ipsec_encryption: Literal[
        "AES128", "AES192", "AES256", "GCMAES128", "GCMAES192", "GCMAES256", "DES", "DES3", "None"
    ] = "GCMAES256"
    ipsec_integrity: Literal["GCMAES128", "GCMAES192", "GCMAES256", "SHA256", "MD5", "SHA1"] = "GCMAES256"
    pfs_group: Literal["PFS14", "PFS24", "PFS2048", "ECP256", "ECP384", "PFSMM", "PFS1", "PFS2", "None"] = "PFS2048"
    sa_life_time_seconds: Annotated[int, Field(ge=300, le=172799)] = 27000
    sa_data_size_kilobytes: Annotated[int, Field(ge=1024, le=2147483647)] = 102400000


class SiteVpn(Model):
    gateway_address: Ip | None = None
    gateway_fqdn: Fqdn | None = None
    bgp: SiteBgp | None = None
    ipsec_policy: IpsecPolicy | None = None


class SiteExpressRoute(Model):
    circuit_id: CircuitId
    # The circuit lives in another subscription: read hybrid-aks:erAuthorizationKey-<site> (secret).
    authorization_key: bool = False
    routing_weight: Annotated[int, Field(ge=0, le=32000)] = 0


class SiteDns(Model):
    servers: list[Ip] = Field(min_length=1)
    domains: list[Fqdn] = Field(min_length=1)


class Site(Model):
    name: DnsLabel
    address_prefixes: list[Cidr] = Field(min_length=1)
    dns: SiteDns | None = None
    vpn: SiteVpn | None = None
    express_route: SiteExpressRoute | None = None


# --- spokes and AKS -------------------------------------------------------------------------------


class NodePool(Model):
    name: PoolName
    vm_size: str = "Standard_D4s_v5"
    min_count: Annotated[int, Field(ge=0, le=1000)] = 1
    max_count: Annotated[int, Field(ge=1, le=1000)] = 3
    # Checked against 10..250 by the plan, so the message can name the AKS rule.
    max_pods: int = 30
    max_surge: Surge = "1"
    # Subnet of the spoke for this pool's nodes (and pods); defaults to aks.nodeSubnet.
    subnet: SubnetName | None = None
    zones: list[Literal["1", "2", "3"]] = []


class EntraId(Model):
    enabled: bool = True
    admin_group_object_ids: list[str] = []
    azure_rbac: bool = True
    disable_local_accounts: bool = True


class App(Model):
    image: str
    replicas: Annotated[int, Field(ge=1, le=1000)] = 3
    # The port the container listens on; the service's targetPort points at it.
    container_port: Port
    args: list[str] = []


class InternalService(Model):
    name: DnsLabel
    namespace: DnsLabel = "default"
    subnet: SubnetName  # a subnet of the cluster's spoke, ideally dedicated to internal load balancers
    port: Port
    target_port: Port
    protocol: Literal["TCP", "UDP"] = "TCP"
    static_ip: Ip | None = None
    external_traffic_policy: Literal["Cluster", "Local"] = "Cluster"
    health_probe_request_path: str | None = None
    app: App | None = None


class BackendPort(Model):
    name: DnsLabel | None = None
    port: Port
    target_port: Port | None = None
    protocol: Literal["TCP", "UDP"] = "TCP"


class ExternalBackend(Model):
    name: DnsLabel
    namespace: DnsLabel = "default"
    # Exactly one of addresses (selector-less Service + EndpointSlice) or externalName (CNAME).
    addresses: list[Ip] = []
    site: DnsLabel | None = None  # the on-prem site whose prefixes must contain the addresses
    ports: list[BackendPort] = []
    external_name: Fqdn | None = None


class Aks(Model):
    node_subnet: SubnetName
    kubernetes_version: str | None = None
    network_plugin_mode: Literal["overlay"] | None = None
    network_policy: Literal["calico", "azure", "cilium"] = "calico"
    pod_cidr: Cidr | None = None
    service_cidr: Cidr
    dns_service_ip: Ip = Field(alias="dnsServiceIP")
    private_cluster: bool = True
    # "system": AKS creates privatelink.<region>.azmk8s.io; "hub": the project creates it and links it to
    # the hub so custom DNS (and on-prem through the resolver) can answer.
    private_dns_zone: Literal["system", "hub"] = "system"
    system_pool: NodePool = NodePool(name="system")
    user_pools: list[NodePool] = []
    entra_id: EntraId = EntraId()
    internal_services: list[InternalService] = []
    external_backends: list[ExternalBackend] = []


class Spoke(Model):
    name: DnsLabel
    address_space: list[Cidr] = Field(min_length=1)
    subnets: dict[SubnetName, Cidr] = Field(min_length=1)
    aks: Aks | None = None


class Kubernetes(Model):
    # Off: skip the in-cluster part (the private API server is reachable only from inside the network).
    enabled: bool = True


# --- the stack ------------------------------------------------------------------------------------


class StackConfig(Model):
    location: Annotated[str, _pattern(re.compile(r"^[a-z][a-z0-9]+$"), "Azure region name", "westeurope")]
    prefix: DnsLabel
    protect: bool = False
    tags: dict[str, str] = {}
    hub: Hub
    gateways: Gateways = Gateways()
    spokes: list[Spoke] = []
    sites: list[Site] = []
    kubernetes: Kubernetes = Kubernetes()
