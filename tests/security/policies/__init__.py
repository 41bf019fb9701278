"""Per-app additions to the route permission policy: each module here defines `POLICY = {...}` using
the helpers in tests/security/policy.py. tests/security/policy.py merges them all."""
