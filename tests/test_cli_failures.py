"""Every failure of the command line is one line: exit 2 for a user's error (bad input, a full
disk, a permission), exit 1 with a request to report for a bug; a traceback only with --debug;
arguments and --out are checked before any simulation; nothing half-written is left."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from governance_sim.cli import app

runner = CliRunner()


def _scenario(tmp_path, tiny) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(tiny, allow_unicode=True), encoding="utf-8")
    return path


def one_line_error(res, code: int = 2) -> str:
    assert res.exit_code == code, res.output
    text = res.output.strip()
    assert "Traceback" not in text and text.startswith("error:"), text
    assert len(text.splitlines()) <= 3, text  # one message, soft-wrapped at most
    return " ".join(text.split())


def test_bad_arguments_are_refused_before_any_simulation(tiny, tmp_path, monkeypatch):
    scenario = _scenario(tmp_path, tiny)
    started = []
    import governance_sim.model as model_module

    monkeypatch.setattr(model_module.GovernanceModel, "run_model", lambda self, *a, **k: started.append(1))
    (tmp_path / "a_file").write_text("x")
    cases = [
        (["run", str(scenario), "--seed", str(2**64)], "seed"),
        (["run", str(scenario), "--seed", "-5"], "seed"),
        (["run", str(scenario), "--out", str(tmp_path / "a_file")], "--out"),
        (["run", str(scenario), "--out", str(tmp_path / "a_file" / "sub")], "--out"),
        (["run", str(scenario), "--set", "variant=no_buckpass"], "--variant"),
        (["run", str(scenario), "--days", "0"], "days"),
        (["run", str(tmp_path)], "is a folder"),
        (["run", "/dev/zero"], "not a regular file"),
        (["compare", str(scenario), "--seed", "-5", "--reps", "2"], "--seed"),
        (["compare", str(scenario), "--reps", "2", "--out", str(tmp_path / "a_file")], "--out"),
        (["sweep", str(scenario), "-p", "arrangement.p_buckpass=0:1", "--seed", str(2**63), "--out",
          str(tmp_path / "s")], "--seed"),
        (["sweep", str(scenario), "-p", "arrangement.p_buckpass=0:1", "--design", "lhs", "--samples", "100000000",
          "--out", str(tmp_path / "s")], "--samples"),
        (["sweep", str(scenario), "-p", "arrangement.p_buckpass=lognormal(1000,1)", "--design", "lhs",
          "--out", str(tmp_path / "s")], "not finite"),
    ]
    for args, words in cases:
        assert words in one_line_error(runner.invoke(app, args)), args
    assert not started
    assert not (tmp_path / "s").exists()


def test_an_unwritable_out_is_refused_before_running(tiny, tmp_path):
    if os.geteuid() == 0:
        pytest.skip("permissions do not bind root; the read-only file system case covers it")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    res = runner.invoke(app, ["run", str(_scenario(tmp_path, tiny)), "--out", str(locked / "o")])
    assert "cannot write" in one_line_error(res)


def test_a_budget_stops_a_run_with_exit_2(tiny, tmp_path):
    res = runner.invoke(app, ["run", str(_scenario(tmp_path, tiny)), "--set", "limits.max_events=10", "-q",
                              "--out", str(tmp_path / "o")])
    assert "limits.max_events" in one_line_error(res)
    assert not (tmp_path / "o").exists()


def test_a_bug_is_one_line_asking_for_a_report_and_debug_shows_it(tiny, tmp_path, monkeypatch):
    import governance_sim.cli.run as run_module

    def broken(*args, **kwargs):
        raise KeyError("internal")

    monkeypatch.setattr(run_module, "run_to_end", broken)
    scenario = str(_scenario(tmp_path, tiny))
    res = runner.invoke(app, ["run", scenario, "--days", "2", "-q"])
    assert "please report" in one_line_error(res, code=1)
    res = runner.invoke(app, ["--debug", "run", scenario, "--days", "2", "-q"])
    assert isinstance(res.exception, KeyError)


@pytest.fixture
def small_disk(tmp_path):
    """A 256 kB tmpfs, if this machine lets us mount one."""
    mount = tmp_path / f"disk-{uuid.uuid4().hex[:6]}"
    mount.mkdir()
    if shutil.which("mount") is None or os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root and mount(8)")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_a_full_disk_is_one_line_and_leaves_nothing_half_written(tiny, tmp_path, small_disk):
    scenario = _scenario(tmp_path, tiny)
    (small_disk / "filler").write_bytes(b"\0" * (256 - 24) * 1024)  # leave room for a few parts only
    cmd = [sys.executable, "-m", "governance_sim.cli", "run", str(scenario), "--days", "30", "-q",
           "--out", str(small_disk / "out")]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)})
    assert done.returncode == 2, done.stderr
    assert "disk is full" in done.stderr and "Traceback" not in done.stderr
    assert [p.name for p in small_disk.iterdir()] == ["filler"]  # neither the folder nor a temporary one


def test_a_full_disk_during_a_sweep_keeps_the_store_consistent(tiny, tmp_path, small_disk):
    scenario = _scenario(tmp_path, tiny)
    out = small_disk / "store"
    args = ["sweep", str(scenario), "-p", "arrangement.p_buckpass=0:0.6:40", "--days", "2", "--workers", "1",
            "--timeseries", "--out", str(out), "-q"]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    done = subprocess.run([sys.executable, "-m", "governance_sim.cli", *args], capture_output=True, text=True,
                          cwd=tmp_path, env=env)
    assert done.returncode == 2, done.stderr
    assert "disk is full" in done.stderr and "Traceback" not in done.stderr
    # move the store to a roomy disk and finish it: every run exactly once
    roomy = tmp_path / "store"
    shutil.copytree(out, roomy)
    args[args.index(str(out))] = str(roomy)
    res = runner.invoke(app, [*args, "--resume"])
    assert res.exit_code == 0, res.output
    from governance_sim import open_store

    assert list(open_store(roomy).runs["run_id"]) == list(range(40))
