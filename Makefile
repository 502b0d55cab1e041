# Set-up is two commands on a fresh machine: `make demo` and `make test`. Each creates .venv,
# installs the package with its dev extras (only when pyproject.toml changed) and makes sure
# Graphviz's `dot` is there, then runs.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck docs pytest bench format setup dot clean

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

# The docs site, built strictly: a broken link or page fails the build.
docs: setup
	$(BIN)/mkdocs build --strict --quiet --site-dir site

pytest: setup
	$(BIN)/pytest

bench: setup
	$(BIN)/python benchmarks/bench_value.py
	$(BIN)/python benchmarks/bench_tensor.py
	$(BIN)/python benchmarks/bench_viz.py
	$(BIN)/python benchmarks/bench_explain.py

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

setup: $(STAMP) dot

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

clean:
	rm -rf $(VENV) site $(DEMO_OUT) pictures .pytest_cache .mypy_cache .ruff_cache .hypothesis build *.egg-info
