"""WCAG 2 contrast of an element's text, measured in the browser from computed styles (for browser tests)."""

from __future__ import annotations

# The contrast ratio of an element's text on what is behind it: the element's background over its
# ancestors' (the first opaque one, else white), the text (maybe translucent) over that. Colours come from
# getComputedStyle: rgb()/rgba(), or color(srgb ...) for a color-mix().
CONTRAST = """
(element) => {
  const parse = text => {
    let m = text.match(/^rgba?\\(([\\d.]+),\\s*([\\d.]+),\\s*([\\d.]+)(?:,\\s*([\\d.]+))?\\)$/);
    if (m) return [m[1] / 255, m[2] / 255, m[3] / 255, m[4] === undefined ? 1 : +m[4]];
    m = text.match(/^color\\(srgb ([\\d.e-]+) ([\\d.e-]+) ([\\d.e-]+)(?: \\/ ([\\d.]+))?\\)$/);
    if (m) return [+m[1], +m[2], +m[3], m[4] === undefined ? 1 : +m[4]];
    throw new Error('unexpected colour ' + text);
  };
  const over = (top, below) => [0, 1, 2].map(i => top[i] * top[3] + below[i] * (1 - top[3])).concat([1]);
  const layers = [];
  for (let node = element; node; node = node.parentElement) {
    const colour = parse(getComputedStyle(node).backgroundColor);
    layers.push(colour);
    if (colour[3] === 1) break;
  }
  const background = layers.reverse().reduce((below, top) => over(top, below), [1, 1, 1, 1]);
  const text = over(parse(getComputedStyle(element).color), background);
  const lum = c => c.slice(0, 3).map(v => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4))
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const [a, b] = [lum(text), lum(background)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}
"""

# Every state a run (or a schedule) can show, and one the UI does not know.
STATES = ["created", "pending", "running", "completed", "error", "aborting", "aborted", "paused", "unknown"]

# A badge of every state put into `host` (an element), each measured with CONTRAST, then removed:
# {state: ratio}. Badges the page draws are measured apart; this covers the states no run is in now.
EVERY_STATE = """
([host, states]) => {
  const contrast = CONTRAST;
  const ratios = {};
  for (const state of states) {
    const badge = document.createElement('span');
    badge.className = `runlab-badge runlab-state-${state}`;
    badge.textContent = state;
    host.appendChild(badge);
    try { ratios[state] = contrast(badge); } finally { badge.remove(); }
  }
  return ratios;
}
""".replace("CONTRAST", CONTRAST.strip())


def badge_contrasts(locator) -> dict[str, float]:
    """The contrast of a badge of every state drawn inside the element ``locator`` finds."""
    return locator.evaluate(f"(host) => ({EVERY_STATE})([host, {STATES!r}])")


# A Vega chart's effective colours as relative luminance 0 (black) .. 1 (white): the SVG's own background
# rect when it paints one, else the first ancestor with a background; and an axis title's text.
CHART_COLOURS = """chart => {
  const luminance = colour => {
    const [r, g, b] = colour.match(/[\\d.]+/g).slice(0, 3).map(Number);
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
  };
  const opaque = colour =>
    colour && colour !== 'none' && colour !== 'transparent' && !/rgba\\(.*,\\s*0\\)$/.test(colour);
  const svg = chart.querySelector('svg.marks');
  const rect = svg.querySelector('.background');
  const painted = rect && opaque(getComputedStyle(rect).fill) ? getComputedStyle(rect).fill : null;
  let behind = null;
  for (let node = svg.parentElement; !behind && node; node = node.parentElement) {
    const colour = getComputedStyle(node).backgroundColor;
    if (opaque(colour)) behind = colour;
  }
  const title = svg.querySelector('.role-axis-title text');
  return { painted, background: luminance(painted || behind), text: luminance(getComputedStyle(title).fill) };
}"""


# An element's own background colour as a luminance from 0 (black) to 1 (white).
BACKGROUND_LUMINANCE = """element => {
  const [r, g, b] = getComputedStyle(element).backgroundColor.match(/[\\d.]+/g).map(Number);
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
}"""
