"""The bench's bare program (offline/bare.py) registers what the project does, and the check would see if it didn't."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from offline.bare import Bare, compare, generate, recorded_states, run_bare
from offline.mocks import Registration
from offline.preview import PreviewResult, preview
from offline.synthetic import write_project

STACK = "bench"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[PreviewResult, Bare, Path]:
    directory = write_project(tmp_path_factory.mktemp("bare"), spokes=2, stack=STACK)
    result = preview(STACK, directory)
    assert result.exit_code == 0, result.errors
    bare = generate(result.registrations, recorded_states())  # what the mock engine returned, read right after the run
    (directory / "bare.py").write_text(bare.source)
    return result, bare, directory


def _run(directory: Path, source: str) -> list[Registration]:
    path = directory / "variant.py"
    path.write_text(source)
    return run_bare(path, STACK)


def test_the_bare_program_registers_the_same_resources_inputs_and_dependencies(generated: tuple[PreviewResult, Bare, Path]) -> None:
    result, bare, directory = generated
    registrations = run_bare(directory / "bare.py", STACK)
    assert compare(result.registrations, registrations) == []
    assert sum(1 for r in registrations if r.custom) == bare.resources == sum(1 for r in result.registrations if r.custom)
    assert not any(not r.custom and r.type.startswith("hybrid-aks:") for r in registrations)  # no components


def test_the_bare_program_is_one_plain_statement_per_resource(generated: tuple[PreviewResult, Bare, Path]) -> None:
    _, bare, _ = generated
    statements = re.findall(r"^r\d+ = \w+\.\w+\(", bare.source, re.MULTILINE)
    assert len(statements) == bare.resources
    imports = re.findall(r"^(?:import|from) (\S+)", bare.source, re.MULTILINE)
    assert all(m in ("copy", "re", "pulumi") or m.startswith(("pulumi_azure_native.", "pulumi_kubernetes")) for m in imports), imports
    # Dependent inputs are the other resource's Output; a literal wrapped in Output.all(...).apply only where the
    # value can't be traced to the resources it came from: the cluster's kubeconfig, and role definitions, whose
    # subscription comes from the scope's ID.
    assert re.search(r"Subnet\('hub-subnet-shared', .*virtual_network_name=r\d+\.name", bare.source)
    wrapped = [line for line in bare.source.splitlines() if "Output.all(" in line]
    assert len(wrapped) == bare.wrapped_inputs >= 1
    assert all("kubeconfig=" in line or "RoleAssignment(" in line for line in wrapped), wrapped
    assert bare.explicit_depends_on == bare.source.count("depends_on=")


def test_the_check_sees_a_changed_input_and_a_missing_dependency(generated: tuple[PreviewResult, Bare, Path]) -> None:
    result, bare, directory = generated
    changed_input = bare.source.replace("'10.0.1.0/24'", "'10.0.1.0/25'", 1)
    assert changed_input != bare.source
    problems = compare(result.registrations, _run(directory, changed_input))
    assert problems and all("inputs differs" in p for p in problems)

    without_depends_on = re.sub(r"depends_on=\[[^\]]*\]", "depends_on=[]", bare.source, count=1)
    assert without_depends_on != bare.source
    problems = compare(result.registrations, _run(directory, without_depends_on))
    assert problems and all("dependencies differs" in p for p in problems)
