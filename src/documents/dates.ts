import { DateTime } from 'luxon';

/** The business's time zone: every date a document prints is a day or a time in Paris. */
export const DOCUMENT_ZONE = 'Europe/Paris';

function paris(instant: string): DateTime {
  const t = DateTime.fromISO(instant, { zone: DOCUMENT_ZONE });
  if (!t.isValid) throw new RangeError(`not an ISO instant: ${instant}`);
  return t;
}

/** « 2026-11-26 »: the calendar day in Paris. */
export const parisDay = (instant: string): string => paris(instant).toFormat('yyyy-MM-dd');

/** « 20261126 »: the day in UN/CEFACT's format 102 (Factur-X dates). */
export const cefactDay = (instant: string): string => paris(instant).toFormat('yyyyMMdd');

/** « 26/11/2026 ». */
export const frenchDay = (instant: string): string => paris(instant).toFormat('dd/MM/yyyy');

/** « 26/11/2026 à 16:05:12 (heure de Paris) »: the time of an acknowledgment, to the second. */
export const frenchInstant = (instant: string): string => `${paris(instant).toFormat("dd/MM/yyyy 'à' HH:mm:ss")} (heure de Paris)`;

/**
 * The last day of a period whose end is exclusive (withdrawal: the end of the 14th day, see
 * src/shared/policy.ts `withdrawalDeadlineOf`): « 10/12/2026 » for an end at 11/12/2026 00:00 in Paris.
 */
export const lastDayBefore = (exclusiveEnd: string): string => paris(exclusiveEnd).minus({ milliseconds: 1 }).toFormat('dd/MM/yyyy');
