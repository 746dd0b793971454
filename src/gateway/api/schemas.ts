/** What the JSON API accepts, besides the order (src/gateway/orders.ts): validated at the edge, typed inside. */
import { z } from 'zod';
import { PACK_STATUSES } from '../../shared/policy';

const time = /^([01]\d|2[0-3]):[0-5]\d$/;
const endTime = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;

export const availabilitySchema = z
  .object({
    timezone: z.string().min(3).max(60),
    weekly: z
      .array(
        z.object({
          day: z.number().int().min(1).max(7),
          from: z.string().regex(time, 'heure HH:MM'),
          to: z.string().regex(endTime, 'heure HH:MM'),
        }),
      )
      .max(50),
    exceptions: z
      .array(
        z.object({
          date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'date AAAA-MM-JJ'),
          closed: z.boolean().optional(),
          from: z.string().regex(time).optional(),
          to: z.string().regex(endTime).optional(),
        }),
      )
      .max(500),
    minNoticeHours: z
      .number()
      .int()
      .min(0)
      .max(24 * 60),
    bufferMinutes: z.number().int().min(0).max(240),
    autoConfirm: z.boolean(),
  })
  .strict()
  .refine((a) => a.weekly.every((w) => w.to > w.from) && a.exceptions.every((e) => e.closed || (e.from && e.to && e.to > e.from)), {
    message: 'chaque plage doit finir après son début ; une exception est fermée ou a des heures from/to',
  });

export const startBody = z.object({ start: z.string().max(40) }).strict();
export const uuidParam = z.string().uuid();
export const slotsQuery = z.object({ from: z.string().max(40).optional(), to: z.string().max(40).optional() });

export const adminPacksQuery = z.object({
  status: z.enum(PACK_STATUSES).optional(),
  expiringWithinDays: z.coerce.number().int().min(1).max(120).optional(),
});

/**
 * A date the provider enters (a transfer's date on the bank statement, the day a withdrawal letter came): a date
 * `AAAA-MM-JJ` or an ISO 8601 instant with its offset. Its bounds (not in the future, not before the order) are
 * checked against the pack (src/shared/policy.ts `receivedInstant`).
 */
const receivedAt = z
  .string()
  .trim()
  .max(40)
  .regex(
    /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/,
    'date AAAA-MM-JJ ou date-heure ISO 8601 avec fuseau (ex. 2027-01-18 ou 2027-01-18T09:30:00+01:00).',
  );

export const transferBody = z
  .object({
    method: z.literal('bank_transfer'),
    amountCents: z.number().int().min(1).max(10_000_000),
    reference: z.string().trim().min(3).max(100),
    /** The day the money reached the account, as the bank dates it (default: today). */
    receivedAt: receivedAt.optional(),
  })
  .strict();

/**
 * `POST /api/admin/packs/:packId/refunds`: money the provider gives back of their own accord — a commercial gesture
 * on the price (`goodwill`, with its credit note) or a surplus received beyond it (`surplus`).
 */
export const providerRefundBody = z
  .object({
    amountCents: z
      .number({ message: 'un montant en centimes est attendu.' })
      .int('un montant en centimes entiers est attendu.')
      .min(1)
      .max(10_000_000),
    reason: z.enum(['goodwill', 'surplus'], { message: '« goodwill » (geste commercial) ou « surplus » (trop-perçu).' }),
    note: z
      .string()
      .trim()
      .max(300, '300 caractères au plus.')
      .regex(/^[^\r\n<>]*$/, 'une seule ligne, sans < ni >.')
      .optional(),
  })
  .strict()
  .transform((b) => ({
    amountCents: b.amountCents,
    reason: b.reason === 'goodwill' ? ('GOODWILL' as const) : ('SURPLUS' as const),
    ...(b.note ? { note: b.note } : {}),
  }));

/** `POST /api/admin/packs/:packId/withdrawal`: a withdrawal the client sent by email or letter, and when it was received. */
export const withdrawalBody = z.object({ receivedAt }).strict();

/** A refund's business key (`withdrawal:<payment key>`…), as `POST /api/admin/refunds/:key/paid` takes it. */
export const refundKeyParam = z
  .string()
  .min(3)
  .max(300)
  .regex(/^[A-Za-z0-9_:.-]+$/, 'clé de remboursement invalide.');

export const bookingActionBody = z.object({ reason: z.string().max(300).optional(), start: z.string().max(40).optional() }).passthrough();

export const outboxQuery = z.object({ status: z.enum(['PENDING', 'SENT']).optional() });
