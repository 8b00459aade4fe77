"""The hybrid-aks CrossGuard policies, as plain `Policy` objects in the list `POLICIES`.

Importing this module has no side effect: only `policy/__main__.py` builds the `PolicyPack` (which
starts a gRPC server and blocks), and `policy/evaluate.py` runs the same policies over the offline
preview's recorded registrations.

Property names are the camelCase wire names the engine sends, checked against the azure-native and
kubernetes SDKs (the `@pulumi.getter(name=...)` of each input): `networkSecurityGroup.id`,
`publicIPAllocationMethod`, `apiServerAccessProfile.authorizedIPRanges`, ...

Unknown values (a preview, before an input's source exists) mean "can't tell", never a violation:
every read goes through `_get`, which turns pulumi-policy's `UnknownValueError` and the raw unknown
sentinels into `UNKNOWN`, so one unknown field doesn't stop a stack policy for the whole stack.

Resource policies see a resource's inputs; stack policies see every resource's outputs (in a
preview, the provider's preview of them). The stack policies therefore read both shapes where they
differ (`subnetName` or `name`, `routeTableName` or `name`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Optional

import netaddr
from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

# ---------------------------------------------------------------------------------------------
# Resource types (tokens exactly as the engine reports them)
# ---------------------------------------------------------------------------------------------
K8S_SERVICE = "kubernetes:core/v1:Service"
MANAGED_CLUSTER = "azure-native:containerservice:ManagedCluster"
SUBNET = "azure-native:network:Subnet"
VIRTUAL_NETWORK = "azure-native:network:VirtualNetwork"
ROUTE_TABLE = "azure-native:network:RouteTable"
ROUTE = "azure-native:network:Route"
NSG = "azure-native:network:NetworkSecurityGroup"
SECURITY_RULE = "azure-native:network:SecurityRule"
PUBLIC_IP = "azure-native:network:PublicIPAddress"
LOCAL_NETWORK_GATEWAY = "azure-native:network:LocalNetworkGateway"
VPN_CONNECTION = "azure-native:network:VirtualNetworkGatewayConnection"
VIRTUAL_NETWORK_GATEWAY = "azure-native:network:VirtualNetworkGateway"
AZURE_FIREWALL = "azure-native:network:AzureFirewall"
BASTION_HOST = "azure-native:network:BastionHost"
FIREWALL_POLICY = "azure-native:network:FirewallPolicy"
RULE_COLLECTION_GROUP = "azure-native:network:FirewallPolicyRuleCollectionGroup"
MAINTENANCE_CONFIGURATION = "azure-native:containerservice:MaintenanceConfiguration"
DIAGNOSTIC_SETTING = "azure-native:monitor:DiagnosticSetting"
FLOW_LOG = "azure-native:network:FlowLog"
K8S_WORKLOADS = ("kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet", "kubernetes:apps/v1:DaemonSet",
                 "kubernetes:batch/v1:Job", "kubernetes:batch/v1:CronJob", "kubernetes:core/v1:Pod")

# ---------------------------------------------------------------------------------------------
# Reading properties: unknowns and secrets
# ---------------------------------------------------------------------------------------------
# The sentinels the engine uses for values not known during a preview (pulumi_policy.proxy).
_UNKNOWN_SENTINELS = frozenset({
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",  # boolean
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421",  # number
    "04da6b54-80e4-46f7-96ec-b56ff0331ba9",  # string
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",  # array
    "030794c1-ac77-496b-92df-f27374a8bd58",  # asset
    "e48ece36-62e2-4504-bad9-02848725956a",  # archive
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",  # object
})


class _Unknown:
    """The single value `_get` returns for a property whose value isn't known yet."""

    _instance: Optional["_Unknown"] = None

    def __new__(cls) -> "_Unknown":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()


def is_unknown(value: Any) -> bool:
    return value is UNKNOWN or (isinstance(value, str) and value in _UNKNOWN_SENTINELS)


def _get(obj: Any, *path: Any) -> Any:
    """`obj[p0][p1]...`; `None` when a step is missing, `UNKNOWN` when a step is not known yet."""
    current = obj
    for key in path:
        if is_unknown(current):
            return UNKNOWN
        try:
            if isinstance(key, int):
                if not isinstance(current, Sequence) or isinstance(current, str):
                    return None
                current = current[key]
            else:
                if not isinstance(current, Mapping):
                    return None
                current = current[key]
        except UnknownValueError:
            return UNKNOWN
        except (KeyError, IndexError):
            return None
    return UNKNOWN if is_unknown(current) else current


def _items(seq: Any) -> Iterator[Any]:
    """The elements of a list property, each unknown element as `UNKNOWN`; nothing for a non-list."""
    if seq is None or is_unknown(seq) or isinstance(seq, str) or not isinstance(seq, Sequence):
        return
    for index in range(len(seq)):
        yield _get(seq, index)


def _strings(*values: Any) -> tuple[list[str], bool]:
    """Flatten scalar/list string properties: (the known non-empty strings, whether any was unknown)."""
    known: list[str] = []
    unknown = False
    for value in values:
        elements = list(_items(value)) if isinstance(value, Sequence) and not isinstance(value, str) else [value]
        for element in elements:
            if is_unknown(element):
                unknown = True
            elif isinstance(element, str) and element.strip():
                known.append(element.strip())
    return known, unknown


def _eq(value: Any, expected: str) -> bool:
    return isinstance(value, str) and value.casefold() == expected.casefold()


