"""Builds the compiled event queue, calendar, case-record helper and staff queues
(``governance_sim/_queue.pyx``, ``_calendar.pyx``, ``_records.pyx``, ``_workforce.pyx``)
where it can.

Everything else is in ``pyproject.toml``.  The extension is optional: without Cython or a
C compiler the package installs as pure Python and ``governance_sim.engine`` uses the
Python definitions, which give the same results.
"""

from setuptools import Extension, setup

try:
    from Cython.Build import cythonize
except ImportError:  # no Cython in the build environment: pure Python
    ext_modules = []
else:
    ext_modules = cythonize(
        [Extension("governance_sim._queue", ["governance_sim/_queue.pyx"]),
         Extension("governance_sim._calendar", ["governance_sim/_calendar.pyx"]),
         Extension("governance_sim._records", ["governance_sim/_records.pyx"]),
         Extension("governance_sim._workforce", ["governance_sim/_workforce.pyx"])],
        compiler_directives={"language_level": 3},
        quiet=True,
    )
    for extension in ext_modules:  # a failed build warns and leaves the Python queue (cythonize drops the flag)
        extension.optional = True

setup(ext_modules=ext_modules)
