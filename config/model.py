"""The typed model of a stack's config (the `hybrid-aks:` namespace).

Pydantic checks shape, types, enums and formats here; the rules that relate one value to another
(overlaps, containment, capacity, ...) live in `config/plan.py`, so that every problem is reported
at once with its key. Field names are snake_case in Python and camelCase in the stack files.
"""

from __future__ import annotations

import re
from functools import partial
from typing import Annotated, Any, Literal, get_args

import netaddr
from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from config.values import NAMESPACE_CHECK, Image, KubernetesVersion, ObjectId, PortName, ProbePath, Region, VmSize, unique


_CIDR_TEXT = re.compile(r"^\d{1,3}(\.\d{1,3}){3}/\d{1,2}$")


def _cidr(value: str) -> str:
    try:
        if not _CIDR_TEXT.fullmatch(value):
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
_FQDN = re.compile(r"^(?=.{1,253}\.?$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\.?$", re.IGNORECASE | re.ASCII)  # ASCII: IGNORECASE alone lets the Kelvin sign match k
_SUBNET_NAME = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]{0,78}[A-Za-z0-9_])?$")
_POOL_NAME = re.compile(r"^[a-z][a-z0-9]{0,11}$")
_CIRCUIT_ID = re.compile(
    r"^/subscriptions/[0-9a-fA-F-]{36}/resourceGroups/[-\w._()]+/providers/Microsoft\.Network/expressRouteCircuits/[-\w._]+$"
)
_SURGE = re.compile(r"^([1-9][0-9]*)%?$")
_CUSTOM_LOCATION_ID = re.compile(
    r"^/subscriptions/[0-9a-fA-F-]{36}/resourceGroups/[-\w._()]+/providers/Microsoft\.ExtendedLocation/customLocations/[-\w._]+$"
)


def _match(pattern: re.Pattern[str], what: str, example: str, value: str) -> str:
    if not pattern.fullmatch(value):  # fullmatch: '$' alone would accept a trailing newline
        raise PydanticCustomError(
            "format", "'{value}' is not a valid {what}; for example '{example}'",
            {"value": value, "what": what, "example": example},
        )
    return value


def _pattern(pattern: re.Pattern[str], what: str, example: str) -> AfterValidator:  # pragma: no mutate block
    return AfterValidator(partial(_match, pattern, what, example))  # bound at import, run per value (config/values.py)


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
CustomLocationId = Annotated[
    str,
    _pattern(
        _CUSTOM_LOCATION_ID,
        "custom location resource ID",
        "/subscriptions/<guid>/resourceGroups/rg-local/providers/Microsoft.ExtendedLocation/customLocations/cl-lyon",
    ),
]
Port = Annotated[int, Field(ge=1, le=65535)]
Asn = Annotated[int, Field(ge=1, le=4294967295)]
# AKS takes maxSurge as a node count ("1") or a share of the pool ("33%").
Surge = Annotated[str, _pattern(_SURGE, "surge (a node count like '1' or a percentage like '33%')", "1")]


class Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, strict=True, alias_generator=to_camel, populate_by_name=True,
        use_attribute_docstrings=True,
    )


# --- hub ------------------------------------------------------------------------------------------


class TlsInspection(Model):
    key_vault_secret_id: str
    """Key Vault secret ID of the intermediate CA certificate the firewall signs inspected connections with (Learn: premium-certificates)."""
    identity_id: str
    """Resource ID of the user-assigned identity that reads the secret (Key Vault Secrets User on the vault)."""


