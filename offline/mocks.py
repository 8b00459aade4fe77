"""The one recording mock engine, shared by every test and by the offline preview.

    mocks = offline.mocks.install(config={"hybrid-aks:prefix": "t", ...}, secret_keys=[...])
    offline.mocks.run(lambda: MyComponent(...), mocks)      # or run_program(Path("__main__.py"), mocks)
    mocks.registrations      # every RegisterResource, in order: Registration(type, name, urn, parent, ...)
    mocks.by_type("azure-native:network:Subnet")
    mocks.stack_outputs      # after run_program: {name: (value, is_secret)}

Inputs are recorded as the engine would send them to the provider: camelCase wire names, secrets still
wrapped (`is_secret(value)`), so tests assert on exactly what Azure would receive. `install()` gives each
run fresh settings, a fresh root stack and a fresh event loop; call it before any Config or resource.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import ipaddress
import json
import os
import runpy
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from google.protobuf import json_format
from pulumi.runtime import mocks as runtime_mocks

SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
TENANT = "11111111-2222-3333-4444-555555555555"
# Pulumi's wire form of a secret value (sdk/go/common/resource/sig: "4dabf18193072939515e22adb298388d" marks a
# special value, "1b47061264138c4ac30d75fd1eb44270" a secret); tests/test_harness.py checks the SDK still uses them.
_SECRET_KEY = "4dabf18193072939515e22adb298388d"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
CONFIG_ENV = "PULUMI_CONFIG"
SECRET_KEYS_ENV = "PULUMI_CONFIG_SECRET_KEYS"
SECRET_TEXT = "[secret]"

# azure-native module -> ARM namespace, and the collection name of each type, for realistic IDs.
_NAMESPACES = {
    "network": "Microsoft.Network",
    "containerservice": "Microsoft.ContainerService",
    "managedidentity": "Microsoft.ManagedIdentity",
    "authorization": "Microsoft.Authorization",
    "privatedns": "Microsoft.Network",
    "dnsresolver": "Microsoft.Network",
    "azurestackhci": "Microsoft.AzureStackHCI",
    "kubernetes": "Microsoft.Kubernetes",
    "kubernetesruntime": "Microsoft.KubernetesRuntime",
    "hybridcontainerservice": "Microsoft.HybridContainerService",
    "extendedlocation": "Microsoft.ExtendedLocation",
}
# Child types: (parent collection, parent-name input, own collection).
_CHILDREN = {
    "azure-native:network:Subnet": ("virtualNetworks", "virtualNetworkName", "subnets"),
    "azure-native:network:VirtualNetworkPeering": ("virtualNetworks", "virtualNetworkName", "virtualNetworkPeerings"),
    "azure-native:network:Route": ("routeTables", "routeTableName", "routes"),
    "azure-native:network:SecurityRule": ("networkSecurityGroups", "networkSecurityGroupName", "securityRules"),
    "azure-native:dnsresolver:InboundEndpoint": ("dnsResolvers", "dnsResolverName", "inboundEndpoints"),
    "azure-native:dnsresolver:OutboundEndpoint": ("dnsResolvers", "dnsResolverName", "outboundEndpoints"),
    "azure-native:dnsresolver:ForwardingRule": ("dnsForwardingRulesets", "dnsForwardingRulesetName", "forwardingRules"),
    "azure-native:dnsresolver:PrivateResolverVirtualNetworkLink": ("dnsForwardingRulesets", "dnsForwardingRulesetName", "virtualNetworkLinks"),
    "azure-native:network:FirewallPolicyRuleCollectionGroup": ("firewallPolicies", "firewallPolicyName", "ruleCollectionGroups"),
    "azure-native:privatedns:VirtualNetworkLink": ("privateDnsZones", "privateZoneName", "virtualNetworkLinks"),
    "azure-native:containerservice:AgentPool": ("managedClusters", "resourceName", "agentPools"),
    "azure-native:containerservice:MaintenanceConfiguration": ("managedClusters", "resourceName", "maintenanceConfigurations"),
    "azure-native:network:FlowLog": ("networkWatchers", "networkWatcherName", "flowLogs"),
}


def is_secret(value: Any) -> bool:
    return isinstance(value, dict) and value.get(_SECRET_KEY) == _SECRET_SIG


def unwrap(value: Any) -> Any:
    """The plain value, secrets unwrapped (for assertions)."""
    if is_secret(value):
        return unwrap(value["value"])
    if isinstance(value, dict):
        return {k: unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap(v) for v in value]
    return value


UNKNOWN_TEXT = "[known after apply]"


def redact(value: Any) -> Any:
    """The value with every secret replaced by "[secret]", and every value Azure computes at deployment by
    "[known after apply]", as `pulumi preview` shows it (for printing and JSON)."""
    if is_secret(value):
        return SECRET_TEXT
    if isinstance(value, pulumi.output.Unknown):
        return UNKNOWN_TEXT
    if isinstance(value, dict):
        return {k: redact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


@dataclass(frozen=True)
class Registration:
    type: str
    name: str
    urn: str
    id: str
    parent: str | None
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]
    inputs: dict[str, Any]
    custom: bool
    provider: str | None
    protect: bool
    aliases: list[dict[str, Any]] = field(default_factory=list)
    ignore_changes: list[str] = field(default_factory=list)
    delete_before_replace: bool = False
    replace_on_changes: list[str] = field(default_factory=list)

    def options(self) -> dict[str, Any]:
        """The resource options the engine receives, as the preview JSON shows them."""
        return {"protect": self.protect, "ignoreChanges": self.ignore_changes, "deleteBeforeReplace": self.delete_before_replace,
                "replaceOnChanges": self.replace_on_changes, "aliases": self.aliases}

    def get(self, path: str) -> Any:
        """A nested input by dotted path with list indexes, e.g. "ipConfigurations.0.subnet.id"."""
        value: Any = self.inputs
        for part in path.split("."):
            value = value[int(part)] if isinstance(value, list) else value.get(part) if isinstance(value, dict) else None
            if value is None:
                return None
        return value


class RecordingMocks(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.registrations: list[Registration] = []
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.stack_outputs: dict[str, tuple[Any, bool]] = {}
        self.duplicate_urns: list[str] = []  # URNs registered more than once (the engine refuses the second)
        self._by_urn: dict[str, list[Registration]] = {}
        self._pending = threading.local()  # the MockResourceArgs of the registration in flight on this thread
        self._subnet_prefixes: dict[str, str] = {}
        self._public_ips = 0
        # StackReference name -> that stack's outputs (offline/stackref.py resolves them); a name missing here reads as a
        # stack without outputs. `references` lists the names the program read.
        self.stack_references: dict[str, dict[str, Any]] = {}
        self.references: list[str] = []
        self._provider_subscriptions: dict[str, str] = {}  # explicit azure-native provider id -> its subscriptionId

    def by_type(self, type_: str) -> list[Registration]:
        return [r for r in self.registrations if r.type == type_]

    def named(self, name: str) -> Registration:
        (match,) = [r for r in self.registrations if r.name == name]
        return match

    # --- Mocks -------------------------------------------------------------------------------------

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        self._pending.args = args
        inputs = dict(args.inputs)
        if args.typ == "pulumi:pulumi:StackReference":  # a read: the referenced stack's outputs
            name = args.resource_id or str(inputs.get("name", args.name))
            self.references.append(name)
            return name, {"name": name, "outputs": self.stack_references.get(name, {}), "secretOutputNames": []}
        if args.typ == "pulumi:providers:azure-native" and inputs.get("subscriptionId"):
            self._provider_subscriptions[f"{args.name}-id"] = str(inputs["subscriptionId"])
        if not args.typ.startswith("azure-native:"):
            return self._kubernetes_or_other(args, inputs)
        # IDs in the subscription of the resource's explicit provider, as Azure would give them.
        subscription = self._provider_subscriptions.get((args.provider or "").rsplit("::", 1)[-1], SUBSCRIPTION)
        resource_id = args.resource_id or self._azure_id(args.typ, args.name, inputs).replace(f"/subscriptions/{SUBSCRIPTION}/", f"/subscriptions/{subscription}/", 1)
        state = {**inputs, "id": resource_id, "name": self._azure_name(args.typ, args.name, inputs)}
        if isinstance(inputs.get("identity"), dict):
            state["identity"] = _identity_answer(inputs["identity"])
        computed = _COMPUTED.get(args.typ)
        if computed:
            state.update(computed(self, args.name, inputs, resource_id))
        return resource_id, state

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        self.calls.append((args.token, dict(args.args)))
        return self._answer(args), []

    def _answer(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:
        if args.token == "azure-native:authorization:getClientConfig":
            return {"clientId": str(uuid.uuid5(uuid.NAMESPACE_DNS, "client")), "objectId": str(uuid.uuid5(uuid.NAMESPACE_DNS, "object")),
                    "subscriptionId": SUBSCRIPTION, "tenantId": TENANT}
        if args.token == "azure-native:containerservice:listManagedClusterUserCredentials":
            name = args.args.get("resourceName", "cluster")
            kubeconfig = _KUBECONFIG.format(name=name).encode()
            return {"kubeconfigs": [{"name": "clusterUser", "value": base64.b64encode(kubeconfig).decode()}]}
        if args.token == "azure-native:resources:getResourceGroup":
            rg = args.args.get("resourceGroupName", "rg")
            return {"id": f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{rg}", "name": rg, "location": "westeurope"}
        return {}

    # --- helpers -----------------------------------------------------------------------------------

    def _azure_name(self, typ: str, name: str, inputs: Mapping[str, Any]) -> str:
        resource = typ.rsplit(":", 1)[1]
        candidates = [f"{resource[0].lower()}{resource[1:]}Name", "configName", "resourceName", "clusterName", "name"]
        child = _CHILDREN.get(typ)
        if child:
            candidates.insert(0, f"{child[2][:-1]}Name")
        for key in candidates:
            value = inputs.get(key)
            if isinstance(value, str) and key != child_parent_key(typ):
                return value
        return name

    def _azure_id(self, typ: str, name: str, inputs: Mapping[str, Any]) -> str:
        _, module, resource = typ.split(":")
        own = self._azure_name(typ, name, inputs)
        if typ == "azure-native:resources:ResourceGroup":
            return f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{inputs.get('resourceGroupName', name)}"
        if typ == "azure-native:authorization:RoleAssignment":
            return f"{inputs.get('scope', '')}/providers/Microsoft.Authorization/roleAssignments/{inputs.get('roleAssignmentName', name)}"
        if "resourceUri" in inputs:  # extension resources
            return f"{inputs['resourceUri']}/providers/{_NAMESPACES.get(module, module)}/{resource[0].lower()}{resource[1:]}s/{own}"
        group = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{inputs.get('resourceGroupName', 'rg')}"
        namespace = _NAMESPACES.get(module, f"Microsoft.{module.capitalize()}")
        child = _CHILDREN.get(typ)
        if child:
            parent_collection, parent_key, collection = child
            return f"{group}/providers/{namespace}/{parent_collection}/{inputs.get(parent_key, 'parent')}/{collection}/{own}"
        collection = {"azure-native:privatedns:PrivateZone": "privateDnsZones", "azure-native:dnsresolver:DnsResolver": "dnsResolvers", "azure-native:dnsresolver:DnsForwardingRuleset": "dnsForwardingRulesets"}.get(typ) or f"{resource[0].lower()}{resource[1:]}s"
        return f"{group}/providers/{namespace}/{collection}/{own}"

    def _kubernetes_or_other(self, args: pulumi.runtime.MockResourceArgs, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        if args.typ.startswith("kubernetes:") and not args.typ.startswith("kubernetes:helm"):
            metadata = dict(inputs.get("metadata") or {})
            metadata.setdefault("name", args.name)
            inputs["metadata"] = metadata
            namespace = metadata.get("namespace")
            return (f"{namespace}/{metadata['name']}" if namespace else metadata["name"]), inputs
        return f"{args.name}-id", inputs

    def _record_subnet(self, resource_id: str, inputs: Mapping[str, Any]) -> None:
        prefix = inputs.get("addressPrefix")
        if isinstance(prefix, str):
            self._subnet_prefixes[resource_id.lower()] = prefix

    def subnet_address(self, subnet_id: Any, offset: int, fallback: str) -> str:
        """An address at `offset` inside a recorded subnet (Azure gives endpoints the first usable: .4)."""
        prefix = self._subnet_prefixes.get(str(subnet_id).lower()) if isinstance(subnet_id, str) else None
        if prefix is None:
            return fallback
        network = ipaddress.ip_network(prefix)
        return str(network.network_address + offset if offset >= 0 else network.broadcast_address + offset)


def child_parent_key(typ: str) -> str | None:
    child = _CHILDREN.get(typ)
    return child[1] if child else None


def _uuid(*parts: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "/".join(parts)))


def _subnet(mocks: RecordingMocks, name: str, inputs: dict[str, Any], resource_id: str) -> dict[str, Any]:
    mocks._record_subnet(resource_id, inputs)
    return {}


def _public_ip(mocks: RecordingMocks, name: str, inputs: dict[str, Any], resource_id: str) -> dict[str, Any]:
    mocks._public_ips += 1
    n = mocks._public_ips
    return {"ipAddress": f"203.0.{113 + n // 250}.{n % 250 + 1}"}


def _firewall(mocks: RecordingMocks, name: str, inputs: dict[str, Any], resource_id: str) -> dict[str, Any]:
    configs = []
    for config in inputs.get("ipConfigurations") or []:
        subnet_id = (config.get("subnet") or {}).get("id")
        configs.append({**config, "privateIPAddress": mocks.subnet_address(subnet_id, 4, "10.0.0.4")})
    return {"ipConfigurations": configs}


def _gateway(mocks: RecordingMocks, name: str, inputs: dict[str, Any], resource_id: str) -> dict[str, Any]:
    bgp = dict(inputs.get("bgpSettings") or {})
    configs = inputs.get("ipConfigurations") or []
    peering = []
    for i, config in enumerate(configs):
        subnet_id = (config.get("subnet") or {}).get("id")
        address = mocks.subnet_address(subnet_id, -2 - i, f"10.0.0.{254 - i}")  # Azure takes the subnet's last usable addresses
        custom: list[str] = next((p.get("customBgpIpAddresses", []) for p in bgp.get("bgpPeeringAddresses", [])
                       if p.get("ipconfigurationId", "").endswith(config.get("name", "~"))), [])
        peering.append({"ipconfigurationId": f"{resource_id}/ipConfigurations/{config.get('name', i)}",
                        "defaultBgpIpAddresses": [address], "customBgpIpAddresses": custom,
                        "tunnelIpAddresses": [f"203.0.113.{200 + i}"]})
    bgp.setdefault("asn", 65515)
    bgp["bgpPeeringAddress"] = ",".join(p["defaultBgpIpAddresses"][0] for p in peering)
    bgp["bgpPeeringAddresses"] = peering
    return {"bgpSettings": bgp}


def _identity(mocks: RecordingMocks, name: str, inputs: dict[str, Any], resource_id: str) -> dict[str, Any]:
    return {"principalId": _uuid(resource_id, "principal"), "clientId": _uuid(resource_id, "client"), "tenantId": TENANT}


def _workspace(mocks: RecordingMocks, name: str, inputs: dict[str, Any], resource_id: str) -> dict[str, Any]:
    return {"customerId": _uuid(resource_id, "customer")}  # the workspace GUID Azure assigns (traffic analytics reads it)


def _identity_answer(identity: dict[str, Any]) -> dict[str, Any]:
    """Any resource's managed identity as Azure returns it: inputs list the user-assigned identities, outputs map each
    ID to its principal (the SDK's output type is that map: a list there fails the program)."""
    answer = dict(identity)
    if "userAssignedIdentities" in identity:
        answer["userAssignedIdentities"] = {
            identity_id: {"principalId": _uuid(identity_id, "principal"), "clientId": _uuid(identity_id, "client")}
            for identity_id in identity.get("userAssignedIdentities") or []}
    return answer


def _cluster(mocks: RecordingMocks, name: str, inputs: dict[str, Any], resource_id: str) -> dict[str, Any]:
    prefix = inputs.get("dnsPrefix", name)
    location = inputs.get("location", "westeurope")
    return {
        "fqdn": f"{prefix}.hcp.{location}.azmk8s.io",
        "privateFQDN": f"{prefix}.{hashlib.sha1(resource_id.encode()).hexdigest()[:8]}.privatelink.{location}.azmk8s.io",
        "nodeResourceGroup": f"MC_{inputs.get('resourceGroupName', 'rg')}_{inputs.get('resourceName', name)}_{location}",
        "identityProfile": {"kubeletidentity": {"objectId": _uuid(resource_id, "kubelet"), "clientId": _uuid(resource_id, "kubelet-client")}},
    }


def _inbound_endpoint(mocks: RecordingMocks, name: str, inputs: dict[str, Any], resource_id: str) -> dict[str, Any]:
    configs = []
    for config in inputs.get("ipConfigurations") or []:
        address = config.get("privateIpAddress") or mocks.subnet_address((config.get("subnet") or {}).get("id"), 4, "10.0.0.4")
        configs.append({**config, "privateIpAddress": address})
    return {"ipConfigurations": configs}


_COMPUTED = {
    "azure-native:network:Subnet": _subnet,
    "azure-native:network:PublicIPAddress": _public_ip,
    "azure-native:operationalinsights:Workspace": _workspace,
    "azure-native:network:AzureFirewall": _firewall,
    "azure-native:network:VirtualNetworkGateway": _gateway,
    "azure-native:managedidentity:UserAssignedIdentity": _identity,
    "azure-native:containerservice:ManagedCluster": _cluster,
    "azure-native:dnsresolver:InboundEndpoint": _inbound_endpoint,
}

_KUBECONFIG = """apiVersion: v1
kind: Config
clusters:
- name: {name}
  cluster:
    server: https://{name}.privatelink.westeurope.azmk8s.io:443
    certificate-authority-data: bW9jaw==
contexts:
- name: {name}
  context: {{cluster: {name}, user: clusterUser}}
current-context: {name}
users:
- name: clusterUser
  user: {{token: mock-token}}
"""


class RecordingMonitor(runtime_mocks.MockMonitor):
    """The stock mock monitor, plus a record of each RegisterResource request's options.

    Only public extension points: `set_mocks(monitor=...)` takes this subclass, the stock
    `RegisterResource` does the work (and calls `RecordingMocks.new_resource`, which records the
    deserialized inputs on this thread), and this override reads the request's public protobuf fields.
    It also does what the engine does and the stock monitor doesn't: a second registration of one URN
    is recorded in `mocks.duplicate_urns` (the engine stops with "Duplicate resource URN").
    """

    def __init__(self, mocks: RecordingMocks) -> None:
        super().__init__(mocks)
        self.recording = mocks

    def RegisterResource(self, request: Any) -> Any:
        self.recording._pending.args = None
        response = super().RegisterResource(request)
        if request.type == "pulumi:pulumi:Stack":
            return response
        args = self.recording._pending.args
        if args is None:
            raise HarnessError("MockMonitor.RegisterResource no longer calls Mocks.new_resource; offline/mocks.py must record inputs another way")
        urn = response.urn
        if urn in self.recording._by_urn:
            self.recording.duplicate_urns.append(urn)
        registration = Registration(
            type=request.type,
            name=request.name,
            urn=urn,
            id=response.id or "",
            parent=request.parent or None,
            dependencies=sorted(set(request.dependencies)),
            property_dependencies={k: sorted(v.urns) for k, v in request.propertyDependencies.items()},
            inputs=args.inputs,
            custom=bool(request.custom),
            provider=request.provider or None,
            protect=bool(request.protect),
            aliases=[json_format.MessageToDict(alias) for alias in request.aliases],
            ignore_changes=sorted(request.ignoreChanges),
            delete_before_replace=bool(request.deleteBeforeReplace),
            replace_on_changes=sorted(request.replaceOnChanges),
        )
        self.recording.registrations.append(registration)
        self.recording._by_urn.setdefault(urn, []).append(registration)
        return response


class HarnessError(Exception):
    """An assumption the harness makes about the Pulumi SDK no longer holds (after an SDK upgrade, say)."""


def install(
    project: str = "hybrid-aks",
    stack: str = "test",
    config: Mapping[str, str] | None = None,
    secret_keys: Iterable[str] = (),
    preview: bool = True,
    stack_references: Mapping[str, dict[str, Any]] | None = None,
) -> RecordingMocks:
    """Fresh runtime: event loop, settings, root stack, mocks and config. Call before any Config or resource.

    Config reaches the program the way the Pulumi language host hands it over: the `PULUMI_CONFIG` and
    `PULUMI_CONFIG_SECRET_KEYS` environment variables (JSON), read through `pulumi.runtime.get_config_env`.
    """
    asyncio.set_event_loop(asyncio.new_event_loop())
    os.environ[CONFIG_ENV] = json.dumps(dict(config or {}))
    os.environ[SECRET_KEYS_ENV] = json.dumps(sorted(set(secret_keys)))
    # The SDK reads its in-memory config map before the environment, and pulumi-policy's analyzer fills that map
    # (the ContextVar's shared default dict): empty it, as it is when the language host starts a program.
    pulumi.runtime.set_all_config({}, [])
    pulumi.runtime.reset_options(project=project, stack=stack, preview=preview)  # clears the root stack, fresh settings
    mocks = RecordingMocks()
    mocks.stack_references.update(stack_references or {})
    pulumi.runtime.set_mocks(mocks, project=project, stack=stack, preview=preview, monitor=RecordingMonitor(mocks))
    return mocks


def run(program: Callable[[], object], mocks: RecordingMocks) -> None:
    """Run a program (a callable that builds resources) until every registration completes.

    Exceptions from the program (a ConfigError, say) propagate unchanged. The stack's exports land in
    `mocks.stack_outputs` as {name: (value, is_secret)}.
    """
    async def collect() -> None:
        root = pulumi.runtime.get_root_resource()
        outputs: dict[str, Any] = getattr(root, "outputs", {}) or {}
        for name, value in outputs.items():
            output = pulumi.Output.from_input(value)
            mocks.stack_outputs[name] = (await output.future(), bool(await output.is_secret()))

    @pulumi.runtime.test
    def body() -> pulumi.Output[None]:
        program()
        return pulumi.Output.from_input(asyncio.ensure_future(collect()))

    body()


def run_program(path: Path, mocks: RecordingMocks) -> None:
    """Run a Pulumi program file (the project's __main__.py) under the installed mocks; see `run`."""
    run(lambda: runpy.run_path(str(path), run_name="__main__"), mocks)
