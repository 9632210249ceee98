# The two commands of the README's quick start. Each sets the machine up first
# (R from Debian when possible, .venv with rparity), so each works on a fresh machine.
VENV ?= .venv

.PHONY: setup check demo test clean matchit302

setup:
	./scripts/setup.sh

demo: setup
	$(VENV)/bin/rparity demo --matchit 3.0.2,4.5.1,documented --profile spss21 --workers 2

check: setup
	$(VENV)/bin/rparity check

test: setup
	RPARITY_EXTRAS=$$(cat $(VENV)/.rparity-extras) $(VENV)/bin/tox

# MatchIt 3.0.2 (the study paper's) in ~/R-matchit302, from its git history
# (MATCHIT_GIT=<clone> or the network); see docs/matchit-302.md
matchit302: setup
	./scripts/install-matchit302.sh

clean:
	rm -rf $(VENV) .tox .pytest_cache .hypothesis build *.egg-info
