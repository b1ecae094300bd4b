"""The README's Python examples run as written, in order, in one namespace; a line whose
comment names an error (``# OutOfRangeError ...``) must raise exactly that."""

from __future__ import annotations

import re
from pathlib import Path

from _markdown import python_blocks, run_block

README = Path(__file__).resolve().parent.parent / "README.md"


def blocks() -> list[str]:
    return python_blocks(README)


LAYERS = ("halco", "haldls", "lola", "stadls", "emulator", "libnux_vm", "calix", "grenade",
          "pynn_frontend")


def test_every_layer_has_its_section_with_a_runnable_example_and_the_links_exist():
    text = README.read_text()
    sections = dict(re.findall(r"^## (\w+)[^\n]*\n(.*?)(?=^## |\Z)", text, flags=re.S | re.M))
    for layer in LAYERS:
        assert layer in sections, f"no README section for {layer}"
        assert "```python" in sections[layer], f"the {layer} section has no Python example"
        # each example uses its own layer
        assert re.search(rf"\b{layer}\b", "".join(python_blocks_of(sections[layer]))), layer
    # every repository path the README names in backquotes exists in a clone
    root = README.parent
    for path in re.findall(r"`((?:docs|examples|benchmarks|tests|emulator)/[\w./-]+\.(?:md|py))`", text):
        assert (root / path).exists(), path
    assert "../shared" not in text                 # nothing outside the repository


def python_blocks_of(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def test_every_readme_example_runs():
    namespace: dict = {}
    for text in blocks():
        run_block(text, namespace, str(README))
