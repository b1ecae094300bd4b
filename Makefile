# Quick start: `make demo` and `make test`; both create .venv on first use.
PYTHON ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: test demo bench venv clean

$(STAMP): pyproject.toml
	test -x $(VPY) || $(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install --quiet --upgrade pip
	$(VPY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

test: $(STAMP)
	$(VPY) -m pytest -q

demo: $(STAMP)
	$(VPY) examples/demo.py

# Brian2 is a benchmark-only dependency in its own environment: Brian2 2.11 needs Python >= 3.13
BENCH_PYTHON ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3) python3.13)
BENCH_VENV := .venv-bench

$(BENCH_VENV)/.installed:
	test -x $(BENCH_VENV)/bin/python || $(BENCH_PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install --quiet brian2 cython
	touch $@

bench: $(STAMP) $(BENCH_VENV)/.installed
	$(VPY) benchmarks/codec.py
	$(VPY) benchmarks/playback.py
	$(VPY) benchmarks/chip.py
	$(VPY) benchmarks/vm.py
	$(VPY) benchmarks/mac.py
	$(VPY) benchmarks/mac.py --hagen
	$(VPY) benchmarks/grenade.py
	$(VPY) benchmarks/calix.py
	$(VPY) benchmarks/emulator_vs_brian2.py --brian2-python $(BENCH_VENV)/bin/python

clean:
	rm -rf $(VENV) $(BENCH_VENV) build *.egg-info .pytest_cache .hypothesis
