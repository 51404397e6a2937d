// Display text for runs: relative times, durations, states. Pure functions (unit-tested with node --test).
export const TERMINAL_STATES = ['completed', 'error', 'aborted'];
export function isTerminal(state) {
    return TERMINAL_STATES.includes(state);
}
/** "just now", "45 s ago", "3 min ago", "5 h ago", "2 days ago", or the date for anything older than a week. */
export function relativeTime(iso, now = Date.now()) {
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
    return new Date(then).toISOString().slice(0, 10);
}
/** A time ahead, for "in …": "30 s", "5 min", "3 h", "2 days". */
function untilText(seconds) {
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
/** "850 ms", "4.2 s", "12 s", "3 min 4 s", "2 h 5 min"; empty for an unknown duration. */
export function durationText(seconds) {
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
        return `${minutes} min ${Math.floor(seconds % 60)} s`;
    }
    const hours = Math.floor(minutes / 60);
    return `${hours} h ${minutes % 60} min`;
}
/** How long a run took, or for one still going, how long it has been going. */
export function elapsed(state, start, duration, now = Date.now()) {
    if (isTerminal(state) || !start) {
        return duration ?? null;
    }
    const started = Date.parse(start);
    return Number.isNaN(started) ? (duration ?? null) : Math.max(0, (now - started) / 1000);
}
/** Local date and time, "2026-11-25 14:03:07". */
export function timestamp(iso) {
    if (!iso) {
        return '';
    }
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) {
        return '';
    }
    const pad = (n) => String(n).padStart(2, '0');
    return (`${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
        `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`);
}
/** A value from the store as text: strings as they are, everything else as JSON. */
export function valueText(value) {
    if (value === null || value === undefined) {
        return '';
    }
    return typeof value === 'string' ? value : JSON.stringify(value);
}
/** The path of a local file relative to the server's root folder, or null when it is not under it. */
export function underRoot(path, root) {
    if (!path || !root) {
        return null;
    }
    const local = path.startsWith('file://') ? decodeURIComponent(path.slice(7)) : path;
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(local)) {
        return null;
    }
    const base = root.replace(/\/+$/, '');
    return local.startsWith(base + '/') ? local.slice(base.length + 1) : null;
}
//# sourceMappingURL=format.js.map