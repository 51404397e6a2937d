// Display text for runs: relative times, durations, states. Pure functions (unit-tested with node --test).

const TERMINAL_STATES = ['completed', 'error', 'aborted'];

export function isTerminal(state: string): boolean {
  return TERMINAL_STATES.includes(state);
}

/** "just now", "45 s ago", "3 min ago", "5 h ago", "2 days ago", or the local date for anything older than a week. */
export function relativeTime(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) {
    return '';
  }
  const then = Date.parse(iso);
  if (Number.isNaN(then)) {
    return '';
  }
  const seconds = Math.round((now - then) / 1000);
  if (seconds < 0) {
    return `in ${untilText(-seconds)}`;
  }
  if (seconds < 5) {
    return 'just now';
  }
  if (seconds < 60) {
    return `${seconds} s ago`;
  }
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) {
    return `${minutes} min ago`;
  }
  const hours = Math.floor(minutes / 60);
  if (hours < 24) {
    return `${hours} h ago`;
  }
  const days = Math.floor(hours / 24);
  if (days < 7) {
    return days === 1 ? 'yesterday' : `${days} days ago`;
  }
  return timestamp(iso).slice(0, 10);
}

/** The sidebar rows' short form of a time: "just now", "45s ago", "20m ago", "5h ago", "2d ago", "in 5m",
 * then the local "Oct 1" (this year) or "Oct 2025"; the full time goes in the row's tooltip. */
export function shortTime(iso: string | null | undefined, now: number = Date.now(), locale?: string): string {
  const then = iso ? Date.parse(iso) : NaN;
  if (Number.isNaN(then)) {
    return '';
  }
  const seconds = Math.round((now - then) / 1000);
  const span = (s: number) =>
    s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m` : s < 86400 ? `${Math.floor(s / 3600)}h` : `${Math.floor(s / 86400)}d`;
  if (seconds < 0) {
    return `in ${span(-seconds)}`;
  }
  if (seconds < 5) {
    return 'just now';
  }
  if (seconds < 7 * 86400) {
    return `${span(seconds)} ago`;
  }
  const date = new Date(then);
  const sameYear = date.getFullYear() === new Date(now).getFullYear();
  return new Intl.DateTimeFormat(locale, sameYear ? { month: 'short', day: 'numeric' } : { month: 'short', year: 'numeric' })
    .format(date);
}

/** A time ahead, for "in …": "30 s", "5 min", "3 h", "2 days". */
function untilText(seconds: number): string {
  if (seconds < 60) {
    return `${seconds} s`;
  }
  if (seconds < 3600) {
    return `${Math.round(seconds / 60)} min`;
  }
  if (seconds < 86400) {
    return `${Math.round(seconds / 3600)} h`;
  }
  const days = Math.round(seconds / 86400);
  return days === 1 ? '1 day' : `${days} days`;
}

/** "850 ms", "4.2 s", "12 s", "3 min 4 s", "2 h 5 min" (compact: "3m 4s", "2h 5m", for a sidebar's
 * narrow rows); empty for an unknown duration. */
export function durationText(seconds: number | null | undefined, compact = false): string {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) {
    return '';
  }
  if (seconds < 1) {
    return `${Math.round(seconds * 1000)} ms`;
  }
  if (seconds < 10) {
    return `${seconds.toFixed(1)} s`;
  }
  if (seconds < 60) {
    return `${Math.round(seconds)} s`;
  }
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) {
    return compact ? `${minutes}m ${Math.floor(seconds % 60)}s` : `${minutes} min ${Math.floor(seconds % 60)} s`;
  }
  const hours = Math.floor(minutes / 60);
  return compact ? `${hours}h ${minutes % 60}m` : `${hours} h ${minutes % 60} min`;
}

/** How long a run took, or for one still going, how long it has been going. */
export function elapsed(
  state: string,
  start: string | null | undefined,
  duration: number | null | undefined,
  now: number = Date.now()
): number | null {
  if (isTerminal(state) || !start) {
    return duration ?? null;
  }
  const started = Date.parse(start);
  return Number.isNaN(started) ? (duration ?? null) : Math.max(0, (now - started) / 1000);
}

/** Local date and time, "2026-11-25 14:03:07". */
export function timestamp(iso: string | null | undefined): string {
  if (!iso) {
    return '';
  }
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) {
    return '';
  }
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  );
}

/** A time for a tooltip: the full local date and time with its zone, "Wednesday, 25 November 2026 at
 * 14:03:07 CET" (in the browser's language). */
export function fullTime(iso: string | null | undefined, locale?: string): string {
  if (!iso) {
    return '';
  }
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) {
    return '';
  }
  return new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeStyle: 'long' }).format(date);
}

/** Text in pieces, the ones between backticks marked as code: "run `f()` now" is three pieces. An unpaired
 * backtick stays as it is. */
export function codeSpans(text: string): { text: string; code: boolean }[] {
  const pieces: { text: string; code: boolean }[] = [];
  const pattern = /`([^`]+)`/g;
  let last = 0;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    if (match.index > last) {
      pieces.push({ text: text.slice(last, match.index), code: false });
    }
    pieces.push({ text: match[1], code: true });
    last = match.index + match[0].length;
  }
  if (last < text.length) {
    pieces.push({ text: text.slice(last), code: false });
  }
  return pieces;
}

/** An error message's one-line summary (its first line) and the rest, shown on demand. */
export function splitMessage(message: string): { summary: string; details: string } {
  const cut = message.indexOf('\n');
  return cut < 0
    ? { summary: message, details: '' }
    : { summary: message.slice(0, cut), details: message.slice(cut + 1).trim() };
}

/** A value from the store as text: strings as they are, everything else as JSON. */
export function valueText(value: unknown): string {
  if (value === null || value === undefined) {
    return '';
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}
