"""The result store of a sweep: a folder of Parquet parts with a DuckDB view over it.

::

    DIR/
      manifest.json        what was swept: scenario, hash, params, design, reps, days, seed
      scenario.json        the scenario (variant applied) every run started from
      design.parquet       one row per run: run_id, point, rep, seed, one column per parameter
      runs/run-000042.parquet        one row: the run's parameters + summary, or its error
      timeseries/run-000042.parquet  the run's daily series (only with ``timeseries=True``)

Each part is written to a hidden temporary file and renamed into place, so it
appears whole or not at all; the run part is written last and is the mark that
the run finished.  A sweep killed at any moment (even ``kill -9``) therefore
leaves every finished run once, and a resumed sweep runs only the rest —
rewriting a part (a retried failure) replaces it, never duplicates it.

:func:`open_store` gives SQL over the folder through DuckDB views ``runs``
(one row per finished run, ``status`` = ``ok`` or ``error``), ``failures``,
``design``, ``pending`` (runs not yet finished) and ``timeseries``.
"""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from pathlib import Path
from typing import Any

import pandas as pd

from governance_sim.scenario import ScenarioError

FORMAT = "governance_sim.sweep/1"
MANIFEST, SCENARIO, DESIGN = "manifest.json", "scenario.json", "design.parquet"
RUNS, TIMESERIES, LOCK = "runs", "timeseries", ".lock"
OWN_NAMES = {MANIFEST, SCENARIO, DESIGN, RUNS, TIMESERIES, LOCK}
LEADING = ["run_id", "point", "rep", "seed", "status"]
TEXT_COLUMNS = ("error", "traceback")


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


