"""Names of runs, projects, functions and schedules: DNS-label-like, so they work as file and URL parts."""

from __future__ import annotations

import re

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


def normalize_name(text: str) -> str:
    """Make a valid name out of free text: ``"Train_Model"`` → ``"train-model"``."""
    name = re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-")
    return re.sub(r"-{2,}", "-", name)[:63].strip("-")
