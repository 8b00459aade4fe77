"""The README stays true: its config reference is the model's, and it documents the commands and secrets."""

from __future__ import annotations

from pathlib import Path

import yaml

from config.reference import README, reference_rows, render_readme
from config.secrets import SECRET_KEY_PATTERNS
from tests.stacks import STACKS

ROOT = Path(__file__).resolve().parent.parent


def test_config_reference_matches_the_model() -> None:
    text = README.read_text()
    assert render_readme(text) == text, "README.md's config reference is stale: run `.venv/bin/python -m config.reference`"


def test_every_config_key_has_a_meaning() -> None:
    undocumented = [key for key, _, _, meaning in reference_rows() if not meaning]
    assert not undocumented, f"fields without a docstring in config/: {undocumented}"


def test_every_secret_is_documented() -> None:
    text = README.read_text()
    for pattern in SECRET_KEY_PATTERNS:
        name = pattern.split("-", 1)[0]
        assert f"`hybrid-aks:{name}-<site>`" in text or f"`hybrid-aks:{name}-<spoke>`" in text, name


def test_quick_start_commands_exist_in_the_makefile() -> None:
    text, makefile = README.read_text(), (ROOT / "Makefile").read_text()
    for command in ("make preview", "make test"):
        assert command in text
    assert "\npreview:" in makefile and "\ntest:" in makefile
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_the_workflows_preview_and_deploy_every_shipped_stack() -> None:
    """deploy.yml holds no list: its two waves come from `offline.orgplan --order` (hubs, then the stacks attaching)."""
    deploy = yaml.safe_load((ROOT / ".github" / "workflows" / "deploy.yml").read_text())["jobs"]
    assert "python -m offline.orgplan --order" in deploy["order"]["steps"][-1]["run"]
    for wave in ("hubs", "attached"):
        assert deploy[wave]["strategy"]["matrix"]["include"] == f"${{{{ fromJSON(needs.order.outputs.{wave}) }}}}"
        assert deploy[wave]["uses"] == "./.github/workflows/pulumi-up.yml"
    assert "hubs" in deploy["attached"]["needs"]
    for workflow, job in (("pull-request.yml", "preview"),):
        document = yaml.safe_load((ROOT / ".github" / "workflows" / workflow).read_text())
        matrices = [j["strategy"]["matrix"]["include"] for j in document["jobs"].values() if "matrix" in j.get("strategy", {})]
        assert len(matrices) == 1, workflow
        assert sorted(entry["stack"] for entry in matrices[0]) == STACKS, f"{workflow} ({job}) misses a stack"