class Firewall(Model):
    sku: Literal["Standard", "Premium"] = "Standard"
    """Azure Firewall tier."""
    threat_intel_mode: Literal["Deny", "Alert", "Off"] = "Deny"
    """Threat intelligence: Deny drops traffic to and from known-malicious addresses and domains (Learn: threat-intel)."""
    intrusion_detection: Literal["Deny", "Alert", "Off"] | None = None
    """IDPS (Premium only): Deny blocks matching signatures; omitted means Deny on Premium (Learn: premium-features#idps)."""
    tls_inspection: TlsInspection | None = None
    """TLS inspection (Premium only): the CA certificate in Key Vault and the identity that reads it; off when omitted, since it needs your enterprise CA."""
    dns_proxy: bool = False
    """DNS proxy: the VNets resolve through the firewall, which forwards to the hub resolver (or hub.dnsServers); needed only for FQDNs in network rules. Off: the VNets resolve through the resolver directly and FQDNs are filtered by application rules."""
    forced_tunneling: bool = False
    """Internet-bound traffic leaves the firewall for on-premises, not the internet: needs AzureFirewallManagementSubnet and a default route from on-prem (a site with advertisesDefaultRoute, or gateways.vpn.defaultSite)."""
    zones: Annotated[list[Literal["1", "2", "3"]], unique("zone")] = []
    """Availability zones of the firewall and its public IPs."""
    egress_fqdns: list[Fqdn] = []
    """Extra HTTPS destinations the AKS nodes may reach (e.g. a private registry's hosts); the registries of the stack's images are allowed without it."""


class DnsResolver(Model):
    inbound_subnet: SubnetName = "dns-inbound"
    """Hub subnet (/28 to /24) of the inbound endpoint that on-prem DNS forwards Azure names to."""
    outbound_subnet: SubnetName = "dns-outbound"
    """Hub subnet (/28 to /24) of the outbound endpoint that forwards the sites' domains on-prem."""


class Hub(Model):
    name: DnsLabel = "hub"
    """Name of the hub in Azure resource names."""
    address_space: list[Cidr] = Field(min_length=1)
    """Address space of the hub VNet."""
    subnets: dict[SubnetName, Cidr] = Field(min_length=1)
    """Subnets by name. Use Azure's exact names GatewaySubnet, AzureFirewallSubnet, AzureFirewallManagementSubnet, AzureBastionSubnet where needed."""
    dns_servers: Annotated[list[Ip], unique("DNS server")] = []
    """VNet DNS servers for hub and spokes; empty means the resolver's inbound endpoint when there is one, else Azure DNS."""
    firewall: Firewall | None = None
    """Azure Firewall in the hub; spokes send 0.0.0.0/0 to it and AKS uses outboundType userDefinedRouting."""
    bastion: bool = False
    """Azure Bastion in AzureBastionSubnet."""
    dns_resolver: DnsResolver | None = None
    """Azure DNS Private Resolver: on-prem resolves Azure private zones, Azure resolves the sites' domains."""
    private_dns_zones: Annotated[list[Fqdn], unique("zone")] = []
    """Private DNS zones to create and link to the hub VNet."""


# --- gateways -------------------------------------------------------------------------------------

VpnSku = Literal[
    "VpnGw1", "VpnGw2", "VpnGw3", "VpnGw4", "VpnGw5",
    "VpnGw1AZ", "VpnGw2AZ", "VpnGw3AZ", "VpnGw4AZ", "VpnGw5AZ",
]
ErSku = Literal["ErGw1AZ", "ErGw2AZ", "ErGw3AZ", "ErGwScale"]


class VpnGateway(Model):
    sku: VpnSku = "VpnGw1AZ"
    """VPN gateway SKU; the AZ SKUs are zone-redundant. Basic is not offered (no BGP, Basic public IP)."""
    active_active: bool = False
    """Two gateway instances, each with its own public IP."""
    asn: Asn = 65515
    """BGP ASN of the Azure VPN gateway."""
    apipa_addresses: list[list[Ip]] = []
    """Custom APIPA BGP addresses (169.254.21.0 - 169.254.22.255), one list per gateway instance."""
    default_site: DnsLabel | None = None
    """Forced tunneling without a BGP default route: the VPN site that receives internet-bound traffic (gatewayDefaultSite; VPN-only hubs)."""


class ExpressRouteGateway(Model):
    sku: ErSku = "ErGw1AZ"
    """ExpressRoute gateway SKU."""


