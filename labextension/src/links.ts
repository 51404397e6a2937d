// Which URLs may become a link (href, window.open) in the Jobs panel. Pure function, unit-tested with node --test.

const LINK_SCHEMES = ['http:', 'https:'];

/**
 * Whether `url` may be an href: an http(s) URL, or a relative URL (no scheme, not `//host`). Everything
 * else is shown as text: `javascript:`, `data:`, `vbscript:`, data-store URLs (`s3://`, `file://`, ...),
 * and any URL with control characters, spaces around it or a backslash, which browsers drop or read as
 * `/` (so `java\tscript:` is `javascript:`). The same rule as runlab/display/links.py.
 */
export function isSafeLink(url: unknown): url is string {
  if (typeof url !== 'string' || !url || url !== url.replace(/^ +| +$/g, '')) {
    return false;
  }
  if (/[\\\u0000-\u001f\u007f]/.test(url)) {
    return false;
  }
  const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(url);
  if (scheme) {
    return LINK_SCHEMES.includes(scheme[0].toLowerCase());
  }
  return !url.startsWith('//');
}
