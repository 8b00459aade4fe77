"""The offline preview and the program's refusal of bad config, end to end."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from config import ConfigError
from offline.mocks import install, run_program
from offline.preview import main, preview, read_stack_file, to_json
from tests.stacks import ROOT, STACKS, evaluated


def project_with(tmp_path: Path, stack: str, document: dict) -> Path:
    shutil.copy(ROOT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    shutil.copy(ROOT / "__main__.py", tmp_path / "__main__.py")
    (tmp_path / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump(document))
    return tmp_path


def dev_document() -> dict:
    return yaml.safe_load((ROOT / "Pulumi.dev.yaml").read_text())


def test_overlapping_vnets_fail_naming_both_keys_and_create_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = dev_document()
    document["config"]["hybrid-aks:spokes"][0]["addressSpace"] = ["10.10.0.0/16"]
    project = project_with(tmp_path, "overlap", document)
    assert main(["--stack", "overlap", "--project-dir", str(project), "--json", str(tmp_path / "r.json")]) == 1
    text = capsys.readouterr().out
    assert "hybrid-aks:spokes[0].addressSpace[0]: 10.10.0.0/16" in text and "hybrid-aks:hub.addressSpace[0]" in text
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["resources"] == [] and len(report["errors"]) == 3


def test_a_key_pulumi_yaml_requires_must_be_set_by_the_stack(tmp_path: Path) -> None:
    """The CLI refuses a declared key without a default that the stack leaves unset; so does the preview."""
    document = dev_document()
    del document["config"]["hybrid-aks:prefix"]
    result = preview("noprefix", project_with(tmp_path, "noprefix", document))
    assert result.exit_code == 1 and result.registrations == []
    (error,) = result.errors
    assert "missing configuration value(s) hybrid-aks:prefix" in error


def test_every_key_pulumi_yaml_declares_without_a_default_is_set_by_every_stack() -> None:
    declared = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())["config"]
    required = [f"hybrid-aks:{key}" for key, d in declared.items() if "default" not in d]
    assert required
    for stack in STACKS:
        config = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]
        assert [key for key in required if key not in config] == [], stack


def test_the_program_itself_refuses_bad_config_before_any_resource() -> None:
    """Not just the preview's pre-check: __main__.py raises ConfigError and registers nothing."""
    config, _ = dev_config_with_overlap()
    mocks = install(config=config, secret_keys=["hybrid-aks:vpnSharedKey-lab"])
    with pytest.raises(ConfigError) as caught:
        run_program(ROOT / "__main__.py", mocks)
    assert any(p.key == "hybrid-aks:spokes[0].addressSpace[0]" for p in caught.value.problems)
    assert mocks.registrations == []


def dev_config_with_overlap() -> tuple[dict[str, str], set[str]]:
    stack_file = read_stack_file(ROOT, "dev")
    spokes = json.loads(stack_file.config["hybrid-aks:spokes"])
    spokes[0]["addressSpace"] = ["10.10.0.0/16"]
    config = {**stack_file.config, "hybrid-aks:spokes": json.dumps(spokes), "hybrid-aks:vpnSharedKey-lab": "k"}
    return config, {"hybrid-aks:vpnSharedKey-lab"}


def test_a_missing_secret_stops_a_real_run() -> None:
    """Under the engine (no placeholders), a required secret that isn't set is a config problem."""
    mocks = install(config=read_stack_file(ROOT, "dev").config)
    with pytest.raises(ConfigError) as caught:
        run_program(ROOT / "__main__.py", mocks)
    (problem,) = caught.value.problems
    assert problem.key == "hybrid-aks:vpnSharedKey-lab" and "pulumi config set --secret hybrid-aks:vpnSharedKey-lab" in problem.fix
    assert mocks.registrations == []


@pytest.mark.parametrize("stack", STACKS)
def test_every_stack_evaluates_cleanly(stack: str) -> None:
    result = evaluated(stack)
    assert result.exit_code == 0
    assert not result.mandatory_violations, [str(v) for v in result.mandatory_violations]
    assert sum(r.custom for r in result.registrations) > 5  # site-lyon: its Arc cluster only, the hub is prod's


