"""`python -m vextrus_deploy preflight|rollout|rollback`: the same commands as
`vextrus-finance deploy ...` without importing the service, whose start-up would dominate each
call; deploy/scripts/* use it."""

from vextrus_deploy.cli import deploy_app

deploy_app(prog_name="vextrus-finance deploy")
