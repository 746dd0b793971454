/**
 * The pack workflow's activities: the calendar, the projection and timeline (with the email outbox), email
 * delivery and refunds. Each is idempotent — a retry after a crash or a timeout never doubles its effect — and
 * business refusals are non-retryable ApplicationFailures whose type is the API's error code.
 */
import { ApplicationFailure, log } from '@temporalio/activity';
import { readAvailability } from '../infra/availability';
import { inTransaction, poolOf, type PrismaClient } from '../infra/database';
import { sessionIcs } from '../infra/invites';
import { refundOnce, type RefundOutcome, type RefundRequest } from '../infra/refunds';
import { withTimeout } from '../infra/timeout';
import type { Mailer } from '../infra/mailer';
import type { Stripe } from '../infra/stripe';
import { signPackToken } from '../infra/tokens';
import { DEFAULT_CATALOG, isPackCode } from '../shared/catalog';
import { PACK_ERROR_MESSAGES, type PackState } from '../shared/pack';
import { checkSlot, FINAL_STATUSES, MINUTE_MS } from '../shared/policy';
import type { PackEvent } from '../workflows/pack/model';
import type { DocumentSeller, WithdrawalAfterStart } from '../documents';
import { SAMPLE_SELLER_ENV } from '../infra/config';
import { contractAttachments, createAttachments, type AttachmentRef } from './attachments';
import { createDocumentIssuer, type DocumentRequest, type IssuedDocument } from './documents';
import { renderEmail } from './emails/templates';
import { createMeetings } from './meetings';
import { createZoomClient, type ZoomConfig } from '../infra/zoom';

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
  /** Who sells: the contract documents and the invoices name them (`sellerOf(config)`). */
  seller: DocumentSeller;
  /** Zoom's Server-to-Server OAuth app: a meeting per session (src/activities/meetings.ts). Absent: `zoomUrl` for all. */
  zoom?: ZoomConfig;
}

/** The configuration's sample seller (`npm start` fills it in): obviously not a real business. */
const SAMPLE_SELLER: DocumentSeller = {
  name: SAMPLE_SELLER_ENV.SELLER_NAME,
  address: SAMPLE_SELLER_ENV.SELLER_ADDRESS,
  siret: SAMPLE_SELLER_ENV.SELLER_SIRET,
  vat: { regime: 'franchise' },
  email: SAMPLE_SELLER_ENV.SELLER_EMAIL,
  phone: SAMPLE_SELLER_ENV.SELLER_PHONE,
};

export const DEFAULT_ACTIVITY_SETTINGS: ActivitySettings = {
  publicUrl: 'http://localhost:3000',
  zoomUrl: 'https://zoom.us/j/0000000000',
  mailFrom: 'imaginasite <contact@imaginasite.com>',
  providerEmail: 'contact@imaginasite.com',
  timezone: 'Europe/Paris',
  bank: { iban: 'FR76 3000 6000 0112 3456 7890 189', bic: 'AGRIFRPPXXX', holder: 'imaginasite' },
  accessTokenSecret: 'local-development-secret-change-me-0123456789',
  portalLinkTtlSeconds: 30 * 24 * 3600,
  seller: SAMPLE_SELLER,
};

