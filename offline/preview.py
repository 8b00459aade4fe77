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
from offline.critical_path import Estimate, estimate
from offline.mocks import Registration, install, redact, run_program
from policy.evaluate import Violation, evaluate, load_levels

PLACEHOLDER = "offline-preview-placeholder"


class StackFileError(Exception):
    """The stack file can't be used offline (missing, malformed, or holding ciphertext)."""


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

    @property
    def mandatory_violations(self) -> list[Violation]:
        return [v for v in self.violations if v.level == "mandatory"]

    @property
    def exit_code(self) -> int:
        return 1 if self.errors or self.mandatory_violations else 0


def read_stack_file(project_dir: Path, stack: str) -> StackFile:
    """Config as the Pulumi engine would hand it to the program: project defaults, then the stack's values."""
    project_file = project_dir / "Pulumi.yaml"
    stack_file = project_dir / f"Pulumi.{stack}.yaml"
    if not stack_file.exists():
        known = sorted(p.name[len("Pulumi."):-len(".yaml")] for p in project_dir.glob("Pulumi.*.yaml"))
        raise StackFileError(f"no stack file {stack_file.name}; stacks here: {', '.join(known)}")
    project = yaml.safe_load(project_file.read_text()) or {}
    name = project.get("name", NAMESPACE)
    values: dict[str, Any] = {}
    required: list[str] = []
    for key, declaration in (project.get("config") or {}).items():
        full_key = key if ":" in key else f"{name}:{key}"
        if isinstance(declaration, dict) and "default" in declaration:
            values[full_key] = declaration["default"]
        else:
            required.append(full_key)
    try:
        document = yaml.safe_load(stack_file.read_text()) or {}
    except yaml.YAMLError as error:
        raise StackFileError(f"{stack_file.name} is not valid YAML: {error}") from None
    for key, value in (document.get("config") or {}).items():
        if isinstance(value, dict) and set(value) == {"secure"}:
            raise StackFileError(
                f"{stack_file.name} holds an encrypted value for {key}; the offline preview can't decrypt it. "
                "Example stacks document `pulumi config set --secret` instead of shipping ciphertext.")
        values[key] = value
    # As the Pulumi CLI does before it runs the program: a declared key without a default is required.
    missing = [key for key in required if key not in values]
    if missing:
        raise StackFileError(f"stack '{stack}' is missing configuration value(s) {', '.join(missing)} that Pulumi.yaml declares "
                             f"without a default; set them in {stack_file.name}")
    config = {k: v if isinstance(v, str) else json.dumps(v) for k, v in values.items()}
    return StackFile(name, config, set())


def preview(stack: str, project_dir: Path) -> PreviewResult:
    result = PreviewResult(stack)
    try:
        stack_file = read_stack_file(project_dir, stack)
    except StackFileError as error:
        result.errors.append(str(error))
        return result
    try:
        stack_config = load_stack(stack_file.config, stack_file.secret_keys)
    except ConfigError as error:
        result.errors.extend(str(p) for p in error.problems)
        return result
    result.address_plan = address_plan_rows(stack_config)
    config, secret_keys = dict(stack_file.config), set(stack_file.secret_keys)
    for secret in required_secrets(stack_config):
        if secret.key not in config:
            result.missing_secrets.append(secret)
            config[secret.key] = PLACEHOLDER
            secret_keys.add(secret.key)

    mocks = install(project=stack_file.project, stack=stack, config=config, secret_keys=secret_keys)
    try:
        run_program(project_dir / "__main__.py", mocks)
    except ConfigError as error:
        result.errors.extend(str(p) for p in error.problems)
    finally:
        result.registrations = list(mocks.registrations)
        result.outputs = dict(mocks.stack_outputs)
    if result.errors:
        return result
    result.violations = evaluate([_policy_record(r) for r in result.registrations], load_levels(stack))
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
