"""The bare program: what a hand-written program registering the project's resources would be.

    python -m offline.bare run FILE [--stack NAME]    # run a generated bare program under the recording mocks

`generate()` writes, from the registrations a project run recorded, one plain SDK statement per resource,
in registration order: literal inputs (nested inputs as dicts), an input that depended on another resource
passed as that resource's Output (`vnet.name`, `subnet.id`, `Output.concat("...", scope.id)`, or a getter
on a nested output such as `firewall.ip_configurations.apply(lambda v: v[0].private_ip_address)`),
`depends_on` only where no input carries the link, the provider, protect, ignore_changes,
delete_before_replace, replace_on_changes and the project's own aliases. There are no components, no config,
no checks, no policies and no exports. It keeps the project's one SDK-level choice (the stack
transformation that drops azure-native's API-version aliases, components/common.py): without it both
programs would register different options, and a hand-written program would run about 9 times slower.

An input whose value can't be traced to the resources it depended on (the kubeconfig a cluster's
credentials invoke returns) is the only place the program wraps a literal in `Output.all(...).apply`; a
hand-written program would call the invoke, which costs more. `generate` counts them.

`compare()` proves the generated program registers the same resources (URN, type, custom), the same wire
inputs (secrets included), the same dependencies and property dependencies, the same provider and options
as the project; parents differ by construction (no components).
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import re
import sys
import typing
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import pulumi._types as pulumi_types

from offline.mocks import Registration, install, is_secret, run_program


@dataclass
class Bare:
    source: str
    resources: int
    wrapped_inputs: int = 0  # inputs given as Output.all(...).apply(lambda _: literal): untraceable values
    explicit_depends_on: int = 0
    outputs_passed: int = 0  # inputs (or nested values) passed as another resource's Output


# --- SDK lookups (at generation time only; the generated program names classes directly) -----------


def sdk_class(type_: str) -> tuple[str, str, Any]:
    """(module to import, class name, class) of a resource type token."""
    package, module, name = type_.split(":")
    if package == "pulumi" and module == "providers":
        return f"pulumi_{name}", "Provider", importlib.import_module(f"pulumi_{name}").Provider
    if package == "kubernetes":
        group, version = module.split("/")
        path = f"pulumi_kubernetes.{group.split('.')[0]}.{version}"
    else:
        path = f"pulumi_azure_native.{module}"
    return path, name, getattr(importlib.import_module(path), name)


def _init_params(cls: Any) -> set[str]:
    return set(inspect.signature(cls._internal_init).parameters) - {"__self__", "resource_name", "opts", "__props__"}


def _input_names(cls: Any) -> dict[str, str]:
    """Wire name -> Python keyword of the resource's constructor."""
    args_class = getattr(importlib.import_module(cls.__module__), f"{cls.__name__}Args", None)
    names = {v: k for k, v in pulumi_types.input_type_py_to_pulumi_names(args_class).items()} if args_class else {}
    params = _init_params(cls)
    out = {_camel(p.rstrip("_")): p for p in params}
    for wire, py in names.items():
        out[wire] = py if py in params else f"{py}_" if f"{py}_" in params else py
    return out


def _camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(part[:1].upper() + part[1:] for part in rest)


def _unwrap(typ: Any) -> Any:
    """T from Output[T], Optional[T], Sequence[T], Mapping[str, T] (one level each, repeatedly)."""
    while True:
        typ = pulumi_types.unwrap_optional_type(pulumi_types.unwrap_type(typ))
        origin = typing.get_origin(typ)
        if origin is None:
            return typ
        args = typing.get_args(typ)
        if not args:
            return typ
        typ = args[-1]


def _output_path(cls: Any, path: Sequence[str | int]) -> str | None:
    """`.ip_configurations.apply(lambda v: v[0].private_ip_address)` for a state path, or None."""
    top, rest = path[0], path[1:]
    assert isinstance(top, str)
    top_py = "id" if top == "id" else pulumi_types.resource_pulumi_to_py_names(cls).get(top)
    if top_py is None:
        return None
    if not rest:
        return f".{top_py}"
    typ: Any = pulumi_types.resource_types(cls).get(top)
    getter = "v"
    for step in rest:
        if isinstance(step, int):
            getter += f"[{step}]"
            continue
        typ = _unwrap(typ)
        if not (isinstance(typ, type) and pulumi_types.is_output_type(typ)):
            return None
        name = pulumi_types._py_name_for(typ, step)
        if name is None:
            return None
        getter += f".{name}"
        typ = pulumi_types.output_type_types(typ).get(step)
    return f".{top_py}.apply(lambda v: {getter})"


# --- generation ---------------------------------------------------------------------------------------


