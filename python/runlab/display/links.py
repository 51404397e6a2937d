"""Which URLs may become a link (an ``href``) in the runs tables: http(s) URLs and same-origin relative URLs.

Anything else is shown as text: ``javascript:``, ``data:``, ``vbscript:``, protocol-relative ``//host``, and
also data-store URLs (``s3://``, ``file://``, ``memory://``, ...), which a browser cannot follow usefully.
A browser drops tabs and newlines anywhere in a URL and spaces or control characters around it, and
reads ``\\`` as ``/``, so a URL holding any of them is never a link. The notebook widget
(``runs_widget.js``) and the JupyterLab extension (``labextension/src/links.ts``) apply the same rule.
"""

from __future__ import annotations

import re

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_LINK_SCHEMES = ("http", "https")


def is_safe_link(url: object) -> bool:
    """True when ``url`` may be an ``href``: an http(s) URL, or a relative URL (no scheme, not ``//host``)."""
    if not isinstance(url, str) or not url or url != url.strip(" "):
        return False
    if "\\" in url or any(ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        return False
    scheme = _SCHEME.match(url)
    if scheme:
        return scheme.group()[:-1].lower() in _LINK_SCHEMES
    return not url.startswith("//")
