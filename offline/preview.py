"""The offline preview: run the real `__main__.py` for a stack under Pulumi's mock runtime.

    python -m offline.preview --stack dev [--json FILE]

It reads `Pulumi.yaml` (config defaults) and `Pulumi.<stack>.yaml`, checks the config, supplies a
placeholder for every secret the stack file leaves unset (listing the command that sets it), runs the
program with the recording mocks, then runs the policy pack and the critical-path estimate on what was
registered. Exit codes: 0 valid; 1 invalid config or a mandatory policy violation; 2 the program failed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from config import ConfigError, load_stack
from config.plan import PlanRow, address_plan_rows
from config.problems import NAMESPACE
from config.secrets import RequiredSecret, required_secrets
from offline import stackref
from offline.checks import duplicate_azure_ids, duplicate_urns
from offline.critical_path import Estimate, estimate
from offline.flows import FlowResult, Intent, intent, simulate
from offline.flows import render_text as render_flows
from offline.mocks import Registration, install, redact, run_program
from policy.evaluate import Violation, evaluate, load_levels
from policy.policies import FLOWS_POLICY

PLACEHOLDER = "offline-preview-placeholder"


class StackFileError(Exception):
    """The stack file can't be used offline (missing, malformed, or holding ciphertext): one message per problem."""

    def __str__(self) -> str:
        return "\n".join(str(arg) for arg in self.args)


@dataclass
class StackFile:
    project: str
    config: dict[str, str]  # full key -> value as Pulumi passes it (objects as JSON text)
    secret_keys: set[str]


@dataclass
class PreviewResult:
    stack: str
    registrations: list[Registration] = field(default_factory=list)
    address_plan: list[PlanRow] = field(default_factory=list)
    outputs: dict[str, tuple[Any, bool]] = field(default_factory=dict)
    missing_secrets: list[RequiredSecret] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    critical_path: Estimate | None = None
    intent: Intent | None = None
    flows: list[FlowResult] = field(default_factory=list)
    hub_lines: list[str] = field(default_factory=list)  # an attaching stack: what joins it to its hub stack

    @property
    def mandatory_violations(self) -> list[Violation]:
        return [v for v in self.violations if v.level == "mandatory"]

    @property
    def exit_code(self) -> int:
        return 1 if self.errors or self.mandatory_violations else 0


# Bounds on what a stack file may make the preview do (a real stack file is a few KB; prod is under 5 KB).
MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 20  # nesting of maps and lists
MAX_NODES = 200_000  # scalars, maps and lists after alias expansion ("billion laughs")


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses a duplicate key (YAML says keys are unique; PyYAML keeps the last one)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, yaml.Node] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in seen
            except TypeError:
                raise yaml.constructor.ConstructorError(None, None, f"unhashable key {key!r}", key_node.start_mark) from None
            if duplicate:
                raise yaml.constructor.ConstructorError(
                    "while reading a map", node.start_mark,
                    f"key '{key}' appears twice (first at line {seen[key].start_mark.line + 1}); YAML keys must be unique",
                    key_node.start_mark)
            seen[key] = key_node
        return super().construct_mapping(node, deep=deep)


def _measure(node: yaml.Node, depth: int, counted: dict[int, int]) -> int:
    """Nodes after alias expansion (aliases share node objects, so memoise by identity); raises past the bounds."""
    if depth > MAX_DEPTH:
        raise StackFileError(f"nests maps and lists more than {MAX_DEPTH} levels deep (line {node.start_mark.line + 1}); "
                             "a stack's config is a few levels deep: flatten it")
    if id(node) in counted:
        return counted[id(node)]
    total = 1
    if isinstance(node, yaml.MappingNode):
        total += sum(_measure(k, depth + 1, counted) + _measure(v, depth + 1, counted) for k, v in node.value)
    elif isinstance(node, yaml.SequenceNode):
        total += sum(_measure(v, depth + 1, counted) for v in node.value)
    if total > MAX_NODES:
        raise StackFileError(f"expands to more than {MAX_NODES} values (YAML anchors and aliases, line {node.start_mark.line + 1}); "
                             "write the values out instead of nesting aliases")
    counted[id(node)] = total
    return total


