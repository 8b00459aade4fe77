"""The offline preview as Markdown for a pull request's job summary: counts, address plan, policies, critical path and a
Mermaid topology (hub, spokes, sites, gateways, and the flows through the firewall) drawn from the stack's config."""

from __future__ import annotations

import ipaddress
import re
from collections import Counter
from collections.abc import Callable

from config.model import StackConfig
from config.topology import firewall_flows


def _id(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", text)


def topology(stack: StackConfig) -> list[str]:
    lines = ["```mermaid", "flowchart LR"]
    hub = stack.the_hub  # an attaching stack is loaded with its hub stack's hub
    lines.append(f'  subgraph hub["hub {hub.name}: {", ".join(hub.address_space)}"]')
    if stack.gateways.vpn:
        lines.append(f'    vpngw["VPN gateway {stack.gateways.vpn.sku}"]')
    if stack.gateways.express_route:
        lines.append(f'    ergw["ExpressRoute gateway {stack.gateways.express_route.sku}"]')
    if hub.firewall:
        lines.append(f'    fw{{"Azure Firewall {hub.firewall.sku}"}}')
    if hub.dns_resolver:
        lines.append('    dns["DNS Private Resolver"]')
    lines.append("  end")
    for spoke in stack.spokes:
        sid = _id(f"spoke_{spoke.name}")
        label = f"spoke {spoke.name}: {', '.join(spoke.address_space)}" + (" (AKS)" if spoke.aks else "")
        lines.append(f'  {sid}["{label}"] <-- peering --> hub')
        if hub.firewall:
            lines.append(f"  {sid} -- 0.0.0.0/0 --> fw")
    for site in stack.sites:
        sid = _id(f"site_{site.name}")
        lines.append(f'  {sid}(["site {site.name}: {", ".join(site.address_prefixes)}"])')
        if site.vpn:
            lines.append(f"  {sid} <-- IPsec --> vpngw")
        if site.express_route:
            lines.append(f"  {sid} <-- ExpressRoute --> ergw")
    if hub.firewall:
        owners = _owners(stack)
        for flow in firewall_flows(stack)[:20]:
            label = f'{flow.name}: {"/".join(flow.protocols)} {",".join(flow.ports)} via firewall'
            sources = sorted({node for cidr in flow.sources if (node := owners(cidr))})
            destinations = sorted({node for cidr in flow.destinations if (node := owners(cidr))})
            lines += [f'  {a} -. "{label}" .-> {b}' for a in sources for b in destinations]
    lines.append("```")
    return lines


def _owners(stack: StackConfig) -> Callable[[str], str | None]:
    """The drawing's node a flow's range lies in: the spoke or site whose addresses contain it."""
    nodes = [(ipaddress.IPv4Network(space), _id(f"spoke_{spoke.name}")) for spoke in stack.spokes for space in spoke.address_space]
    nodes += [(ipaddress.IPv4Network(prefix), _id(f"site_{site.name}")) for site in stack.sites for prefix in site.address_prefixes]

    def owner(cidr: str) -> str | None:
        network = ipaddress.IPv4Network(cidr, strict=False)
        return next((node for space, node in nodes if network.subnet_of(space)), None)
    return owner


def render_markdown(result: object, stack: StackConfig | None) -> str:
    r = result  # offline.preview.PreviewResult
    out = [f"## Offline preview: `{r.stack}`", ""]  # type: ignore[attr-defined]
    resources = [x for x in r.registrations if x.custom]  # type: ignore[attr-defined]
    out.append(f"**{len(resources)} resources**, {len(r.errors)} errors, {len(r.mandatory_violations)} mandatory policy violations")  # type: ignore[attr-defined]
    out += ["", "### Topology", ""] + (topology(stack) if stack else ["(no valid config)"])
    out += ["", "### Resources", "", "| type | count |", "| --- | ---: |"]
    out += [f"| `{t}` | {n} |" for t, n in sorted(Counter(x.type for x in resources).items())]
    out += ["", "### Address plan", "", "| key | owner | range | usable | needed |", "| --- | --- | --- | ---: | ---: |"]
    out += [f"| `{p.key}` | {p.owner} | {p.cidr} | {p.usable} | {'' if p.needed is None else p.needed} |" for p in r.address_plan]  # type: ignore[attr-defined]
    out += ["", "### Policies", ""]
    out += [f"- **{v.level}** `{v.policy}` {v.name}: {v.message.splitlines()[0]}" for v in r.violations] or ["- no violations"]  # type: ignore[attr-defined]
    if r.critical_path:  # type: ignore[attr-defined]
        out += ["", "### Critical path", "", "```text", r.critical_path.render(), "```"]  # type: ignore[attr-defined]
    if r.errors:  # type: ignore[attr-defined]
        out += ["", "### Errors", ""] + [f"- {e}" for e in r.errors]  # type: ignore[attr-defined]
    return "\n".join(out) + "\n"


def markdown_for(result: object, project_dir: object) -> str:
    """The report, with the stack's config read again for the topology (None when it is invalid)."""
    from pathlib import Path

    from config import ConfigError, load_stack
    from offline.preview import StackFileError, read_stack_file
    try:
        stack_file = read_stack_file(Path(str(project_dir)), result.stack)  # type: ignore[attr-defined]
        stack: StackConfig | None = load_stack(stack_file.config, stack_file.secret_keys)
    except (StackFileError, ConfigError, TypeError):
        stack = None
    return render_markdown(result, stack)
