"""What a config check reports: one Problem per thing to fix, all raised together."""

from __future__ import annotations

from dataclasses import dataclass, field

NAMESPACE = "hybrid-aks"


@dataclass(frozen=True, order=True)
class Problem:
    key: str  # full config key, e.g. "hybrid-aks:spokes[0].subnets.nodes"
    message: str  # what is wrong, naming ranges and the keys they collide with
    fix: str  # how to fix it
    # The id of the rule in config/rules.py that found it ("" for shape problems: unknown keys, types, formats). Not
    # compared: two problems with the same key and message are one, whichever check reported it.
    rule: str = field(default="", compare=False)

    def __str__(self) -> str:
        return f"{self.key}: {self.message}\n    fix: {self.fix}"


class ConfigError(Exception):
    """The stack config is invalid. Raised before any resource is registered."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(set(problems), key=lambda p: (p.key, p.message))
        count = len(self.problems)
        header = f"the stack config has {count} problem{'s' if count != 1 else ''}:"
        super().__init__("\n".join([header, *(f"- {p}" for p in self.problems)]))


def key_of(*path: str | int) -> str:
    """Render a path as a config key: ("spokes", 1, "subnets", "nodes") -> hybrid-aks:spokes[1].subnets.nodes."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return f"{NAMESPACE}:{out}"
