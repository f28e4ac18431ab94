# The two commands of the README:
#   make demo   build the bundled graph and run the main job (analyses, chain views, meeting pack → out/);
#               first it makes sure of the CJK font the briefing's figures are drawn in (fonts-noto-cjk)
#   make test   run the whole test suite
# Each creates its own virtual environment (.venv) on a fresh machine.

PYTHON ?= python3
VENV   ?= .venv
OUT    ?= out
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: demo test system fonts bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,serve]'
	touch $(STAMP)

system:
	bash scripts/setup-system.sh

fonts:
	bash scripts/setup-system.sh --fonts

demo: $(STAMP) fonts
	$(BIN)/jjjkg build
	$(BIN)/python -m jjjkg.demo --out $(OUT)

test: $(STAMP) system
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,serve,bench]'
	$(BIN)/python -m bench

clean:
	rm -rf .jjjkg $(OUT) test-artifacts
