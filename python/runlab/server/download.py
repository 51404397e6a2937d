"""The HTTP headers of an artifact's file: its name (RFC 6266 / RFC 5987), type, and what a browser may do
with it (run nothing, be framed only by the server's own pages, be cached only by this user's browser)."""

from __future__ import annotations

import mimetypes
from urllib.parse import quote

# An HTML artifact opened directly runs no script (sandbox) and only the server's own pages may frame it.
CONTENT_SECURITY_POLICY = "sandbox; frame-ancestors 'self'"

# Only the user's browser may keep a copy (never a shared proxy: the file is behind the server's token).
# A run's artifacts never change once it ended (a file that did is refused), so the browser reuses them
# for an hour; while it runs a key can be logged again, so nothing is kept.
CACHE_ENDED = "private, max-age=3600"
CACHE_RUNNING = "private, no-store"

_ATTR_CHARS = "!#$&+^`|~"  # RFC 5987 attr-char besides letters, digits and "-._" (which quote keeps)


def content_disposition(disposition: str, name: str) -> str:
    """``inline`` or ``attachment`` with the file's name: ``filename=`` holds it as printable ASCII (any
    other character, ``"``, ``\\`` and ``%`` become ``_``) and, when that is not the name, ``filename*=``
    holds the exact name in UTF-8, percent-encoded. The header is ASCII whatever the name."""
    fallback = "".join(c if " " <= c <= "~" and c not in '"\\%' else "_" for c in name)
    header = f'{disposition}; filename="{fallback}"'
    if fallback != name:
        header += f"; filename*=UTF-8''{quote(name, safe=_ATTR_CHARS)}"
    return header


def artifact_headers(name: str, download: bool, run_ended: bool) -> dict[str, str]:
    """The headers of an artifact's file named ``name`` (the last part of its target), but its length."""
    return {
        "Content-Type": mimetypes.guess_type(name)[0] or "application/octet-stream",
        "Content-Disposition": content_disposition("attachment" if download else "inline", name),
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": CACHE_ENDED if run_ended else CACHE_RUNNING,
    }