def load_yaml_file(path: Path) -> Any:
    """A YAML file read with the bounds above; every failure is a StackFileError naming the file."""
    if path.is_dir():
        raise StackFileError(f"{path.name} is a directory, not a stack file")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise StackFileError(f"{path.name} is {size} bytes; the offline preview reads stack files up to {MAX_FILE_BYTES} bytes")
        data = path.read_bytes()
    except OSError as error:
        raise StackFileError(f"{path.name} can't be read: {error.strerror}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise StackFileError(f"{path.name} is not UTF-8 text (byte 0x{data[error.start]:02x} on line {line}); "
                             "save it as UTF-8, as Pulumi expects") from None
    try:
        node = yaml.compose(text, Loader=_StrictLoader)
        if node is None:
            return None
        _measure(node, 0, {})
        return _StrictLoader(text).get_single_data()
    except StackFileError as error:
        raise StackFileError(f"{path.name} {error}") from None
    except RecursionError:
        raise StackFileError(f"{path.name} nests maps and lists more than {MAX_DEPTH} levels deep; flatten it") from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        raise StackFileError(f"{path.name} is not valid YAML: {error.problem or error.context}{where}") from None
    except yaml.YAMLError as error:
        raise StackFileError(f"{path.name} is not valid YAML: {' '.join(str(error).split())}") from None


_DECLARED_TYPES = {"string": (str,), "boolean": (bool,), "integer": (int,)}


def read_stack_file(project_dir: Path, stack: str) -> StackFile:
    """Config as the Pulumi engine would hand it to the program: project defaults, then the stack's values."""
    project_file = project_dir / "Pulumi.yaml"
    stack_file = project_dir / f"Pulumi.{stack}.yaml"
    if not stack_file.exists():
        known = sorted(p.name[len("Pulumi."):-len(".yaml")] for p in project_dir.glob("Pulumi.*.yaml"))
        raise StackFileError(f"no stack file {stack_file.name}; stacks here: {', '.join(known)}")
    project = load_yaml_file(project_file) or {}
    if not isinstance(project, dict):
        raise StackFileError("Pulumi.yaml must be a map (name:, runtime:, config:)")
    name = project.get("name", NAMESPACE)
    values: dict[str, Any] = {}
    required: list[str] = []
    declared: dict[str, str] = {}
    for key, declaration in (project.get("config") or {}).items():
        full_key = key if ":" in key else f"{name}:{key}"
        if isinstance(declaration, dict) and isinstance(declaration.get("type"), str):
            declared[full_key] = declaration["type"]
        if isinstance(declaration, dict) and "default" in declaration:
            values[full_key] = declaration["default"]
        else:
            required.append(full_key)
    document = load_yaml_file(stack_file)
    if document is None:
        document = {}
    if not isinstance(document, dict):
        raise StackFileError(f"{stack_file.name} must be a map with a config: section, not a {_kind(document)}")
    config = document.get("config") or {}
    if not isinstance(config, dict):
        raise StackFileError(f"{stack_file.name}: config: must be a map of keys to values, not a {_kind(config)}")
    problems: list[str] = []
    for key, value in config.items():
        if not isinstance(key, str) or not key.strip():
            problems.append(f"{stack_file.name}: config key {key!r} is not a name; keys look like {name}:prefix")
            continue
        # Pulumi puts a key written without a namespace into the project's own.
        full_key = key if ":" in key else f"{name}:{key}"
        if isinstance(value, dict) and set(value) == {"secure"}:
            raise StackFileError(
                f"{stack_file.name} holds an encrypted value for {full_key}; the offline preview can't decrypt it. "
                "Example stacks document `pulumi config set --secret` instead of shipping ciphertext.")
        if value is None:
            problems.append(f"{full_key}: has no value (null); give it a value or remove the key")
            continue
        values[full_key] = value
    # As the Pulumi CLI does before it runs the program: a declared key must have its declared type ...
    for full_key, type_ in declared.items():
        if full_key in values and type_ in _DECLARED_TYPES and not isinstance(values[full_key], _DECLARED_TYPES[type_]):
            problems.append(f"{full_key}: Pulumi.yaml declares it as {type_}, but the stack sets {_kind(values[full_key])}; "
                            f"the Pulumi CLI refuses it: write a {type_}")
        elif full_key in values and type_ == "integer" and isinstance(values[full_key], bool):
            problems.append(f"{full_key}: Pulumi.yaml declares it as integer, but the stack sets a boolean")
    # ... and a declared key without a default is required.
    missing = [key for key in required if key not in values]
    if missing:
        problems.append(f"stack '{stack}' is missing configuration value(s) {', '.join(missing)} that Pulumi.yaml declares "
                        f"without a default; set them in {stack_file.name}")
    if problems:
        raise StackFileError(*problems)
    encoded = {k: v if isinstance(v, str) else json.dumps(v) for k, v in values.items()}
    return StackFile(name, encoded, set())


