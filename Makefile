# Sofifi ASN platform. `make run` and `make test` work on a fresh machine (Python 3.11+).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint format unit service contract integration e2e bench chaos cluster \
	images-debian docs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install the platform with its dev tools

run: install ## Set up (keys, migrations) and run the whole platform; gateway on :8080
	$(BIN)/sofifi run

test: install lint ## Lint, then every test (unit, service, contract, integration, e2e)
	$(BIN)/pytest

lint: install ## Ruff, and the import contracts between the layers (pyproject.toml)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

unit service contract integration e2e: install
	$(BIN)/pytest tests/$@

bench: install ## Benchmarks (need RabbitMQ and PostgreSQL); print JSON figures
	$(BIN)/python -m bench

chaos: install ## 10,000 events; own RabbitMQ restarted 3x, consumers SIGKILLed 3x: 0 lost, 0 doubled
	$(BIN)/python -m bench.chaos

cluster: install ## The same on a 3-node RabbitMQ cluster of our own, one node stopped mid-stream
	$(BIN)/python -m bench.chaos --cluster

images-debian: ## Every image compose needs, from Debian packages only (deploy/debian)
	deploy/debian/build-images.sh

docs: install ## Regenerate docs/asyncapi.yaml and deploy/rabbitmq/definitions.json
	$(BIN)/sofifi asyncapi --write docs/asyncapi.yaml
	$(BIN)/sofifi topology definitions --write deploy/rabbitmq/definitions.json

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
