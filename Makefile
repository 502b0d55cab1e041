# Set-up is two commands on a fresh machine: `make demo` and `make test`. Each creates .venv,
# installs the package with its dev extras (only when pyproject.toml changed) and makes sure
# Graphviz's `dot` (and Chromium, for the browser tests) is there, then runs.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck docs serve-docs pytest bench format setup dot chromium libreoffice clean

# The demo prints its report and writes pictures, the sweep plot and the spreadsheet here.
DEMO_OUT ?= demo-output

demo: setup
	$(BIN)/tinygrad-edu demo --out $(DEMO_OUT)

test: setup lint typecheck docs pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy --strict tinygrad_edu

# The docs site, built strictly: a broken link, page or API reference fails the build. Code
# blocks marked exec="on" run during the build; pictures are drawn then. Open site/index.html,
# or `make serve-docs` for a live preview on http://127.0.0.1:8000.
docs: setup
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet --site-dir site

serve-docs: setup
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve --strict --dev-addr 127.0.0.1:8000

pytest: setup
	$(BIN)/pytest

# Every benchmark, each engine and peer in a fresh process of its own; writes
# benchmarks/RESULTS.md (docs/performance.md says what it measures). The peers are installed
# here, not in .[dev], so CI never downloads PyTorch; one that cannot be installed is reported
# as skipped. BENCH_ARGS passes options on, e.g. BENCH_ARGS=--no-peers.
PIP_QUIET := $(BIN)/python -m pip install --quiet --disable-pip-version-check
bench: setup
	$(PIP_QUIET) micrograd==0.1.0 || echo "peer unavailable: micrograd (reported as skipped)"
	$(PIP_QUIET) torch==2.13.0 || echo "peer unavailable: torch (reported as skipped)"
	$(PIP_QUIET) threadpoolctl || echo "threadpoolctl unavailable: BLAS threads not reported"
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

setup: $(STAMP) dot chromium libreoffice

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $(STAMP)

# Graphviz's `dot` renders the pictures. Installed with apt-get when we are root; otherwise
# we say the one command that installs it.
dot:
	@command -v dot >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Graphviz (dot) with apt-get ..."; \
	    { DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null && \
	      DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends graphviz >/dev/null; } || \
	    echo "warning: could not install Graphviz; pictures will not render (sudo apt-get install graphviz)"; \
	  else \
	    echo "Graphviz's dot is missing; install it with: sudo apt-get install graphviz"; \
	  fi; }

# Debian's Chromium and its driver, for the step-by-step page's browser tests (Selenium
# drives them; nothing is downloaded at run time). Installed with apt-get when we are root;
# otherwise we say the one command that installs them.
chromium:
	@{ command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; } || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Chromium and ChromeDriver with apt-get ..."; \
	    { DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null && \
	      DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
	        chromium chromium-driver >/dev/null; } || \
	    echo "warning: could not install Chromium; the browser tests will skip (sudo apt-get install chromium chromium-driver)"; \
	  else \
	    echo "Chromium or chromedriver is missing; install them with: sudo apt-get install chromium chromium-driver"; \
	  fi; }

# LibreOffice Calc recalculates the generated spreadsheet in tests/test_sheet.py, the proof
# that its formulas compute the engine's numbers. Installed with apt-get when we are root;
# otherwise we say the one command that installs it.
libreoffice:
	@command -v soffice >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing LibreOffice Calc with apt-get (a large download) ..."; \
	    { DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null && \
	      DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends libreoffice-calc >/dev/null; } || \
	    echo "warning: could not install LibreOffice; the spreadsheet tests will skip (sudo apt-get install libreoffice-calc)"; \
	  else \
	    echo "LibreOffice is missing; install it with: sudo apt-get install libreoffice-calc"; \
	  fi; }

clean:
	rm -rf $(VENV) site $(DEMO_OUT) pictures .pytest_cache .mypy_cache .ruff_cache .hypothesis build *.egg-info
