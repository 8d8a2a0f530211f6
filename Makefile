# The two commands of the README, and the pieces they are made of.
.PHONY: up test lint bootstrap

VENV := .venv
FLEET := $(VENV)/bin/fleet

up:
	@scripts/bootstrap.sh run
	@$(FLEET) up

test:
	@scripts/bootstrap.sh test
	@$(FLEET) lint
	@$(FLEET) test

lint:
	@scripts/bootstrap.sh run
	@$(FLEET) lint

bootstrap:
	@scripts/bootstrap.sh test
