"""The result store of a sweep: a folder of Parquet parts with a DuckDB view over it.

::

    DIR/
      manifest.json        what was swept: scenario, hash, params, design, reps, days, seed
      parts.jsonl          the manifest of parts: one line per finished run — its run id,
                           status and the sha256 and size of its run (and series) part
      scenario.json        the scenario (variant applied) every run started from
      design.parquet       one row per run: run_id, point, rep, seed, one column per parameter
      runs/run-000042.parquet        one row: the run's parameters + summary, or its error
      timeseries/run-000042.parquet  the run's daily series (only with ``timeseries=True``)
      quarantine/          damaged parts moved aside (never read again)

Each part is written to a hidden temporary file and renamed into place, so it
appears whole or not at all; the run part is written after its series, and its
line in ``parts.jsonl`` last, which is the mark that the run finished.  A sweep
killed at any moment (even ``kill -9``) therefore leaves every finished run
once, and a resumed sweep runs only the rest.

The store checks itself (:meth:`ResultStore.check`) before any query or
resume: a part counts only if its name is ``run-NNNNNN.parquet`` for a run of
the design and its checksum matches its line in ``parts.jsonl``.  Other files
are strays (ignored and listed); a part whose bytes do not match is damaged and
moved to ``quarantine/``; a part without a line (a crash between rename and
record, or a lost ``parts.jsonl``) is adopted if it reads back as that run,
else quarantined.  A resumed sweep re-runs every run that is not verified, so
after any damage to parts it holds every run exactly once.  A damaged
``manifest.json``, ``design.parquet`` or ``scenario.json`` is rebuilt by a
resume (the sweep's own arguments determine them) and refused by a query.

:func:`open_store` gives SQL over the folder through DuckDB views ``runs``
(one row per finished run, ``status`` = ``ok`` or ``error``), ``failures``,
``design``, ``pending`` (runs not yet finished) and ``timeseries``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from governance_sim.scenario import ScenarioError

FORMAT = "governance_sim.sweep/1"
MANIFEST, SCENARIO, DESIGN, PARTS = "manifest.json", "scenario.json", "design.parquet", "parts.jsonl"
RUNS, TIMESERIES, LOCK, QUARANTINE = "runs", "timeseries", ".lock", "quarantine"
OWN_NAMES = {MANIFEST, SCENARIO, DESIGN, PARTS, RUNS, TIMESERIES, LOCK, QUARANTINE}
LEADING = ["run_id", "point", "rep", "seed", "status"]
TEXT_COLUMNS = ("error", "traceback")
PART_NAME = re.compile(r"^run-(\d{6,})\.parquet$")


class StoreError(ScenarioError):
    """A folder that is not a result store, or does not match the sweep asked for."""

    def __init__(self, message: str, field: str = "--out"):
        super().__init__(field, message)


def part_name(run_id: int) -> str:
    return f"run-{run_id:06d}.parquet"


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def atomic_write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def frame_bytes(df: pd.DataFrame | list[dict[str, Any]]) -> bytes:
    """A DataFrame (or a list of row dicts) as Parquet bytes."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pylist(df) if isinstance(df, list) else pa.Table.from_pandas(df, preserve_index=False)
    for i, fld in enumerate(table.schema):
        if pa.types.is_null(fld.type):  # all-None columns: keep a real type for the union of parts
            table = table.set_column(i, pa.field(fld.name, pa.string()), table.column(i).cast(pa.string()))
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return sink.getvalue().to_pybytes()


def atomic_write_frame(path: Path, df: pd.DataFrame | list[dict[str, Any]]) -> str:
    """Write a DataFrame as Parquet; ``path`` appears whole or not at all.  Returns its sha256."""
    data = frame_bytes(df)
    atomic_write_bytes(path, data)
    return hashlib.sha256(data).hexdigest()


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


