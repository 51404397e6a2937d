export declare const TERMINAL_STATES: string[];
export declare function isTerminal(state: string): boolean;
/** "just now", "45 s ago", "3 min ago", "5 h ago", "2 days ago", or the date for anything older than a week. */
export declare function relativeTime(iso: string | null | undefined, now?: number): string;
/** "850 ms", "4.2 s", "12 s", "3 min 4 s", "2 h 5 min"; empty for an unknown duration. */
export declare function durationText(seconds: number | null | undefined): string;
/** How long a run took, or for one still going, how long it has been going. */
export declare function elapsed(state: string, start: string | null | undefined, duration: number | null | undefined, now?: number): number | null;
/** Local date and time, "2026-11-25 14:03:07". */
export declare function timestamp(iso: string | null | undefined): string;
/** A value from the store as text: strings as they are, everything else as JSON. */
export declare function valueText(value: unknown): string;
/** The path of a local file relative to the server's root folder, or null when it is not under it. */
export declare function underRoot(path: string, root: string): string | null;
