/**
 * Everything the gateway reads from or writes to PostgreSQL, in one style: plain SQL on Prisma's pg pool, typed rows.
 * (Prisma's query compiler cost the order path most of its CPU: README "Performance".) Writes that belong to a pack
 * go through its workflow and activities; what is here is the order itself, the Checkout and webhook bookkeeping,
 * the provider's settings, logins and the personal-data requests.
 */
import type { Pool, PoolClient } from 'pg';
import type { PackOffer } from '../shared/catalog';
import type { PaymentMethod } from '../shared/pack';
import type { Availability } from '../shared/policy';
import { readAvailability, saveAvailability } from '../infra/availability';
import { inTransaction } from '../infra/database';
import { markRefundPaid, REFUND_TASK_KINDS } from '../infra/refunds';
import { createAgendaData } from './agenda-data';
import { createCalendarData } from './calendar/data';

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

// ------------------------------------------------------------------------------------------- rows

/** A pack as the order made it (written once, by the order). */
export interface OrderRow {
  id: string;
  customerId: string;
  packCode: string;
  quantity: number;
  totalHours: number;
  sessionHours: number;
  breakMinutes: number;
  priceCents: number;
  paymentMethod: PaymentMethod;
  bankReference: string;
  status: string;
  orderedAt: Date;
  paymentDeadline: Date;
  checkoutSessionId: string | null;
  checkoutUrl: string | null;
  checkoutCount: number;
  orderFingerprint: string | null;
}

const ORDER_COLUMNS = `p.id::text, p.customer_id::text AS "customerId", p.pack_code AS "packCode", p.quantity, p.total_hours AS "totalHours",
  p.session_hours AS "sessionHours", p.break_minutes AS "breakMinutes", p.price_cents AS "priceCents", p.payment_method AS "paymentMethod",
  p.bank_reference AS "bankReference", p.status, p.ordered_at AS "orderedAt", p.payment_deadline AS "paymentDeadline",
  p.checkout_session_id AS "checkoutSessionId", p.checkout_url AS "checkoutUrl", p.checkout_count AS "checkoutCount",
  p.order_fingerprint AS "orderFingerprint"`;

export interface Customer {
  id: string;
  name: string;
  email: string;
  phone: string | null;
  erasedAt: Date | null;
}

export interface PackWithCustomer extends OrderRow {
  project: string | null;
  customer: Customer;
}

/** One line of the provider's list of packs (`GET /api/admin/packs`, the dashboard). */
export interface PackListItem {
  packId: string;
  packCode: string;
  status: string;
  customer: { name: string; email: string };
  orderedAt: string;
  paidAt: string | null;
  expiresAt: string | null;
  priceCents: number;
  paymentMethod: string;
  bankReference: string;
  hours: { total: number; used: number; forfeited: number; reserved: number; available: number };
}

export interface TimelineEvent {
  at: Date;
  type: string;
  data: Record<string, unknown>;
}

export interface OutboxRow {
  id: string;
  packId: string | null;
  template: string;
  to: string;
  subject: string;
  status: string;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  sentAt: Date | null;
}

export interface ProviderTaskRow {
  key: string;
  packId: string | null;
  kind: string;
  amountCents: number | null;
  details: Record<string, unknown>;
  createdAt: Date;
}

/** An issued invoice or credit note, as lists and the sales journal show it (its amounts are the document's own). */
export interface DocumentRow {
  number: string;
  kind: 'invoice' | 'credit_note';
  packId: string;
  issuedAt: Date;
  /** A credit note: the invoice it corrects. */
  corrects: string | null;
  buyerName: string;
  exclVatCents: number;
  vatCents: number;
  inclVatCents: number;
  paymentMethod: PaymentMethod;
  paymentReference: string | null;
}

/** One month of documents (in the business's time zone), credit notes counted negative. */
export interface DocumentMonth {
  month: string;
  invoices: number;
  creditNotes: number;
  exclVatCents: number;
  vatCents: number;
  inclVatCents: number;
}