@dataclass
class StoreCheck:
    """What :meth:`ResultStore.check` found: the verified runs and everything it set aside."""

    verified: dict[int, dict[str, Any]] = field(default_factory=dict)  # run_id → its parts.jsonl record
    strays: list[str] = field(default_factory=list)  # files that are not parts of this store (ignored)
    damaged: list[str] = field(default_factory=list)  # parts whose bytes do not match (set aside)
    quarantined: list[str] = field(default_factory=list)  # where damaged parts were moved
    unrecorded: list[str] = field(default_factory=list)  # parts without a record, left alone (a writer is busy)
    adopted: list[int] = field(default_factory=list)  # parts without a record that read back as their run
    lost: list[int] = field(default_factory=list)  # runs recorded as finished whose part is gone
    bad_records: int = 0  # unreadable lines of parts.jsonl

    def notes(self) -> list[str]:
        """One line per kind of problem, for a terminal."""
        out = []
        if self.damaged:
            where = f" and moved to {QUARANTINE}/" if self.quarantined else " and left out"
            out.append(f"{len(self.damaged)} damaged part(s) failed their checksum{where}: "
                       f"{_few(self.damaged)}; run the sweep again with --resume to re-run them")
        if self.lost:
            out.append(f"{len(self.lost)} finished run(s) have lost their part: {_few(self.lost)}; "
                       "--resume re-runs them")
        if self.strays:
            out.append(f"ignored {len(self.strays)} file(s) that are not parts of this store: {_few(self.strays)}")
        if self.unrecorded:
            out.append(f"{len(self.unrecorded)} part(s) not yet recorded (a sweep is writing) are left out")
        if self.adopted:
            out.append(f"recorded {len(self.adopted)} finished run(s) whose record was missing")
        if self.bad_records:
            out.append(f"skipped {self.bad_records} unreadable line(s) of {PARTS}")
        return out


def _few(items: list) -> str:
    shown = ", ".join(str(x) for x in items[:5])
    return shown + (f" and {len(items) - 5} more" if len(items) > 5 else "")