def _kind(value: Any) -> str:
    return {bool: "boolean", int: "number", float: "number", str: "string", list: "list", dict: "map"}.get(type(value), type(value).__name__)


def preview(stack: str, project_dir: Path) -> PreviewResult:
    result = PreviewResult(stack)
    try:
        stack_file = read_stack_file(project_dir, stack)
    except StackFileError as error:
        result.errors.extend(str(arg) for arg in error.args)
        return result
    try:
        hub, references = stackref.hub_for(stack, project_dir, stack_file.config)  # an attaching stack's hub stack
        stack_config = load_stack(stack_file.config, stack_file.secret_keys, hub=hub)
    except stackref.StackReferenceError as error:
        result.errors.append(str(error))
        return result
    except ConfigError as error:
        result.errors.extend(str(p) for p in error.problems)
        return result
    result.address_plan = address_plan_rows(stack_config, hub)
    config, secret_keys = dict(stack_file.config), set(stack_file.secret_keys)
    for secret in required_secrets(stack_config):
        if secret.key not in config:
            result.missing_secrets.append(secret)
            config[secret.key] = PLACEHOLDER
            secret_keys.add(secret.key)

    mocks = install(project=stack_file.project, stack=stack, config=config, secret_keys=secret_keys, stack_references=references)
    try:
        run_program(project_dir / "__main__.py", mocks)
    except ConfigError as error:
        result.errors.extend(str(p) for p in error.problems)
    finally:
        result.registrations = list(mocks.registrations)
        result.outputs = dict(mocks.stack_outputs)
    result.errors.extend(duplicate_urns(mocks.duplicate_urns, result.registrations))
    result.errors.extend(duplicate_azure_ids(result.registrations))
    if result.errors:
        return result
    result.hub_lines = stackref.attachment_lines(hub, stack_config, result.registrations)
    configs = {}
    if hub is None:
        result.intent = intent(stack_config)
        result.flows = simulate(result.registrations, result.intent)
        configs = {FLOWS_POLICY: {"intent": result.intent.to_json()}}
    else:
        # The hub's firewall, routes and gateways are the hub stack's resources, not in this stack's registrations.
        result.hub_lines.append("  flows: not simulated here; the hub's firewall and routes belong to the hub stack")
    result.violations = evaluate([_policy_record(r) for r in result.registrations], load_levels(stack), configs=configs)
    result.critical_path = estimate(result.registrations)
    return result


def _policy_record(r: Registration) -> dict[str, Any]:
    return {"type": r.type, "name": r.name, "urn": r.urn, "id": r.id, "inputs": r.inputs, "parent": r.parent,
            "dependencies": r.dependencies, "propertyDependencies": r.property_dependencies}


# --- rendering ------------------------------------------------------------------------------------