def _num(value: Any) -> Any:
    """Wire numbers are floats (100.0): show integral ones as integers."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _fix(problem: str, remediation: str) -> str:
    return f"{problem}\nRemediation: {remediation}"


def _resource_label(resource: PolicyResource) -> str:
    return f"{resource.resource_type.rsplit(':', 1)[-1]} '{resource.name}'"


# ---------------------------------------------------------------------------------------------
# 1. Kubernetes services of type LoadBalancer are internal
# ---------------------------------------------------------------------------------------------
ILB_INTERNAL = "service.beta.kubernetes.io/azure-load-balancer-internal"
ILB_SUBNET = "service.beta.kubernetes.io/azure-load-balancer-internal-subnet"

K8S_SERVICE_LB_INTERNAL_FIX = (
    f'Add the annotations {ILB_INTERNAL}: "true" and {ILB_SUBNET}: <a subnet of the cluster VNet> '
    "to metadata.annotations (the components build them from the internalServices config), or use "
    "type ClusterIP if the service needs no load balancer."
)


def _validate_k8s_service_lb_internal(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != K8S_SERVICE:
        return
    if not _eq(_get(args.props, "spec", "type"), "LoadBalancer"):
        return
    annotations = _get(args.props, "metadata", "annotations")
    if is_unknown(annotations):
        return
    problems = []
    internal = _get(annotations, ILB_INTERNAL)
    if not is_unknown(internal) and internal != "true":
        shown = "missing" if internal is None else f"{internal!r}"
        problems.append(f'annotation {ILB_INTERNAL} must be "true" (is {shown})')
    subnet = _get(annotations, ILB_SUBNET)
    if not is_unknown(subnet) and not (isinstance(subnet, str) and subnet.strip()):
        problems.append(f"annotation {ILB_SUBNET} must name the subnet for the internal load balancer")
    if problems:
        report(_fix(
            f"Service '{args.name}' of type LoadBalancer would get a public Azure load balancer: "
            + "; ".join(problems) + ".",
            K8S_SERVICE_LB_INTERNAL_FIX,
        ), None)


# ---------------------------------------------------------------------------------------------
# 2. AKS
# ---------------------------------------------------------------------------------------------
AKS_NETWORK_PLUGIN_FIX = (
    'Set networkProfile.networkPlugin to "azure" (ContainerServiceNetworkProfileArgs(network_plugin="azure")). '
    "Changing the plugin replaces the cluster: do it before the first deployment."
)


def _validate_aks_network_plugin(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != MANAGED_CLUSTER:
        return
    plugin = _get(args.props, "networkProfile", "networkPlugin")
    if is_unknown(plugin) or _eq(plugin, "azure"):
        return
    shown = "not set" if plugin is None else f"{plugin!r}"
    report(_fix(
        f"AKS cluster '{args.name}': networkProfile.networkPlugin is {shown}; hybrid routing needs Azure CNI "
        "(\"azure\"), so pods and internal load balancers take routable VNet addresses.",
        AKS_NETWORK_PLUGIN_FIX,
    ), None)


AKS_PRIVATE_API_FIX = (
    "Set apiServerAccessProfile.enablePrivateCluster to true (the API server gets a private endpoint and a "
    "privatelink.<region>.azmk8s.io zone), or restrict the public endpoint with "
    "apiServerAccessProfile.authorizedIPRanges (CIDRs, none of them /0)."
)


def _validate_aks_private_api(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != MANAGED_CLUSTER:
        return
    private = _get(args.props, "apiServerAccessProfile", "enablePrivateCluster")
    if is_unknown(private) or private is True:
        return
    ranges, unknown = _strings(_get(args.props, "apiServerAccessProfile", "authorizedIPRanges"))
    restricting = [r for r in ranges if not _is_default_route(r)]
    if restricting or unknown:
        return
    detail = (
        f"authorizedIPRanges {ranges} allows every address" if ranges
        else "apiServerAccessProfile.authorizedIPRanges is empty"
    )
    report(_fix(
        f"AKS cluster '{args.name}' exposes a public API server: enablePrivateCluster is not true and {detail}.",
        AKS_PRIVATE_API_FIX,
    ), None)


AKS_LOCAL_ACCOUNTS_FIX = (
    "Set disableLocalAccounts to true on clusters with an aadProfile, so every kubectl user signs in with "
    "Entra ID (keep an Entra admin group in aadProfile.adminGroupObjectIDs for break-glass access)."
)


def _validate_aks_local_accounts(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != MANAGED_CLUSTER:
        return
    aad = _get(args.props, "aadProfile")
    if aad is None or is_unknown(aad):
        return
    disabled = _get(args.props, "disableLocalAccounts")
    if is_unknown(disabled) or disabled is True:
        return
    report(_fix(
        f"AKS cluster '{args.name}' uses Entra ID (aadProfile is set) but keeps local accounts "
        f"(disableLocalAccounts is {'not set' if disabled is None else repr(disabled)}): the static "
        "cluster-admin credential bypasses Entra ID and its audit.",
        AKS_LOCAL_ACCOUNTS_FIX,
    ), None)


# ---------------------------------------------------------------------------------------------
# 3. Subnets: NSGs, and the gateway subnet's routes
# ---------------------------------------------------------------------------------------------
GATEWAY_SUBNET = "GatewaySubnet"
# Subnets where Azure forbids or ignores an NSG, or the platform manages the traffic itself.
NSG_EXEMPT_SUBNETS = frozenset(
    name.casefold() for name in
    (GATEWAY_SUBNET, "AzureFirewallSubnet", "AzureFirewallManagementSubnet", "RouteServerSubnet")
)

SUBNET_NSG_FIX = (
    "Give every workload subnet an NSG (SubnetArgs/Subnet network_security_group=NetworkSecurityGroupArgs(id=...)); "
    "leave GatewaySubnet without one (an NSG there breaks the VPN/ExpressRoute gateway). "
    "AzureFirewallSubnet, AzureFirewallManagementSubnet and RouteServerSubnet are exempt."
)


def _subnet_name(props: Any) -> Any:
    """The Azure name of a subnet (`subnetName` input, `name` input/output); None when auto-named."""
    name = _get(props, "subnetName")
    if name is None:
        name = _get(props, "name")
    return name


def _check_subnet_nsg(subnet: Any, label: str) -> Optional[str]:
    name = _subnet_name(subnet)
    if is_unknown(name):
        return None
    nsg = _get(subnet, "networkSecurityGroup")
    if is_unknown(nsg):
        return None
    nsg_id = _get(nsg, "id") if nsg is not None else None
    has_nsg = is_unknown(nsg_id) or (isinstance(nsg_id, str) and bool(nsg_id.strip()))
    if isinstance(name, str) and name.casefold() == GATEWAY_SUBNET.casefold():
        return f"{label} is the GatewaySubnet and must not have an NSG (networkSecurityGroup is set)." if has_nsg else None
    if isinstance(name, str) and name.casefold() in NSG_EXEMPT_SUBNETS:
        return None
    if not has_nsg:
        return f"{label} has no network security group (networkSecurityGroup.id is not set)."
    return None


def _validate_subnet_nsg(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type == SUBNET:
        name = _subnet_name(args.props)
        shown = f" ({name})" if isinstance(name, str) and name != args.name else ""
        problem = _check_subnet_nsg(args.props, f"Subnet '{args.name}'{shown}")
        if problem:
            report(_fix(problem, SUBNET_NSG_FIX), None)
    elif args.resource_type == VIRTUAL_NETWORK:
        # The project declares subnets as standalone resources, but inline ones get the same rule.
        for subnet in _items(_get(args.props, "subnets")):
            if subnet is None or is_unknown(subnet):
                continue
            inline_name = _get(subnet, "name")
            problem = _check_subnet_nsg(subnet, f"Subnet '{inline_name}' inline in VirtualNetwork '{args.name}'")
            if problem:
                report(_fix(problem, SUBNET_NSG_FIX), None)


GATEWAY_SUBNET_ROUTE_FIX = (
    "Remove the 0.0.0.0/0 route from the route table associated with GatewaySubnet (or associate none): a default "
    "route there breaks the gateway's control plane. Force-tunnel internet traffic from the workload subnets or the "
    "firewall subnet instead; routes on GatewaySubnet may only steer specific prefixes (e.g. spokes to the firewall)."
)

_DEFAULT_ROUTES = frozenset({"0.0.0.0/0", "::/0"})


def _is_default_route(prefix: str) -> bool:
    text = prefix.strip()
    if text in _DEFAULT_ROUTES:
        return True
    try:
        return netaddr.IPNetwork(text).prefixlen == 0 and "/" in text
    except (netaddr.AddrFormatError, ValueError, TypeError):
        return False


_ARM_ID = re.compile(
    r"/resourceGroups/(?P<rg>[^/]+)/providers/Microsoft\.Network/(?P<type>[^/]+)/(?P<name>[^/]+)"
    r"(?:/(?P<childtype>[^/]+)/(?P<child>[^/]+))?/?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _ArmId:
    resource_group: str
    type: str
    name: str
    child_type: Optional[str]
    child: Optional[str]


def _parse_arm_id(value: Any) -> Optional[_ArmId]:
    if not isinstance(value, str):
        return None
    match = _ARM_ID.search(value)
    if not match:
        return None
    return _ArmId(match["rg"], match["type"], match["name"], match["childtype"], match["child"])


class _Stack:
    """Lookups over `StackValidationArgs.resources`: by type, and following references.

    A reference (an `{"id": ...}` input such as a subnet's `routeTable`) is resolved, in order:
      1. by id: the target's `id` property equals the reference (known ids; `evaluate()` adds the ids
         recorded by the offline preview);
      2. by ARM id: `.../resourceGroups/<rg>/providers/Microsoft.Network/<type>/<name>` against the
         target's Azure name (`<type>Name` input or `name` output) and resource group;
      3. by dependency: the source's `property_dependencies[<top-level property>]` (or, when it has no
         property dependencies at all, its `dependencies`), filtered to the target type. This is what
         works in a preview, where the ids of resources still to be created are unknown.
    Nothing resolved means "can't tell" for the caller, never a violation.
    """

    def __init__(self, resources: Sequence[PolicyResource]) -> None:
        self.resources = list(resources)

    def of_type(self, resource_type: str) -> list[PolicyResource]:
        return [r for r in self.resources if r.resource_type == resource_type]

    def resolve(self, source: PolicyResource, prop: str, ref: Any, target_type: str,
                arm_type: str, name_keys: tuple[str, ...],
                follow_dependencies: bool = True) -> list[PolicyResource]:
        candidates = self.of_type(target_type)
        if isinstance(ref, str) and ref.strip() and not is_unknown(ref):
            by_id = [c for c in candidates if _eq(_get(c.props, "id"), ref)]
            if by_id:
                return by_id
            arm = _parse_arm_id(ref)
            if arm is not None and arm.child_type is None and arm.type.casefold() == arm_type.casefold():
                by_name = [c for c in candidates if _named(c, name_keys, arm.name, arm.resource_group)]
                if by_name:
                    return by_name
        return _dependencies_of_type(source, prop, target_type) if follow_dependencies else []


def _named(resource: PolicyResource, name_keys: tuple[str, ...], name: str, resource_group: Optional[str]) -> bool:
    for key in name_keys:
        value = _get(resource.props, key)
        if isinstance(value, str) and not is_unknown(value):
            if value.casefold() != name.casefold():
                return False
            group = _get(resource.props, "resourceGroupName")
            return not (resource_group and isinstance(group, str) and not is_unknown(group)
                        and group.casefold() != resource_group.casefold())
    return False


def _dependencies_of_type(source: PolicyResource, prop: str, target_type: str) -> list[PolicyResource]:
    """The `target_type` resources `source.prop` depends on. Property dependencies, when known, are exact;
    `dependencies` (which also holds explicit `depends_on`) is the fallback only when there are none."""
    if source.property_dependencies:
        return [d for d in source.property_dependencies.get(prop, []) if d.resource_type == target_type]
    return [d for d in (source.dependencies or []) if d.resource_type == target_type]


def _unique(resources: list[PolicyResource]) -> list[PolicyResource]:
    seen: dict[str, PolicyResource] = {}
    for r in resources:
        seen.setdefault(r.urn, r)
    return list(seen.values())


def _routes_of(stack: _Stack, table: PolicyResource) -> Iterator[tuple[str, Any, Any]]:
    """(route label, addressPrefix, nextHopType) of a route table: inline routes, then Route resources."""
    for route in _items(_get(table.props, "routes")):
        if route is None or is_unknown(route):
            continue
        yield f"route '{_get(route, 'name')}'", _get(route, "addressPrefix"), _get(route, "nextHopType")
    table_names = [v for v in (_get(table.props, "routeTableName"), _get(table.props, "name"))
                   if isinstance(v, str) and not is_unknown(v)]
    table_group = _get(table.props, "resourceGroupName")
    for route in stack.of_type(ROUTE):
        if _route_belongs_to(route, table, table_names, table_group):
            yield (f"Route resource '{route.name}'", _get(route.props, "addressPrefix"),
                   _get(route.props, "nextHopType"))


def _route_belongs_to(route: PolicyResource, table: PolicyResource, table_names: list[str], table_group: Any) -> bool:
    """By name (and resource group) when both names are known, else by the route's dependencies."""
    parent_name = _get(route.props, "routeTableName")
    if not isinstance(parent_name, str) or is_unknown(parent_name):
        arm = _parse_arm_id(_get(route.props, "id"))
        parent_name = arm.name if arm is not None and arm.type.casefold() == "routetables" else None
    if isinstance(parent_name, str) and table_names:
        if not any(parent_name.casefold() == n.casefold() for n in table_names):
            return False
        group = _get(route.props, "resourceGroupName")
        return not (isinstance(group, str) and isinstance(table_group, str) and not is_unknown(group)
                    and not is_unknown(table_group) and group.casefold() != table_group.casefold())
    return table in _dependencies_of_type(route, "routeTableName", ROUTE_TABLE)


