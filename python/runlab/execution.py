"""MLRun's ``mlrun.execution`` import path; the names live in :mod:`runlab.compat.execution`."""

from .compat.execution import *  # noqa: F403
from .compat.execution import __all__  # noqa: F401
