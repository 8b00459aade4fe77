"""The workflows' identities and secrets: pull requests get no write identity and no production secret; every action
is pinned by commit SHA; no checkout leaves its token on disk; each stack's secrets sit in its own environment.
zizmor and the GitHub workflow schema run in `make test` too (Makefile `lint-workflows`)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from tests.stacks import ROOT, STACKS

WORKFLOWS = ROOT / ".github" / "workflows"
SHA = re.compile(r"^[\w.-]+/[\w.-]+@[0-9a-f]{40}$")


def load(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text())


def steps(document: dict) -> list[tuple[str, dict]]:
    """Every step of every job that has steps (a job calling a reusable workflow has none of its own)."""
    return [(job_name, step) for job_name, job in document["jobs"].items() for step in job.get("steps", [])]


def test_every_action_is_pinned_and_no_checkout_persists_credentials() -> None:
    for path in WORKFLOWS.glob("*.yml"):
        document = yaml.safe_load(path.read_text())
        assert document["permissions"] == {}, f"{path.name}: jobs ask for what they need"
        for job_name, step in steps(document):
            if "uses" in step:
                assert SHA.match(step["uses"]), f"{path.name} {job_name}: {step['uses']} is not pinned by commit SHA"
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False, f"{path.name} {job_name}"


def test_pull_requests_get_no_write_identity_and_no_production_secret() -> None:
    document = load("pull-request.yml")
    text = (WORKFLOWS / "pull-request.yml").read_text()
    assert "vars.AZURE_CLIENT_ID" not in text, "the deploy identity is never offered to branch code"
    offline, preview = document["jobs"]["offline"], document["jobs"]["preview"]
    assert offline["permissions"] == {"contents": "read"} and "secrets." not in yaml.safe_dump(offline)
    assert preview["environment"] == "preview"
    assert preview["permissions"] == {"contents": "read", "id-token": "write"}, "no pull-requests: write either"
    assert preview["env"]["ARM_CLIENT_ID"] == "${{ vars.AZURE_PREVIEW_CLIENT_ID }}"
    cloud = {entry["stack"]: entry["cloud"] for entry in preview["strategy"]["matrix"]["include"]}
    assert sorted(cloud) == STACKS and [stack for stack, on in cloud.items() if on] == ["dev"]
    for _, step in steps(document):
        if "secrets." in yaml.safe_dump(step) or step.get("uses", "").startswith(("azure/login@", "pulumi/actions@")):
            assert step.get("if", "").startswith("matrix.cloud"), step


def test_each_stack_deploys_in_its_own_environment() -> None:
    deploy = load("deploy.yml")
    for wave in ("hubs", "attached"):
        caller = deploy["jobs"][wave]
        assert caller["uses"] == "./.github/workflows/pulumi-up.yml" and "secrets" not in caller, "no secret passed down"
    job = load("pulumi-up.yml")["jobs"]["up"]
    assert job["environment"] == "${{ inputs.stack }}"
    assert job["permissions"] == {"contents": "read", "id-token": "write"}
    assert "secrets." not in yaml.safe_dump(job["env"]), "secrets only on the step that needs them"
