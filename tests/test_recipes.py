"""docs/recipes.md: every recipe is a self-contained script that runs as written (each block in
a fresh namespace) and ends with an assert of its result."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from _markdown import python_blocks, run_block

RECIPES = Path(__file__).resolve().parent.parent / "docs" / "recipes.md"
#: the recipes the issue asks for, by a call each one makes
EXPECTED = ("AnalogOutputMode.normal", "stadls.route_input", "stadls.enable_madc_recording",
            "stadls.enable_cadc_recording", "to_spike_counter_read_on_dls", "lola.Morphology",
            "libnux_vm.compile")


def test_there_is_a_recipe_for_each_chore():
    blocks = python_blocks(RECIPES)
    for call in EXPECTED:
        assert any(call in block for block in blocks), call


@pytest.mark.parametrize("index", range(len(python_blocks(RECIPES))))
def test_recipe_runs_and_asserts_its_result(index, capsys):
    text = python_blocks(RECIPES)[index]
    last = ast.parse(text).body[-1]
    assert isinstance(last, ast.Assert), "a recipe ends with an assert of its result"
    run_block(text, {"__name__": "__main__"}, f"{RECIPES}#block{index}")
    assert capsys.readouterr().out.strip(), "a recipe prints what it shows"
