"""`python -m vextrus_finance.deployment preflight|rollout|rollback`: the same commands as
`vextrus-finance deploy ...`, without importing the service itself (a second or more of start-up
per call); deploy/scripts/* use it."""

from vextrus_finance.deployment.cli import deploy_app

deploy_app(prog_name="vextrus-finance deploy")
