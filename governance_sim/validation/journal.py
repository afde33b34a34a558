"""A journal of finished validation runs, so an interrupted validation resumes where it stopped.

A full validation (``--reps 30 --days 180 --counterfactual --scan``) is thousands of
runs and hours of work.  Each finished run is appended to ``validate-journal.jsonl``
in the output folder as one JSON line — the run's configuration key (a hash of its
whole scenario mapping), replicate, seed and metric values — and flushed.  Started
again with the same output folder, the validation reads the journal and runs only
what is missing.  A run is reused only when it is the *same* run: the same
configuration, replicate and seed, and the same model code (the journal's header
holds a hash of the package's source; a journal written by other code is set aside
and the validation starts afresh).  Runs are deterministic given these, so a resumed
validation gives the table an uninterrupted one would have given.  A line cut short
by a crash is ignored.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import governance_sim
from governance_sim.scenario import ordered_keys

JOURNAL_NAME = "validate-journal.jsonl"
FORMAT = 1


def code_fingerprint() -> str:
    """A hash of every Python source file of the package (paths and bytes)."""
    root = Path(governance_sim.__file__).resolve().parent
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        h.update(path.relative_to(root).as_posix().encode())
        h.update(b"\0")
        h.update(path.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


def config_key(raw: dict) -> str:
    """The key of one run configuration: a hash of its whole scenario mapping, with the order
    of the mappings whose order changes a run (:func:`~governance_sim.scenario.ordered_keys`)."""
    keyed = dict(raw, **{"\0order": ordered_keys(raw)}) if ordered_keys(raw) else raw
    return hashlib.sha256(json.dumps(keyed, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class RunJournal:
    """Finished runs of one validation, read from and appended to a JSON-lines file."""

    def __init__(self, path: str | Path, fingerprint: str | None = None):
        self.path = Path(path)
        self.fingerprint = fingerprint or code_fingerprint()
        self.done: dict[tuple[str, int, int], dict[str, Any]] = {}
        self.set_aside: str | None = None  # why an existing journal was not used
        self._handle = None
        self._read()

    def _read(self) -> None:
        if not self.path.exists():
            return
        try:
            lines = self.path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError as exc:
            self.set_aside = f"cannot read {self.path}: {exc.strerror or exc}"
            return
        header = _parse(lines[0]) if lines else None
        if not header or header.get("format") != FORMAT or "fingerprint" not in header:
            self.set_aside = f"{self.path.name} has no valid header"
            return
        if header["fingerprint"] != self.fingerprint:
            self.set_aside = f"{self.path.name} was written by other model code"
            return
        for line in lines[1:]:
            entry = _parse(line)
            if (entry and isinstance(entry.get("key"), str) and isinstance(entry.get("rep"), int)
                    and isinstance(entry.get("seed"), int) and isinstance(entry.get("values"), dict)):
                self.done[(entry["key"], entry["rep"], entry["seed"])] = entry["values"]

    def get(self, key: str, rep: int, seed: int) -> dict[str, Any] | None:
        return self.done.get((key, rep, seed))

    def open(self) -> None:
        """Start appending: a new file (or one set aside) begins with this code's header."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fresh = self.set_aside is not None or not self.path.exists() or self.path.stat().st_size == 0
        self._handle = open(self.path, "w" if fresh else "a", encoding="utf-8")  # noqa: SIM115
        if fresh:
            self._write({"format": FORMAT, "fingerprint": self.fingerprint})
        else:
            self._ensure_line_start()

    def _ensure_line_start(self) -> None:
        """After a crash mid-line, start the next entry on a line of its own."""
        with open(self.path, "rb") as f:
            f.seek(0, os.SEEK_END)
            if f.tell() == 0:
                return
            f.seek(-1, os.SEEK_END)
            if f.read(1) != b"\n":
                self._handle.write("\n")

    def record(self, key: str, rep: int, seed: int, values: dict[str, Any]) -> None:
        self.done[(key, rep, seed)] = values
        if self._handle is not None:
            self._write({"key": key, "rep": rep, "seed": seed, "values": values})

    def _write(self, entry: dict) -> None:
        # NaN and infinities as Python's json writes and reads them back (not strict JSON)
        self._handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self._handle.flush()

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def _parse(line: str) -> dict | None:
    try:
        entry = json.loads(line)
    except ValueError:
        return None
    return entry if isinstance(entry, dict) else None
