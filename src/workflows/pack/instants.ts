/** Instants are ISO strings in bookings, payments and events (JSON-safe, readable), epoch ms in the pack's arithmetic. */
export const toMs = (iso: string): number => Date.parse(iso);
export const toIso = (t: number): string => new Date(t).toISOString();
