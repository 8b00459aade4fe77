"""The pull-request report: Markdown with a Mermaid topology GitHub renders, counts, plan, policies, critical path."""

from __future__ import annotations

from pathlib import Path

from offline.preview import main


def test_prod_report_has_topology_and_sections(tmp_path: Path) -> None:
    out = tmp_path / "prod.md"
    assert main(["--stack", "prod", "--markdown", str(out)]) == 0
    text = out.read_text()
    assert "```mermaid\nflowchart LR" in text and 'fw{"Azure Firewall Premium"}' in text
    assert "site_paris_dc <-- ExpressRoute --> ergw" in text and "spoke_data -- 0.0.0.0/0 --> fw" in text
    for section in ("### Resources", "### Address plan", "### Policies", "### Critical path"):
        assert section in text


def test_flows_are_drawn_between_their_ends_not_on_the_firewall(tmp_path: Path) -> None:
    out = tmp_path / "dev.md"
    assert main(["--stack", "dev", "--markdown", str(out)]) == 0
    flows = [line.strip() for line in out.read_text().splitlines() if "via firewall" in line]
    assert flows == ['site_lab -. "onprem-to-aks-default-web: TCP 90 via firewall" .-> spoke_aks',
                     'spoke_aks -. "aks-to-default-lab-api: TCP 443 via firewall" .-> site_lab']
