# Quick start: `make demo` and `make test`; both create .venv on first use.
PYTHON ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: test demo bench venv clean mutation

$(STAMP): pyproject.toml
	test -x $(VPY) || $(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install --quiet --upgrade pip
	$(VPY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# the examples' plots need the optional `plot` extra (matplotlib): `make demo` adds it
PLOT_STAMP := $(VENV)/.installed-plot

$(PLOT_STAMP): $(STAMP)
	$(VPY) -m pip install --quiet -e '.[plot]'
	touch $(PLOT_STAMP)

venv: $(STAMP)

# two workers for the CI machine's two cores; a module's tests stay on one worker, so each
# module-scoped fixture (a calibration, say) is made once
test: $(STAMP)
	$(VPY) -m pytest -q -n 2 --dist loadfile

# mutation testing with mutmut (the `mutation` extra), one module at a time against its own fast
# tests, in scratch copies under .mutation/ (the sources are never mutated in place); not part of
# `make test`. MODULES="halco.layout stadls.builder" picks modules (`benchmarks/mutation.py --list`); scores
# land in .mutation/scores.md, survivors judged equivalent in benchmarks/mutation_equivalents.md
MUTATION_STAMP := $(VENV)/.installed-mutation

$(MUTATION_STAMP): $(STAMP)
	$(VPY) -m pip install --quiet -e '.[mutation]'
	touch $(MUTATION_STAMP)

mutation: $(MUTATION_STAMP)
	$(VPY) benchmarks/mutation.py $(MODULES)

demo: $(PLOT_STAMP)
	$(VPY) examples/demo.py

# Brian2 is a benchmark-only dependency in its own environment: Brian2 2.11 needs Python >= 3.13
BENCH_PYTHON ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3) python3.13)
BENCH_VENV := .venv-bench

$(BENCH_VENV)/.installed:
	test -x $(BENCH_VENV)/bin/python || $(BENCH_PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install --quiet brian2 cython
	touch $@

# benchmarks/pynn.py's peers: pyNN.brian2 (PyNN 0.13 with Brian2 2.11 on Python 3.13, in
# .venv-bench) and pyNN.nest (NEST 3.10 from pip, for Python 3.11, in .venv-nest). An environment
# that cannot be built is reported here and skipped by the benchmark with its reason.
NEST_PYTHON ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.11*/bin/python3) python3.11)
NEST_VENV := .venv-nest

$(BENCH_VENV)/.installed-pynn: $(BENCH_VENV)/.installed
	$(BENCH_VENV)/bin/python -m pip install --quiet 'pyNN==0.13.0' \
		&& touch $@ || echo "pyNN.brian2 environment not built: the benchmark skips it"

$(NEST_VENV)/.installed:
	{ test -x $(NEST_VENV)/bin/python || $(NEST_PYTHON) -m venv $(NEST_VENV); } \
		&& $(NEST_VENV)/bin/python -m pip install --quiet --upgrade pip \
		&& $(NEST_VENV)/bin/python -m pip install --quiet 'nest-simulator==3.10.0' 'pyNN==0.13.0' \
		&& touch $@ || echo "pyNN.nest environment not built: the benchmark skips it"

bench: $(STAMP) $(BENCH_VENV)/.installed $(BENCH_VENV)/.installed-pynn $(NEST_VENV)/.installed
	$(VPY) benchmarks/codec.py
	$(VPY) benchmarks/playback.py
	$(VPY) benchmarks/event_delivery.py
	$(VPY) benchmarks/chip.py
	$(VPY) benchmarks/vm.py
	$(VPY) benchmarks/mac.py
	$(VPY) benchmarks/mac.py --hagen
	$(VPY) benchmarks/grenade.py
	$(VPY) benchmarks/calix.py
	$(VPY) benchmarks/emulator_vs_brian2.py --brian2-python $(BENCH_VENV)/bin/python
	$(VPY) benchmarks/pynn.py --venv-bench $(BENCH_VENV) --venv-nest $(NEST_VENV)

clean:
	rm -rf $(VENV) $(BENCH_VENV) $(NEST_VENV) build *.egg-info .pytest_cache .hypothesis .mutation
