/**
 * The provider's opening hours as a form: two time ranges per weekday, exceptions (a date closed, or open other
 * hours), notice, buffer and auto-confirmation. Parsed into the availability the API takes, with French errors.
 */
import type { Request } from 'express';
import type { Availability } from '../../shared/policy';
import { availabilitySchema } from '../api/schemas';
import { check, formField } from '../http/validation';

export const WEEKDAYS = ['lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi', 'dimanche'] as const;
/** Ranges per weekday, and blank exception rows offered below the existing ones. */
export const RANGES_PER_DAY = 2;
export const BLANK_EXCEPTIONS = 3;

export type AvailabilityForm = Record<string, string>;

/** The form's fields for an availability (what the page shows). */
export function formOf(a: Availability): AvailabilityForm {
  const f: AvailabilityForm = {
    minNoticeHours: String(a.minNoticeHours),
    bufferMinutes: String(a.bufferMinutes),
    autoConfirm: a.autoConfirm ? 'yes' : '',
  };
  for (let day = 1; day <= 7; day++) {
    a.weekly
      .filter((w) => w.day === day)
      .slice(0, RANGES_PER_DAY)
      .forEach((w, i) => {
        f[`d${day}_from${i + 1}`] = w.from;
        f[`d${day}_to${i + 1}`] = w.to;
      });
  }
  a.exceptions.forEach((e, i) => {
    f[`ex${i}_date`] = e.date;
    if (e.closed) f[`ex${i}_closed`] = 'yes';
    if (e.from) f[`ex${i}_from`] = e.from;
    if (e.to) f[`ex${i}_to`] = e.to;
  });
  f.exceptionRows = String(a.exceptions.length + BLANK_EXCEPTIONS);
  return f;
}

/** The fields posted, as typed (to show them again next to an error). */
export function postedForm(req: Request): AvailabilityForm {
  const f: AvailabilityForm = {};
  for (const [k, v] of Object.entries((req.body ?? {}) as Record<string, unknown>))
    if (typeof v === 'string' && k !== 'csrf') f[k] = v.slice(0, 40);
  return f;
}

/** The availability the form describes, or the French reasons it does not describe one. */
export function parseAvailabilityForm(
  req: Request,
  timezone: string,
): { ok: true; availability: Availability } | { ok: false; errors: string[] } {
  const v = (name: string) => formField(req, name).trim();
  const errors: string[] = [];
  const weekly: Availability['weekly'] = [];
  for (let day = 1; day <= 7; day++) {
    for (let i = 1; i <= RANGES_PER_DAY; i++) {
      const from = v(`d${day}_from${i}`);
      // A range open until midnight ends at 24:00, which a time field writes 00:00.
      const to = v(`d${day}_to${i}`) === '00:00' ? '24:00' : v(`d${day}_to${i}`);
      if (!from && !to) continue;
      if (!from || !to) errors.push(`${WEEKDAYS[day - 1]} : indiquez le début et la fin de la plage ${i}.`);
      else if (to <= from) errors.push(`${WEEKDAYS[day - 1]} : la plage ${i} doit finir après son début (${from} – ${to}).`);
      else weekly.push({ day, from, to });
    }
  }
  const exceptions: Availability['exceptions'] = [];
  const rows = Math.min(Number(v('exceptionRows')) || 0, 600);
  for (let i = 0; i < rows; i++) {
    const date = v(`ex${i}_date`);
    if (!date || v(`ex${i}_remove`) === 'yes') continue;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) errors.push(`Exception « ${date} » : la date doit être au format AAAA-MM-JJ.`);
    else if (v(`ex${i}_closed`) === 'yes') exceptions.push({ date, closed: true });
    else if (!v(`ex${i}_from`) || !v(`ex${i}_to`))
      errors.push(`Exception du ${date} : cochez « fermé » ou indiquez les heures d'ouverture.`);
    else if (v(`ex${i}_to`) <= v(`ex${i}_from`)) errors.push(`Exception du ${date} : l'heure de fin doit suivre l'heure de début.`);
    else exceptions.push({ date, from: v(`ex${i}_from`), to: v(`ex${i}_to`) });
  }
  // An empty number field is an error, not zero.
  const number = (name: string, what: string) => {
    const raw = v(name);
    if (raw === '' || !/^\d+$/.test(raw)) errors.push(`${what} : indiquez un nombre entier positif ou nul.`);
    return Number(raw);
  };
  const candidate = {
    timezone,
    weekly,
    exceptions,
    minNoticeHours: number('minNoticeHours', 'Délai minimum de réservation'),
    bufferMinutes: number('bufferMinutes', 'Battement entre deux séances'),
    autoConfirm: v('autoConfirm') === 'yes',
  };
  if (errors.length) return { ok: false, errors };
  const parsed = check(availabilitySchema, candidate);
  if (!parsed.success) return { ok: false, errors: parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.')} : ${i.message}`) };
  return { ok: true, availability: parsed.data };
}
