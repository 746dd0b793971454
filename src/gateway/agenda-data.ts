/**
 * The provider's working day in PostgreSQL (part of the gateway's data module, src/gateway/data.ts): the sessions of
 * a week, what waits on the provider, and a month's figures — all read from the packs' projection tables (pack,
 * booking, payment, refund, pack_event, provider_task).
 */
import type { Pool } from 'pg';
import type { BookingStatus } from '../shared/policy';
import { REFUND_TASK_KINDS } from '../infra/refunds';

export interface AgendaSession {
  bookingId: string;
  packId: string;
  packCode: string;
  packStatus: string;
  start: Date;
  end: Date;
  hours: number;
  status: BookingStatus;
  penaltyWaived: boolean;
  customerName: string;
  /** The session's own Zoom meeting (when Zoom is configured and it was made), else null: the fixed link. */
  joinUrl: string | null;
}

export interface TransferAwaited {
  packId: string;
  packCode: string;
  customerName: string;
  priceCents: number;
  paidCents: number;
  bankReference: string;
  orderedAt: Date;
  paymentDeadline: Date;
}

export interface PackExpiring {
  packId: string;
  packCode: string;
  customerName: string;
  expiresAt: Date;
  hoursAvailable: number;
}

/** A month's figures, in hours and cents. */
export interface MonthFigures {
  hoursSold: number;
  hoursHeld: number;
  /** Late cancellations and absences billed (a waived penalty is not). */
  hoursBilled: number;
  hoursLostAtExpiry: number;
  cashedCents: number;
  refundedCents: number;
}

const SESSION_COLUMNS = `b.id::text AS "bookingId", b.pack_id::text AS "packId", p.pack_code AS "packCode", p.status AS "packStatus",
  b.start, b."end", b.hours, b.status, b.penalty_waived AS "penaltyWaived", c.name AS "customerName",
  CASE WHEN z.deleted_at IS NULL THEN z.join_url END AS "joinUrl"`;
const SESSION_FROM = `booking b JOIN pack p ON p.id = b.pack_id JOIN customer c ON c.id = p.customer_id
  LEFT JOIN zoom_meeting z ON z.booking_id = b.id`;

export function createAgendaData(pool: Pool) {
  const all = async <T extends object>(sql: string, params: unknown[] = []): Promise<T[]> => (await pool.query<T>(sql, params)).rows;

  return {
    /** The sessions that meet [from, to), declined requests left out. */
    agendaSessions: (fromMs: number, toMs: number) =>
      all<AgendaSession>(
        `SELECT ${SESSION_COLUMNS} FROM ${SESSION_FROM}
          WHERE b.start < $2 AND b."end" > $1 AND b.status <> 'DECLINED' ORDER BY b.start`,
        [new Date(fromMs), new Date(toMs)],
      ),

    /** Requests the provider has not answered yet (on packs still open), soonest first. */
    bookingRequests: () =>
      all<AgendaSession>(
        `SELECT ${SESSION_COLUMNS} FROM ${SESSION_FROM}
          WHERE b.status = 'REQUESTED' AND p.status = 'ACTIVE' ORDER BY b.start LIMIT 100`,
      ),

    /** Orders by bank transfer still waiting for their money. */
    transfersAwaited: () =>
      all<TransferAwaited>(
        `SELECT p.id::text AS "packId", p.pack_code AS "packCode", c.name AS "customerName", p.price_cents AS "priceCents",
                p.paid_cents AS "paidCents", p.bank_reference AS "bankReference", p.ordered_at AS "orderedAt",
                p.payment_deadline AS "paymentDeadline"
           FROM pack p JOIN customer c ON c.id = p.customer_id
          WHERE p.status = 'AWAITING_PAYMENT' AND p.payment_method = 'bank_transfer' ORDER BY p.payment_deadline LIMIT 100`,
      ),

    /** Sessions begun whose absence can still be reported (up to `windowMs` after their end, on an open pack). */
    noShowReportable: (nowMs: number, windowMs: number) =>
      all<AgendaSession>(
        `SELECT ${SESSION_COLUMNS} FROM ${SESSION_FROM}
          WHERE b.status IN ('CONFIRMED', 'HELD') AND b.start <= $1 AND b."end" >= $2 AND p.status IN ('ACTIVE', 'USED_UP')
          ORDER BY b.start DESC LIMIT 100`,
        [new Date(nowMs), new Date(nowMs - windowMs)],
      ),

    /** Active packs that expire within `days` with hours still to book. */
    packsExpiringSoon: (nowMs: number, days: number) =>
      all<PackExpiring>(
        `SELECT p.id::text AS "packId", p.pack_code AS "packCode", c.name AS "customerName", p.expires_at AS "expiresAt",
                p.hours_available AS "hoursAvailable"
           FROM pack p JOIN customer c ON c.id = p.customer_id
          WHERE p.status = 'ACTIVE' AND p.hours_available > 0 AND p.expires_at <= $1 ORDER BY p.expires_at LIMIT 100`,
        [new Date(nowMs + days * 86_400_000)],
      ),

    /** A month's figures ([from, to) its first and next month's first instants in the business's zone). */
    async monthFigures(fromMs: number, toMs: number): Promise<MonthFigures> {
      const { rows } = await pool.query<MonthFigures>(
        `SELECT
           (SELECT COALESCE(sum(total_hours), 0)::int FROM pack WHERE paid_at >= $1 AND paid_at < $2) AS "hoursSold",
           (SELECT COALESCE(sum(hours), 0)::int FROM booking WHERE status = 'HELD' AND start >= $1 AND start < $2) AS "hoursHeld",
           (SELECT COALESCE(sum(hours), 0)::int FROM booking
             WHERE status IN ('LATE_CANCELLED', 'NO_SHOW') AND NOT penalty_waived AND start >= $1 AND start < $2) AS "hoursBilled",
           (SELECT COALESCE(sum((data->>'hoursLost')::int), 0)::int FROM pack_event
             WHERE type = 'PACK_EXPIRED' AND at >= $1 AND at < $2) AS "hoursLostAtExpiry",
           (SELECT COALESCE(sum(amount_cents), 0)::int FROM payment WHERE paid_at >= $1 AND paid_at < $2) AS "cashedCents",
           (SELECT COALESCE(sum(amount_cents), 0)::int FROM refund WHERE status = 'REFUNDED' AND created_at >= $1 AND created_at < $2)
             + (SELECT COALESCE(sum(amount_cents), 0)::int FROM provider_task
                 WHERE kind = ANY($3::text[]) AND done_at >= $1 AND done_at < $2) AS "refundedCents"`,
        [new Date(fromMs), new Date(toMs), [...REFUND_TASK_KINDS]],
      );
      return rows[0];
    },
  };
}

export type AgendaData = ReturnType<typeof createAgendaData>;
