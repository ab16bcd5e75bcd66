# The two commands a newcomer needs: `make demo` and `make test`.
# uv is bootstrapped from PyPI when it is missing, so a bare machine with python3 is enough.
SHELL := /bin/bash
PY ?= python3
export UV_PYTHON_DOWNLOADS := never
# Python's bytecode cache stays on for these targets and the processes they start. Where
# PYTHONDONTWRITEBYTECODE is set (CI images, some shells), every process compiled every module
# it imported: `cloud-doctor --version` took 1.6 s instead of 0.8 s, and the tests, which start
# hundreds of processes, twice as long. (The images compile their bytecode when they install.)
unexport PYTHONDONTWRITEBYTECODE
# Recursive (=) so it is evaluated after the bootstrap prerequisite has run.
UV = $(shell command -v uv 2>/dev/null || echo "$(PY) -m uv")

.PHONY: demo test lint fmt bench sync uv system-deps

uv:
	@command -v uv >/dev/null 2>&1 || $(PY) -m uv --version >/dev/null 2>&1 || \
	  $(PY) -m pip install --quiet --disable-pip-version-check 'uv>=0.8' || \
	  $(PY) -m pip install --quiet --disable-pip-version-check --user 'uv>=0.8'

sync: uv
	$(UV) sync --locked --all-packages

demo: sync
	$(UV) run --locked cloud-doctor demo

# Real servers the tests start (PostgreSQL), installed from Debian when missing.
system-deps:
	@bash .ci/system-deps

test: sync system-deps
	$(UV) run --locked pytest

lint: sync
	$(UV) run --locked ruff check .
	$(UV) run --locked ruff format --check .
	$(UV) run --locked mypy
	@if command -v terraform >/dev/null 2>&1; then terraform fmt -check -recursive infra/terraform; \
	  else echo "terraform not installed: skipping terraform fmt -check"; fi

fmt: sync
	$(UV) run --locked ruff check --fix .
	$(UV) run --locked ruff format .

bench: sync
	@for script in bench/*.py; do echo "== $$script"; $(UV) run --locked python "$$script" || exit 1; done
