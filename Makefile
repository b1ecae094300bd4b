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

bench: $(STAMP)
	$(VPY) benchmarks/codec.py
	$(VPY) benchmarks/playback.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
