"""Stands in for `vextrus-finance smoke` in the rollout tests: records its arguments (to show the
rollout passes --base-url and --token), prints a summary and exits 0 (`pass`) or 1 (`fail`)."""

import json
import os
import sys

mode, rest = sys.argv[1], sys.argv[2:]
with open(os.environ["FAKE_SMOKE_LOG"], "a") as log:
    log.write(json.dumps(rest) + "\n")
if mode == "pass":
    print("smoke: 14 checks, 14 passed")
    sys.exit(0)
print("smoke: 14 checks, 13 passed, 1 FAILED: GET /health/ready -> 503")
sys.exit(1)
