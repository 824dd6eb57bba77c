"""The operator's tools for a deployed service, kept outside the runtime package (ADR 0045):
the phased rollout to Kubernetes (preflight, one stage at a time, the Prometheus analysis that
judges a stage, the automatic rollback) and the smoke test run against a running service.

The service never imports this package. `vextrus-finance deploy|smoke` load it lazily; the
rollout modules import nothing of the service either, so `python -m vextrus_deploy` starts
without it. Only the smoke test imports the service, for its token format and defaults."""
