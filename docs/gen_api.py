"""Write docs/api.md from the docstrings of the public functions (``python docs/gen_api.py``).

``python docs/gen_api.py --check`` exits with status 1 when docs/api.md is out of date
(the test suite runs the same check).  Docstrings are Google style with reST inline
markup; this script turns ````code````, ``:func:`x``` and ``Args:`` blocks into Markdown.
"""

from __future__ import annotations

import inspect
import re
import sys
from pathlib import Path

import governance_sim

API = Path(__file__).resolve().parent / "api.md"
PUBLIC = ["load_scenario", "run", "GovernanceModel", "compare", "sweep", "sensitivity", "evaluate",
          "open_store", "validate", "calibrate", "rollout", "event_study"]
SECTIONS = ("Args", "Arguments", "Returns", "Raises", "Yields", "Example", "Examples")
ROLE = re.compile(r":(?:func|class|meth|mod|data|attr):`~?([^`]+)`")


def inline(text: str) -> str:
    """reST inline markup → Markdown."""
    text = ROLE.sub(lambda m: f"`{m.group(1)}`", text)
    return text.replace("``", "`")


ROOT = Path(governance_sim.__file__).resolve().parent.parent


def default(value) -> str:
    """A default's repr; paths inside the repository are shown relative to it (same on any machine)."""
    if isinstance(value, Path):
        try:
            return f"Path({str(value.relative_to(ROOT))!r})"
        except ValueError:
            pass
    return repr(value)


def annotation(ann) -> str:
    return ann if isinstance(ann, str) else inspect.formatannotation(ann)


def params_of(func) -> tuple[list[str], str]:
    """Formatted parameters (without ``self``) and the return annotation of ``func``."""
    sig = inspect.signature(func)
    parts, star = [], False
    for p in sig.parameters.values():
        if p.name == "self":
            continue
        if p.kind is p.KEYWORD_ONLY and not star:
            parts.append("*")
            star = True
        text = {p.VAR_POSITIONAL: "*", p.VAR_KEYWORD: "**"}.get(p.kind, "") + p.name
        if p.annotation is not p.empty:
            text += f": {annotation(p.annotation)}"
        if p.default is not p.empty:
            eq = " = " if p.annotation is not p.empty else "="
            text += f"{eq}{default(p.default)}"
        star = star or p.kind is p.VAR_POSITIONAL
        parts.append(text)
    ret = "" if sig.return_annotation is sig.empty else f" -> {annotation(sig.return_annotation)}"
    return parts, ret


def signature(obj) -> str:
    """``name(param: annotation = default, ...)``, one parameter per line when long."""
    parts, ret = params_of(obj.__init__ if inspect.isclass(obj) else obj)
    if inspect.isclass(obj):
        ret = ""
    one_line = f"{obj.__name__}({', '.join(parts)}){ret}"
    if len(one_line) <= 96:
        return one_line
    return f"{obj.__name__}(\n" + "".join(f"    {p},\n" for p in parts) + f"){ret}"


def docstring(obj) -> str:
    """The docstring as Markdown: sections in bold, arguments as a list, ``::`` blocks fenced."""
    doc = inspect.getdoc(obj) or "(no docstring)"
    lines = doc.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        head = line.strip().rstrip(":")
        if (line.strip().endswith(":") and not line.strip().endswith("::") and head in SECTIONS
                and not line.startswith(" ")):
            out.append(f"**{head}**")
            out.append("")
            i += 1
            items: list[str] = []
            while i < len(lines) and (lines[i].startswith(" ") or not lines[i].strip()):
                body = lines[i].strip()
                if body:
                    indent = len(lines[i]) - len(lines[i].lstrip())
                    m = re.match(r"^([\w*/ ,]+?)(?: \(([^)]*)\))?: (.*)$", body)
                    if indent <= 4 and m and head not in ("Returns", "Example", "Examples"):
                        items.append(f"- `{m.group(1)}`{f' ({m.group(2)})' if m.group(2) else ''}: "
                                     f"{inline(m.group(3))}")
                    elif items:
                        items[-1] += " " + inline(body)
                    else:
                        items.append(inline(body))
                i += 1
            out.extend(items)
            out.append("")
            continue
        if line.rstrip().endswith("::"):
            text = line.rstrip()[:-1]
            if text.strip() and text.strip() != ":":
                out.append(inline(text.rstrip(":") + ":"))
            i += 1
            block: list[str] = []
            while i < len(lines) and (lines[i].startswith(" ") or not lines[i].strip()):
                block.append(lines[i])
                i += 1
            while block and not block[-1].strip():
                block.pop()
            while block and not block[0].strip():
                block.pop(0)
            indent = min((len(b) - len(b.lstrip()) for b in block if b.strip()), default=0)
            out += ["", "```python", *[b[indent:] for b in block], "```", ""]
            continue
        out.append(inline(line))
        i += 1
    return "\n".join(out).strip() + "\n"


def public_methods(cls) -> list[str]:
    rows = []
    for name, member in inspect.getmembers(cls, inspect.isfunction):
        if name.startswith("_") or member.__qualname__.split(".")[0] != cls.__name__:
            continue
        first = (inspect.getdoc(member) or "").split("\n\n")[0].replace("\n", " ")
        params, ret = params_of(member)
        rows.append(f"- `{name}({', '.join(params)}){ret}`" + (f" — {inline(first)}" if first else ""))
    return rows


def render() -> str:
    parts = ["# API reference", "",
             "Generated from the docstrings by `python docs/gen_api.py`; do not edit by hand.",
             "Everything here is importable from the package: `from governance_sim import run, compare, ...`.",
             ""]
    parts += [f"- [`{name}`](#{name.lower()})" for name in PUBLIC] + [""]
    for name in PUBLIC:
        obj = getattr(governance_sim, name)
        kind = "class" if inspect.isclass(obj) else "function"
        parts += [f"## {name}", "", f"*{kind}* in `{obj.__module__}`", "", "```python",
                  signature(obj), "```", "", docstring(obj)]
        if inspect.isclass(obj):
            methods = public_methods(obj)
            if methods:
                parts += ["**Methods**", "", *methods, ""]
    return "\n".join(parts).rstrip() + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        current = API.read_text(encoding="utf-8") if API.exists() else ""
        if current != text:
            print(f"{API} is out of date: run python docs/gen_api.py", file=sys.stderr)
            return 1
        return 0
    API.write_text(text, encoding="utf-8")
    print(f"wrote {API}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