class Gateways(Model):
    vpn: VpnGateway | None = None
    """Site-to-site VPN gateway in GatewaySubnet."""
    express_route: ExpressRouteGateway | None = None
    """ExpressRoute gateway in GatewaySubnet (coexists with the VPN gateway; GatewaySubnet /27 or larger)."""


# --- on-premises sites ----------------------------------------------------------------------------


class SiteBgp(Model):
    asn: Asn
    """The on-prem device's BGP ASN (not one Azure or IANA reserves, not the gateway's)."""
    peer_address: Ip
    """The on-prem device's BGP address: inside the site's prefixes, or an APIPA address."""


class IpsecPolicy(Model):
    ike_encryption: Literal["AES128", "AES192", "AES256", "GCMAES128", "GCMAES256", "DES", "DES3"] = "AES256"
    """IKE phase 1 encryption."""
    ike_integrity: Literal["SHA256", "SHA384", "GCMAES128", "GCMAES256", "MD5", "SHA1"] = "SHA256"
    """IKE phase 1 integrity."""
    dh_group: Literal["DHGroup14", "DHGroup24", "DHGroup2048", "ECP256", "ECP384", "DHGroup1", "DHGroup2", "None"] = "DHGroup14"
    """IKE phase 1 Diffie-Hellman group."""
    ipsec_encryption: Literal[
        "AES128", "AES192", "AES256", "GCMAES128", "GCMAES192", "GCMAES256", "DES", "DES3", "None"
    ] = "GCMAES256"
    """IPsec phase 2 encryption."""
    ipsec_integrity: Literal["GCMAES128", "GCMAES192", "GCMAES256", "SHA256", "MD5", "SHA1"] = "GCMAES256"
    """IPsec phase 2 integrity."""
    pfs_group: Literal["PFS14", "PFS24", "PFS2048", "ECP256", "ECP384", "PFSMM", "PFS1", "PFS2", "None"] = "PFS2048"
    """IPsec phase 2 perfect forward secrecy group."""
    sa_life_time_seconds: Annotated[int, Field(ge=300, le=172799)] = 27000
    """IPsec SA lifetime in seconds."""
    sa_data_size_kilobytes: Annotated[int, Field(ge=1024, le=2147483647)] = 102400000
    """IPsec SA payload size in KB."""


class SiteVpn(Model):
    gateway_address: Ip | None = None
    """Public IP of the on-prem VPN device (or give gatewayFqdn)."""
    gateway_fqdn: Fqdn | None = None
    """DNS name of the on-prem VPN device (or give gatewayAddress)."""
    bgp: SiteBgp | None = None
    """BGP with the on-prem device; without it the site's addressPrefixes are routed statically."""
    ipsec_policy: IpsecPolicy | None = IpsecPolicy()
    """IPsec/IKE policy of the connection; omitted means the strong defaults below, null means Azure's default proposals (which include weak algorithms; the crypto policy refuses them in prod)."""
    routing_weight: Annotated[int, Field(ge=0, le=32000)] = 0
    """Routing weight of the connection: the higher wins among VPN connections to the same prefixes (ExpressRoute is preferred over VPN whatever the weight)."""


class SiteExpressRoute(Model):
    circuit_id: CircuitId
    """Resource ID of the existing ExpressRoute circuit."""
    authorization_key: bool = False
    """The circuit is in another subscription: read hybrid-aks:erAuthorizationKey-<site> (secret)."""
    routing_weight: Annotated[int, Field(ge=0, le=32000)] = 0
    """Routing weight of the connection: the higher wins among ExpressRoute connections to the same prefixes."""


class SiteDns(Model):
    servers: Annotated[list[Ip], unique("DNS server")] = Field(min_length=1)
    """On-prem DNS servers (inside the site's prefixes) that answer the site's domains."""
    domains: Annotated[list[Fqdn], unique("domain")] = Field(min_length=1)
    """On-prem DNS domains forwarded to those servers by the DNS resolver."""


from config.onprem import AksHybrid  # noqa: E402  (after the base types it uses)


