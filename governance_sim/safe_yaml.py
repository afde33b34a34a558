"""Defensive reading of scenario files (安全读取): bounded bytes, strict UTF-8, guarded YAML.

A scenario file is read only if it is a regular file of at most
:data:`MAX_FILE_BYTES`; it must be UTF-8 (an error names the byte offset and
line of the first bad byte).  YAML is parsed by :class:`ScenarioLoader`, a
``yaml.SafeLoader`` that also

* rejects a key repeated in one mapping (otherwise the last one silently wins),
* rejects nesting deeper than :data:`MAX_DEPTH` levels (counting what aliases
  expand to) and documents that expand to more than :data:`MAX_NODES` values
  (an alias bomb, "billion laughs"), measured on the node graph without expanding it,
* rejects recursive aliases and YAML types a scenario never needs
  (``!!binary``, ``!!set``, ``!!omap``, ``!!pairs``); a timestamp stays text.

Every problem is one :class:`~governance_sim.errors.ScenarioError`.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, SequenceNode

from governance_sim.errors import ScenarioError

MAX_FILE_BYTES = 4 * 1024 * 1024  # shipped scenarios are < 10 kB
MAX_DEPTH = 40  # the schema itself is at most 6 levels deep
MAX_NODES = 200_000  # values after alias expansion; shipped scenarios have < 2,000

_MERGE_TAG = "tag:yaml.org,2002:merge"


class _LimitError(yaml.YAMLError):
    def __init__(self, message: str, mark=None):
        super().__init__(message)
        self.message, self.problem_mark = message, mark


def read_text(path: str | Path, max_bytes: int = MAX_FILE_BYTES) -> str:
    """The text of a regular file of at most ``max_bytes``, decoded as strict UTF-8."""
    path = Path(path)
    label = str(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise ScenarioError("(file)", f"scenario file not found: {path}") from None
    except OSError as exc:
        raise ScenarioError("(file)", f"cannot read {path}: {exc.strerror or exc}") from None
    if stat.S_ISDIR(st.st_mode):
        raise ScenarioError("(file)", f"{path} is a folder; give a scenario .yaml file")
    if not stat.S_ISREG(st.st_mode):
        raise ScenarioError("(file)", f"{path} is not a regular file (a device, pipe or socket)")
    if st.st_size > max_bytes:
        raise ScenarioError("(file)", f"{path} has {st.st_size:,} bytes; a scenario file may have at most "
                                      f"{max_bytes:,}")
    try:
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise ScenarioError("(file)", f"cannot read {path}: {exc.strerror or exc}") from None
    if len(data) > max_bytes:  # grew while being read
        raise ScenarioError("(file)", f"{path} has more than {max_bytes:,} bytes")
    return decode_utf8(data, label)


def decode_utf8(data: bytes, label: str) -> str:
    """Strict UTF-8 (a leading byte-order mark is dropped); the error names the first bad byte."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ScenarioError("(file)", "the file is UTF-16; save it as UTF-8", label)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        offset = exc.start
        line = data[:offset].count(b"\n") + 1
        bad = data[offset:offset + 4].hex(" ")
        raise ScenarioError("(file)", f"not UTF-8: byte offset {offset} (line {line}) starts with {bad}; "
                                      "save the file as UTF-8", label) from None


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return node.value
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def check_expansion(root: Node, max_nodes: int = MAX_NODES, max_depth: int = MAX_DEPTH) -> None:
    """Size and depth of the tree a node graph expands to, computed without expanding it."""
    memo: dict[int, tuple[int, int]] = {}
    active: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        nid = id(node)
        if done:
            kids = _children(node)
            size = 1 + sum(memo[id(k)][0] for k in kids)
            depth = 1 + max((memo[id(k)][1] for k in kids), default=0)
            active.discard(nid)
            if size > max_nodes:
                raise _LimitError(f"the document expands to more than {max_nodes:,} values "
                                  "(aliases repeating large blocks?)", node.start_mark)
            if depth > max_depth:
                raise _LimitError(f"nesting deeper than {max_depth} levels", node.start_mark)
            memo[nid] = (size, depth)
            continue
        if nid in memo:
            continue
        if nid in active:
            raise _LimitError("a recursive alias (a block that contains itself)", node.start_mark)
        active.add(nid)
        stack.append((node, True))
        for kid in _children(node):
            if id(kid) in active:
                raise _LimitError("a recursive alias (a block that contains itself)", kid.start_mark)
            if id(kid) not in memo:
                stack.append((kid, False))


class ScenarioLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` with duplicate-key, depth and alias-expansion guards."""

    max_depth = MAX_DEPTH
    max_nodes = MAX_NODES

    def __init__(self, stream):
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):
        # the composer recurses once per level: stop before Python's recursion limit does
        self._depth += 1
        try:
            if self._depth > self.max_depth:
                raise _LimitError(f"nesting deeper than {self.max_depth} levels", self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def get_single_node(self):
        node = super().get_single_node()
        if node is not None:
            check_expansion(node, self.max_nodes, self.max_depth)
        return node

    def construct_mapping(self, node, deep=False):
        if isinstance(node, MappingNode):
            seen: set = set()
            for key_node, _ in node.value:
                if key_node.tag == _MERGE_TAG:
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    duplicate = key in seen
                except TypeError:
                    continue  # unhashable: the base class reports it
                if duplicate:
                    raise ConstructorError("while reading a mapping", node.start_mark,
                                           f"the key {key!r} appears twice", key_node.start_mark)
                seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def construct_timestamp_as_text(self, node):
        return self.construct_scalar(node)

    def construct_unsupported(self, node):
        raise ConstructorError(None, None, f"the YAML type {node.tag} is not used in scenarios",
                               node.start_mark)


# YAML 1.1 reads 1e-3 (no dot) as text; a scenario means a number, as YAML 1.2 and JSON do
ScenarioLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)
ScenarioLoader.add_constructor("tag:yaml.org,2002:timestamp", ScenarioLoader.construct_timestamp_as_text)
for _tag in ("binary", "set", "omap", "pairs"):
    ScenarioLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", ScenarioLoader.construct_unsupported)


def _where(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""


def _reason(exc: yaml.YAMLError) -> str:
    if isinstance(exc, _LimitError):
        return exc.message
    problem = getattr(exc, "problem", None)
    return problem or str(exc).splitlines()[0]


def load_yaml(text: str, label: str | None = None) -> Any:
    """Parse YAML text with :class:`ScenarioLoader`; any problem is one :class:`ScenarioError`."""
    try:
        return yaml.load(text, Loader=ScenarioLoader)  # noqa: S506  (a SafeLoader subclass)
    except yaml.YAMLError as exc:
        raise ScenarioError("(file)", f"not valid YAML{_where(exc)}: {_reason(exc)}", label) from None
    except (ValueError, OverflowError, RecursionError) as exc:  # e.g. a malformed number in a tagged scalar
        raise ScenarioError("(file)", f"not valid YAML: {exc}", label) from None


def load_value(text: str) -> Any:
    """One ``--set`` value read as YAML with the same guards; text that is not YAML stays text."""
    try:
        return yaml.load(text, Loader=ScenarioLoader)  # noqa: S506
    except _LimitError as exc:
        raise ScenarioError("--set", f"value {text[:40]!r}: {exc.message}") from None
    except (yaml.YAMLError, ValueError, OverflowError, RecursionError):
        return text


def load_file(path: str | Path) -> Any:
    """Read and parse a scenario file defensively."""
    return load_yaml(read_text(path), str(path))
