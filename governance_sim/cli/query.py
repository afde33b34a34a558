"""``govsim query`` — SQL over a sweep's result store (DuckDB), printed as a table."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import typer
from rich.table import Table

from governance_sim.cli.app import app, console, err_console, user_errors
from governance_sim.experiments.store import open_store


def cell(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


@app.command("query")
def query_command(
    store: Path = typer.Argument(..., help="result store folder (from govsim sweep --out)"),
    sql: str = typer.Argument(..., help="SQL over the views runs, failures, design, pending, timeseries"),
    max_rows: int = typer.Option(50, "--max-rows", help="rows to print at most"),
    csv: bool = typer.Option(False, "--csv", help="print every row as CSV instead of a table"),
) -> None:
    """Query a result store: govsim query DIR "SELECT variant, avg(resolution_rate) FROM runs GROUP BY 1"."""
    import duckdb

    with user_errors():
        st = open_store(store)
        for note in st.verified().notes():  # the store checks its parts before answering
            err_console.print(f"[yellow]warning:[/] {note}", highlight=False, soft_wrap=True)
    try:
        df = st.query(sql)
    except duckdb.Error as exc:
        message = str(exc).strip().splitlines()[0]
        err_console.print(f"[bold red]error:[/] SQL: {message}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    if csv:
        df.to_csv(sys.stdout, index=False)
        return
    table = Table(header_style="bold")
    for col in df.columns:
        table.add_column(str(col), justify="right" if df[col].dtype.kind in "iuf" else "left")
    for row in df.head(max_rows).itertuples(index=False):
        table.add_row(*(cell(v) for v in row))
    console.print(table)
    more = len(df) - max_rows
    console.print(f"{len(df)} rows" + (f" ({more} more not shown; --max-rows or --csv)" if more > 0 else ""),
                  highlight=False)
