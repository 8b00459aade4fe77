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
