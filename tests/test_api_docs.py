"""docs/api.md is generated from the docstrings by docs/gen_api.py and must match its output."""

from __future__ import annotations

import importlib.util
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _generator():
    spec = importlib.util.spec_from_file_location("gen_api", DOCS / "gen_api.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_api_reference_is_up_to_date():
    gen = _generator()
    text = gen.render()
    current = (DOCS / "api.md").read_text(encoding="utf-8")
    assert current == text, "docs/api.md is out of date: run python docs/gen_api.py"
    for name in gen.PUBLIC:  # every public function has its section and a documented signature
        assert f"\n## {name}\n" in text
    assert "/work/" not in text and "PosixPath" not in text  # nothing machine-specific


def test_docstring_markup_becomes_markdown():
    gen = _generator()

    def sample(a: int, b=2):
        """First line with ``code`` and :func:`run`.

        Args:
            a: the first, with ``x``
                continued here.
            b: the second.

        Example::

            sample(1)
        """

    md = gen.docstring(sample)
    assert "First line with `code` and `run`." in md
    assert "- `a`: the first, with `x` continued here." in md
    assert "- `b`: the second." in md
    assert "```python\nsample(1)\n```" in md
    assert gen.signature(sample) == "sample(a: int, b=2)"
