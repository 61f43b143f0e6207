"""The composition root: the `sofifi` command, the service registry, ports and the runner.

It stands above everything (chassis, contracts, services, gateway) and nothing imports it but
tests and benches; import-linter checks that (pyproject.toml, `make lint`).
"""
