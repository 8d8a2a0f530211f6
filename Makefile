# The two commands of the README, and the pieces they are made of.
.PHONY: up test lint bootstrap

VENV := .venv
FLEET := $(VENV)/bin/fleet

up:
	@scripts/bootstrap.sh run
	@$(FLEET) up

# The chart check's Go tools (kubectl-validate, the gateway proof) and the kube-apiserver and
# etcd of ms_ml's cluster backend tests take minutes to build on a fresh machine: they build in
# the background while lint and the first suites run, and the check and the tests wait for that
# one build (a cached build returns at once).
test:
	@scripts/bootstrap.sh test
	@mkdir -p .fleet; $(FLEET) charts tools > .fleet/charts-tools.log 2>&1 & tools=$$!; \
	$(VENV)/bin/python services/ms_ml/tests/training/kube_api_server.py > .fleet/kube-tools.log 2>&1 & kube=$$!; \
	$(FLEET) lint && $(FLEET) test; status=$$?; wait $$tools $$kube; exit $$status

lint:
	@scripts/bootstrap.sh run
	@$(FLEET) lint

bootstrap:
	@scripts/bootstrap.sh test