def atomic_write_frame(path: Path, df: pd.DataFrame | list[dict[str, Any]]) -> None:
    """Write a DataFrame (or a list of row dicts) as Parquet; ``path`` appears whole or not at all."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pylist(df) if isinstance(df, list) else pa.Table.from_pandas(df, preserve_index=False)
    for i, fld in enumerate(table.schema):
        if pa.types.is_null(fld.type):  # all-None columns: keep a real type for the union of parts
            table = table.set_column(i, pa.field(fld.name, pa.string()), table.column(i).cast(pa.string()))
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    atomic_write_bytes(path, sink.getvalue().to_pybytes())


class ResultStore:
    """A sweep's folder of results.  ``open_store(DIR).query("SELECT ... FROM runs")``."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self._lock_fh = None

    # ------------------------------------------------------------------ create / open
    @staticmethod
    def is_store(root: str | Path) -> bool:
        return (Path(root) / MANIFEST).is_file()

    @staticmethod
    def check_new(root: str | Path) -> None:
        """Refuse a folder that holds something else (a crashed creation counts as empty)."""
        root = Path(root)
        if root.exists() and not root.is_dir():
            raise StoreError(f"{root} is a file, not a folder")
        if ResultStore.is_store(root):
            raise StoreError(f"{root} already holds a sweep; pass --resume to continue it, or choose a new --out")
        if root.is_dir():
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
        (root / RUNS).mkdir(parents=True, exist_ok=True)
        (root / TIMESERIES).mkdir(exist_ok=True)
        atomic_write_frame(root / DESIGN, design)
        atomic_write_bytes(root / SCENARIO, json.dumps(scenario, ensure_ascii=False, indent=1).encode())
        # the manifest goes last: its presence is what makes the folder a store
        atomic_write_bytes(root / MANIFEST, json.dumps({"format": FORMAT, **manifest}, ensure_ascii=False,
                                                       indent=1).encode())
        return cls(root)

    @classmethod
    def open(cls, root: str | Path) -> ResultStore:
        root = Path(root)
        if not root.is_dir():
            raise StoreError(f"no result store at {root} (folder not found)", field="DIR")
        if not cls.is_store(root):
            raise StoreError(f"{root} is not a result store (no {MANIFEST})", field="DIR")
        store = cls(root)
        fmt = store.manifest.get("format")
        if fmt != FORMAT:
            raise StoreError(f"{root} has store format {fmt!r}; this version reads {FORMAT!r}", field="DIR")
        return store

    @property
    def manifest(self) -> dict[str, Any]:
        return json.loads((self.root / MANIFEST).read_text(encoding="utf-8"))

    def scenario(self) -> dict:
        return json.loads((self.root / SCENARIO).read_text(encoding="utf-8"))

    # ------------------------------------------------------------------ writing
    def lock(self) -> None:
        """Hold an exclusive lock while writing (released by the OS even on ``kill -9``)."""
        import fcntl

        fh = open(self.root / LOCK, "a")  # noqa: SIM115  (held for the life of the sweep)
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.close()
            raise StoreError(f"another sweep is writing to {self.root}") from None
        self._lock_fh = fh

    def unlock(self) -> None:
        if self._lock_fh is not None:
            self._lock_fh.close()
            self._lock_fh = None

    def remove_partial(self) -> int:
        """Delete temporary files left by a write that was killed half-way."""
        n = 0
        for sub in (self.root, self.root / RUNS, self.root / TIMESERIES):
            for p in sub.glob(".*.tmp"):
                p.unlink(missing_ok=True)
                n += 1
        return n

    def write_run(self, row: dict[str, Any], timeseries: pd.DataFrame | None = None) -> None:
        """Store one finished run; the run part is written last and marks it finished."""
        run_id = int(row["run_id"])
        if timeseries is not None:
            ts = timeseries.copy()
            ts.insert(0, "run_id", run_id)
            atomic_write_frame(self.root / TIMESERIES / part_name(run_id), ts)
        for col in TEXT_COLUMNS:
            row.setdefault(col, None)
        ordered = {k: row[k] for k in LEADING if k in row}
        ordered.update({k: v for k, v in row.items() if k not in ordered})
        atomic_write_frame(self.root / RUNS / part_name(run_id), [ordered])

    # ------------------------------------------------------------------ reading
    def design(self) -> pd.DataFrame:
        return pd.read_parquet(self.root / DESIGN)

    def part_ids(self) -> set[int]:
        """Run ids with a run part (finished, successfully or not)."""
        return {int(p.name[4:-8]) for p in (self.root / RUNS).glob("run-*.parquet")}

    def status(self) -> dict[int, str]:
        """``run_id → "ok" | "error"`` for every finished run."""
        if not self.part_ids():
            return {}
        df = self.query("SELECT run_id, status FROM runs")
        return dict(zip(df["run_id"].astype(int), df["status"], strict=True))

    def connect(self):
        """A DuckDB connection with the store's views (globs are read at query time)."""
        import duckdb

        con = duckdb.connect()
        root = self.root
        con.execute(f"CREATE VIEW design AS SELECT * FROM read_parquet('{_sql_path(root / DESIGN)}')")
        if any((root / RUNS).glob("run-*.parquet")):
            glob = _sql_path(root / RUNS / "run-*.parquet")
            con.execute(f"CREATE VIEW runs AS SELECT * FROM read_parquet('{glob}', union_by_name=true) "
                        "ORDER BY run_id")
        else:
            con.execute("CREATE VIEW runs AS SELECT *, NULL::VARCHAR AS status, NULL::VARCHAR AS error "
                        "FROM design WHERE false")
        con.execute("CREATE VIEW failures AS SELECT * FROM runs WHERE status = 'error'")
        con.execute("CREATE VIEW pending AS SELECT * FROM design "
                    "WHERE run_id NOT IN (SELECT run_id FROM runs) ORDER BY run_id")
        if any((root / TIMESERIES).glob("run-*.parquet")):
            glob = _sql_path(root / TIMESERIES / "run-*.parquet")
            # only series whose run finished: a series part written just before a crash is not a result
            con.execute(f"CREATE VIEW timeseries AS SELECT * FROM read_parquet('{glob}', union_by_name=true) "
                        "WHERE run_id IN (SELECT run_id FROM runs WHERE status = 'ok') ORDER BY run_id, day")
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
        m = self.manifest
        return (f"ResultStore({str(self.root)!r}: {m.get('scenario')} · {m.get('design')} · "
                f"{len(self.part_ids())}/{m.get('n_runs')} runs)")


def open_store(path: str | Path) -> ResultStore:
    """Open a sweep's result store for SQL: ``open_store("out").query("SELECT * FROM runs")``."""
    return ResultStore.open(path)
