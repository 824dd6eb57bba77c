"""The phased rollout of the service to Kubernetes: preflight checks, one stage at a time
(staging, canary-10/30/60, full), the Prometheus analysis that judges a stage, and the
rollback that runs automatically when any step of a stage fails."""
