"""``govsim query`` — SQL over a sweep's result store (DuckDB), printed for people.

Parameter columns are stored as ``arrangement__p_buckpass``; the dotted name
works too when double-quoted (``"arrangement.p_buckpass"``).  A result wider
than the terminal prints as one record per row; piped output is CSV.
"""

from __future__ import annotations

import math
import re
import sys
from pathlib import Path

import typer
from rich.table import Table

from governance_sim.cli import options as opt
from governance_sim.cli.app import app, console, err_console, user_errors
from governance_sim.experiments.store import open_store

VIEWS = ("runs", "failures", "design", "pending", "timeseries")
SUGGESTED_METRICS = ("resolution_rate", "satisfaction_rate", "response_time_mean_h")
WIDE_COLUMNS = 8


def cell(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def suggested_query(plan) -> str:
    """A first query over a sweep: run, point, replicate, its parameters (dotted) and three metrics."""
    params = ", ".join(f'"{p.path}"' for p in plan.params)
    cols = ", ".join(["run_id", "rep", *([params] if params else []), *SUGGESTED_METRICS])
    return f"SELECT {cols} FROM runs LIMIT 5"


def undot(sql: str, columns: set[str]) -> str:
    """Turn each double-quoted dotted name of a stored column into its stored spelling."""
    def swap(m: re.Match) -> str:
        stored = m.group(1).replace(".", "__")
        return f'"{stored}"' if stored in columns else m.group(0)

    return re.sub(r'"([A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)+)"', swap, sql)


def schema(st) -> list[tuple[str, list[tuple[str, str]]]]:
    """``(view, [(column, type), …])`` for every view of the store."""
    con = st.connect()
    try:
        out = []
        for view in VIEWS:
            try:
                rows = con.execute(f"DESCRIBE {view}").fetchall()
            except Exception:  # noqa: BLE001 - a store without timeseries has no such view
                continue
            out.append((view, [(r[0], r[1]) for r in rows]))
        return out
    finally:
        con.close()


def print_vertical(df, max_rows: int) -> None:
    """One record per row, ``column  value`` lines, like psql's expanded display."""
    width = max(len(str(c)) for c in df.columns)
    for i, row in enumerate(df.head(max_rows).itertuples(index=False)):
        console.print(f"[bold]-[ record {i + 1} ]-[/]")
        for col, value in zip(df.columns, row, strict=True):
            console.print(f"{str(col):<{width}}  {cell(value)}", highlight=False, markup=False)


@app.command("query")
def query_command(
    store: Path = typer.Argument(..., help="result store folder (from govsim sweep --out)"),
    sql: str = typer.Argument(None, help="SQL over the views runs, failures, design, pending, timeseries"),
    max_rows: int = typer.Option(50, "--max-rows", help="rows to print at most"),
    csv: bool = typer.Option(False, "--csv", help="print every row as CSV (the default when piped)"),
    show_schema: bool = typer.Option(False, "--schema", help="list the views and their columns, then exit"),
    quiet: bool = opt.quiet("no row count under the result"),
) -> None:
    """Query a result store with SQL (DuckDB); dotted parameter names work in double quotes.

    Example: govsim query results/sweep "SELECT \\"arrangement.p_buckpass\\", avg(resolution_rate) FROM runs GROUP BY 1"
    """
    import duckdb

    with user_errors():
        st = open_store(store)
        for note in st.verified().notes():  # the store checks its parts before answering
            err_console.print(f"[yellow]warning:[/] {note}", highlight=False, soft_wrap=True)
    if show_schema:
        for view, cols in schema(st):
            console.print(f"[bold]{view}[/] ({len(cols)} columns)")
            for name, kind in cols:
                dotted = f'  (or "{name.replace("__", ".")}")' if "__" in name else ""
                console.print(f"  {name}  {kind}{dotted}", highlight=False, markup=False)
        return
    if not sql:
        err_console.print(f'[bold red]error:[/] give SQL, e.g. govsim query {store} "SELECT * FROM runs LIMIT 5", '
                          "or --schema to see the columns", highlight=False, soft_wrap=True)
        raise typer.Exit(2)
    try:
        columns = {name for _, cols in schema(st) for name, _ in cols}
        df = st.query(undot(sql, columns))
    except duckdb.Error as exc:
        message = str(exc).strip().splitlines()[0]
        err_console.print(f"[bold red]error:[/] SQL: {message}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    if csv or not sys.stdout.isatty():
        df.to_csv(sys.stdout, index=False)
        return
    if len(df.columns) > WIDE_COLUMNS:
        print_vertical(df, max_rows)
    else:
        table = Table(header_style="bold")
        for col in df.columns:
            table.add_column(str(col), justify="right" if df[col].dtype.kind in "iuf" else "left")
        for row in df.head(max_rows).itertuples(index=False):
            table.add_row(*(cell(v) for v in row))
        console.print(table)
    more = len(df) - max_rows
    if not quiet:
        console.print(f"{len(df)} rows" + (f" ({more} more not shown; --max-rows or --csv)" if more > 0 else ""),
                      highlight=False)