class Site(Model):
    name: DnsLabel
    """Site name; also names its secrets (vpnSharedKey-<name>, erAuthorizationKey-<name>)."""
    address_prefixes: list[Cidr] = Field(min_length=1)
    """On-prem ranges reached through this site; they must not overlap any VNet or other site."""
    dns: SiteDns | None = None
    """On-prem DNS for this site."""
    vpn: SiteVpn | None = None
    """Site-to-site VPN connection (needs gateways.vpn and the secret vpnSharedKey-<name>)."""
    express_route: SiteExpressRoute | None = None
    """ExpressRoute connection to an existing circuit (needs gateways.expressRoute)."""
    aks_hybrid: AksHybrid | None = None
    """An AKS hybrid (Arc) cluster at this site: its pools join the address plan."""
    advertises_default_route: bool = False
    """On-prem advertises 0.0.0.0/0 over BGP (ExpressRoute or a BGP VPN): the hub firewall's forced tunneling follows it."""


# --- spokes and AKS -------------------------------------------------------------------------------


class NodePool(Model):
    name: PoolName
    """Node pool name: 1-12 lowercase letters and digits."""
    vm_size: VmSize = "Standard_D4s_v5"
    """VM size of the nodes."""
    min_count: Annotated[int, Field(ge=0, le=1000)] = 1
    """Autoscaler minimum."""
    max_count: Annotated[int, Field(ge=1, le=1000)] = 3
    """Autoscaler maximum; the subnet-capacity check uses it."""
    max_pods: int = 30
    """Pods per node (10-250; 30 or more on the system pool). With Azure CNI each takes a subnet IP."""
    max_surge: Surge = "1"
    """Extra nodes during an upgrade: a count ('1') or a share of maxCount ('33%'); counted in the capacity check."""
    subnet: SubnetName | None = None
    """Subnet of the spoke for this pool's nodes (and pods); defaults to aks.nodeSubnet."""
    zones: Annotated[list[Literal["1", "2", "3"]], unique("zone")] = []
    """Availability zones of the pool."""


class EntraId(Model):
    enabled: bool = True
    """Entra ID (Azure AD) integration."""
    admin_group_object_ids: Annotated[list[ObjectId], unique("group")] = []
    """Entra groups that are cluster admins."""
    azure_rbac: bool = True
    """Azure RBAC for Kubernetes authorization."""
    disable_local_accounts: bool = True
    """Turn local accounts off, so every access goes through Entra ID."""


class App(Model):
    image: Image
    """Container image of the workload behind the service."""
    replicas: Annotated[int, Field(ge=1, le=1000)] = 3
    """Number of pods."""
    container_port: Port
    """Port the container listens on; when it differs from the service's targetPort the pod maps targetPort to it."""
    args: list[str] = []
    """Container arguments."""
    run_as_user: Annotated[int, Field(ge=1, le=2147483647)] = 10001
    """Non-root UID the containers run as (the image must not need root; 10001 keeps clear of host UIDs)."""
    read_only_root_filesystem: bool = True
    """Read-only root filesystem; writablePaths get an emptyDir each."""
    writable_paths: list[str] = ["/tmp"]
    """Directories the app writes to (e.g. nginx-unprivileged's pid file and caches in /tmp)."""
    cpu_request: str = "100m"
    """CPU request of the app container."""
    memory_request: str = "128Mi"
    """Memory request of the app container."""
    cpu_limit: str = "500m"
    """CPU limit of the app container."""
    memory_limit: str = "256Mi"
    """Memory limit of the app container."""


