"""The README's Python examples run as written, in order, in one namespace; a line whose
comment names an error (``# OutOfRangeError ...``) must raise exactly that."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
_ERROR = re.compile(r"#\s*([A-Z]\w*Error)\b")    # the comment starts with the error's name


def blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def test_the_readme_has_python_examples():
    assert len(blocks()) >= 6


def test_every_readme_example_runs():
    namespace: dict = {}
    for text in blocks():
        lines = text.split("\n")
        for statement in ast.parse(text).body:
            source = "\n".join(lines[statement.lineno - 1:statement.end_lineno])
            expected = _ERROR.search(lines[statement.end_lineno - 1])
            code = compile(ast.Module([statement], type_ignores=[]), str(README), "exec")
            if expected is None:
                exec(code, namespace)
                continue
            with pytest.raises(Exception) as info:
                exec(code, namespace)
            assert type(info.value).__name__ == expected.group(1), source