def _validate_gateway_subnet_routes(args: StackValidationArgs, report: ReportViolation) -> None:
    stack = _Stack(args.resources)
    # (resource to report on, label, the subnet's properties, top-level property holding the reference)
    gateway_subnets: list[tuple[PolicyResource, str, Any, str]] = []
    for subnet in stack.of_type(SUBNET):
        if _eq(_subnet_name(subnet.props), GATEWAY_SUBNET):
            gateway_subnets.append((subnet, f"GatewaySubnet '{subnet.name}'", subnet.props, "routeTable"))
    for vnet in stack.of_type(VIRTUAL_NETWORK):
        for inline in _items(_get(vnet.props, "subnets")):
            if inline is not None and not is_unknown(inline) and _eq(_get(inline, "name"), GATEWAY_SUBNET):
                gateway_subnets.append((vnet, f"GatewaySubnet inline in VirtualNetwork '{vnet.name}'", inline, "subnets"))

    for owner, label, subnet_props, prop in gateway_subnets:
        route_table = _get(subnet_props, "routeTable")
        if route_table is None:
            continue
        ref = UNKNOWN if is_unknown(route_table) else _get(route_table, "id")
        if ref is None:
            continue
        # An inline subnet's dependencies are the VNet's, which don't say which route table is its own.
        tables = stack.resolve(owner, prop, ref, ROUTE_TABLE, "routeTables", ("routeTableName", "name"),
                               follow_dependencies=prop != "subnets")
        for table in _unique(tables):
            for route_label, prefix, next_hop in _routes_of(stack, table):
                if isinstance(prefix, str) and not is_unknown(prefix) and _is_default_route(prefix):
                    hop = "" if next_hop is None or is_unknown(next_hop) else f" (next hop {next_hop})"
                    report(_fix(
                        f"{label} is associated with RouteTable '{table.name}', whose {route_label} sends "
                        f"{prefix}{hop}: a default route on the gateway subnet is not supported.",
                        GATEWAY_SUBNET_ROUTE_FIX,
                    ), owner.urn)


# ---------------------------------------------------------------------------------------------
# 4. No admin ports from the internet
# ---------------------------------------------------------------------------------------------
ADMIN_PORTS = {22: "SSH", 3389: "RDP", 5985: "WinRM", 5986: "WinRM over HTTPS"}
_ANY_SOURCE = frozenset({"*", "internet", "any", "0.0.0.0/0", "::/0"})
_PORTLESS_PROTOCOLS = frozenset({"icmp", "esp", "ah"})

NSG_ADMIN_FIX = (
    "Don't open SSH (22), RDP (3389) or WinRM (5985/5986) to Internet, * or 0.0.0.0/0: reach machines through "
    "Azure Bastion, the VPN/ExpressRoute (on-prem prefixes as sourceAddressPrefixes) or just-in-time access."
)


def _port_set(values: list[str]) -> set[int]:
    """Admin ports covered by port specs such as '*', '22', '20-25'."""
    covered: set[int] = set()
    for spec in values:
        text = spec.strip()
        if text in ("*", "Any", "any"):
            return set(ADMIN_PORTS)
        low, sep, high = text.partition("-")
        try:
            first = int(low)
            last = int(high) if sep else first
        except ValueError:
            continue
        covered.update(p for p in ADMIN_PORTS if first <= p <= last)
    return covered