class InternalService(Model):
    name: DnsLabel
    """Service name."""
    namespace: Annotated[DnsLabel, NAMESPACE_CHECK] = "default"
    """Kubernetes namespace."""
    subnet: SubnetName  # a subnet of the cluster's spoke, ideally dedicated to internal load balancers
    """Subnet of the cluster's spoke where the internal load balancer takes its IP (ideally dedicated)."""
    port: Port
    """Port clients dial on the load balancer."""
    target_port: Port
    """Pod port the traffic goes to."""
    protocol: Literal["TCP", "UDP"] = "TCP"
    """TCP or UDP."""
    static_ip: Ip | None = None
    """Static private IP of the load balancer, inside the subnet (azure-load-balancer-ipv4 annotation)."""
    external_traffic_policy: Literal["Cluster", "Local"] = "Cluster"
    """Local keeps the client IP and sends traffic only to nodes with a ready pod."""
    health_probe_request_path: ProbePath | None = None
    """HTTP path of the Azure load balancer's health probe."""
    app: App | None = None
    """A Deployment behind the service (optional; without it the service selects pods labelled app=<name>)."""


class BackendPort(Model):
    name: PortName | None = None
    """Port name."""
    port: Port
    """Port of the Service."""
    target_port: Port | None = None
    """Port of the on-prem endpoints; defaults to port."""
    protocol: Literal["TCP", "UDP"] = "TCP"
    """TCP or UDP."""


class ExternalBackend(Model):
    name: DnsLabel
    """Service name."""
    namespace: Annotated[DnsLabel, NAMESPACE_CHECK] = "default"
    """Kubernetes namespace."""
    addresses: Annotated[list[Ip], unique("address")] = []
    """On-prem IPs: a selector-less Service with an EndpointSlice. Exclusive with externalName."""
    site: DnsLabel | None = None  # the on-prem site whose prefixes must contain the addresses
    """Site whose addressPrefixes must contain the addresses (any site when omitted)."""
    ports: list[BackendPort] = []
    """Ports of the Service and EndpointSlice (required with addresses)."""
    external_name: Fqdn | None = None
    """On-prem DNS name: an ExternalName Service (a CNAME, no proxying). Exclusive with addresses."""


