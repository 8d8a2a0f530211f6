# The two commands of the README, and the pieces they are made of.
.PHONY: up test lint bootstrap

VENV := .venv
FLEET := $(VENV)/bin/fleet

up:
	@scripts/bootstrap.sh run
	@$(FLEET) up

# The chart check's Go tools (kubectl-validate, the gateway proof) take minutes to build on a
# fresh machine: they build in the background while lint and the first suites run, and the check
# waits for that one build (a cached build returns at once).
test:
	@scripts/bootstrap.sh test
	@mkdir -p .fleet; $(FLEET) charts tools > .fleet/charts-tools.log 2>&1 & tools=$$!; \
	$(FLEET) lint && $(FLEET) test; status=$$?; wait $$tools; exit $$status

lint:
	@scripts/bootstrap.sh run
	@$(FLEET) lint

bootstrap:
	@scripts/bootstrap.sh test
