/** The words of a run with retries, apart from React so they are tested alone. */

/** "attempt 2 of 3 in 4 s": what a run waiting for its next attempt shows (`at` in seconds since the epoch,
 * `now` in milliseconds); never a negative wait. */
export function nextAttemptText(retry: { attempt: number; of: number; at: number }, now: number): string {
  const seconds = Math.max(0, Math.ceil(retry.at - now / 1000));
  return `attempt ${retry.attempt} of ${retry.of} in ${seconds} s`;
}