class ResultStore:
    """A sweep's folder of results.  ``open_store(DIR).query("SELECT ... FROM runs")``."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self._lock_fh = None
        self._check: StoreCheck | None = None
        self._check_sig: tuple = ()
        self.notes: list[str] = []  # what a resume repaired, for the command line to show

    # ------------------------------------------------------------------ create / open
    @staticmethod
    def is_store(root: str | Path) -> bool:
        return (Path(root) / MANIFEST).is_file()

    @staticmethod
    def has_leftovers(root: str | Path) -> bool:
        """Parts or a parts record without a manifest: a store whose manifest was lost."""
        root = Path(root)
        return (root / PARTS).is_file() or (root / RUNS).is_dir() and any((root / RUNS).glob("run-*.parquet"))

    @staticmethod
    def check_new(root: str | Path) -> None:
        """Refuse a folder that holds something else (a crashed creation counts as empty)."""
        root = Path(root)
        if root.exists() and not root.is_dir():
            raise StoreError(f"{root} is a file, not a folder")
        if ResultStore.is_store(root):
            raise StoreError(f"{root} already holds a sweep; pass --resume to continue it, or choose a new --out")
        if root.is_dir():
            if ResultStore.has_leftovers(root):
                raise StoreError(f"{root} holds parts of a sweep but its {MANIFEST} is missing; run the same "
                                 "sweep with --resume to rebuild it, or choose a new --out")
            foreign = [p.name for p in root.iterdir()
                       if p.name not in OWN_NAMES and not p.name.endswith(".tmp")]
            if foreign:
                raise StoreError(f"{root} is not empty and is not a sweep store (holds {sorted(foreign)[:3]}); "
                                 "choose a new --out")

    @classmethod
    def create(cls, root: str | Path, manifest: dict[str, Any], scenario: dict,
               design: pd.DataFrame) -> ResultStore:
        root = Path(root)
        cls.check_new(root)
        store = cls(root)
        store.write_definition(manifest, scenario, design)
        return store

    def write_definition(self, manifest: dict[str, Any], scenario: dict, design: pd.DataFrame,
                         only_damaged: bool = False) -> list[str]:
        """Write the design, scenario and manifest (all, or only those that are missing or damaged)."""
        root = self.root
        (root / RUNS).mkdir(parents=True, exist_ok=True)
        (root / TIMESERIES).mkdir(exist_ok=True)
        written = []
        if not (only_damaged and self._design_ok(design)):
            atomic_write_frame(root / DESIGN, design)
            written.append(DESIGN)
        if not (only_damaged and self._json_ok(SCENARIO) == scenario):
            atomic_write_bytes(root / SCENARIO, json.dumps(scenario, ensure_ascii=False, indent=1).encode())
            written.append(SCENARIO)
        # the manifest goes last: its presence is what makes the folder a store
        full = {"format": FORMAT, **manifest}
        old = self._json_ok(MANIFEST)
        if not (only_damaged and isinstance(old, dict) and old.get("fingerprint") == manifest.get("fingerprint")
                and old.get("format") == FORMAT):
            atomic_write_bytes(root / MANIFEST, json.dumps(full, ensure_ascii=False, indent=1).encode())
            written.append(MANIFEST)
        return written

    def _json_ok(self, name: str) -> Any:
        try:
            return json.loads((self.root / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def _design_ok(self, design: pd.DataFrame) -> bool:
        try:
            old = pd.read_parquet(self.root / DESIGN)
        except Exception:  # noqa: BLE001  (any unreadable file is damaged)
            return False
        return old.shape == design.shape and list(old.columns) == list(design.columns) \
            and old.astype(str).equals(design.astype(str))

    @classmethod
    def open(cls, root: str | Path) -> ResultStore:
        root = Path(root)
        if not root.is_dir():
            raise StoreError(f"no result store at {root} (folder not found)", field="DIR")
        if not cls.is_store(root):
            if cls.has_leftovers(root):
                raise StoreError(f"{root} has lost its {MANIFEST}; run the same sweep with --resume to rebuild it",
                                 field="DIR")
            raise StoreError(f"{root} is not a result store (no {MANIFEST})", field="DIR")
        store = cls(root)
        fmt = store.manifest.get("format")
        if fmt != FORMAT:
            raise StoreError(f"{root} has store format {fmt!r}; this version reads {FORMAT!r}", field="DIR")
        return store

    @property
    def manifest(self) -> dict[str, Any]:
        value = self._json_ok(MANIFEST)
        if not isinstance(value, dict):
            raise StoreError(f"{self.root / MANIFEST} is damaged (not a JSON object); run the same sweep with "
                             "--resume to rebuild it", field="DIR")
        return value

    def scenario(self) -> dict:
        value = self._json_ok(SCENARIO)
        if not isinstance(value, dict):
            raise StoreError(f"{self.root / SCENARIO} is damaged; run the same sweep with --resume to rebuild it",
                             field="DIR")
        return value

    # ------------------------------------------------------------------ writing
    def lock(self) -> None:
        """Hold an exclusive lock while writing (released by the OS even on ``kill -9``)."""
        import fcntl

        self.root.mkdir(parents=True, exist_ok=True)
        fh = open(self.root / LOCK, "a")  # noqa: SIM115  (held for the life of the sweep)
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.close()
            raise StoreError(in_use_message(self.root)) from None
        self._lock_fh = fh
        self._end_parts_line()

    def unlock(self) -> None:
        if self._lock_fh is not None:
            self._lock_fh.close()
            self._lock_fh = None

    @staticmethod
    def in_use(root: str | Path) -> bool:
        """Whether another process holds the folder's write lock (nothing is created)."""
        import fcntl

        path = Path(root) / LOCK
        if not path.is_file():
            return False
        with open(path, "a") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(fh, fcntl.LOCK_UN)
        return False

    def _end_parts_line(self) -> None:
        """After a crash mid-append, start the next record on a fresh line."""
        path = self.root / PARTS
        with contextlib.suppress(FileNotFoundError), open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            if fh.tell():
                fh.seek(-1, os.SEEK_END)
                if fh.read(1) != b"\n":
                    self._append_record(None)

    def _append_record(self, record: dict[str, Any] | None) -> None:
        line = b"\n" if record is None else (json.dumps(record, separators=(",", ":")) + "\n").encode()
        fd = os.open(self.root / PARTS, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)

    def remove_partial(self) -> int:
        """Delete temporary files left by a write that was killed half-way."""
        n = 0
        for sub in (self.root, self.root / RUNS, self.root / TIMESERIES):
            for p in sub.glob(".*.tmp"):
                p.unlink(missing_ok=True)
                n += 1
        return n

    def write_run(self, row: dict[str, Any], timeseries: pd.DataFrame | None = None) -> None:
        """Store one finished run: its series, its run part, then its record in ``parts.jsonl``."""
        run_id = int(row["run_id"])
        record: dict[str, Any] = {"run_id": run_id, "status": row.get("status")}
        if timeseries is not None:
            ts = timeseries.copy()
            ts.insert(0, "run_id", run_id)
            data = frame_bytes(ts)
            atomic_write_bytes(self.root / TIMESERIES / part_name(run_id), data)
            record["timeseries"] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
        for col in TEXT_COLUMNS:
            row.setdefault(col, None)
        ordered = {k: row[k] for k in LEADING if k in row}
        ordered.update({k: v for k, v in row.items() if k not in ordered})
        data = frame_bytes([ordered])
        atomic_write_bytes(self.root / RUNS / part_name(run_id), data)
        record["run"] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
        self._append_record(record)
        self._check = None

    # ------------------------------------------------------------------ checking
    def _records(self) -> tuple[dict[int, dict[str, Any]], int]:
        """The last record of each run in ``parts.jsonl``, and how many lines could not be read."""
        records: dict[int, dict[str, Any]] = {}
        bad = 0
        try:
            raw = (self.root / PARTS).read_bytes()
        except FileNotFoundError:
            return records, 0
        for line in raw.split(b"\n"):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
                run_id = rec["run_id"]
                ok = isinstance(run_id, int) and isinstance(rec["run"]["sha256"], str)
            except (ValueError, KeyError, TypeError):
                ok = False
            if not ok:
                bad += 1
                continue
            records[run_id] = rec
        return records, bad

    def design(self) -> pd.DataFrame:
        try:
            return pd.read_parquet(self.root / DESIGN)
        except Exception:  # noqa: BLE001  (any unreadable file is damaged)
            raise StoreError(f"{self.root / DESIGN} is damaged or missing; run the same sweep with --resume to "
                             "rebuild it", field="DIR") from None

    def check(self, repair: bool | None = None) -> StoreCheck:
        """Verify every part against ``parts.jsonl`` (see the module docstring).

        ``repair`` moves damaged parts to ``quarantine/`` and records adoptable
        ones; by default it repairs when no sweep is writing to the folder.
        """
        if repair is None:
            repair = self._lock_fh is not None or not self.in_use(self.root)
        design = self.design()
        rows = {int(r["run_id"]): r for r in design.to_dict("records")}
        seeds = rows
        timeseries = bool(self._json_ok(MANIFEST).get("timeseries")) if isinstance(self._json_ok(MANIFEST), dict) \
            else (self.root / TIMESERIES).is_dir() and any((self.root / TIMESERIES).iterdir())
        records, bad = self._records()
        found = StoreCheck(bad_records=bad)
        present: set[int] = set()
        for path in sorted((self.root / RUNS).iterdir()) if (self.root / RUNS).is_dir() else []:
            m = PART_NAME.match(path.name)
            if path.name.startswith(".") and path.name.endswith(".tmp"):
                continue  # a write in progress, or killed (removed by the next writer)
            if m is None or int(m.group(1)) not in seeds or path.name != part_name(int(m.group(1))) \
                    or not path.is_file():
                found.strays.append(f"{RUNS}/{path.name}")
                continue
            run_id = int(m.group(1))
            present.add(run_id)
            rec = records.get(run_id)
            if rec is not None:
                if self._matches(rec, run_id, timeseries):
                    found.verified[run_id] = rec
                else:
                    self._set_aside(found, run_id, repair)
            elif not repair:
                found.unrecorded.append(f"{RUNS}/{path.name}")
            else:
                rec = self._adoptable(run_id, rows[run_id], timeseries)
                if rec is None:
                    self._set_aside(found, run_id, repair)
                else:
                    found.verified[run_id] = rec
                    found.adopted.append(run_id)
        found.lost = sorted(r for r in records if r in seeds and r not in present)
        if repair and (bad or found.adopted or found.damaged or found.lost):
            self.rewrite_records(found.verified)
        if (self.root / TIMESERIES).is_dir():
            for path in sorted((self.root / TIMESERIES).iterdir()):
                m = PART_NAME.match(path.name)
                if not (path.name.startswith(".") and path.name.endswith(".tmp")) and \
                        (m is None or int(m.group(1)) not in seeds or path.name != part_name(int(m.group(1)))):
                    found.strays.append(f"{TIMESERIES}/{path.name}")
        self._check = found
        return found

    def rewrite_records(self, verified: dict[int, dict[str, Any]]) -> None:
        """Replace ``parts.jsonl`` by the records of the verified runs (after a repair)."""
        lines = "".join(json.dumps(verified[r], separators=(",", ":")) + "\n" for r in sorted(verified))
        atomic_write_bytes(self.root / PARTS, lines.encode())

    def _matches(self, rec: dict[str, Any], run_id: int, timeseries: bool) -> bool:
        name = part_name(run_id)
        if _sha256(self.root / RUNS / name) != rec["run"]["sha256"]:
            return False
        ts = rec.get("timeseries")
        if ts is not None:
            return isinstance(ts, dict) and _sha256(self.root / TIMESERIES / name) == ts.get("sha256")
        return not (timeseries and rec.get("status") == "ok")

    def _adoptable(self, run_id: int, planned: dict[str, Any], timeseries: bool) -> dict[str, Any] | None:
        """A record for a part without one, if it reads back as that run of the design
        (the same run id, seed and parameter values), else None."""
        import pyarrow.parquet as pq

        name = part_name(run_id)
        try:
            data = (self.root / RUNS / name).read_bytes()
            table = pq.read_table(self.root / RUNS / name)
            row = table.slice(0, 1).to_pylist()[0]
            if table.num_rows != 1 or int(row["run_id"]) != run_id \
                    or any(str(row.get(k)) != str(v) for k, v in planned.items()):
                return None
            rec: dict[str, Any] = {"run_id": run_id, "status": row.get("status"),
                                   "run": {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}}
            if timeseries and row.get("status") == "ok":
                ts_data = (self.root / TIMESERIES / name).read_bytes()
                ts = pq.read_table(self.root / TIMESERIES / name).column("run_id").to_pylist()
                if not ts or set(ts) != {run_id}:
                    return None
                rec["timeseries"] = {"sha256": hashlib.sha256(ts_data).hexdigest(), "bytes": len(ts_data)}
            return rec
        except Exception:  # noqa: BLE001  (any unreadable part is damaged)
            return None

    def _set_aside(self, found: StoreCheck, run_id: int, repair: bool) -> None:
        name = part_name(run_id)
        found.damaged.append(f"{RUNS}/{name}")
        if not repair:
            return
        stamp = time.strftime("%Y%m%dT%H%M%S")
        for sub in (RUNS, TIMESERIES):
            src = self.root / sub / name
            if src.exists():
                dest_dir = self.root / QUARANTINE / sub
                dest_dir.mkdir(parents=True, exist_ok=True)
                dest = dest_dir / f"{name}.{stamp}.{uuid.uuid4().hex[:6]}"
                shutil.move(src, dest)
                found.quarantined.append(str(dest.relative_to(self.root)))

    def _signature(self) -> tuple:
        """Cheap to compute, and changes whenever a part or record is added, removed or rewritten."""
        sig = []
        for sub in (PARTS, RUNS, TIMESERIES, MANIFEST, DESIGN):
            path = self.root / sub
            with contextlib.suppress(OSError):
                st = path.stat()
                sig.append((sub, st.st_size, st.st_mtime_ns))
                if path.is_dir():
                    for entry in os.scandir(path):
                        est = entry.stat()
                        sig.append((entry.name, est.st_size, est.st_mtime_ns))
        return tuple(sig)

    def verified(self) -> StoreCheck:
        """The result of :meth:`check`, recomputed only when the folder has changed since."""
        return self._verified()

    def _verified(self) -> StoreCheck:
        sig = self._signature()
        if self._check is None or self._check_sig != sig:
            self.check()
            self._check_sig = self._signature()  # after any repair
        return self._check

    # ------------------------------------------------------------------ reading
    def part_ids(self) -> set[int]:
        """Run ids with a verified run part (finished, successfully or not)."""
        return set(self._verified().verified)

    def status(self) -> dict[int, str]:
        """``run_id → "ok" | "error"`` for every finished run."""
        return {r: rec.get("status") for r, rec in sorted(self._verified().verified.items())}

    def connect(self):
        """A DuckDB connection with the store's views over the verified parts only."""
        import duckdb

        found = self._verified()
        con = duckdb.connect()
        root = self.root
        con.execute(f"CREATE VIEW design AS SELECT * FROM read_parquet('{_sql_path(root / DESIGN)}')")
        ids = sorted(found.verified)
        if ids:
            files = [str(root / RUNS / part_name(r)) for r in ids]
            con.read_parquet(files, union_by_name=True).create_view("_runs_parts")
            con.execute("CREATE VIEW runs AS SELECT * FROM _runs_parts ORDER BY run_id")
        else:
            con.execute("CREATE VIEW runs AS SELECT *, NULL::VARCHAR AS status, NULL::VARCHAR AS error "
                        "FROM design WHERE false")
        con.execute("CREATE VIEW failures AS SELECT * FROM runs WHERE status = 'error'")
        con.execute("CREATE VIEW pending AS SELECT * FROM design "
                    "WHERE run_id NOT IN (SELECT run_id FROM runs) ORDER BY run_id")
        # only series whose run finished and was verified: a series written just before a crash is not a result
        series = [str(root / TIMESERIES / part_name(r)) for r in ids
                  if found.verified[r].get("timeseries") and found.verified[r].get("status") == "ok"]
        if series:
            con.read_parquet(series, union_by_name=True).create_view("_series_parts")
            con.execute("CREATE VIEW timeseries AS SELECT * FROM _series_parts ORDER BY run_id, day")
        return con

    def query(self, sql: str) -> pd.DataFrame:
        """Run SQL over the views ``runs``, ``failures``, ``design``, ``pending``, ``timeseries``."""
        con = self.connect()
        try:
            return con.execute(sql).df()
        finally:
            con.close()

    @property
    def runs(self) -> pd.DataFrame:
        """Every finished run, one row each, in run-id order."""
        return self.query("SELECT * FROM runs")

    @property
    def failures(self) -> pd.DataFrame:
        return self.query("SELECT * FROM failures")

    def __repr__(self) -> str:
        m = self._json_ok(MANIFEST) or {}
        return (f"ResultStore({str(self.root)!r}: {m.get('scenario')} · {m.get('design')} · "
                f"{len(self.part_ids())}/{m.get('n_runs')} runs)")


def in_use_message(root: Path) -> str:
    return f"another sweep is writing to {root}; wait for it to finish or choose another --out"


def open_store(path: str | Path) -> ResultStore:
    """Open a sweep's result store for SQL: ``open_store("out").query("SELECT * FROM runs")``."""
    return ResultStore.open(path)
