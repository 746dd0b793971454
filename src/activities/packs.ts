/**
 * The pack workflow's activities: the calendar, the projection and timeline (with the email outbox), email
 * delivery and refunds. Each is idempotent — a retry after a crash or a timeout never doubles its effect — and
 * business refusals are non-retryable ApplicationFailures whose type is the API's error code.
 */
import { ApplicationFailure, log } from '@temporalio/activity';
import type { PrismaClient } from '../infra/database';
import type { Mailer } from '../infra/mailer';
import type { Stripe } from '../infra/stripe';
import { signPackToken } from '../infra/tokens';
import { DEFAULT_CATALOG, isPackCode } from '../shared/catalog';
import type { EmailTemplate } from '../shared/emails';
import { PACK_ERROR_MESSAGES, type PackState, type PaymentMethod } from '../shared/pack';
import { checkSlot, DEFAULT_AVAILABILITY, MINUTE_MS, type Availability } from '../shared/policy';
import type { PackEvent } from '../workflows/pack/model';
import { sessionIcs } from './emails/ics';
import { renderEmail } from './emails/templates';

export interface ActivitySettings {
  publicUrl: string;
  zoomUrl: string;
  mailFrom: string;
  providerEmail: string;
  timezone: string;
  bank: { iban: string; bic: string; holder: string };
  accessTokenSecret: string;
  /** How long the portal link in an email stays valid. */
  portalLinkTtlSeconds: number;
}

export const DEFAULT_ACTIVITY_SETTINGS: ActivitySettings = {
  publicUrl: 'http://localhost:3000',
  zoomUrl: 'https://zoom.us/j/0000000000',
  mailFrom: 'imaginasite <contact@imaginasite.com>',
  providerEmail: 'contact@imaginasite.com',
  timezone: 'Europe/Paris',
  bank: { iban: 'FR76 3000 6000 0112 3456 7890 189', bic: 'AGRIFRPPXXX', holder: 'imaginasite' },
  accessTokenSecret: 'local-development-secret-change-me-0123456789',
  portalLinkTtlSeconds: 30 * 24 * 3600,
};

export interface PackActivityDeps {
  prisma: PrismaClient;
  mailer: Mailer;
  stripe: Stripe;
  settings: ActivitySettings;
}

export async function loadAvailability(prisma: PrismaClient): Promise<Availability> {
  const row = await prisma.availability.findUnique({ where: { id: 1 } });
  if (!row) return DEFAULT_AVAILABILITY;
  return {
    timezone: row.timezone,
    weekly: row.weekly as Availability['weekly'],
    exceptions: row.exceptions as Availability['exceptions'],
    minNoticeHours: row.minNoticeHours,
    bufferMinutes: row.bufferMinutes,
    autoConfirm: row.autoConfirm,
  };
}

function refuse(code: keyof typeof PACK_ERROR_MESSAGES): never {
  throw ApplicationFailure.create({ type: code, message: PACK_ERROR_MESSAGES[code], nonRetryable: true });
}

/** The database's own words for "two sessions would overlap" (the calendar's exclusion constraint). */
function isOverlap(err: unknown): boolean {
  const text = `${String(err)} ${JSON.stringify((err as { meta?: unknown })?.meta ?? {})} ${JSON.stringify((err as { cause?: unknown })?.cause ?? {})}`;
  return text.includes('calendar_slot_no_overlap') || text.includes('23P01');
}

/** Advisory lock id of the provider's calendar ("cal" in ASCII). */
const CALENDAR_LOCK = 0x63616c;

const messageId = (key: string) => `<${key.replace(/[^A-Za-z0-9.-]/g, '.')}@imaginasite.com>`;

