"""`govsim run`: the summary table, Parquet output, and one clear error for bad input."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import yaml
from typer.testing import CliRunner

from governance_sim.cli import app

runner = CliRunner()


def _write(tmp_path, scenario):
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(scenario, allow_unicode=True))
    return path


def test_run_prints_bilingual_summary_and_writes_parquet(tiny, tmp_path):
    out = tmp_path / "out"
    res = runner.invoke(app, ["run", str(_write(tmp_path, tiny)), "--days", "20", "--out", str(out), "-q"])
    assert res.exit_code == 0, res.output
    for label in ("响应率", "response rate", "解决率", "满意率", "推诿", "mean/median/p90", "网格员"):
        assert label in res.output
    summary = pd.read_parquet(out / "summary.parquet")
    assert len(summary) == 1 and summary["cases_created"].iloc[0] > 0


def test_bad_override_exits_2_with_one_line_and_writes_nothing(tiny, tmp_path):
    out = tmp_path / "out"
    path = _write(tmp_path, tiny)
    proc = subprocess.run(
        [sys.executable, "-m", "governance_sim.cli", "run", str(path), "--set",
         "arrangement.name=whistel", "--out", str(out)],
        capture_output=True, text=True,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1
    assert "arrangement.name" in lines[0] and "baseline" in lines[0]
    assert not out.exists()


def test_malformed_scenario_file_exits_2(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\narrangement: baseline\ncategories:\n  a: {rate: -1}\n")
    res = runner.invoke(app, ["run", str(bad), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    assert "categories.a.rate" in res.output
    assert not (tmp_path / "o").exists()
