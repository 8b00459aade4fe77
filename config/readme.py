"""The one way generated sections (config reference, rules, flows, bench) are kept in README.md."""

from __future__ import annotations


def replace_block(text: str, start: str, end: str, body: str) -> str:
    """README text with what stands between the markers start and end replaced by body."""
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{body}\n{end}{tail}"
