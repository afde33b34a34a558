"""The project's own errors: what a user got wrong, as one line fit for a terminal.

Every error a user can cause (a bad scenario, override, argument or folder, a
limit reached) is a :class:`ScenarioError`; the command line prints it as one
line and exits with status 2.  Anything else is a bug in governance_sim.
"""

from __future__ import annotations


class ScenarioError(ValueError):
    """A scenario file, variant, override or argument that does not validate.

    ``field`` is the dotted path of the offending field and ``message`` says
    what is allowed.  ``str(err)`` is one line fit for a terminal.
    """

    def __init__(self, field: str, message: str, source: str | None = None):
        self.field = field
        self.message = message
        self.source = source
        where = f"{source}: " if source else ""
        super().__init__(f"{where}field '{field}': {message}")

    def __reduce__(self):
        # travels whole between processes (a worker's error is re-raised by its parent), also
        # for subclasses whose __init__ takes other arguments
        return (_rebuild, (type(self), self.args, dict(self.__dict__)))


def _rebuild(cls, args, state):
    err = cls.__new__(cls)
    err.args = args
    err.__dict__.update(state)
    return err


class BudgetExceeded(ScenarioError):
    """A run stopped because it went past its event or wall-time budget (``limits:``)."""
