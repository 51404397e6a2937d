"""Names of runs, projects, functions and schedules: DNS-label-like, so they work as file and URL parts."""

from __future__ import annotations

import os
import re
import sys
import warnings
from functools import lru_cache

from .errors import InvalidNameError

_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")


def validate_name(name: str, what: str = "run name") -> str:
    """A DNS-label-like name: lowercase letters, digits and '-', at most 63 characters."""
    if not isinstance(name, str) or not _NAME.match(name):
        hint = normalize_name(name) if isinstance(name, str) else ""
        suggestion = f" (e.g. {hint!r})" if hint else ""
        raise InvalidNameError(
            f"invalid {what} {name!r}: use lowercase letters, digits and '-', start and end with a letter or "
            f"digit, at most 63 characters{suggestion}"
        )
    return name


def fix_name(name: str, what: str = "run name", warn: bool = True) -> str:
    """A function or run name in the form MLRun gives it: white space and '_' become '-' and upper case
    becomes lower case, with a ``UserWarning`` saying so (unless ``warn`` is False); a name still invalid
    after that (a '/', more than 63 characters, ...) raises ``InvalidNameError``, as MLRun refuses it too.

    >>> fix_name("Train_Model", "function name", warn=False)
    'train-model'
    """
    if not isinstance(name, str) or _NAME.match(name):
        return validate_name(name, what)
    fixed = re.sub(r"\s+", "-", name).replace("_", "-").lower()
    if not _NAME.match(fixed):
        validate_name(name, what)
    if warn:
        warnings.warn(
            f"{what} {name!r} becomes {fixed!r}: names use lowercase letters, digits and '-' ('_', spaces and "
            f"upper case are replaced, as MLRun does); pass {fixed!r} to silence this warning",
            UserWarning,
            stacklevel=_caller_level(),
        )
    return fixed


def _caller_level() -> int:
    """The ``stacklevel`` of the first frame outside runlab (the user's line), for warnings."""
    package = os.path.dirname(os.path.abspath(__file__))
    frame, level = sys._getframe(1), 1
    while frame is not None and (frame.f_code.co_filename.startswith(package)
                                 or (frame.f_code.co_filename == "<string>" and frame.f_code.co_name == "__init__")):
        frame, level = frame.f_back, level + 1  # runlab's own frames, and a dataclass's generated __init__
    return level


@lru_cache(maxsize=512)  # every run names itself from its function and handler: the same few texts
def normalize_name(text: str) -> str:
    """Make a valid name out of free text: ``"Train_Model"`` → ``"train-model"``."""
    name = re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-")
    return re.sub(r"-{2,}", "-", name)[:63].strip("-")