export function createPackActivities({ prisma, mailer, stripe, settings }: PackActivityDeps) {
  return {
    /**
     * Reserves the session's range in the provider's calendar (with the buffer after it). The opening hours and the
     * minimum notice are checked against the availability in force; overlaps are refused by PostgreSQL itself, so
     * two packs racing for one slot cannot both win. `nowMs` is the workflow's clock.
     */
    async reserveSlot(a: { packId: string; bookingId: string; slotId: string; startMs: number; endMs: number; nowMs: number; expiresAtMs: number }): Promise<{ autoConfirm: boolean }> {
      const availability = await loadAvailability(prisma);
      const refusal = checkSlot({ startMs: a.startMs, durationMs: a.endMs - a.startMs, nowMs: a.nowMs, expiresAtMs: a.expiresAtMs, availability });
      const until = new Date(a.endMs + availability.bufferMinutes * MINUTE_MS);
      try {
        await prisma.$transaction(
          async (tx) => {
            // Concurrent inserts under an exclusion constraint can deadlock each other in PostgreSQL: reservations
            // take turns on one advisory lock (they are short), and the constraint still guards every other path.
            await tx.$executeRaw`SELECT pg_advisory_xact_lock(${CALENDAR_LOCK}::bigint)`;
            const existing = await tx.$queryRaw<Array<{ id: string }>>`SELECT id FROM calendar_slot WHERE id = ${a.slotId}`;
            if (existing.length > 0) return; // a retry of a reservation that succeeded
            if (refusal) refuse(refusal);
            await tx.$executeRaw`
              INSERT INTO calendar_slot (id, booking_id, pack_id, during)
              VALUES (${a.slotId}, ${a.bookingId}::uuid, ${a.packId}::uuid, tstzrange(${new Date(a.startMs)}::timestamptz, ${until}::timestamptz, '[)'))`;
          },
          { timeout: 10_000, maxWait: 5_000 },
        );
      } catch (err) {
        if (isOverlap(err)) refuse('SLOT_UNAVAILABLE');
        throw err;
      }
      return { autoConfirm: availability.autoConfirm };
    },

    async releaseSlot(a: { slotId: string }): Promise<void> {
      await prisma.$executeRaw`UPDATE calendar_slot SET released_at = now() WHERE id = ${a.slotId} AND released_at IS NULL`;
    },

    /**
     * Projects the pack's state, appends its timeline events and queues their emails, in one transaction. Events and
     * emails are keyed: a retry writes nothing twice. An older snapshot never overwrites a newer one.
     */
    async recordPackEvents(a: { packId: string; events: PackEvent[]; projection: PackState & { seq: number } }): Promise<{ emailsQueued: number }> {
      const p = a.projection;
      return prisma.$transaction(
        async (tx) => {
          const pack = await tx.pack.findUnique({ where: { id: a.packId }, include: { customer: true } });
          if (!pack) throw new Error(`pack ${a.packId} is not in the database yet`);
          const updated = await tx.pack.updateMany({
            where: { id: a.packId, projectedSeq: { lte: p.seq } },
            data: {
              status: p.status,
              paidAt: p.paidAt ? new Date(p.paidAt) : null,
              paidCents: p.paidCents,
              expiresAt: p.expiresAt ? new Date(p.expiresAt) : null,
              hoursUsed: p.hours.used,
              hoursForfeited: p.hours.forfeited,
              hoursReserved: p.hours.reserved,
              hoursAvailable: p.hours.available,
              closedAt: ['CANCELLED_UNPAID', 'WITHDRAWN', 'EXPIRED', 'USED_UP'].includes(p.status) ? (pack.closedAt ?? new Date()) : null,
              projectedSeq: p.seq,
            },
          });
          if (updated.count > 0) {
            for (const b of p.bookings) {
              const data = { start: new Date(b.start), end: new Date(b.end), hours: b.hours, status: b.status, penaltyWaived: b.penaltyWaived, revision: b.revision };
              await tx.booking.upsert({ where: { id: b.id }, create: { id: b.id, packId: a.packId, ...data }, update: data });
            }
          }
          await tx.packEvent.createMany({
            data: a.events.map((e) => ({ packId: a.packId, key: e.key, type: e.type, at: new Date(e.atMs), data: e.data as object })),
            skipDuplicates: true,
          });
          const offer = isPackCode(pack.packCode) ? DEFAULT_CATALOG[pack.packCode] : undefined;
          const portalUrl = `${settings.publicUrl}/espace?token=${encodeURIComponent(signPackToken(settings.accessTokenSecret, a.packId, settings.portalLinkTtlSeconds))}`;
          const rows = a.events.flatMap((e) =>
            e.emails.map((spec) => {
              const key = `${a.packId}:${e.key}:${spec.template}`;
              const rendered = renderEmail({
                template: spec.template as EmailTemplate,
                event: { type: e.type, atMs: e.atMs, data: e.data },
                pack: {
                  id: a.packId,
                  label: offer?.label ?? pack.packCode,
                  totalHours: pack.totalHours,
                  priceCents: pack.priceCents,
                  paymentMethod: pack.paymentMethod,
                  bankReference: pack.bankReference,
                  paymentDeadline: pack.paymentDeadline,
                  expiresAt: p.expiresAt ? new Date(p.expiresAt) : null,
                  hoursAvailable: p.hours.available,
                },
                customer: { name: pack.customer.name, email: pack.customer.email },
                settings: { publicUrl: settings.publicUrl, zoomUrl: settings.zoomUrl, timezone: settings.timezone, bank: settings.bank },
                portalUrl,
              });
              const d = e.data as { bookingId?: string; start?: string; end?: string; revision?: number };
              const ics =
                rendered.ics && d.bookingId && d.start && d.end
                  ? sessionIcs({
                      bookingId: d.bookingId,
                      revision: Number(d.revision ?? 0),
                      startMs: Date.parse(d.start),
                      endMs: Date.parse(d.end),
                      summary: `Séance imaginasite (${offer?.label ?? pack.packCode})`,
                      description: `Séance d'accompagnement à distance. Lien Zoom : ${settings.zoomUrl}`,
                      location: settings.zoomUrl,
                      organizerEmail: settings.providerEmail,
                      attendeeEmail: pack.customer.email,
                      attendeeName: pack.customer.name,
                      method: rendered.ics,
                      stampMs: e.atMs,
                    })
                  : null;
              return {
                packId: a.packId,
                key,
                template: spec.template,
                toAddress: spec.to === 'client' ? pack.customer.email : settings.providerEmail,
                subject: rendered.subject,
                textBody: rendered.text,
                htmlBody: rendered.html,
                icsBody: ics,
                messageId: messageId(key),
              };
            }),
          );
          const queued = await tx.outboxEmail.createMany({ data: rows, skipDuplicates: true });
          return { emailsQueued: queued.count };
        },
        { timeout: 30_000, maxWait: 10_000 },
      );
    },

    /**
     * Sends the pack's queued emails, oldest first. Each email is locked while it is sent (so two deliverers never
     * send it twice) and marked sent in the same transaction. An SMTP failure leaves it queued and fails the attempt:
     * Temporal retries later, and the emails go out in order once the server is back.
     */
    async deliverPackEmails(a: { packId: string }): Promise<{ sent: number }> {
      let sent = 0;
      for (let i = 0; i < 200; i++) {
        let failedId: bigint | null = null;
        try {
          const done = await prisma.$transaction(
            async (tx) => {
              const next = await tx.$queryRaw<Array<{ id: bigint }>>`
                SELECT id FROM outbox_email WHERE pack_id = ${a.packId}::uuid AND status = 'PENDING'
                ORDER BY id LIMIT 1 FOR UPDATE NOWAIT`;
              if (next.length === 0) return true;
              failedId = next[0].id;
              const row = await tx.outboxEmail.findUniqueOrThrow({ where: { id: next[0].id } });
              await mailer.sendMail({
                from: settings.mailFrom,
                to: row.toAddress,
                subject: row.subject,
                text: row.textBody,
                html: row.htmlBody,
                messageId: row.messageId,
                headers: { 'X-Imaginasite-Key': row.key },
                ...(row.icsBody
                  ? { icalEvent: { method: row.icsBody.includes('METHOD:CANCEL') ? 'CANCEL' : 'REQUEST', filename: 'seance.ics', content: row.icsBody } }
                  : {}),
              });
              await tx.outboxEmail.update({ where: { id: row.id }, data: { status: 'SENT', sentAt: new Date(), attempts: { increment: 1 }, lastError: null } });
              return false;
            },
            { timeout: 60_000, maxWait: 10_000 },
          );
          if (done) return { sent };
          sent++;
        } catch (err) {
          if (failedId !== null) {
            await prisma.outboxEmail
              .update({ where: { id: failedId }, data: { attempts: { increment: 1 }, lastError: String(err).slice(0, 500) } })
              .catch(() => undefined);
          }
          log.warn('email delivery failed; will retry', { packId: a.packId, error: String(err).slice(0, 200) });
          throw err;
        }
      }
      return { sent };
    },

    /**
     * Refunds a payment once per business key: by Stripe for a card (idempotency key derived from the key, not from
     * the workflow run), by a task for the provider for a bank transfer. A refund Stripe refuses for good becomes a
     * task for the provider too: money is never lost track of.
     */
    async refundPayment(a: { packId: string; key: string; method: PaymentMethod; reference: string; amountCents: number; reason: string }): Promise<{ status: 'REFUNDED' | 'PROVIDER_TASK'; stripeRefundId?: string }> {
      const done = await prisma.refund.findUnique({ where: { key: a.key } });
      if (done) return { status: done.status as 'REFUNDED' | 'PROVIDER_TASK', stripeRefundId: done.stripeRefundId ?? undefined };
      const task = async (kind: string, details: Record<string, unknown>) => {
        await prisma.providerTask.upsert({
          where: { key: `refund:${a.key}` },
          create: { key: `refund:${a.key}`, packId: a.packId, kind, amountCents: a.amountCents, details: { reason: a.reason, reference: a.reference, method: a.method, ...details } },
          update: {},
        });
        await prisma.refund.create({ data: { key: a.key, packId: a.packId, method: a.method, amountCents: a.amountCents, status: 'PROVIDER_TASK' } });
        return { status: 'PROVIDER_TASK' as const };
      };
      if (a.method === 'bank_transfer') return task('BANK_REFUND', {});
      try {
        const refund = await stripe.refunds.create(
          { payment_intent: a.reference, amount: a.amountCents, metadata: { packId: a.packId, reason: a.reason } },
          { idempotencyKey: `refund:${a.key}` },
        );
        await prisma.refund.create({ data: { key: a.key, packId: a.packId, method: a.method, amountCents: a.amountCents, stripeRefundId: refund.id, status: 'REFUNDED' } });
        return { status: 'REFUNDED', stripeRefundId: refund.id };
      } catch (err) {
        const type = (err as { type?: string }).type;
        if (type === 'StripeInvalidRequestError' || type === 'StripeCardError') {
          return task('CARD_REFUND_FAILED', { stripeError: String((err as Error).message).slice(0, 300) });
        }
        throw err; // network, rate limit, Stripe outage: retried
      }
    },
  };
}
