"""MLRun's ``mlrun.artifacts`` import path; the names live in :mod:`runlab.compat.artifacts`."""

from .compat.artifacts import *  # noqa: F403
from .compat.artifacts import __all__  # noqa: F401
