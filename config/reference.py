"""The config reference in README.md, generated from the model's field docstrings.

`python -m config.reference` rewrites the table between the markers in README.md; a test fails when
the README and the model disagree, so every key a stack can hold is documented.
"""

from __future__ import annotations

import json
import sys
import types
import typing
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from config.model import StackConfig, _cidr, _ip, nested_model
from config.readme import replace_block

START, END = "<!-- config-reference:start -->", "<!-- config-reference:end -->"
README = Path(__file__).resolve().parent.parent / "README.md"


def _type_name(annotation: Any, metadata: list[Any]) -> str:
    for item in metadata:  # pydantic hands a field's own Annotated metadata over apart; nested ones come below
        func = getattr(item, "func", None)
        if func is _cidr:
            return "CIDR"
        if func is _ip:
            return "IPv4 address"
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        return _type_name(args[0], list(args[1:]))
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type_name(a, []) for a in args if a is not type(None))
    if origin is Literal:
        return " \\| ".join(f"`{a}`" for a in args)
    if origin is list:
        return f"list of {_type_name(args[0], [])}"
    if origin is dict:
        return f"map of name to {_type_name(args[1], [])}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "object"
    names = {str: "string", int: "integer", bool: "boolean"}
    if annotation not in names:
        raise TypeError(f"the config reference has no name for the type {annotation!r}: add one to config/reference.py")
    return names[annotation]


def _default(field: FieldInfo) -> str:
    if field.is_required():
        return "required"
    value = field.default
    if value is None or value is PydanticUndefined:
        return "-"
    if isinstance(value, BaseModel):
        return "see below" if value.model_dump(exclude_defaults=True) else "(all defaults)"
    return f"`{json.dumps(value)}`"


def reference_rows(model: type[BaseModel] = StackConfig, prefix: str = "") -> list[tuple[str, str, str, str]]:
    rows = []
    for name, field in model.model_fields.items():
        key = f"{prefix}{field.alias or name}"
        rows.append((key, _type_name(field.annotation, field.metadata), _default(field), field.description or ""))
        nested = nested_model(field.annotation)
        if nested is not None:  # its keys under the field's, also for a list of it (spokes.name)
            rows.extend(reference_rows(nested, f"{key}."))
    return rows


def reference_markdown() -> str:
    lines = ["| key (`hybrid-aks:` ...) | type | default | meaning |", "| --- | --- | --- | --- |"]
    lines += [f"| `{key}` | {type_} | {default} | {text} |" for key, type_, default, text in reference_rows()]
    return "\n".join(lines)


def render_readme(text: str) -> str:
    return replace_block(text, START, END, reference_markdown())


if __name__ == "__main__":
    README.write_text(render_readme(README.read_text()))
    sys.stdout.write(f"wrote {len(reference_rows())} config keys into {README.name}\n")
