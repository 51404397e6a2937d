"""MLRun's ``mlrun.datastore`` import path; the names live in :mod:`runlab.compat.datastore`."""

from .compat.datastore import *  # noqa: F403
from .compat.datastore import __all__  # noqa: F401