export interface PackActivityDeps {
  prisma: PrismaClient;
  mailer: Mailer;
  stripe: Stripe;
  settings: ActivitySettings;
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

/**
 * The files an email carries: the first email after an order, the contract on a durable medium (the CGV version the
 * consents name, the order recap, the withdrawal information and form); an email about a document, that document.
 */
function attachmentsOf(template: string, e: PackEvent, packId: string, cgvVersion: string | null): AttachmentRef[] {
  const d = e.data as { withdrawalAfterStart?: WithdrawalAfterStart; withdrawalEndsAt?: string; invoiceKey?: string; key?: string };
  if (template === 'ORDER_RECEIVED') {
    return contractAttachments({
      packId,
      cgvVersion,
      withdrawalAfterStart: d.withdrawalAfterStart === 'prorata' ? 'prorata' : 'refused',
      withdrawalEndsAt: d.withdrawalEndsAt,
    });
  }
  if (template === 'PAYMENT_CONFIRMED' && d.invoiceKey) return [{ kind: 'document', ref: d.invoiceKey }];
  if (template === 'DOCUMENT_ISSUED' && d.key) return [{ kind: 'document', ref: d.key }];
  return [];
}

export function createPackActivities({ prisma, mailer, stripe, settings }: PackActivityDeps) {
  const pool = poolOf(prisma);
  const attachments = createAttachments({
    seller: settings.seller,
    iban: settings.bank.iban,
    timezone: settings.timezone,
    warn: (message) => {
      log.warn(message);
    },
  });
  const documents = createDocumentIssuer({ pool, seller: settings.seller, iban: settings.bank.iban });
  const meetings = createMeetings({
    pool,
    zoom: settings.zoom ? createZoomClient(settings.zoom) : null,
    timezone: settings.timezone,
    warn: (message, fields) => {
      log.warn(message, fields);
    },
  });
  /**
   * Sends the pack's oldest queued email, if any. The email is locked while it is sent (so two deliverers never send
   * it twice) and marked sent in the same transaction. On failure it stays queued with the error, and this throws.
   */
  const deliverNext = async (packId: string): Promise<'sent' | 'none'> => {
    let failedId: string | null = null;
    try {
      return await inTransaction(pool, async (c) => {
        const next = await c.query<{
          id: string;
          key: string;
          to_address: string;
          subject: string;
          text_body: string;
          html_body: string;
          ics_body: string | null;
          message_id: string;
          attachments: AttachmentRef[];
        }>(
          `SELECT id, key, to_address, subject, text_body, html_body, ics_body, message_id, attachments FROM outbox_email
           WHERE pack_id = $1::uuid AND status = 'PENDING' ORDER BY id LIMIT 1 FOR UPDATE NOWAIT`,
          [packId],
        );
        const row = next.rows[0];
        if (!row) return 'none' as const;
        failedId = row.id;
        const files = row.attachments.length ? await attachments.build(c, row.attachments) : [];
        await mailer.sendMail({
          from: settings.mailFrom,
          to: row.to_address,
          subject: row.subject,
          text: row.text_body,
          html: row.html_body,
          messageId: row.message_id,
          headers: { 'X-Imaginasite-Key': row.key },
          ...(files.length ? { attachments: files } : {}),
          ...(row.ics_body
            ? {
                icalEvent: {
                  method: row.ics_body.includes('METHOD:CANCEL') ? 'CANCEL' : 'REQUEST',
                  filename: 'seance.ics',
                  content: row.ics_body,
                },
              }
            : {}),
        });
        await c.query(
          `UPDATE outbox_email SET status = 'SENT', sent_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = $1`,
          [row.id],
        );
        return 'sent' as const;
      });
    } catch (err) {
      if (failedId !== null) {
        await pool
          .query('UPDATE outbox_email SET attempts = attempts + 1, last_error = $2 WHERE id = $1', [failedId, String(err).slice(0, 500)])
          .catch(() => undefined);
      }
      log.warn('email delivery failed; will retry', { packId, error: String(err).slice(0, 200) });
      throw err;
    }
  };
  /** Projects the state, appends the timeline events and queues their emails, in one transaction. */
  const record = async (a: {
    packId: string;
    events: PackEvent[];
    projection: PackState & { seq: number };
  }): Promise<{ emailsQueued: number }> => {
    const p = a.projection;
    // The sessions' Zoom meetings first, outside the transaction (no lock waits on Zoom): their links go in the emails.
    const links = await meetings.sync(a.packId, a.events);
    return inTransaction(pool, async (c) => {
      const found = await c.query<{
        packCode: string;
        totalHours: number;
        priceCents: number;
        paymentMethod: string;
        bankReference: string;
        paymentDeadline: Date;
        name: string;
        email: string;
        cgvVersion: string | null;
      }>(
        `SELECT p.pack_code AS "packCode", p.total_hours AS "totalHours", p.price_cents AS "priceCents", p.payment_method AS "paymentMethod",
                p.bank_reference AS "bankReference", p.payment_deadline AS "paymentDeadline", cu.name, cu.email,
                (SELECT k.cgv_version FROM consent k WHERE k.pack_id = p.id AND k.kind = 'cgv') AS "cgvVersion"
         FROM pack p JOIN customer cu ON cu.id = p.customer_id WHERE p.id = $1::uuid`,
        [a.packId],
      );
      if (!found.rowCount) throw new Error(`pack ${a.packId} is not in the database yet`);
      const row = found.rows[0];
      const pack = { ...row, customer: { name: row.name, email: row.email } };
      const updated = await c.query(
        `UPDATE pack SET status = $2, paid_at = $3, paid_cents = $4, expires_at = $5, hours_used = $6, hours_forfeited = $7, hours_reserved = $8,
                hours_available = $9, closed_at = CASE WHEN $10::boolean THEN COALESCE(closed_at, now()) ELSE NULL END, projected_seq = $11, updated_at = now()
         WHERE id = $1::uuid AND projected_seq <= $11`,
        [
          a.packId,
          p.status,
          p.paidAt ? new Date(p.paidAt) : null,
          p.paidCents,
          p.expiresAt ? new Date(p.expiresAt) : null,
          p.hours.used,
          p.hours.forfeited,
          p.hours.reserved,
          p.hours.available,
          FINAL_STATUSES.includes(p.status),
          p.seq,
        ],
      );
      if (updated.rowCount && p.bookings.length > 0) {
        await c.query(
          `INSERT INTO booking (id, pack_id, start, "end", hours, status, penalty_waived, revision, updated_at)
           SELECT b.id, $1::uuid, b.start, b."end", b.hours, b.status, b.penalty_waived, b.revision, now()
           FROM jsonb_to_recordset($2::jsonb) AS b(id uuid, start timestamptz, "end" timestamptz, hours int, status text, penalty_waived boolean, revision int)
           ON CONFLICT (id) DO UPDATE SET start = EXCLUDED.start, "end" = EXCLUDED."end", hours = EXCLUDED.hours, status = EXCLUDED.status,
             penalty_waived = EXCLUDED.penalty_waived, revision = EXCLUDED.revision, updated_at = now()
           WHERE (booking.start, booking."end", booking.hours, booking.status, booking.penalty_waived, booking.revision)
              IS DISTINCT FROM (EXCLUDED.start, EXCLUDED."end", EXCLUDED.hours, EXCLUDED.status, EXCLUDED.penalty_waived, EXCLUDED.revision)`,
          [
            a.packId,
            JSON.stringify(
              p.bookings.map((b) => ({
                id: b.id,
                start: b.start,
                end: b.end,
                hours: b.hours,
                status: b.status,
                penalty_waived: b.penaltyWaived,
                revision: b.revision,
              })),
            ),
          ],
        );
      }
      await c.query(
        `INSERT INTO pack_event (pack_id, key, type, at, data)
         SELECT $1::uuid, e.key, e.type, e.at, e.data
         FROM ROWS FROM (jsonb_to_recordset($2::jsonb) AS (key text, type text, at timestamptz, data jsonb)) WITH ORDINALITY AS e(key, type, at, data, n)
         ORDER BY e.n
         ON CONFLICT (pack_id, key) DO NOTHING`,
        [
          a.packId,
          JSON.stringify(a.events.map((e) => ({ key: e.key, type: e.type, at: new Date(e.atMs).toISOString(), data: e.data ?? {} }))),
        ],
      );
      const offer = isPackCode(pack.packCode) ? DEFAULT_CATALOG[pack.packCode] : undefined;
      const portalUrl = `${settings.publicUrl}/espace?token=${encodeURIComponent(signPackToken(settings.accessTokenSecret, a.packId, settings.portalLinkTtlSeconds))}`;
      const rows = a.events.flatMap((e) =>
        e.emails.map((spec) => {
          const key = `${a.packId}:${e.key}:${spec.template}`;
          const bookingId = (e.data as { bookingId?: string }).bookingId;
          const zoomUrl = (bookingId && links.get(bookingId)) || settings.zoomUrl;
          const rendered = renderEmail({
            template: spec.template,
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
            settings: {
              publicUrl: settings.publicUrl,
              zoomUrl,
              timezone: settings.timezone,
              bank: settings.bank,
              seller: settings.seller,
            },
            portalUrl,
          });
          const d = e.data as { bookingId?: string; start?: string; end?: string; revision?: number; sequence?: number; status?: string };
          const ics =
            rendered.ics && d.bookingId && d.start && d.end
              ? sessionIcs({
                  bookingId: d.bookingId,
                  revision: Number(d.revision ?? 0),
                  // Events recorded before the invite sequence carry the revision only, which was the SEQUENCE then.
                  sequence: Number(d.sequence ?? d.revision ?? 0),
                  startMs: Date.parse(d.start),
                  endMs: Date.parse(d.end),
                  summary: `Séance imaginasite (${offer?.label ?? pack.packCode})`,
                  description: `Séance d'accompagnement à distance. Lien Zoom : ${zoomUrl}`,
                  location: zoomUrl,
                  organizerEmail: settings.providerEmail,
                  attendeeEmail: pack.customer.email,
                  attendeeName: pack.customer.name,
                  method: rendered.ics,
                  stampMs: e.atMs,
                  // A session the provider has not confirmed yet (a client's move awaiting them) is only pencilled in.
                  tentative: d.status === 'REQUESTED',
                })
              : null;
          return {
            packId: a.packId,
            key,
            template: spec.template,
            attachments: attachmentsOf(spec.template, e, a.packId, row.cgvVersion),
            toAddress: spec.to === 'client' ? pack.customer.email : settings.providerEmail,
            subject: rendered.subject,
            textBody: rendered.text,
            htmlBody: rendered.html,
            icsBody: ics,
            messageId: messageId(key),
          };
        }),
      );
      if (rows.length === 0) return { emailsQueued: 0 };
      const queued = await c.query(
        `INSERT INTO outbox_email (pack_id, key, template, to_address, subject, text_body, html_body, ics_body, message_id, attachments)
         SELECT $1::uuid, o.key, o.template, o.to_address, o.subject, o.text_body, o.html_body, o.ics_body, o.message_id, o.attachments
         FROM ROWS FROM (jsonb_to_recordset($2::jsonb) AS (key text, template text, to_address text, subject text, text_body text, html_body text, ics_body text, message_id text, attachments jsonb))
           WITH ORDINALITY AS o(key, template, to_address, subject, text_body, html_body, ics_body, message_id, attachments, n)
         ORDER BY o.n
         ON CONFLICT (key) DO NOTHING`,
        [
          a.packId,
          JSON.stringify(
            rows.map((r) => ({
              key: r.key,
              template: r.template,
              to_address: r.toAddress,
              subject: r.subject,
              text_body: r.textBody,
              html_body: r.htmlBody,
              ics_body: r.icsBody,
              message_id: r.messageId,
              attachments: r.attachments,
            })),
          ),
        ],
      );
      return { emailsQueued: queued.rowCount ?? 0 };
    });
  };
  return {
    /**
     * Reserves the session's range in the provider's calendar (with the buffer after it). The opening hours and the
     * minimum notice are checked against the availability in force; overlaps are refused by PostgreSQL itself, so
     * two packs racing for one slot cannot both win. `nowMs` is the workflow's clock.
     *
     * A move gives `replacesSlotId`, the range the session holds now: it is released and the new range inserted in
     * one transaction, so a session can move onto part of its own time (11:00 → 11:30), and if the new range is
     * taken the old one stays held. The workflow's later release of that slot then finds it released already.
     */
    async reserveSlot(a: {
      packId: string;
      bookingId: string;
      slotId: string;
      startMs: number;
      endMs: number;
      nowMs: number;
      expiresAtMs: number;
      replacesSlotId?: string;
    }): Promise<{ autoConfirm: boolean }> {
      const availability = await readAvailability(pool);
      const refusal = checkSlot({
        startMs: a.startMs,
        durationMs: a.endMs - a.startMs,
        nowMs: a.nowMs,
        expiresAtMs: a.expiresAtMs,
        availability,
      });
      const until = new Date(a.endMs + availability.bufferMinutes * MINUTE_MS);
      try {
        // Concurrent inserts under an exclusion constraint can deadlock each other in PostgreSQL: reservations take
        // turns on one advisory lock, held by this one statement (its own transaction); the constraint still guards
        // every other path. A retry of a reservation that succeeded finds its row (same id) and changes nothing.
        if (refusal) {
          const existing = await pool.query('SELECT 1 FROM calendar_slot WHERE id = $1', [a.slotId]);
          if (!existing.rowCount) refuse(refusal);
        } else if (a.replacesSlotId) {
          const replaced = a.replacesSlotId;
          await inTransaction(pool, async (c) => {
            await c.query('SELECT pg_advisory_xact_lock($1::bigint)', [CALENDAR_LOCK]);
            await c.query('UPDATE calendar_slot SET released_at = now() WHERE id = $1 AND released_at IS NULL', [replaced]);
            await c.query(
              `INSERT INTO calendar_slot (id, booking_id, pack_id, during)
               VALUES ($1, $2::uuid, $3::uuid, tstzrange($4::timestamptz, $5::timestamptz, '[)'))
               ON CONFLICT (id) DO NOTHING`,
              [a.slotId, a.bookingId, a.packId, new Date(a.startMs), until],
            );
          });
        } else {
          await pool.query(
            `WITH turn AS (SELECT pg_advisory_xact_lock($6::bigint))
             INSERT INTO calendar_slot (id, booking_id, pack_id, during)
             SELECT $1, $2::uuid, $3::uuid, tstzrange($4::timestamptz, $5::timestamptz, '[)') FROM turn
             ON CONFLICT (id) DO NOTHING`,
            [a.slotId, a.bookingId, a.packId, new Date(a.startMs), until, CALENDAR_LOCK],
          );
        }
      } catch (err) {
        if (isOverlap(err)) refuse('SLOT_UNAVAILABLE');
        throw err;
      }
      return { autoConfirm: availability.autoConfirm };
    },

    async releaseSlot(a: { slotId: string }): Promise<void> {
      await pool.query('UPDATE calendar_slot SET released_at = now() WHERE id = $1 AND released_at IS NULL', [a.slotId]);
    },

    /**
     * Projects the pack's state, appends its timeline events and queues their emails, in one transaction. Events and
     * emails are keyed: a retry writes nothing twice. An older snapshot never overwrites a newer one.
     */
    async recordPackEvents(a: {
      packId: string;
      events: PackEvent[];
      projection: PackState & { seq: number };
      deliver?: boolean;
      /** Run as a local activity, the recording holds its workflow task: delivery stops after this long. */
      deliverWithinMs?: number;
    }): Promise<{ emailsQueued: number; emailsPending?: boolean }> {
      const recorded = await record(a);
      if (!a.deliver) return recorded;
      // Delivered at once, after the commit: one activity instead of two. Whatever cannot go now (SMTP down or slow,
      // another deliverer on it) stays queued, and the workflow's mail lane delivers it later, with retries.
      const deadline = Date.now() + (a.deliverWithinMs ?? Infinity);
      for (let i = 0; i < 200; i++) {
        const left = deadline - Date.now();
        if (left <= 0) break;
        try {
          // Past the budget the email being sent finishes in the background; it stays locked until its own
          // transaction ends, so the mail lane cannot send it twice.
          if ((await withTimeout(deliverNext(a.packId), left)) === 'none') return { ...recorded, emailsPending: false };
        } catch {
          break; // SMTP down, slow (TimeoutError) or another deliverer on it: the mail lane takes over
        }
      }
      return { ...recorded, emailsPending: true };
    },

    /**
     * Sends the pack's queued emails, oldest first. Each email is locked while it is sent (so two deliverers never
     * send it twice) and marked sent in the same transaction. An SMTP failure leaves it queued and fails the attempt:
     * Temporal retries later, and the emails go out in order once the server is back.
     */
    async deliverPackEmails(a: { packId: string }): Promise<{ sent: number }> {
      let sent = 0;
      for (let i = 0; i < 200; i++) {
        if ((await deliverNext(a.packId)) === 'none') return { sent };
        sent++;
      }
      return { sent };
    },

    /**
     * Refunds a payment once per business key: by Stripe for a card (idempotency key derived from the key, not from
     * the workflow run), by a task for the provider for a bank transfer. A refund Stripe refuses for good becomes a
     * task for the provider too: money is never lost track of.
     */
    async refundPayment(a: RefundRequest): Promise<RefundOutcome> {
      return refundOnce({ pool, stripe }, a);
    },

    /**
     * Issues an invoice or a credit note once per business event (its key), numbered without gaps and stored with its
     * PDF/A-3 (src/activities/documents.ts). Every later call with that key answers the same document.
     */
    async issueDocument(a: DocumentRequest): Promise<IssuedDocument> {
      return documents.issueDocument(a);
    },
  };
}