class MaintenanceWindow(Model):
    day_of_week: Literal["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"] = "Sunday"
    """Weekly day of the window."""
    start_time: Annotated[str, _pattern(re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$"), "time (HH:MM)", "00:00")] = "00:00"
    """Start, HH:MM in utcOffset."""
    duration_hours: Annotated[int, Field(ge=4, le=24)] = 4
    """Length of the window (AKS requires at least 4 hours)."""
    utc_offset: Annotated[str, _pattern(re.compile(r"^[+-]([01][0-9]|2[0-3]):[0-5][0-9]$"), "UTC offset", "+01:00")] = "+00:00"
    """UTC offset of startTime."""


class Aks(Model):
    node_subnet: SubnetName
    """Subnet of the spoke for nodes and, with Azure CNI, pods."""
    kubernetes_version: KubernetesVersion | None = None
    """Kubernetes version, e.g. '1.33'; AKS's default when omitted."""
    network_plugin_mode: Literal["overlay"] | None = None
    """'overlay' for Azure CNI Overlay (pods take podCidr addresses); omitted means pods take subnet IPs."""
    network_policy: Literal["calico", "azure", "cilium"] = "calico"
    """Network policy engine; cilium needs overlay here."""
    pod_cidr: Cidr | None = None
    """Overlay pod range (each node takes a /24); only with networkPluginMode overlay."""
    service_cidr: Cidr
    """Kubernetes service range: smaller than /12, clear of every VNet, site and reserved range."""
    dns_service_ip: Ip = Field(alias="dnsServiceIP")
    """CoreDNS service IP: inside serviceCidr, not its first address."""
    private_cluster: bool = True
    """Private API server (private endpoint in the node subnet)."""
    private_dns_zone: Literal["system", "hub"] = "system"
    """'system': AKS creates the privatelink zone; 'hub': the project creates it in the hub and links it, so custom DNS and on-prem can resolve the API server."""
    system_pool: NodePool = NodePool(name="system")
    """The system node pool (same keys as a user pool)."""
    user_pools: list[NodePool] = []
    """User node pools."""
    entra_id: EntraId = EntraId()
    """Entra ID integration."""
    sku_tier: Literal["Free", "Standard", "Premium"] = "Standard"
    """AKS tier: Standard has the uptime SLA and the control plane that scales (Learn: free-standard-pricing-tiers); Free suits dev/test only."""
    upgrade_channel: Literal["none", "patch", "stable", "rapid", "node-image"] = "patch"
    """Cluster auto-upgrade channel (Learn: auto-upgrade-cluster), applied in maintenanceWindow."""
    node_os_upgrade_channel: Literal["None", "Unmanaged", "NodeImage", "SecurityPatch"] = "NodeImage"
    """Node OS auto-upgrade channel (Learn: auto-upgrade-node-os-image), applied in maintenanceWindow."""
    maintenance_window: MaintenanceWindow = MaintenanceWindow()
    """Planned maintenance window of both channels (aksManagedAutoUpgradeSchedule, aksManagedNodeOSUpgradeSchedule)."""
    workload_identity: bool = True
    """OIDC issuer and Microsoft Entra Workload ID, so pods get Azure tokens without secrets."""
    defender: bool = True
    """Microsoft Defender for Containers sensor (securityProfile.defender), reporting to the stack's Log Analytics workspace."""
    image_cleaner_interval_hours: Annotated[int, Field(ge=24, le=2160)] | None = 168
    """Image Cleaner removes unused, vulnerable images every so many hours; null turns it off."""
    azure_policy: bool = True
    """Azure Policy add-on (Gatekeeper), so subscription policy assignments reach the cluster."""
    critical_addons_only: bool = True
    """Taint the system pool CriticalAddonsOnly=true:NoSchedule, so workloads run on user pools (needs one). Sent when the cluster is created."""
    authorized_ip_ranges: list[Cidr] = []
    """CIDRs allowed to reach a public API server (required when privateCluster is false; never 0.0.0.0/0)."""
    container_insights: bool = True
    """Container Insights (the monitoring add-on) into the stack's Log Analytics workspace."""
    allow_direct_egress: bool = False
    """Without a hub firewall the nodes egress through an AKS-managed public IP no firewall sees: set true to accept that explicitly."""
    internal_services: list[InternalService] = []
    """Services behind an internal Azure load balancer."""
    external_backends: list[ExternalBackend] = []
    """Services for on-prem backends."""

    def pool_subnet(self, pool: NodePool) -> str:
        """The subnet a node pool's nodes (and, with Azure CNI, pods) take addresses from: its own, else nodeSubnet."""
        return pool.subnet or self.node_subnet

    def pool_subnets(self) -> set[str]:
        """Every subnet holding nodes of the cluster."""
        return {self.pool_subnet(pool) for pool in [self.system_pool, *self.user_pools]}


class Spoke(Model):
    name: DnsLabel
    """Spoke name, used in resource names."""
    address_space: list[Cidr] = Field(min_length=1)
    """Address space of the spoke VNet."""
    subnets: dict[SubnetName, Cidr] = Field(min_length=1)
    """Subnets by name; each gets an NSG and, with a hub firewall, the route table."""
    aks: Aks | None = None
    """An AKS cluster in this spoke."""
    private_endpoint_subnets: list[SubnetName] = []
    """Subnets that hold private endpoints: their network policies are on, so the hub's routes send traffic to them through the firewall, which SNATs it (an endpoint's replies ignore route tables)."""


class FlowEnd(Model):
    spoke: DnsLabel | None = None
    """A spoke, by name (all its address space, or one subnet with subnet)."""
    subnet: SubnetName | None = None
    """One subnet of that spoke."""
    site: DnsLabel | None = None
    """An on-prem site, by name (all its addressPrefixes)."""


class Flow(Model):
    name: DnsLabel
    """Flow name; names its firewall rule."""
    source: FlowEnd = Field(alias="from")
    """Where connections start: {spoke: <name>[, subnet: <name>]} or {site: <name>}."""
    destination: FlowEnd = Field(alias="to")
    """Where they go; replies return the same way."""
    ports: list[Port] = Field(min_length=1)
    """Destination ports."""
    protocol: Literal["TCP", "UDP"] = "TCP"
    """TCP or UDP."""


class Logs(Model):
    workspace_id: str | None = None
    """Resource ID of an existing Log Analytics workspace; omitted means the stack creates one (log-<prefix>) in rg-<prefix>-monitoring."""
    retention_days: Annotated[int, Field(ge=30, le=730)] = 90
    """Retention of the stack's workspace (when it creates one)."""
    flow_logs: bool = True
    """VNet flow logs (Network Watcher) for every VNet, to a storage account and traffic analytics in the workspace."""
    network_watcher_resource_group: str = "NetworkWatcherRG"
    """Resource group of the region's Network Watcher, which Azure creates as NetworkWatcher_<region>."""


class Kubernetes(Model):
    enabled: bool = True
    """Build the in-cluster part (services, backends). Off when the runner can't reach the private API server."""
    deployer_principal_type: Literal["ServicePrincipal", "User"] = "ServicePrincipal"
    """Who runs `pulumi up`: it gets AKS RBAC Cluster Admin on clusters with Azure RBAC to create the in-cluster objects. ServicePrincipal for the workflows' OIDC app, User for a person's az login."""


# --- the stack ------------------------------------------------------------------------------------


# --- attaching to a hub that another stack owns -----------------------------------------------------

_STACK_REFERENCE = re.compile(r"^[A-Za-z0-9][-A-Za-z0-9_.]*/[A-Za-z0-9][-A-Za-z0-9_.]*/[A-Za-z0-9][-A-Za-z0-9_.]*$")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
StackReferenceName = Annotated[str, _pattern(_STACK_REFERENCE, "stack reference (organization/project/stack)", "acme/hybrid-aks/prod")]
SubscriptionId = Annotated[str, _pattern(_GUID, "subscription ID", "00000000-0000-0000-0000-000000000000")]


class Attach(Model):
    hub_stack: StackReferenceName
    """The stack that owns the hub, as organization/project/stack: its `connectivity` output (hub VNet, firewall, gateways, DNS, address plan) is read through a StackReference."""


class StackConfig(Model):
    location: Region
    """Azure region (or set azure-native:location instead, as the example stacks do)."""
    prefix: DnsLabel
    """Short name that starts every Azure resource name."""
    protect: bool = False
    """Protect the hub VNet, gateways, ExpressRoute connections and AKS clusters from deletion."""
    tags: dict[str, str] = {}
    """Tags on every Azure resource that takes them."""
    subscription_id: SubscriptionId | None = None
    """Subscription of this stack's resources when it is not the one the credentials default to: an explicit azure-native provider for it."""
    hub: Hub | None = None
    """The hub VNet this stack owns (a hub stack). Exactly one of hub and attach."""
    attach: Attach | None = None
    """Attach to the hub another stack owns (a landing-zone or site stack) instead of building one. Exactly one of hub and attach."""
    gateways: Gateways = Gateways()
    """Gateways to on-premises in the hub."""
    spokes: list[Spoke] = []
    """Spoke VNets, peered to the hub."""
    sites: list[Site] = []
    """On-premises sites."""
    flows: list[Flow] = []
    """Traffic to allow between spokes, and between on-prem sites and spokes, through the hub firewall (both ways routed through it). On-prem to internal services and nodes to on-prem backends are allowed without it."""
    kubernetes: Kubernetes = Kubernetes()
    """The in-cluster part."""
    logs: Logs = Logs()
    """Log Analytics, diagnostic settings of the firewall, gateways, Bastion and AKS, and VNet flow logs."""

    @property
    def the_hub(self) -> Hub:
        """The hub this stack's VNets peer with: its own, or (once loaded against it) the hub stack's."""
        if self.hub is None:
            raise ValueError("this stack has no hub config; load it against its hub stack (config.load_stack(..., hub=...))")
        return self.hub


def nested_model(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds: its type itself, X | None, or list[X] (for the README's reference and for suggesting keys)."""
    for arg in get_args(annotation) or (annotation,):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    return None
