"""Solara's front-end packages, placed where its server looks first, for machines without a CDN.

A Solara page loads its JavaScript and CSS (the Vuetify app, require.js,
Font Awesome) through the server's ``/_solara/cdn/`` proxy, which serves
``<proxy cache dir>/<package>@<version>/<file>`` and fetches missing files
from a public CDN.  Where no CDN can be reached the page stays blank.
:func:`ensure_frontend_assets` fills that cache with the same packages from
the npm registry (``npm pack``), once; it does nothing when they are there.

Run ``python -m governance_sim.viz.assets`` to do it ahead of time.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

_REF = re.compile(r"\{\{cdn\}\}/((?:@[\w.-]+/)?[\w.-]+)@([\w.-]+)/")
# Solara's widgets load some packages themselves when first shown (GridDraggable, which Mesa's
# SolaraViz lays its plots out with, loads vue-grid-layout; altair charts load vega)
_WIDGET_REF = re.compile(r"getCdn\(\)\}/((?:@[\w.-]+/)?[\w.-]+)@([\w.-]+)/")


def _solara_dir() -> Path:
    import solara

    return Path(solara.__file__).parent


def cache_dir() -> Path:
    """The directory the Solara server serves ``/_solara/cdn/`` from."""
    from solara.server import settings

    return Path(settings.assets.proxy_cache_dir)


def required_packages() -> list[str]:
    """``name@version`` of every front-end package the Solara page template (this Vue) and its
    widgets load."""
    import ipyvue

    template = (_solara_dir() / "server" / "templates" / "solara.html.j2").read_text(encoding="utf-8")
    vue3 = ipyvue.__version__.startswith("3")
    # the template loads one of two Vuetify apps, by the Vue version ipyvue brings
    skip = "solara-vuetify-app@" if vue3 else "solara-vuetify3-app@"
    found = []
    for name, version in _REF.findall(template):
        ref = f"{name}@{version}"
        if skip not in ref and ref not in found:
            found.append(ref)
    for vue_file in sorted((_solara_dir() / "widgets" / "vue").glob("*.vue")):
        for name, version in _WIDGET_REF.findall(vue_file.read_text(encoding="utf-8")):
            ref = f"{name}@{version}"
            if ref not in found:
                found.append(ref)
    from solara.server import settings

    fa = settings.assets.fontawesome_path.strip("/").split("/")[0]
    if settings.assets.fontawesome_enabled and fa and fa not in found:
        found.append(fa)
    return found


def missing_packages(root: Path | None = None) -> list[str]:
    root = cache_dir() if root is None else root
    return [p for p in required_packages() if not (root / p / "package.json").exists()]


def fetch_with_npm(packages: list[str], root: Path) -> None:
    """``npm pack`` each package and unpack it as ``root/<name>@<version>/``."""
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is not installed; cannot fetch Solara's front-end packages")
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for ref in packages:
            out = subprocess.run([npm, "pack", ref, "--silent"], cwd=tmp, check=True,
                                 capture_output=True, text=True, timeout=300)
            tgz = Path(tmp) / out.stdout.strip().splitlines()[-1]
            staging = Path(tmp) / "unpacked"
            shutil.rmtree(staging, ignore_errors=True)
            with tarfile.open(tgz) as tar:
                tar.extractall(staging, filter="data")
            target = root / ref
            shutil.rmtree(target, ignore_errors=True)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(staging / "package"), target)


def ensure_frontend_assets(root: Path | None = None) -> list[str]:
    """Fetch the packages the page needs that are not in the cache yet; return what was fetched."""
    root = cache_dir() if root is None else root
    missing = missing_packages(root)
    if missing:
        fetch_with_npm(missing, root)
    return missing


if __name__ == "__main__":
    try:
        fetched = ensure_frontend_assets()
    except (RuntimeError, subprocess.SubprocessError, OSError) as exc:
        print(f"Solara front-end packages not fetched: {exc}", file=sys.stderr)
        sys.exit(1)
    print(f"Solara front-end packages in {cache_dir()}: " + (", ".join(fetched) or "all present"))