def _open_admin_ports(rule: Any) -> Optional[str]:
    """A description of what the rule opens, when it allows an admin port from the internet."""
    access, direction, protocol = _get(rule, "access"), _get(rule, "direction"), _get(rule, "protocol")
    if not _eq(access, "Allow") or not _eq(direction, "Inbound"):
        return None
    if is_unknown(protocol) or (isinstance(protocol, str) and protocol.casefold() in _PORTLESS_PROTOCOLS):
        return None
    sources, _ = _strings(_get(rule, "sourceAddressPrefix"), _get(rule, "sourceAddressPrefixes"))
    open_sources = [s for s in sources if s.casefold() in _ANY_SOURCE or _is_default_route(s)]
    if not open_sources:
        return None
    ports, _ = _strings(_get(rule, "destinationPortRange"), _get(rule, "destinationPortRanges"))
    admin = _port_set(ports)
    if not admin:
        return None
    shown = ", ".join(f"{p} ({ADMIN_PORTS[p]})" for p in sorted(admin))
    return f"allows Inbound {protocol or '*'} from {', '.join(open_sources)} to {shown}"


def _validate_nsg_admin(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type == NSG:
        for index, rule in enumerate(_items(_get(args.props, "securityRules"))):
            if rule is None or is_unknown(rule):
                continue
            opened = _open_admin_ports(rule)
            if opened:
                name = _get(rule, "name")
                report(_fix(
                    f"NetworkSecurityGroup '{args.name}' rule '{name if isinstance(name, str) else index}' "
                    f"(priority {_num(_get(rule, 'priority'))}) {opened}.",
                    NSG_ADMIN_FIX,
                ), None)
    elif args.resource_type == SECURITY_RULE:
        opened = _open_admin_ports(args.props)
        if opened:
            report(_fix(
                f"SecurityRule '{args.name}' (priority {_num(_get(args.props, 'priority'))}) {opened}.",
                NSG_ADMIN_FIX,
            ), None)


# ---------------------------------------------------------------------------------------------
# 5. Public IPs: Standard and static, and only on the edge
# ---------------------------------------------------------------------------------------------
PUBLIC_IP_SKU_FIX = (
    'Create public IPs with sku=PublicIPAddressSkuArgs(name="Standard") and public_ip_allocation_method="Static": '
    "Basic IPs are retired and rejected by zone-redundant VPN/ExpressRoute gateways, Azure Firewall and Bastion."
)


def _validate_public_ip_sku(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != PUBLIC_IP:
        return
    problems = []
    sku = _get(args.props, "sku", "name")
    if not is_unknown(sku) and not _eq(sku, "Standard"):
        problems.append(f"sku.name is {'not set' if sku is None else repr(sku)}, not 'Standard'")
    allocation = _get(args.props, "publicIPAllocationMethod")
    if not is_unknown(allocation) and not _eq(allocation, "Static"):
        problems.append(
            f"publicIPAllocationMethod is {'not set (Azure defaults to Dynamic)' if allocation is None else repr(allocation)}, "
            "not 'Static'")
    if problems:
        report(_fix(f"PublicIPAddress '{args.name}': " + "; ".join(problems) + ".", PUBLIC_IP_SKU_FIX), None)


EDGE_TYPES = frozenset({VIRTUAL_NETWORK_GATEWAY, AZURE_FIREWALL, BASTION_HOST})
# Keys under which azure-native resources reference public IPs: ipConfigurations[].publicIPAddress (NICs,
# gateways, firewall, Bastion), frontendIPConfigurations[].publicIPAddress (load balancers),
# publicIpAddresses (NAT gateways), networkProfile.loadBalancerProfile.outboundIPs.publicIPs (AKS).
_PUBLIC_IP_KEYS = frozenset({"publicipaddress", "publicipaddresses", "publicips"})

PUBLIC_IP_EDGE_FIX = (
    "Attach public IPs only to the VPN/ExpressRoute gateway, Azure Firewall or Bastion. Workloads stay private: "
    "internal load balancers for services, egress through the hub firewall (outboundType userDefinedRouting), "
    "admin access through Bastion or the VPN."
)


# Types that can't hold a public IP: their outputs only carry id back-references (a subnet's
# ipConfigurations, an NSG's networkInterfaces), which must not count as attaching one.
_NOT_PUBLIC_IP_HOLDERS = frozenset({SUBNET, VIRTUAL_NETWORK, NSG, SECURITY_RULE, ROUTE_TABLE, ROUTE,
                                    LOCAL_NETWORK_GATEWAY, VPN_CONNECTION})
# Keys that reference or inline subnets, never a public IP; not walked into.
_SKIPPED_KEYS = frozenset({"subnet", "subnets"})


def _public_ip_slots(value: Any, top: Optional[str] = None) -> Iterator[tuple[str, Any]]:
    """(top-level property, referenced id) for every public IP reference in a resource's properties."""
    if is_unknown(value) or value is None:
        return
    if isinstance(value, Mapping):
        for key in list(value):
            if not isinstance(key, str) or key.casefold() in _SKIPPED_KEYS:
                continue
            child = _get(value, key)
            prop = top if top is not None else key
            if key.casefold() in _PUBLIC_IP_KEYS:
                refs = list(_items(child)) if isinstance(child, Sequence) and not isinstance(child, str) else [child]
                for ref in refs:
                    if is_unknown(ref):
                        yield prop, UNKNOWN
                    elif isinstance(ref, Mapping):
                        yield prop, _get(ref, "id")
            else:
                yield from _public_ip_slots(child, prop)
    elif isinstance(value, Sequence) and not isinstance(value, str):
        for element in _items(value):
            yield from _public_ip_slots(element, top)


def _validate_public_ip_edge(args: StackValidationArgs, report: ReportViolation) -> None:
    stack = _Stack(args.resources)
    if not stack.of_type(PUBLIC_IP):
        return
    for resource in stack.resources:
        if resource.resource_type in EDGE_TYPES or resource.resource_type in _NOT_PUBLIC_IP_HOLDERS:
            continue
        if resource.resource_type == PUBLIC_IP:
            continue
        if not resource.resource_type.startswith("azure-native:"):
            continue
        referenced: list[PolicyResource] = []
        for prop, ref in _public_ip_slots(resource.props):
            if ref is None:
                continue
            referenced += stack.resolve(resource, prop, ref, PUBLIC_IP, "publicIPAddresses",
                                        ("publicIpAddressName", "name"))
        for public_ip in _unique(referenced):
            report(_fix(
                f"PublicIPAddress '{public_ip.name}' is attached to {_resource_label(resource)}; public IPs may only "
                "sit on a VirtualNetworkGateway, AzureFirewall or BastionHost.",
                PUBLIC_IP_EDGE_FIX,
            ), resource.urn)


# ---------------------------------------------------------------------------------------------
# 6. VPN connections: IKEv2 and strong crypto
# ---------------------------------------------------------------------------------------------
# Exact azure-native enum values (pulumi_azure_native/network/_enums.py). Weak: single DES and 3DES,
# MD5 and SHA1, DH groups 1 (768-bit) and 2 (1024-bit), PFS1/PFS2 (the same groups), and no
# encryption, DH or PFS at all.
WEAK_CRYPTO: dict[str, frozenset[str]] = {
    "ikeEncryption": frozenset({"DES", "DES3"}),
    "ikeIntegrity": frozenset({"MD5", "SHA1"}),
    "ipsecEncryption": frozenset({"None", "DES", "DES3"}),
    "ipsecIntegrity": frozenset({"MD5", "SHA1"}),
    "dhGroup": frozenset({"None", "DHGroup1", "DHGroup2"}),
    "pfsGroup": frozenset({"None", "PFS1", "PFS2"}),
}

VPN_CRYPTO_FIX = (
    'Set connection_protocol="IKEv2" on IPsec connections, and in ipsec_policies use AES256/GCMAES256 with '
    "SHA256/SHA384 (or GCM) integrity, DHGroup14/DHGroup24/ECP256/ECP384 and PFS2048/PFS24/ECP256/ECP384 "
    "(for example IKE AES256+SHA256+DHGroup14, IPsec GCMAES256+GCMAES256+PFS2048)."
)


def _validate_vpn_crypto(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != VPN_CONNECTION:
        return
    problems: list[str] = []
    connection_type = _get(args.props, "connectionType")
    if _eq(connection_type, "IPsec"):
        protocol = _get(args.props, "connectionProtocol")
        if not is_unknown(protocol) and not _eq(protocol, "IKEv2"):
            problems.append(
                f"connectionProtocol is {'not set' if protocol is None else repr(protocol)}; IPsec connections "
                "must state IKEv2")
    for index, policy in enumerate(_items(_get(args.props, "ipsecPolicies"))):
        if policy is None or is_unknown(policy):
            continue
        for field, weak in WEAK_CRYPTO.items():
            value = _get(policy, field)
            if isinstance(value, str) and not is_unknown(value) and value.casefold() in {w.casefold() for w in weak}:
                problems.append(f"ipsecPolicies[{index}].{field} is {value}")
    policies = _get(args.props, "ipsecPolicies")
    if _eq(connection_type, "IPsec") and not is_unknown(policies) and not list(_items(policies)):
        problems.append("ipsecPolicies is empty: Azure's default proposals include weak ones (SHA1, DHGroup2, no PFS; "
                        "vpn-gateway-about-compliance-crypto), so the connection must state its policy")
    if problems:
        report(_fix(f"VirtualNetworkGatewayConnection '{args.name}': " + "; ".join(problems) + ".", VPN_CRYPTO_FIX),
               None)


# ---------------------------------------------------------------------------------------------
# 7. No overlapping address space
# ---------------------------------------------------------------------------------------------
OVERLAP_FIX = (
    "Give every VNet, on-prem site (local network gateway) and AKS service/pod CIDR its own range from the address "
    "plan in Pulumi.<stack>.yaml; overlapping ranges can't be peered or routed over VPN/ExpressRoute."
)


@dataclass(frozen=True)
class _Range:
    resource: PolicyResource
    kind: str      # "vnet", "onprem" or "cluster"
    field: str     # the property it came from
    text: str
    network: netaddr.IPNetwork

    def label(self) -> str:
        return f"{_resource_label(self.resource)} {self.field} {self.text}"


def _ranges(resource: PolicyResource, kind: str, fields: dict[str, list[Any]],
            report: ReportViolation) -> list[_Range]:
    """The CIDRs of `fields` (label -> the properties holding them), one entry per label and range:
    AKS's serviceCidr and serviceCidrs[0] normally repeat each other."""
    found: dict[tuple[str, Any], _Range] = {}
    for label, values in fields.items():
        texts, _ = _strings(*values)
        for text in texts:
            try:
                network = netaddr.IPNetwork(text)
            except (netaddr.AddrFormatError, ValueError, TypeError):
                report(_fix(f"{_resource_label(resource)} {label} has '{text}', which is not a CIDR: overlaps "
                            "can't be checked.", OVERLAP_FIX), resource.urn)
                continue
            found.setdefault((label, network.cidr), _Range(resource, kind, label, text, network))
    return list(found.values())


def _overlap(a: netaddr.IPNetwork, b: netaddr.IPNetwork) -> bool:
    return a.version == b.version and a.first <= b.last and b.first <= a.last


def _overlap_allowed(a: _Range, b: _Range) -> bool:
    if a.resource.urn == b.resource.urn:
        # One resource: a VNet's prefixes must be disjoint; a cluster's service and pod CIDRs too.
        # An LNG listing nested prefixes is merely redundant.
        return a.kind == "onprem" or (a.kind == "cluster" and a.field == b.field)
    if a.kind == "cluster" and b.kind == "cluster":
        # Service CIDRs (and overlay pod CIDRs) are internal to each cluster: clusters may reuse them.
        return True
    if a.kind == "onprem" and b.kind == "onprem":
        # Two LNGs for one site (VPN plus a backup tunnel, or two on-prem devices) repeat its prefixes:
        # identical prefixes are allowed, a partial or nested overlap is not.
        return a.network.cidr == b.network.cidr
    return False


def _validate_no_overlap(args: StackValidationArgs, report: ReportViolation) -> None:
    stack = _Stack(args.resources)
    ranges: list[_Range] = []
    for vnet in stack.of_type(VIRTUAL_NETWORK):
        ranges += _ranges(vnet, "vnet", {"addressSpace.addressPrefixes":
                                         [_get(vnet.props, "addressSpace", "addressPrefixes")]}, report)
    for lng in stack.of_type(LOCAL_NETWORK_GATEWAY):
        ranges += _ranges(lng, "onprem", {"localNetworkAddressSpace.addressPrefixes":
                                          [_get(lng.props, "localNetworkAddressSpace", "addressPrefixes")]}, report)
    for cluster in stack.of_type(MANAGED_CLUSTER):
        profile = _get(cluster.props, "networkProfile")
        ranges += _ranges(cluster, "cluster", {
            "networkProfile.serviceCidr": [_get(profile, "serviceCidr"), _get(profile, "serviceCidrs")],
            "networkProfile.podCidr": [_get(profile, "podCidr"), _get(profile, "podCidrs")],
        }, report)
    for i, j in _overlapping_pairs(ranges):
        a, b = ranges[i], ranges[j]
        if not _overlap_allowed(a, b):
            report(_fix(f"{b.label()} overlaps {a.label()}.", OVERLAP_FIX), b.resource.urn)


def _overlapping_pairs(ranges: list[_Range]) -> list[tuple[int, int]]:
    """Every overlapping (i, j), i < j, in the order of a pairwise scan; found by sorting on the first address
    and sweeping, so linear in the number of ranges when they are disjoint (as in a valid plan)."""
    pairs = []
    active: list[int] = []
    by_start = sorted(range(len(ranges)), key=lambda k: (ranges[k].network.version, ranges[k].network.first))
    for j in by_start:
        current = ranges[j].network
        active = [i for i in active if ranges[i].network.version == current.version and ranges[i].network.last >= current.first]
        pairs += [(min(i, j), max(i, j)) for i in active if _overlap(ranges[i].network, current)]
        active.append(j)
    return sorted(pairs)


# ---------------------------------------------------------------------------------------------
# 9. Every intended flow is allowed, and symmetric through stateful hops
# ---------------------------------------------------------------------------------------------
FLOWS_POLICY = "intended-flows-pass"
FLOWS_FIX = (
    "Follow the flow's path in `python -m offline.flows --stack <stack> --routes`: route both directions through the "
    "same firewall (the spoke's route table and GatewaySubnet's routes), give the gateway a route it can forward "
    "(a BGP default route or a default site), or add the firewall rule the flow needs."
)


@dataclass(frozen=True)
class _Record:
    type: str
    name: str
    inputs: Mapping[str, Any]


def _plain_props(value: Any) -> Any:
    """A policy's proxied property tree as plain dicts and lists (unknown values become None)."""
    try:
        if isinstance(value, Mapping):
            return {str(k): _plain_props(value[k]) for k in value}
        if isinstance(value, Sequence) and not isinstance(value, str):
            return [_plain_props(v) for v in value]
        return None if is_unknown(value) else value
    except UnknownValueError:
        return None


def _validate_flows(args: StackValidationArgs, report: ReportViolation) -> None:
    """The stack's intended flows (from its config, which a policy pack can't read: the offline preview hands it over
    as this policy's config, and `python -m offline.flows --policy-config` writes it into policy-config.<stack>.json
    for `pulumi preview --policy-config`) traced through the recorded routing, NSGs and firewall. Without that config
    there is nothing to check against."""
    from offline.flows import Intent, simulate  # the model reads config/, which the rest of the pack doesn't need

    data = (args.get_config() or {}).get("intent")
    if not data:
        return
    records = [_Record(r.resource_type, r.name, _plain_props(r.props)) for r in args.resources]
    for result in simulate(records, Intent.from_json(data)):
        if not result.allowed:
            report(_fix(f"flow '{result.flow.name}' ({result.flow.source} -> {result.flow.destination}) is blocked: "
                        f"{result.reason}.", FLOWS_FIX), None)


# 8. AKS baseline (mspnp/aks-baseline, Azure Verified Modules AKS module)
# ---------------------------------------------------------------------------------------------
AKS_BASELINE_FIX = (
    "Keep the secure defaults of hybrid-aks:spokes[].aks (config/model.py Aks): upgradeChannel and nodeOsUpgradeChannel, "
    "workloadIdentity (OIDC issuer), defender, imageCleanerIntervalHours, azurePolicy, criticalAddonsOnly."
)
CRITICAL_ADDONS_TAINT = "CriticalAddonsOnly=true:NoSchedule"


def _on(props: Any, *path: str) -> Any:
    """True/False/None for a boolean property; UNKNOWN passes as True (can't tell is never a violation)."""
    value = _get(props, *path)
    return True if is_unknown(value) else value


def _validate_aks_baseline(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != MANAGED_CLUSTER:
        return
    props, problems = args.props, []
    channel = _get(props, "autoUpgradeProfile", "upgradeChannel")
    if not is_unknown(channel) and (channel is None or _eq(channel, "none")):
        problems.append("autoUpgradeProfile.upgradeChannel is not set (no automatic upgrades)")
    node_os = _get(props, "autoUpgradeProfile", "nodeOSUpgradeChannel")
    if not is_unknown(node_os) and not (isinstance(node_os, str) and node_os.casefold() in {"nodeimage", "securitypatch"}):
        problems.append(f"autoUpgradeProfile.nodeOSUpgradeChannel is {node_os!r}, not NodeImage or SecurityPatch")
    for path, what in ((("oidcIssuerProfile", "enabled"), "the OIDC issuer"),
                       (("securityProfile", "workloadIdentity", "enabled"), "workload identity"),
                       (("securityProfile", "defender", "securityMonitoring", "enabled"), "Defender"),
                       (("securityProfile", "imageCleaner", "enabled"), "Image Cleaner"),
                       (("addonProfiles", "azurepolicy", "enabled"), "the Azure Policy add-on")):
        if _on(props, *path) is not True:
            problems.append(f"{what} is off ({'.'.join(path)})")
    for pool in _items(_get(props, "agentPoolProfiles")):
        if pool is None or is_unknown(pool) or not _eq(_get(pool, "mode"), "System"):
            continue
        taints, unknown = _strings(_get(pool, "nodeTaints"))
        if not unknown and CRITICAL_ADDONS_TAINT not in taints:
            problems.append(f"system pool '{_get(pool, 'name')}' is not tainted {CRITICAL_ADDONS_TAINT}")
    if problems:
        report(_fix(f"AKS cluster '{args.name}': " + "; ".join(problems) + ".", AKS_BASELINE_FIX), None)


AKS_UPTIME_SLA_FIX = "Set hybrid-aks:spokes[].aks.skuTier to Standard (the default): the Free tier has no uptime SLA."


def _validate_aks_uptime_sla(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != MANAGED_CLUSTER:
        return
    tier = _get(args.props, "sku", "tier")
    if is_unknown(tier) or (isinstance(tier, str) and tier.casefold() in {"standard", "premium"}):
        return
    report(_fix(f"AKS cluster '{args.name}': sku.tier is {tier!r}, without the uptime SLA.", AKS_UPTIME_SLA_FIX), None)


AKS_MAINTENANCE_FIX = (
    "Give each cluster with an auto-upgrade channel its planned maintenance window: MaintenanceConfiguration "
    "aksManagedAutoUpgradeSchedule and aksManagedNodeOSUpgradeSchedule (hybrid-aks:spokes[].aks.maintenanceWindow)."
)


def _depends_on(source: PolicyResource, prop: str, target: PolicyResource) -> bool:
    """`source.prop` refers to `target`: by property dependency, by dependency, or by the target's id."""
    if source.property_dependencies:
        if any(d.urn == target.urn for d in source.property_dependencies.get(prop, [])):
            return True
    elif any(d.urn == target.urn for d in source.dependencies or []):
        return True
    ref, target_id = _get(source.props, prop), _get(target.props, "id")
    return isinstance(ref, str) and isinstance(target_id, str) and not is_unknown(ref) and ref.casefold() == target_id.casefold()


def _referred(sources: Iterable[PolicyResource], prop: str) -> tuple[set[str], set[str]]:
    """What `prop` of any source refers to, as _depends_on judges it: URNs, and casefolded IDs. An index, so a
    check over many targets stays linear."""
    urns: set[str] = set()
    ids: set[str] = set()
    for source in sources:
        if source.property_dependencies:
            urns |= {d.urn for d in source.property_dependencies.get(prop, [])}
        else:
            urns |= {d.urn for d in source.dependencies or []}
        ref = _get(source.props, prop)
        if isinstance(ref, str) and not is_unknown(ref):
            ids.add(ref.casefold())
    return urns, ids


def _is_referred(target: PolicyResource, referred: tuple[set[str], set[str]]) -> bool:
    target_id = _get(target.props, "id")
    return target.urn in referred[0] or (isinstance(target_id, str) and target_id.casefold() in referred[1])


def _validate_aks_maintenance(args: StackValidationArgs, report: ReportViolation) -> None:
    stack = _Stack(args.resources)
    configs = stack.of_type(MAINTENANCE_CONFIGURATION)
    for cluster in stack.of_type(MANAGED_CLUSTER):
        missing = []
        for channel_path, config_name, off in ((("autoUpgradeProfile", "upgradeChannel"), "aksManagedAutoUpgradeSchedule", {"none"}),
                                               (("autoUpgradeProfile", "nodeOSUpgradeChannel"), "aksManagedNodeOSUpgradeSchedule",
                                                {"none", "unmanaged"})):
            channel = _get(cluster.props, *channel_path)
            if not isinstance(channel, str) or channel.casefold() in off:
                continue
            if not any(_eq(_get(c.props, "configName"), config_name) and _depends_on(c, "resourceName", cluster) for c in configs):
                missing.append(config_name)
        if missing:
            report(_fix(f"AKS cluster '{cluster.name}' upgrades automatically but has no {' or '.join(missing)}: AKS would "
                        "upgrade it at any time.", AKS_MAINTENANCE_FIX), cluster.urn)


AKS_EGRESS_FIX = (
    "Send the cluster's egress through the hub firewall (hybrid-aks:hub.firewall; outboundType userDefinedRouting). A stack "
    "without one sets spokes[].aks.allowDirectEgress: true and this policy advisory in its policy-config."
)


def _validate_aks_egress(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != MANAGED_CLUSTER:
        return
    outbound = _get(args.props, "networkProfile", "outboundType")
    if is_unknown(outbound) or _eq(outbound, "userDefinedRouting"):
        return
    report(_fix(f"AKS cluster '{args.name}': outboundType is {outbound!r}: the nodes egress through a public IP that no "
                "firewall or policy sees.", AKS_EGRESS_FIX), None)


# ---------------------------------------------------------------------------------------------
# 9. Azure Firewall: threat protection and DNS proxy
# ---------------------------------------------------------------------------------------------
FIREWALL_PROTECTION_FIX = (
    "Set threatIntelMode Deny on the firewall policy (hybrid-aks:hub.firewall.threatIntelMode) and, on Premium, IDPS "
    "intrusionDetection.mode Deny (hub.firewall.intrusionDetection)."
)


def _validate_firewall_protection(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != FIREWALL_POLICY:
        return
    problems = []
    mode = _get(args.props, "threatIntelMode")
    if not is_unknown(mode) and not _eq(mode, "Deny"):
        problems.append(f"threatIntelMode is {mode!r}, not Deny")
    if _eq(_get(args.props, "sku", "tier"), "Premium"):
        idps = _get(args.props, "intrusionDetection", "mode")
        if not is_unknown(idps) and not _eq(idps, "Deny"):
            problems.append(f"the Premium policy's intrusionDetection.mode is {idps!r}, not Deny")
    if problems:
        report(_fix(f"FirewallPolicy '{args.name}': " + "; ".join(problems) + ".", FIREWALL_PROTECTION_FIX), None)


FIREWALL_DNS_PROXY_FIX = (
    "FQDNs in network rules resolve only through the firewall's DNS proxy (Learn: fqdn-filtering-network-rules): turn on "
    "hybrid-aks:hub.firewall.dnsProxy, or filter FQDNs with application rules instead."
)


def _validate_firewall_dns_proxy(args: StackValidationArgs, report: ReportViolation) -> None:
    stack = _Stack(args.resources)
    for group in stack.of_type(RULE_COLLECTION_GROUP):
        fqdn_rules = [_get(rule, "name") for collection in _items(_get(group.props, "ruleCollections"))
                      for rule in _items(_get(collection, "rules"))
                      if _eq(_get(rule, "ruleType"), "NetworkRule") and _strings(_get(rule, "destinationFqdns"))[0]]
        if not fqdn_rules:
            continue
        for policy in stack.of_type(FIREWALL_POLICY):
            if not _depends_on(group, "firewallPolicyName", policy):
                continue
            if _on(policy.props, "dnsSettings", "enableProxy") is not True:
                report(_fix(f"FirewallPolicy '{policy.name}': network rules {fqdn_rules} of group '{group.name}' name FQDNs, "
                            "but dnsSettings.enableProxy is off.", FIREWALL_DNS_PROXY_FIX), group.urn)


# ---------------------------------------------------------------------------------------------
# 10. Logs: diagnostic settings, Container Insights, VNet flow logs
# ---------------------------------------------------------------------------------------------
DIAGNOSTICS_FIX = (
    "Send the logs of every firewall, gateway, Bastion host and AKS cluster to Log Analytics (a DiagnosticSetting with "
    "workspaceId; for AKS kube-audit-admin and guard at least), and turn on Container Insights (addonProfiles.omsagent): "
    "the program does this from hybrid-aks:logs."
)
_WATCHED = (AZURE_FIREWALL, VIRTUAL_NETWORK_GATEWAY, BASTION_HOST, MANAGED_CLUSTER)
AKS_AUDIT_LOGS = ({"kube-audit-admin", "kube-audit"}, {"guard"})


def _validate_diagnostics(args: StackValidationArgs, report: ReportViolation) -> None:
    stack = _Stack(args.resources)
    settings = [d for d in stack.of_type(DIAGNOSTIC_SETTING) if _get(d.props, "workspaceId") is not None]
    for resource in [r for t in _WATCHED for r in stack.of_type(t)]:
        mine = [d for d in settings if _depends_on(d, "resourceUri", resource)]
        label = _resource_label(resource)
        if not mine:
            report(_fix(f"{label} sends no logs to Log Analytics (no diagnostic setting with a workspace).", DIAGNOSTICS_FIX),
                   resource.urn)
            continue
        if resource.resource_type != MANAGED_CLUSTER:
            continue
        categories = {str(_get(log, "category")) for d in mine for log in _items(_get(d.props, "logs")) if _on(log, "enabled")}
        groups = {str(_get(log, "categoryGroup")) for d in mine for log in _items(_get(d.props, "logs")) if _on(log, "enabled")}
        if not groups & {"allLogs", "audit"} and not all(categories & wanted for wanted in AKS_AUDIT_LOGS):
            report(_fix(f"{label}'s diagnostic setting lacks the control-plane audit logs (kube-audit-admin and guard).",
                        DIAGNOSTICS_FIX), resource.urn)
        if _on(resource.props, "addonProfiles", "omsagent", "enabled") is not True:
            report(_fix(f"{label} has no Container Insights (addonProfiles.omsagent).", DIAGNOSTICS_FIX), resource.urn)


FLOW_LOGS_FIX = "Give every VNet a flow log (Network Watcher FlowLog targeting it): hybrid-aks:logs.flowLogs."


def _validate_flow_logs(args: StackValidationArgs, report: ReportViolation) -> None:
    stack = _Stack(args.resources)
    targeted = _referred((f for f in stack.of_type(FLOW_LOG) if _on(f.props, "enabled") is True), "targetResourceId")
    for vnet in stack.of_type(VIRTUAL_NETWORK):
        if not _is_referred(vnet, targeted):
            report(_fix(f"{_resource_label(vnet)} has no VNet flow log.", FLOW_LOGS_FIX), vnet.urn)


# ---------------------------------------------------------------------------------------------
# 11. Kubernetes images pinned by digest
# ---------------------------------------------------------------------------------------------
IMAGE_DIGEST_FIX = "Pin the image by digest (name:tag@sha256:...), so a re-pushed tag can't change what runs."


def _validate_image_digest(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type not in K8S_WORKLOADS:
        return
    spec = _get(args.props, "spec")
    pod = _get(spec, "template", "spec") if args.resource_type != "kubernetes:core/v1:Pod" else spec
    if args.resource_type == "kubernetes:batch/v1:CronJob":
        pod = _get(spec, "jobTemplate", "spec", "template", "spec")
    images, _ = _strings(*[_get(c, "image") for key in ("initContainers", "containers") for c in _items(_get(pod, key))])
    loose = [image for image in images if "@sha256:" not in image]
    if loose:
        report(_fix(f"{args.resource_type.rsplit(':', 1)[-1]} '{args.name}': images not pinned by digest: {loose}.",
                    IMAGE_DIGEST_FIX), None)


# ---------------------------------------------------------------------------------------------
# The pack
# ---------------------------------------------------------------------------------------------
MANDATORY = EnforcementLevel.MANDATORY

POLICIES: list[Policy] = [
    ResourceValidationPolicy(
        name="k8s-service-lb-internal",
        description="Kubernetes Services of type LoadBalancer use an internal Azure load balancer in a named subnet.",
        validate=_validate_k8s_service_lb_internal,
        enforcement_level=MANDATORY,
        severity=Severity.HIGH,
        remediation_steps=K8S_SERVICE_LB_INTERNAL_FIX,
    ),
    ResourceValidationPolicy(
        name="aks-network-plugin-azure",
        description="AKS clusters use Azure CNI (networkProfile.networkPlugin = azure).",
        validate=_validate_aks_network_plugin,
        enforcement_level=MANDATORY,
        severity=Severity.MEDIUM,
        remediation_steps=AKS_NETWORK_PLUGIN_FIX,
    ),
    ResourceValidationPolicy(
        name="aks-private-api-server",
        description="AKS API servers are private, or their public endpoint is limited to authorized IP ranges.",
        validate=_validate_aks_private_api,
        enforcement_level=MANDATORY,
        severity=Severity.HIGH,
        remediation_steps=AKS_PRIVATE_API_FIX,
    ),
    ResourceValidationPolicy(
        name="aks-local-accounts-off-with-entra",
        description="AKS clusters integrated with Entra ID (aadProfile) disable local accounts.",
        validate=_validate_aks_local_accounts,
        enforcement_level=MANDATORY,
        severity=Severity.MEDIUM,
        remediation_steps=AKS_LOCAL_ACCOUNTS_FIX,
    ),
    ResourceValidationPolicy(
        name="subnet-nsg",
        description="Workload subnets have an NSG; GatewaySubnet has none.",
        validate=_validate_subnet_nsg,
        enforcement_level=MANDATORY,
        severity=Severity.HIGH,
        remediation_steps=SUBNET_NSG_FIX,
    ),
    StackValidationPolicy(
        name="gateway-subnet-no-default-route",
        description="The route table on GatewaySubnet has no 0.0.0.0/0 route.",
        validate=_validate_gateway_subnet_routes,
        enforcement_level=MANDATORY,
        severity=Severity.HIGH,
        remediation_steps=GATEWAY_SUBNET_ROUTE_FIX,
    ),
    ResourceValidationPolicy(
        name="nsg-no-admin-from-internet",
        description="No NSG rule allows SSH, RDP or WinRM (22, 3389, 5985, 5986) inbound from the internet.",
        validate=_validate_nsg_admin,
        enforcement_level=MANDATORY,
        severity=Severity.CRITICAL,
        remediation_steps=NSG_ADMIN_FIX,
    ),
    ResourceValidationPolicy(
        name="public-ip-standard-static",
        description="Public IPs are Standard SKU with static allocation.",
        validate=_validate_public_ip_sku,
        enforcement_level=MANDATORY,
        severity=Severity.MEDIUM,
        remediation_steps=PUBLIC_IP_SKU_FIX,
    ),
    StackValidationPolicy(
        name="public-ip-only-edge",
        description="Public IPs are attached only to VPN/ExpressRoute gateways, Azure Firewall or Bastion.",
        validate=_validate_public_ip_edge,
        enforcement_level=MANDATORY,
        severity=Severity.HIGH,
        remediation_steps=PUBLIC_IP_EDGE_FIX,
    ),
    ResourceValidationPolicy(
        name="vpn-ikev2-strong-crypto",
        description="Site-to-site VPN connections use IKEv2 and no weak IPsec/IKE algorithms or DH/PFS groups.",
        validate=_validate_vpn_crypto,
        enforcement_level=MANDATORY,
        severity=Severity.HIGH,
        remediation_steps=VPN_CRYPTO_FIX,
    ),
    StackValidationPolicy(
        name=FLOWS_POLICY,
        description="Every flow the stack intends is allowed by routing, NSGs and firewall, and crosses the same stateful "
                    "firewall both ways (or none).",
        validate=_validate_flows,
        enforcement_level=MANDATORY,
        severity=Severity.HIGH,
        remediation_steps=FLOWS_FIX,
        # The engine checks policy config against this schema (enforcementLevel is added by the engine).
        config_schema=PolicyConfigSchema(properties={"intent": {
            "type": "object", "description": "The stack's intended flows, as offline.flows writes them",
            "properties": {"sites": {"type": "array"}, "flows": {"type": "array"}}}}),
    ),
    StackValidationPolicy(
        name="no-overlapping-address-space",
        description="VNets, on-prem prefixes (local network gateways) and AKS service/pod CIDRs don't overlap.",
        validate=_validate_no_overlap,
        enforcement_level=MANDATORY,
        severity=Severity.CRITICAL,
        remediation_steps=OVERLAP_FIX,
    ),
]

POLICIES += [
    ResourceValidationPolicy(
        name="aks-baseline", description="AKS clusters auto-upgrade (cluster and node OS), run workload identity, Defender, "
        "Image Cleaner and the Azure Policy add-on, and taint the system pool CriticalAddonsOnly.",
        validate=_validate_aks_baseline, enforcement_level=MANDATORY, severity=Severity.HIGH, remediation_steps=AKS_BASELINE_FIX),
    ResourceValidationPolicy(
        name="aks-uptime-sla", description="AKS clusters use the Standard (or Premium) tier, with the uptime SLA.",
        validate=_validate_aks_uptime_sla, enforcement_level=MANDATORY, severity=Severity.MEDIUM, remediation_steps=AKS_UPTIME_SLA_FIX),
    StackValidationPolicy(
        name="aks-maintenance-window", description="AKS clusters with an auto-upgrade channel have its planned maintenance window.",
        validate=_validate_aks_maintenance, enforcement_level=MANDATORY, severity=Severity.MEDIUM, remediation_steps=AKS_MAINTENANCE_FIX),
    ResourceValidationPolicy(
        name="aks-egress-through-firewall", description="AKS egress goes through the hub firewall (outboundType userDefinedRouting).",
        validate=_validate_aks_egress, enforcement_level=MANDATORY, severity=Severity.HIGH, remediation_steps=AKS_EGRESS_FIX),
    ResourceValidationPolicy(
        name="firewall-threat-protection", description="Firewall policies deny known-malicious traffic (threat intel) and, on "
        "Premium, IDPS matches.",
        validate=_validate_firewall_protection, enforcement_level=MANDATORY, severity=Severity.HIGH,
        remediation_steps=FIREWALL_PROTECTION_FIX),
    StackValidationPolicy(
        name="firewall-dns-proxy-for-fqdn-rules", description="Network rules that name FQDNs have the firewall's DNS proxy on.",
        validate=_validate_firewall_dns_proxy, enforcement_level=MANDATORY, severity=Severity.MEDIUM,
        remediation_steps=FIREWALL_DNS_PROXY_FIX),
    StackValidationPolicy(
        name="diagnostic-settings", description="Firewalls, gateways, Bastion and AKS send their logs to Log Analytics (AKS: "
        "control-plane audit logs and Container Insights).",
        validate=_validate_diagnostics, enforcement_level=MANDATORY, severity=Severity.HIGH, remediation_steps=DIAGNOSTICS_FIX),
    StackValidationPolicy(
        name="vnet-flow-logs", description="Every VNet has a VNet flow log.",
        validate=_validate_flow_logs, enforcement_level=MANDATORY, severity=Severity.MEDIUM, remediation_steps=FLOW_LOGS_FIX),
    ResourceValidationPolicy(
        name="k8s-image-pinned-by-digest", description="Kubernetes workloads pin their images by digest.",
        validate=_validate_image_digest, enforcement_level=EnforcementLevel.ADVISORY, severity=Severity.LOW,
        remediation_steps=IMAGE_DIGEST_FIX),
]

POLICY_NAMES: tuple[str, ...] = tuple(p.name for p in POLICIES)