const DOCUMENT_COLUMNS = `i.number, i.kind, i.pack_id::text AS "packId", i.issued_at AS "issuedAt", i.corrects, i.buyer_name AS "buyerName",
  i.excl_vat_cents AS "exclVatCents", i.vat_cents AS "vatCents", i.incl_vat_cents AS "inclVatCents",
  i.payment_method AS "paymentMethod", i.payment_reference AS "paymentReference"`;

export interface NewOrder {
  packId: string;
  customerId: string;
  orderKey: string;
  offer: PackOffer;
  quantity: number;
  customer: {
    name: string;
    email: string;
    phone: string | null;
    billingAddress: string | null;
    business: { name: string; siren: string } | null;
  };
  paymentMethod: PaymentMethod;
  project: string | null;
  bankReference: string;
  /** What the order asked for, hashed (`orderFingerprint`). */
  fingerprint: string;
  at: Date;
  paymentDeadline: Date;
  consent: { ip: string; userAgent: string; cgvVersion: string; kinds: string[]; wordings: string[] };
}

// ------------------------------------------------------------------------------------------- the module

/** The CGV versions already kept in each database this process talks to (one insert per version and process). */
const keptCgvVersions = new WeakMap<Pool, Set<string>>();

export function createGatewayData(pool: Pool) {
  const keptCgv = keptCgvVersions.get(pool) ?? new Set<string>();
  keptCgvVersions.set(pool, keptCgv);
  const one = async <T extends object>(sql: string, params: unknown[]): Promise<T | undefined> =>
    (await pool.query<T>(sql, params)).rows[0];
  const all = async <T extends object>(sql: string, params: unknown[] = []): Promise<T[]> => (await pool.query<T>(sql, params)).rows;

  return {
    pool,
    /** The provider's week, pending actions and month (src/gateway/agenda-data.ts). */
    ...createAgendaData(pool),
    /** The sessions feed and the provider's own calendar (src/gateway/calendar/data.ts). */
    ...createCalendarData(pool),

    /** Reachability, for /health. */
    async ping(): Promise<void> {
      await pool.query('SELECT 1');
    },

    // ----------------------------------------------------------------------------------------- orders

    /** The customer, the pack and the consents, in one statement: all of them or none (a duplicate key fails it whole). */
    async insertOrder(o: NewOrder): Promise<OrderRow> {
      const hours = o.offer.hours * o.quantity;
      const { rows } = await pool.query<OrderRow>(
        `WITH c AS (
           INSERT INTO customer (id, name, email, phone, billing_address, business_name, business_siren)
           VALUES ($1::uuid, $2, $3, $4, $24, $25, $26) RETURNING id
         ), p AS (
           INSERT INTO pack (id, customer_id, order_key, pack_code, quantity, total_hours, session_hours, break_minutes, price_cents, currency,
                             payment_method, bank_reference, project, status, ordered_at, payment_deadline, hours_available, updated_at,
                             order_fingerprint)
           SELECT $5::uuid, c.id, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 'AWAITING_PAYMENT', $17, $18, $9, now(), $27 FROM c
           RETURNING *
         ), k AS (
           INSERT INTO consent (customer_id, pack_id, kind, wording, accepted_at, ip, user_agent, cgv_version)
           SELECT p.customer_id, p.id, x.kind, x.wording, $17, $19, $20, $21 FROM p, unnest($22::text[], $23::text[]) AS x(kind, wording)
         )
         SELECT ${ORDER_COLUMNS} FROM p`,
        [
          o.customerId,
          o.customer.name,
          o.customer.email,
          o.customer.phone,
          o.packId,
          o.orderKey,
          o.offer.code,
          o.quantity,
          hours,
          o.offer.sessionHours,
          o.offer.breakMinutes,
          o.offer.priceCents * o.quantity,
          o.offer.currency,
          o.paymentMethod,
          o.bankReference,
          o.project,
          o.at,
          o.paymentDeadline,
          o.consent.ip,
          o.consent.userAgent,
          o.consent.cgvVersion,
          o.consent.kinds,
          o.consent.wordings,
          o.customer.billingAddress,
          o.customer.business?.name ?? null,
          o.customer.business?.siren ?? null,
          o.fingerprint,
        ],
      );
      return rows[0];
    },

    orderByKey: (orderKey: string) => one<OrderRow>(`SELECT ${ORDER_COLUMNS} FROM pack p WHERE p.order_key = $1`, [orderKey]),

    order: (packId: string) => one<OrderRow>(`SELECT ${ORDER_COLUMNS} FROM pack p WHERE p.id = $1::uuid`, [packId]),

    async packWithCustomer(packId: string): Promise<PackWithCustomer | undefined> {
      const row = await one<OrderRow & { project: string | null; customer: Customer }>(
        `SELECT ${ORDER_COLUMNS}, p.project,
                json_build_object('id', c.id, 'name', c.name, 'email', c.email, 'phone', c.phone, 'erasedAt', c.erased_at) AS customer
           FROM pack p JOIN customer c ON c.id = p.customer_id WHERE p.id = $1::uuid`,
        [packId],
      );
      if (!row) return undefined;
      const erasedAt = row.customer.erasedAt as unknown as string | null;
      return { ...row, customer: { ...row.customer, erasedAt: erasedAt ? new Date(erasedAt) : null } };
    },

    /** The latest packs of a client (the magic-link request), newest first. */
    packsOfEmail: (email: string, limit: number) =>
      all<{ id: string; email: string }>(
        `SELECT p.id::text, c.email FROM pack p JOIN customer c ON c.id = p.customer_id
          WHERE c.email = $1 AND c.erased_at IS NULL ORDER BY p.ordered_at DESC LIMIT $2`,
        [email, limit],
      ),

    async listPacks(q: { status?: string; expiringWithinDays?: number; limit?: number }): Promise<PackListItem[]> {
      const soon = q.expiringWithinDays ? new Date(Date.now() + q.expiringWithinDays * 86_400_000) : null;
      const rows = await all<{
        id: string;
        pack_code: string;
        status: string;
        name: string;
        email: string;
        ordered_at: Date;
        paid_at: Date | null;
        expires_at: Date | null;
        price_cents: number;
        payment_method: string;
        bank_reference: string;
        total_hours: number;
        hours_used: number;
        hours_forfeited: number;
        hours_reserved: number;
        hours_available: number;
      }>(
        `SELECT p.id::text, p.pack_code, p.status, c.name, c.email, p.ordered_at, p.paid_at, p.expires_at, p.price_cents, p.payment_method,
                p.bank_reference, p.total_hours, p.hours_used, p.hours_forfeited, p.hours_reserved, p.hours_available
           FROM pack p JOIN customer c ON c.id = p.customer_id
          WHERE ($1::text IS NULL OR p.status = $1) AND ($2::timestamptz IS NULL OR (p.status = 'ACTIVE' AND p.expires_at <= $2))
          ORDER BY p.ordered_at DESC LIMIT $3`,
        [soon ? null : (q.status ?? null), soon, q.limit ?? 500],
      );
      return rows.map((p) => ({
        packId: p.id,
        packCode: p.pack_code,
        status: p.status,
        customer: { name: p.name, email: p.email },
        orderedAt: p.ordered_at.toISOString(),
        paidAt: iso(p.paid_at),
        expiresAt: iso(p.expires_at),
        priceCents: p.price_cents,
        paymentMethod: p.payment_method,
        bankReference: p.bank_reference,
        hours: {
          total: p.total_hours,
          used: p.hours_used,
          forfeited: p.hours_forfeited,
          reserved: p.hours_reserved,
          available: p.hours_available,
        },
      }));
    },

    timeline: (packId: string) =>
      all<TimelineEvent>('SELECT at, type, data FROM pack_event WHERE pack_id = $1::uuid ORDER BY id', [packId]),

    /**
     * Reserved ranges of the provider's calendar (buffer included) that meet [from, to), but those of `exceptBooking`,
     * and the busy times of the provider's own calendar (also those behind a session, which its release uncovers).
     */
    async busyRanges(fromMs: number, toMs: number, exceptBooking?: string): Promise<Array<[number, number]>> {
      const rows = await all<{ lo: Date; hi: Date }>(
        `SELECT lower(during) AS lo, upper(during) AS hi FROM calendar_slot
          WHERE released_at IS NULL AND during && tstzrange($1::timestamptz, $2::timestamptz)
            AND ($3::uuid IS NULL OR booking_id IS DISTINCT FROM $3::uuid)
         UNION ALL
         SELECT lower(r), upper(r) FROM unnest(calendar_busy_held(tstzrange($1::timestamptz, $2::timestamptz))) AS r`,
        [new Date(fromMs), new Date(toMs), exceptBooking ?? null],
      );
      return rows.map((r) => [r.lo.getTime(), r.hi.getTime()]);
    },

    /** Keeps a version of the CGV whole, once (the first time it is shown or accepted). */
    async keepCgvVersion(version: string, text: string): Promise<void> {
      if (keptCgv.has(version)) return;
      await pool.query('INSERT INTO cgv_version (version, text) VALUES ($1, $2) ON CONFLICT (version) DO NOTHING', [version, text]);
      keptCgv.add(version);
    },

    cgvVersion: (version: string) =>
      one<{ version: string; text: string; shownSince: Date }>(
        'SELECT version, text, shown_since AS "shownSince" FROM cgv_version WHERE version = $1',
        [version],
      ),

    // ----------------------------------------------------------------------------------------- card payments

    /** What a Checkout session needs: the order and the client's email. */
    checkoutTarget: (packId: string) =>
      one<OrderRow & { email: string }>(
        `SELECT ${ORDER_COLUMNS}, c.email FROM pack p JOIN customer c ON c.id = p.customer_id WHERE p.id = $1::uuid`,
        [packId],
      ),

    /** The order's open Checkout session, if it has one still valid for a while. */
    openCheckout: (packId: string) =>
      one<{ id: string; url: string }>(
        `SELECT id, url FROM checkout_session WHERE pack_id = $1::uuid AND closed_at IS NULL AND expires_at > now() + interval '5 minutes'
          ORDER BY created_at DESC LIMIT 1`,
        [packId],
      ),

    async recordCheckout(s: { packId: string; sessionId: string; url: string; count: number; expiresAt: Date }): Promise<void> {
      await inTransaction(pool, async (c) => {
        await c.query(
          'INSERT INTO checkout_session (id, pack_id, url, expires_at) VALUES ($1, $2::uuid, $3, $4) ON CONFLICT (id) DO NOTHING',
          [s.sessionId, s.packId, s.url, s.expiresAt],
        );
        await c.query(
          'UPDATE pack SET checkout_session_id = $2, checkout_url = $3, checkout_count = $4, updated_at = now() WHERE id = $1::uuid',
          [s.packId, s.sessionId, s.url, s.count],
        );
      });
    },

    /** The pack a Checkout session was made for (undefined: not one of ours). */
    checkoutSession: (sessionId: string) =>
      one<{ packId: string }>('SELECT pack_id::text AS "packId" FROM checkout_session WHERE id = $1', [sessionId]),

    async forgetCheckout(packId: string, sessionId: string): Promise<void> {
      await pool.query('UPDATE checkout_session SET closed_at = COALESCE(closed_at, now()) WHERE id = $1', [sessionId]);
      await pool.query('UPDATE pack SET checkout_url = NULL, updated_at = now() WHERE id = $1::uuid AND checkout_session_id = $2', [
        packId,
        sessionId,
      ]);
    },

    /** Records a Stripe event before it is processed; false when this event id was already received. */
    async receiveStripeEvent(e: { id: string; type: string }, payload: string): Promise<boolean> {
      const r = await pool.query(
        `INSERT INTO stripe_event (id, type, status, payload) VALUES ($1, $2, 'RECEIVED', $3::jsonb) ON CONFLICT (id) DO NOTHING`,
        [e.id, e.type, payload],
      );
      return (r.rowCount ?? 0) > 0;
    },

    async settleStripeEvent(id: string, outcome: string, packId: string | null): Promise<void> {
      await pool.query('UPDATE stripe_event SET status = $2, pack_id = $3::uuid WHERE id = $1', [id, outcome, packId]);
    },

    /** Processing failed: Stripe's retry will process the event again. */
    async forgetStripeEvent(id: string): Promise<void> {
      await pool.query('DELETE FROM stripe_event WHERE id = $1', [id]);
    },

    async noteProviderTask(t: {
      key: string;
      packId: string;
      kind: string;
      amountCents: number;
      details: Record<string, unknown>;
    }): Promise<void> {
      await pool.query(
        `INSERT INTO provider_task (key, pack_id, kind, amount_cents, details) VALUES ($1, $2::uuid, $3, $4, $5::jsonb) ON CONFLICT (key) DO NOTHING`,
        [t.key, t.packId, t.kind, t.amountCents, JSON.stringify(t.details)],
      );
    },

    // ----------------------------------------------------------------------------------------- the provider

    availability: (): Promise<Availability> => readAvailability(pool),
    saveAvailability: (a: Availability): Promise<void> => saveAvailability(pool, a),

    openTasks: (limit = 50) =>
      all<ProviderTaskRow>(
        `SELECT key, pack_id::text AS "packId", kind, amount_cents AS "amountCents", details, created_at AS "createdAt"
           FROM provider_task WHERE done_at IS NULL ORDER BY created_at DESC LIMIT $1`,
        [limit],
      ),

    outbox: (q: { status?: 'PENDING' | 'SENT'; limit?: number } = {}) =>
      all<OutboxRow>(
        `SELECT id::text, pack_id::text AS "packId", template, to_address AS "to", subject, status, attempts, last_error AS "lastError",
                created_at AS "createdAt", sent_at AS "sentAt"
           FROM outbox_email WHERE ($1::text IS NULL OR status = $1) ORDER BY id DESC LIMIT $2`,
        [q.status ?? null, q.limit ?? 200],
      ),

    /** Failed logins since `sinceMs`, from one address or (`ip` null) from every address. */
    async recentLoginFailures(ip: string | null, sinceMs: number): Promise<number> {
      const r = await one<{ n: number }>(
        'SELECT count(*)::int AS n FROM login_attempt WHERE ($1::text IS NULL OR ip = $1) AND NOT succeeded AND at >= $2',
        [ip, new Date(sinceMs)],
      );
      return r?.n ?? 0;
    },

    async recordLogin(ip: string, succeeded: boolean): Promise<void> {
      await pool.query('INSERT INTO login_attempt (ip, succeeded) VALUES ($1, $2)', [ip, succeeded]);
    },

    // ----------------------------------------------------------------------------------------- personal data

    /** Everything held about a client in PostgreSQL (the workflow states are added by the caller). */
    async customerRecords(customerId: string) {
      const customer = await one<Customer & { createdAt: Date }>(
        `SELECT id::text, name, email, phone, created_at AS "createdAt", erased_at AS "erasedAt" FROM customer WHERE id = $1::uuid`,
        [customerId],
      );
      if (!customer) return undefined;
      const [consents, packs, bookings, events, payments, emails] = await Promise.all([
        all(
          `SELECT id::text, pack_id::text AS "packId", kind, wording, accepted_at AS "acceptedAt", ip, user_agent AS "userAgent", cgv_version AS "cgvVersion"
             FROM consent WHERE customer_id = $1::uuid ORDER BY id`,
          [customerId],
        ),
        all<{ id: string } & Record<string, unknown>>(
          `SELECT id::text, pack_code AS "packCode", quantity, total_hours AS "totalHours", price_cents AS "priceCents", currency,
                  payment_method AS "paymentMethod", bank_reference AS "bankReference", project, status, ordered_at AS "orderedAt",
                  payment_deadline AS "paymentDeadline", paid_at AS "paidAt", paid_cents AS "paidCents", expires_at AS "expiresAt",
                  hours_used AS "hoursUsed", hours_forfeited AS "hoursForfeited", hours_reserved AS "hoursReserved",
                  hours_available AS "hoursAvailable", closed_at AS "closedAt"
             FROM pack WHERE customer_id = $1::uuid ORDER BY ordered_at`,
          [customerId],
        ),
        all<{ packId: string } & Record<string, unknown>>(
          `SELECT b.id::text, b.pack_id::text AS "packId", b.start, b."end", b.hours, b.status, b.penalty_waived AS "penaltyWaived", b.revision
             FROM booking b JOIN pack p ON p.id = b.pack_id WHERE p.customer_id = $1::uuid ORDER BY b.start`,
          [customerId],
        ),
        all<{ packId: string } & Record<string, unknown>>(
          `SELECT e.pack_id::text AS "packId", e.at, e.type, e.data FROM pack_event e JOIN pack p ON p.id = e.pack_id
            WHERE p.customer_id = $1::uuid ORDER BY e.id`,
          [customerId],
        ),
        all<{ packId: string } & Record<string, unknown>>(
          `SELECT y.pack_id::text AS "packId", y.method, y.amount_cents AS "amountCents", y.reference, y.paid_at AS "paidAt", y.outcome
             FROM payment y JOIN pack p ON p.id = y.pack_id WHERE p.customer_id = $1::uuid ORDER BY y.id`,
          [customerId],
        ),
        all(
          `SELECT o.to_address AS "to", o.subject, o.text_body AS "text", o.status, o.created_at AS "createdAt", o.sent_at AS "sentAt"
             FROM outbox_email o JOIN pack p ON p.id = o.pack_id WHERE p.customer_id = $1::uuid ORDER BY o.id`,
          [customerId],
        ),
      ]);
      const ofPack = <T extends { packId: string }>(rows: T[], packId: string) => rows.filter((r) => r.packId === packId);
      return {
        customer,
        consents,
        packs: packs.map((p) => ({
          ...p,
          bookings: ofPack(bookings, p.id),
          events: ofPack(events, p.id),
          payments: ofPack(payments, p.id),
        })),
        emails,
      };
    },

    /** When the pack's access tokens were revoked, if ever (undefined: no such pack). */
    /**
     * The client signs out everywhere: every access token and link of the pack issued until now is refused, and every
     * portal session open on it (other browsers, other devices) ends.
     */
    async revokePackAccess(packId: string): Promise<void> {
      await inTransaction(pool, async (c) => {
        await c.query('UPDATE pack SET tokens_revoked_at = now(), updated_at = now() WHERE id = $1::uuid', [packId]);
        await c.query(`DELETE FROM http_session WHERE sess->'portal'->>'packId' = $1`, [packId]);
      });
    },

    /** A session's own Zoom meeting link, if it has one (else the fixed ZOOM_MEETING_URL stands in). */
    async meetingLink(bookingId: string): Promise<string | null> {
      if (!/^[0-9a-f-]{36}$/i.test(bookingId)) return null;
      const r = await one<{ url: string | null }>(
        'SELECT join_url AS url FROM zoom_meeting WHERE booking_id = $1::uuid AND deleted_at IS NULL',
        [bookingId],
      );
      return r?.url ?? null;
    },

    async tokensRevokedAt(packId: string): Promise<Date | null | undefined> {
      const r = await one<{ revoked: Date | null }>('SELECT tokens_revoked_at AS revoked FROM pack WHERE id = $1::uuid', [packId]);
      return r ? r.revoked : undefined;
    },

    async correctCustomer(customerId: string, c: { name: string; phone: string | null }): Promise<void> {
      await pool.query('UPDATE customer SET name = $2, phone = $3 WHERE id = $1::uuid AND erased_at IS NULL', [
        customerId,
        c.name,
        c.phone,
      ]);
    },

    customerEmail: async (customerId: string) =>
      (await one<{ email: string }>('SELECT email FROM customer WHERE id = $1::uuid AND erased_at IS NULL', [customerId]))?.email,

    async changeCustomerEmail(customerId: string, email: string): Promise<boolean> {
      const r = await pool.query('UPDATE customer SET email = $2 WHERE id = $1::uuid AND erased_at IS NULL', [customerId, email]);
      return (r.rowCount ?? 0) > 0;
    },

    /** The packs of a client (to stop their workflows before erasure). */
    packIdsOfCustomer: async (customerId: string) =>
      (await all<{ id: string }>('SELECT id::text FROM pack WHERE customer_id = $1::uuid', [customerId])).map((r) => r.id),

    /**
     * Erasure: personal data removed from every table that holds it, in one transaction; the records a business must
     * keep (amounts, dates, references) stay.
     */
    async eraseCustomer(customerId: string): Promise<void> {
      await inTransaction(pool, async (c: PoolClient) => {
        // Withdrawals sent from the site's form name the client in their details: they go (the pack keeps its own record).
        await c.query(
          `DELETE FROM provider_task WHERE kind = 'WITHDRAWAL_REQUEST' AND details->>'email' = (SELECT email FROM customer WHERE id = $1::uuid)`,
          [customerId],
        );
        // Stripe's events that matched no pack (UNMATCHED) may still name the client: those that carry their address or
        // their name go (a name of fewer than 4 characters would match too much to say it is theirs).
        await c.query(
          `UPDATE stripe_event e SET payload = '{"erased": true}'::jsonb
             FROM customer cu
            WHERE cu.id = $1::uuid AND e.pack_id IS NULL
              AND (strpos(lower(e.payload::text), lower(cu.email)) > 0
                   OR (length(cu.name) >= 4 AND strpos(lower(e.payload::text), lower(cu.name)) > 0))`,
          [customerId],
        );
        // The invoices and credit notes keep the buyer as they were issued to: retained by law, never changed.
        await c.query(
          `UPDATE customer SET name = 'Client effacé', email = 'efface+' || id || '@invalid', phone = NULL, billing_address = NULL,
                  business_name = NULL, business_siren = NULL, erased_at = now() WHERE id = $1::uuid`,
          [customerId],
        );
        await c.query(`UPDATE consent SET ip = '0.0.0.0', user_agent = 'effacé' WHERE customer_id = $1::uuid`, [customerId]);
        await c.query('UPDATE pack SET project = NULL, updated_at = now() WHERE customer_id = $1::uuid', [customerId]);
        await c.query(
          `UPDATE outbox_email SET to_address = 'efface@invalid', subject = '(effacé)', text_body = '', html_body = '', ics_body = NULL
            WHERE pack_id IN (SELECT id FROM pack WHERE customer_id = $1::uuid)`,
          [customerId],
        );
        // Every way into the client's packs ends: their access tokens and their portal sessions.
        await c.query('UPDATE pack SET tokens_revoked_at = now() WHERE customer_id = $1::uuid', [customerId]);
        await c.query(
          `DELETE FROM http_session WHERE sess->'portal'->>'packId' IN (SELECT id::text FROM pack WHERE customer_id = $1::uuid)`,
          [customerId],
        );
        await c.query(
          `UPDATE stripe_event SET payload = '{"erased": true}'::jsonb WHERE pack_id IN (SELECT id FROM pack WHERE customer_id = $1::uuid)`,
          [customerId],
        );
      });
    },

    // ----------------------------------------------------------------------------------------- invoices (issue 14)
    // Read only: documents are issued by the packs' workflows (src/activities/documents.ts) and never changed.

    /** A pack's documents, oldest first. */
    documentsOfPack: (packId: string) =>
      all<DocumentRow>(`SELECT ${DOCUMENT_COLUMNS} FROM invoice i WHERE i.pack_id = $1::uuid ORDER BY i.issued_at, i.number`, [packId]),

    /** Every document issued in [from, to), in the order of the series (date, then number). */
    documentsBetween: (fromMs: number | null, toMs: number | null, limit = 10_000) =>
      all<DocumentRow>(
        `SELECT ${DOCUMENT_COLUMNS} FROM invoice i
          WHERE ($1::timestamptz IS NULL OR i.issued_at >= $1) AND ($2::timestamptz IS NULL OR i.issued_at < $2)
          ORDER BY i.issued_at, i.kind, i.number LIMIT $3`,
        [fromMs === null ? null : new Date(fromMs), toMs === null ? null : new Date(toMs), limit],
      ),

    /** A document's PDF as issued; with `packId`, only if it is that pack's (a foreign number is as unknown). */
    documentPdf: (number: string, packId: string | null) =>
      one<{ number: string; pdf: Buffer }>(
        `SELECT i.number, f.pdf FROM invoice i JOIN invoice_pdf f ON f.number = i.number
          WHERE i.number = $1 AND ($2::uuid IS NULL OR i.pack_id = $2::uuid)`,
        [number, packId],
      ),

    /** The months that have documents, newest first, with their totals (credit notes negative). */
    documentMonths: (zone: string, limit = 36) =>
      all<DocumentMonth>(
        `SELECT to_char(issued_at AT TIME ZONE $1, 'YYYY-MM') AS month,
                count(*) FILTER (WHERE kind = 'invoice')::int AS invoices, count(*) FILTER (WHERE kind = 'credit_note')::int AS "creditNotes",
                sum(CASE kind WHEN 'invoice' THEN excl_vat_cents ELSE -excl_vat_cents END)::int AS "exclVatCents",
                sum(CASE kind WHEN 'invoice' THEN vat_cents ELSE -vat_cents END)::int AS "vatCents",
                sum(CASE kind WHEN 'invoice' THEN incl_vat_cents ELSE -incl_vat_cents END)::int AS "inclVatCents"
           FROM invoice GROUP BY 1 ORDER BY 1 DESC LIMIT $2`,
        [zone, limit],
      ),

    // ----------------------------------------------------------------------------------------- refunds due (issue 13)

    /**
     * The provider's « À faire »: open tasks, the refunds owed by transfer first, soonest due first (then the newest).
     * A refund task's `refundKey` is what `markRefundPaid` takes.
     */
    pendingActions: (limit = 50) =>
      all<PendingAction>(
        `SELECT key, pack_id::text AS "packId", kind, amount_cents AS "amountCents", details, created_at AS "createdAt", due_at AS "dueAt",
                CASE WHEN kind = ANY($2::text[]) AND key LIKE 'refund:%' THEN substr(key, 8) END AS "refundKey"
           FROM provider_task WHERE done_at IS NULL
          ORDER BY due_at ASC NULLS LAST, created_at DESC LIMIT $1`,
        [limit, [...REFUND_TASK_KINDS]],
      ),

    /** The provider made a refund owed by transfer (its task leaves « À faire »); undefined for an unknown refund. */
    markRefundPaid: (refundKey: string) => markRefundPaid(pool, refundKey),

    // ----------------------------------------------------------------------------------------- withdrawals sent online

    /**
     * A withdrawal sent from the site's form (L221-21): a task for the provider, who records it on the pack with the
     * date it was received; the pack is the latest open one of that email address, when there is one.
     */
    async recordWithdrawalRequest(w: {
      receivedAt: Date;
      name: string;
      email: string;
      address: string;
      orderedOn: string;
    }): Promise<{ packId: string | null }> {
      const r = await one<{ pack_id: string | null }>(
        `WITH p AS (
           SELECT p.id FROM pack p JOIN customer c ON c.id = p.customer_id
            WHERE c.email = $2 AND c.erased_at IS NULL AND p.status IN ('AWAITING_PAYMENT', 'ACTIVE')
            ORDER BY p.ordered_at DESC LIMIT 1
         )
         INSERT INTO provider_task (key, pack_id, kind, details, created_at)
         SELECT $1, (SELECT id FROM p), 'WITHDRAWAL_REQUEST', $3::jsonb, $4
         RETURNING pack_id::text`,
        [
          `withdrawal-request:${w.receivedAt.getTime()}:${w.email}`,
          w.email,
          JSON.stringify({
            name: w.name,
            email: w.email,
            address: w.address,
            orderedOn: w.orderedOn,
            receivedAt: w.receivedAt.toISOString(),
          }),
          w.receivedAt,
        ],
      );
      return { packId: r?.pack_id ?? null };
    },
  };
}

export type GatewayData = ReturnType<typeof createGatewayData>;

/** An open task of the provider's « À faire » list. */
export interface PendingAction extends ProviderTaskRow {
  /** A refund owed by bank transfer must be made before this (L221-24 for a withdrawal). */
  dueAt: Date | null;
  /** Set for a refund the provider makes by transfer and marks paid. */
  refundKey: string | null;
}