def test_json_report_shape_and_secrets(tmp_path: Path) -> None:
    report = to_json(evaluated("prod"))
    assert set(report) >= {"stack", "resources", "address_plan", "errors", "outputs", "missing_secrets"}
    resource = report["resources"][0]
    assert set(resource) >= {"type", "name", "parent", "dependencies", "inputs"}
    text = json.dumps(report, default=str)
    assert "offline-preview-placeholder" not in text and '"sharedKey": "[secret]"' in text
    assert [s["key"] for s in report["missing_secrets"]] == [
        "hybrid-aks:vpnSharedKey-paris-dc", "hybrid-aks:erAuthorizationKey-paris-dc", "hybrid-aks:vpnSharedKey-lyon-dc"]
    nodes = next(row for row in report["address_plan"] if row["key"] == "hybrid-aks:spokes[0].subnets.nodes")
    assert (nodes["usable"], nodes["needed"]) == (4091, 6 * 31 + 27 * 51)


def test_text_report_shows_tree_plan_and_secret_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--stack", "dev", "--project-dir", str(ROOT)]) == 0
    text = capsys.readouterr().out
    assert "+ hybrid-aks:network:Hub  hub" in text and "    azure-native:network:VirtualNetwork  hub-vnet" in text
    assert "provide it with: pulumi config set --secret hybrid-aks:vpnSharedKey-lab <value>" in text
    assert "hybrid-aks:spokes[0].subnets.nodes" in text and "headroom" in text
    assert text.rstrip().splitlines()[-1].startswith("dev: ")


def test_ciphertext_in_a_stack_file_is_refused(tmp_path: Path) -> None:
    document = dev_document()
    document["config"]["hybrid-aks:vpnSharedKey-lab"] = {"secure": "v1:abc"}
    result = preview("enc", project_with(tmp_path, "enc", document))
    assert result.exit_code == 1 and "encrypted value for hybrid-aks:vpnSharedKey-lab" in result.errors[0]


def test_unknown_stack_lists_the_known_ones() -> None:
    result = preview("nope", ROOT)
    assert result.exit_code == 1 and "Pulumi.nope.yaml" in result.errors[0] and "dev" in result.errors[0]


def test_a_public_load_balancer_fails_the_preview(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A variant of the dev program that adds a LoadBalancer Service without the internal annotations."""
    project = project_with(tmp_path, "public", dev_document())
    program = (ROOT / "__main__.py").read_text() + '''
import pulumi_kubernetes as k8s
k8s.core.v1.Service("public-web", opts=pulumi.ResourceOptions(provider=clusters["aks"].provider),
    spec=k8s.core.v1.ServiceSpecArgs(type="LoadBalancer", selector={"app": "web"}, ports=[k8s.core.v1.ServicePortArgs(port=80)]))
'''
    (project / "__main__.py").write_text(program)
    assert main(["--stack", "public", "--project-dir", str(project)]) == 1
    text = capsys.readouterr().out
    assert "[mandatory] k8s-service-lb-internal: public-web" in text


def test_json_report_carries_each_resources_options() -> None:
    resources = {r["name"]: r for r in to_json(evaluated("prod"))["resources"]}
    pool = resources["aks-aks-pool-apps"]["options"]
    assert pool["ignoreChanges"] == ["count"] and pool["protect"] is False
    assert resources["hub-vnet"]["options"]["protect"] is True
    assert set(resources["hub-vnet"]["options"]) == {"protect", "ignoreChanges", "deleteBeforeReplace", "replaceOnChanges", "aliases"}


def test_a_premium_firewall_with_tls_inspection_previews(tmp_path: Path) -> None:
    """The firewall policy's user-assigned identity comes back from Azure as a map of ID to principal, as a managed
    cluster's does: the preview must not fail on the SDK's output type."""
    document = yaml.safe_load((ROOT / "Pulumi.prod.yaml").read_text())
    identity = ("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-sec/providers/"
                "Microsoft.ManagedIdentity/userAssignedIdentities/id-fw-tls")
    document["config"]["hybrid-aks:hub"]["firewall"]["tlsInspection"] = {
        "keyVaultSecretId": "https://kv-prod.vault.azure.net/secrets/fw-ca", "identityId": identity}
    result = preview("prod", project_with(tmp_path, "prod", document))
    assert result.errors == []
    (policy,) = [r for r in result.registrations if r.type == "azure-native:network:FirewallPolicy"]
    assert policy.inputs["identity"] == {"type": "UserAssigned", "userAssignedIdentities": [identity]}
    assert policy.inputs["transportSecurity"] == {"certificateAuthority": {
        "name": "tls-inspection", "keyVaultSecretId": "https://kv-prod.vault.azure.net/secrets/fw-ca"}}
