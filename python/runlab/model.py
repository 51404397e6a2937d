"""MLRun's ``mlrun.model`` import path; the names live in :mod:`runlab.compat.model`."""

from .compat.model import *  # noqa: F403
from .compat.model import __all__  # noqa: F401
