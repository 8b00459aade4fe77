"""hybrid-aks CrossGuard policy pack.

`policy.policies.POLICIES` holds the policies; `policy.evaluate` runs them without the Pulumi engine
(the offline preview); `policy/__main__.py` is the pack's entry point for the Pulumi CLI:

    pulumi preview --policy-pack policy --policy-config policy/policy-config.<stack>.json
"""
