# The two commands of the README:
#   make demo   build the bundled graph and run the main job (analyses, chain views, meeting pack → out/);
#               first it makes sure of the CJK font the briefing's figures are drawn in (fonts-noto-cjk)
#   make test   run the whole test suite (about 6 minutes on a quiet 2-core machine, up to 15 on a busy one;
#               the first time it also installs the Python packages and, as root, the system packages)
# Each creates its own virtual environment (.venv) on a fresh machine.

PYTHON ?= python3
VENV   ?= .venv
OUT    ?= out
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: demo test system fonts bench clean console-bundle

$(STAMP): pyproject.toml
	@echo "make: creating $(VENV) …"
	$(PYTHON) -m venv $(VENV)
	@echo "make: installing jjjkg and its Python packages into $(VENV) (pip; 1–3 minutes the first time) …"
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --progress-bar on -e '.[test,serve]'
	@echo "make: Python packages ready"
	touch $(STAMP)

system:
	@echo "make: system packages for the tests (apt-get as root: chromium, fonts-noto-cjk, poppler-utils, node) …"
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

demo: $(STAMP) fonts
	@$(MAKE) --no-print-directory console-bundle || echo "make: note — the workspace console's editor was not built (needs node and npm: bash scripts/setup-system.sh); everything else goes on" >&2
	$(BIN)/jjjkg build
	$(BIN)/python -m jjjkg.demo --out $(OUT)

test: $(STAMP) system console-bundle
	@echo "make: running the test suite (about 6 minutes on a quiet 2-core machine, up to 15 on a busy one) …"
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,serve,bench]'
	$(BIN)/python -m bench

clean:
	rm -rf .jjjkg $(OUT) test-artifacts
