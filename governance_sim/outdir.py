"""Output folders: checked before any work starts, filled so that nothing is half-written."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from governance_sim.errors import ScenarioError


def check_out_dir(out: str | Path | None, field: str = "--out") -> None:
    """Refuse an output folder that cannot be written, before a run starts.

    ``out`` may be an existing folder or a path to create; the nearest existing
    folder must accept a new file (tried, then removed), which catches missing
    permissions and read-only disks alike.
    """
    if out is None:
        return
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ScenarioError(field, f"{out} is a file; give a folder (existing or new)")
    probe_dir = out
    while not probe_dir.exists():
        if probe_dir.parent == probe_dir:
            break
        probe_dir = probe_dir.parent
    if not probe_dir.is_dir():
        raise ScenarioError(field, f"{probe_dir} is a file, so {out} cannot be created")
    try:
        fd, name = tempfile.mkstemp(prefix=".govsim-probe-", dir=probe_dir)
        os.close(fd)
        os.unlink(name)
    except OSError as exc:
        raise ScenarioError(field, f"cannot write in {probe_dir}: {exc.strerror or exc}") from None


@contextlib.contextmanager
def staged_dir(out: str | Path) -> Iterator[Path]:
    """A temporary folder to write into; on success its files move into ``out`` at once.

    A new ``out`` is the temporary folder renamed (it appears whole or not at all);
    into an existing ``out`` each file is renamed over the old one.  On any error
    the temporary folder is removed and ``out`` is left as it was.
    """
    out = Path(out)
    parent = out.parent if not out.exists() else out
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=parent))
    try:
        yield tmp
        if out.exists():
            for item in sorted(tmp.iterdir()):
                os.replace(item, out / item.name)
        else:
            os.rename(tmp, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
