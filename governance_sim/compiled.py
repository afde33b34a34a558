"""The compiled parts of the package, where the install built them (``setup.py``).

Each compiled module (``governance_sim/_*.pyx``) follows a Python definition that gives the
same results; :func:`compiled_or` picks the compiled one unless the package was installed
without a C compiler or the build is older than its source.
"""

from __future__ import annotations

import importlib
import warnings
from pathlib import Path

_HERE = Path(__file__).parent
_WARNED: set[str] = set()  # modules whose stale build was reported


def built_after_its_source(build: str | Path, source: str | Path) -> bool:
    """Whether a compiled module (``build``) is at least as new as its source, or the source
    is not there (an installed wheel).  A source changed since (a pull) would otherwise run
    the old build."""
    source = Path(source)
    return not source.exists() or Path(build).stat().st_mtime >= source.stat().st_mtime


def compiled_or(module: str, name: str, fallback):
    """``name`` of the compiled module ``governance_sim.<module>`` where the package was built
    with a C compiler (setup.py) and the build is not older than its ``.pyx``; else
    ``fallback``, its Python definition."""
    try:
        compiled = importlib.import_module(f"governance_sim.{module}")
    except ImportError:  # built without a C compiler
        return fallback
    if not built_after_its_source(compiled.__file__, _HERE / f"{module}.pyx"):
        if module not in _WARNED:  # once a module, though several names come from it
            _WARNED.add(module)
            warnings.warn(f"governance_sim/{module}.pyx changed after it was compiled: its Python "
                          "definitions are used (the same results, slower); reinstall with "
                          "pip install -e . to rebuild it", stacklevel=3)
        return fallback
    return getattr(compiled, name)