def _leaves(value: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    if isinstance(value, dict) and not is_secret(value):
        for k, v in value.items():
            yield from _leaves(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _leaves(v, (*path, i))
    elif path and isinstance(value, str | int | float | bool):
        yield path, value


def _literal(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return repr(int(value))
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {_literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    return repr(value)


class _Generator:
    def __init__(self, registrations: Sequence[Registration], states: dict[str, dict[str, Any]], tune_gc: bool) -> None:
        self.tune_gc = tune_gc
        self.registrations = [r for r in registrations if r.custom]
        self.states = states
        self.var: dict[str, str] = {}  # urn -> variable
        self.cls: dict[str, Any] = {}  # urn -> SDK class
        self.modules: dict[str, str] = {}  # module path -> alias
        self.bare = Bare("", len(self.registrations))
        self._paths: dict[str, dict[Any, list[tuple[str | int, ...]]]] = {}

    def alias_of(self, module: str) -> str:
        return self.modules.setdefault(module, re.sub(r"\W", "_", module.removeprefix("pulumi_")))

    def state_paths(self, urn: str) -> dict[Any, list[tuple[str | int, ...]]]:
        """Every scalar of a resource's outputs -> the paths holding it (shortest first; id and name first)."""
        if urn not in self._paths:
            found: dict[Any, list[tuple[str | int, ...]]] = {}
            for path, value in _leaves(self.states.get(urn, {})):
                if isinstance(value, str) and value:
                    found.setdefault(value, []).append(path)
            for paths in found.values():
                paths.sort(key=lambda p: (len(p), p[0] not in ("id", "name")))
            self._paths[urn] = found
        return self._paths[urn]

    def reference(self, urn: str, value: str) -> str | None:
        for path in self.state_paths(urn).get(value, []):
            getter = _output_path(self.cls[urn], path)
            if getter is not None:
                return f"{self.var[urn]}{getter}"
        return None

    def expression(self, value: Any, deps: list[str], used: set[str]) -> str:
        """`value` as Python source, with the strings that came from `deps` as their Outputs."""
        if is_secret(value):
            return f"pulumi.Output.secret({self.expression(value['value'], deps, used)})"
        if isinstance(value, dict):
            return "{" + ", ".join(f"{k!r}: {self.expression(v, deps, used)}" for k, v in value.items()) + "}"
        if isinstance(value, list):
            return "[" + ", ".join(self.expression(v, deps, used) for v in value) + "]"
        if isinstance(value, str) and value and deps:
            for urn in deps:
                ref = self.reference(urn, value)
                if ref is not None:
                    used.add(urn)
                    self.bare.outputs_passed += 1
                    return ref
            for urn in deps:  # a string built from another resource's id: "<scope>/providers/..."
                resource_id = self.states.get(urn, {}).get("id")
                if isinstance(resource_id, str) and resource_id and resource_id in value and value != resource_id:
                    head, _, tail = value.partition(resource_id)
                    used.add(urn)
                    self.bare.outputs_passed += 1
                    parts = [_literal(head)] if head else []
                    return f"pulumi.Output.concat({', '.join([*parts, f'{self.var[urn]}.id', *([_literal(tail)] if tail else [])])})"
        return _literal(value)

    def statement(self, i: int, r: Registration) -> str:
        module, name, cls = sdk_class(r.type)
        self.cls[r.urn] = cls
        names = _input_names(cls)
        params = _init_params(cls)
        kwargs = []
        for wire, value in r.inputs.items():
            py = names.get(wire)
            if py is None or py not in params:
                continue  # set by the SDK itself (a Kubernetes object's apiVersion and kind)
            deps = [u for u in r.property_dependencies.get(wire, []) if u in self.var]
            used: set[str] = set()
            expr = self.expression(value, deps, used)
            if set(deps) - used:
                self.bare.wrapped_inputs += 1
                sources = ", ".join(f"{self.var[u]}.id" for u in deps)
                expr = f"pulumi.Output.all({sources}).apply(lambda _: {_literal(value)})"
                if is_secret(value):
                    expr = f"pulumi.Output.secret(pulumi.Output.all({sources}).apply(lambda _: {_literal(value['value'])}))"
            kwargs.append(f"{py}={expr}")
        through_inputs = {u for urns in r.property_dependencies.values() for u in urns}
        explicit = [self.var[u] for u in r.dependencies if u not in through_inputs and u in self.var]
        opts = []
        if explicit:
            self.bare.explicit_depends_on += 1
            opts.append(f"depends_on=[{', '.join(explicit)}]")
        if r.provider:
            opts.append(f"provider={self.var[r.provider.rsplit('::', 1)[0]]}")  # a reference is "<urn>::<id>"
        if r.protect:
            opts.append("protect=True")
        if r.ignore_changes:
            opts.append(f"ignore_changes={r.ignore_changes!r}")
        if r.delete_before_replace:
            opts.append("delete_before_replace=True")
        if r.replace_on_changes:
            opts.append(f"replace_on_changes={r.replace_on_changes!r}")
        own_aliases = [a["spec"] for a in r.aliases if "name" in a.get("spec", {})]
        if own_aliases:
            opts.append("aliases=[" + ", ".join(
                f"pulumi.Alias(name={a['name']!r}" + (f", parent={a['parentUrn']!r}" if a.get("parentUrn") else "") + ")"
                for a in own_aliases) + "]")
        if opts:
            kwargs.append(f"opts=pulumi.ResourceOptions({', '.join(opts)})")
        var = f"r{i}"
        self.var[r.urn] = var
        return f"{var} = {self.alias_of(module)}.{name}({r.name!r}, {', '.join(kwargs)})"

    def source(self) -> str:
        body = [self.statement(i, r) for i, r in enumerate(self.registrations)]
        from components.common import GC_THRESHOLDS  # here: the bare program's own process never imports project code

        imports = [f"import {module} as {alias}" for module, alias in sorted(self.modules.items())]
        gc = ["", "# The project's garbage-collector tuning (components/common.py), after the imports.",
              "gc.collect()", "gc.freeze()", f"gc.set_threshold{GC_THRESHOLDS}"] if self.tune_gc else []
        return "\n".join([
            f'"""Generated by offline/bare.py: {len(body)} resources, one SDK statement each (not edited by hand)."""',
            "import copy",
            *(["import gc"] if self.tune_gc else []),
            "import re",
            "",
            "import pulumi",
            *imports,
            *gc,
            "",
            "_API_VERSION_TYPE = re.compile(r'^azure-native:[^:/]+/v[0-9]{8}[a-z]*:')",
            "",
            "",
            "def _without_api_version_aliases(args):",
            "    aliases = args.opts.aliases or []",
            "    kept = [a for a in aliases if not (isinstance(a, pulumi.Alias) and isinstance(a.type_, str)",
            "                                      and _API_VERSION_TYPE.match(a.type_))]",
            "    if len(kept) == len(aliases):",
            "        return None",
            "    opts = copy.copy(args.opts)",
            "    opts.aliases = kept",
            "    return pulumi.ResourceTransformationResult(args.props, opts)",
            "",
            "",
            "pulumi.runtime.register_stack_transformation(_without_api_version_aliases)",
            *body,
            "",
        ])


def generate(registrations: Sequence[Registration], states: dict[str, dict[str, Any]], tune_gc: bool = False) -> Bare:
    """The bare program for a project run's registrations; `states` holds each resource's (mock) outputs by URN.

    With `tune_gc`, the program also tunes the garbage collector as the project does (for the bench's
    bare+gc column, which shows how much of the project's lead is that tuning).
    """
    generator = _Generator(registrations, states, tune_gc)
    generator.bare.source = generator.source()
    return generator.bare


def recorded_states() -> dict[str, dict[str, Any]]:
    """The outputs the mock engine returned for each resource of the last run (by URN)."""
    monitor: Any = pulumi.runtime.settings.SETTINGS.monitor
    return {urn: dict(registration.state or {}) for urn, registration in monitor.resources.items()}


# --- equivalence ----------------------------------------------------------------------------------------


def _key(urn: str) -> str:
    """type::name of a URN (a URN also holds its parent's type, which a program without components lacks)."""
    *_, types, name = urn.split("::")
    return f"{types.split('$')[-1]}::{name}"


def _comparable(r: Registration) -> dict[str, Any]:
    return {"type": r.type, "inputs": r.inputs, "dependencies": sorted(map(_key, r.dependencies)),
            "propertyDependencies": {k: sorted(map(_key, v)) for k, v in r.property_dependencies.items() if v},
            "provider": _key(r.provider.rsplit("::", 1)[0]) if r.provider else None, **r.options()}


def compare(project: Sequence[Registration], bare: Sequence[Registration]) -> list[str]:
    """Every difference between the project's custom-resource registrations and the bare program's (none: equal)."""
    ours = {_key(r.urn): _comparable(r) for r in project if r.custom}
    theirs = {_key(r.urn): _comparable(r) for r in bare if r.custom}
    problems = [f"only in the project: {urn}" for urn in ours.keys() - theirs.keys()]
    problems += [f"only in the bare program: {urn}" for urn in theirs.keys() - ours.keys()]
    for urn in sorted(ours.keys() & theirs.keys()):
        for key, value in ours[urn].items():
            if theirs[urn][key] != value:
                problems.append(f"{urn}: {key} differs: project {value!r:.300} / bare {theirs[urn][key]!r:.300}")
    return problems


def run_bare(path: Path, stack: str, project: str = "hybrid-aks") -> list[Registration]:
    mocks = install(project=project, stack=stack)
    run_program(path, mocks)
    return list(mocks.registrations)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m offline.bare")
    parser.add_argument("command", choices=["run"])
    parser.add_argument("file", type=Path)
    parser.add_argument("--stack", default="bench")
    args = parser.parse_args(argv)
    registrations = run_bare(args.file.resolve(), args.stack)
    print(f"{sum(1 for r in registrations if r.custom)} resources")
    return 0


if __name__ == "__main__":
    sys.exit(main())
