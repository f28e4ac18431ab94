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

.PHONY: demo test system fonts bench clean console-bundle

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,serve]'
	touch $(STAMP)

system:
	bash scripts/setup-system.sh

fonts:
	bash scripts/setup-system.sh --fonts

# the console's front end (workspace/frontend): npm ci from its pinned lock file when that changed, then esbuild
FRONTEND = workspace/frontend
$(FRONTEND)/node_modules/.package-lock.json: $(FRONTEND)/package-lock.json
	@command -v npm >/dev/null || { echo "console-bundle: needs node and npm (bash scripts/setup-system.sh)" >&2; exit 1; }
	npm ci --prefix $(FRONTEND) --no-audit --no-fund --loglevel=error

console-bundle: $(FRONTEND)/node_modules/.package-lock.json
	node $(FRONTEND)/build.mjs

demo: $(STAMP) fonts console-bundle
	$(BIN)/jjjkg build
	$(BIN)/python -m jjjkg.demo --out $(OUT)

test: $(STAMP) system console-bundle
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,serve,bench]'
	$(BIN)/python -m bench

clean:
	rm -rf .jjjkg $(OUT) test-artifacts
