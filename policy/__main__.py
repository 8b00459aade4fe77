"""Entry point of the CrossGuard pack, run by the Pulumi CLI (`--policy-pack policy`).

Constructing `PolicyPack` starts the analyzer's gRPC server and blocks, so nothing imports this module;
tests and the offline preview use `policy.policies` and `policy.evaluate`.
"""

import sys
from pathlib import Path

# The CLI runs this file with policy/ as the working directory: make `policy.*` importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pulumi_policy import EnforcementLevel, PolicyPack  # noqa: E402

from policy.policies import POLICIES  # noqa: E402

PolicyPack(
    name="hybrid-aks-policies",
    policies=POLICIES,
    # Every policy is mandatory unless a stack's policy config relaxes it (policy/policy-config.<stack>.json).
    enforcement_level=EnforcementLevel.MANDATORY,
)
