// Durations in milliseconds and whole-hour instants, for every test (one definition, imported everywhere).
export const SECOND = 1_000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** The first whole hour at least `aheadMs` after `nowMs`, as ISO. */
export function hourAfter(nowMs: number, aheadMs: number): string {
  return new Date(Math.ceil((nowMs + aheadMs) / HOUR) * HOUR).toISOString();
}