def render_text(result: PreviewResult) -> str:
    out: list[str] = []
    if result.registrations:
        out += ["Resources", *_tree(result.registrations), ""]
        counts = Counter(r.type for r in result.registrations if r.custom)
        out.append("Counts")
        out += [f"  {count:4d}  {type_}" for type_, count in sorted(counts.items())]
        out.append(f"  {sum(counts.values()):4d}  resources in {sum(1 for r in result.registrations if not r.custom)} components")
        out.append("")
    if result.hub_lines:
        out += ["Hub stack", *result.hub_lines, ""]
    if result.address_plan:
        out += ["Address plan", *_plan_table(result.address_plan), ""]
    if result.outputs:
        out.append("Outputs")
        for name, (value, is_secret_output) in sorted(result.outputs.items()):
            out.append(f"  {name}: {'[secret]' if is_secret_output else json.dumps(redact(value))}")
        out.append("")
    if result.missing_secrets:
        out.append("Secrets to set before a real `pulumi up` (the preview used placeholders)")
        for secret in result.missing_secrets:
            out.append(f"  missing secret {secret.key}: {secret.description}")
            out.append(f"    provide it with: {secret.command}")
        out.append("")
    if result.intent is not None:
        out += [*render_flows(result.flows), ""]
    if result.violations or result.registrations:
        mandatory = len(result.mandatory_violations)
        out.append(f"Policies: {mandatory} mandatory, {len(result.violations) - mandatory} advisory violation(s)")
        out += [f"  {v}" for v in result.violations]
        out.append("")
    if result.critical_path:
        out += [result.critical_path.render(), ""]
    if result.errors:
        out.append(f"{len(result.errors)} error(s): nothing would be created")
        out += [f"- {e}" for e in result.errors]
        out.append("")
    resources = sum(1 for r in result.registrations if r.custom)
    out.append(f"{result.stack}: {resources} resources, {len(result.errors)} errors, "
               f"{len(result.mandatory_violations)} mandatory policy violations")
    return "\n".join(out)


def _tree(registrations: list[Registration]) -> list[str]:
    children: dict[str | None, list[Registration]] = {}
    urns = {r.urn for r in registrations}
    for r in registrations:
        children.setdefault(r.parent if r.parent in urns else None, []).append(r)
    lines: list[str] = []

    def walk(parent: str | None, depth: int) -> None:
        for r in children.get(parent, []):
            marker = "" if r.custom else "+ "
            lines.append(f"{'  ' * (depth + 1)}{marker}{r.type}  {r.name}{'  [protected]' if r.protect else ''}")
            walk(r.urn, depth + 1)

    walk(None, 0)
    return lines


def _plan_table(rows: list[PlanRow]) -> list[str]:
    header = ("key", "owner", "range", "size", "usable", "needed", "note")
    table = [header] + [(r.key, r.owner, r.cidr, str(r.size), str(r.usable), "" if r.needed is None else str(r.needed), r.note)
                        for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    return ["  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in table]


def to_json(result: PreviewResult) -> dict[str, Any]:
    return {
        "stack": result.stack,
        "resources": [
            {"type": r.type, "name": r.name, "urn": r.urn, "parent": r.parent, "dependencies": r.dependencies,
             "protect": r.protect, "options": r.options(), "inputs": redact(r.inputs)}
            for r in result.registrations
        ],
        "address_plan": [asdict(row) for row in result.address_plan],
        "outputs": {name: "[secret]" if secret else redact(value) for name, (value, secret) in result.outputs.items()},
        "missing_secrets": [{"key": s.key, "description": s.description, "command": s.command} for s in result.missing_secrets],
        "policy_violations": [asdict(v) for v in result.violations],
        "critical_path": result.critical_path.to_json() if result.critical_path else None,
        "flows": [flow.to_json() for flow in result.flows],
        "errors": result.errors,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m offline.preview", description=__doc__.split("\n\n")[0])
    parser.add_argument("--stack", default="dev", help="stack name: reads Pulumi.<stack>.yaml (default: dev)")
    parser.add_argument("--json", metavar="FILE", help="also write the preview as JSON")
    parser.add_argument("--markdown", metavar="FILE", help="also write the preview as Markdown (offline/report.py)")
    parser.add_argument("--project-dir", default=".", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        result = preview(args.stack, args.project_dir.resolve())
    except Exception as error:  # noqa: BLE001 - the program failed for a reason other than its config
        print(f"{args.stack}: the program failed: {type(error).__name__}: {error}", file=sys.stderr)
        return 2
    print(render_text(result))
    if args.json:
        Path(args.json).write_text(json.dumps(to_json(result), indent=2, default=str) + "\n")
    if args.markdown:
        from offline.report import markdown_for
        Path(args.markdown).write_text(markdown_for(result, args.project_dir.resolve()))
    return result.exit_code


if __name__ == "__main__":
    sys.exit(main())
