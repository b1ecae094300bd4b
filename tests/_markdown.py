"""Running the Python examples of a Markdown document (the README, docs/recipes.md): its
```` ```python ```` blocks, statement by statement, where a statement whose last line has a
comment naming an error (``# OutOfRangeError ...``) must raise exactly that error."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

_ERROR = re.compile(r"#\s*([A-Z]\w*Error)\b")    # the comment starts with the error's name


def python_blocks(path: Path) -> list[str]:
    """The text of every ```` ```python ```` block of the Markdown file ``path``, in order."""
    return re.findall(r"```python\n(.*?)```", path.read_text(), flags=re.S)


def run_block(text: str, namespace: dict, filename: str) -> None:
    """Execute one block in ``namespace``, one top-level statement at a time; a statement whose
    last line's comment names an error must raise an exception of exactly that name."""
    lines = text.split("\n")
    for statement in ast.parse(text).body:
        source = "\n".join(lines[statement.lineno - 1:statement.end_lineno])
        expected = _ERROR.search(lines[statement.end_lineno - 1])
        code = compile(ast.Module([statement], type_ignores=[]), filename, "exec")
        if expected is None:
            exec(code, namespace)
            continue
        with pytest.raises(Exception) as info:
            exec(code, namespace)
        assert type(info.value).__name__ == expected.group(1), source
