# The two commands of the README's quick start. Each sets the machine up first
# (R from Debian when possible, .venv with rparity), so each works on a fresh machine.
VENV ?= .venv

.PHONY: setup check demo test clean

setup:
	./scripts/setup.sh

demo: setup
	$(VENV)/bin/rparity demo

check: setup
	$(VENV)/bin/rparity check

test: setup
	RPARITY_EXTRAS=$$(cat $(VENV)/.rparity-extras) $(VENV)/bin/tox

clean:
	rm -rf $(VENV) .tox .pytest_cache .hypothesis build *.egg-info
