/**
 * What the model asks the workflow to carry out, in order, through activities: timeline events (projected to
 * PostgreSQL with their emails, at most once per key), calendar releases, refunds, invoices and credit notes.
 */
import type { EmailTemplate } from '../../shared/emails';
import type { BookingView, PaymentView } from '../../shared/pack';

export interface EmailSpec {
  template: EmailTemplate;
  to: 'client' | 'provider';
}

export const toClient = (template: EmailTemplate): EmailSpec => ({ template, to: 'client' });
export const toProvider = (template: EmailTemplate): EmailSpec => ({ template, to: 'provider' });

/** A timeline event: projected to PostgreSQL with its emails, at most once per key. */
export interface PackEvent {
  seq: number;
  key: string;
  type: string;
  atMs: number;
  data: Record<string, unknown>;
  emails: EmailSpec[];
}

/** Work the workflow must carry out, in order, through activities. */
export type Effect =
  | { kind: 'event'; event: PackEvent }
  | { kind: 'releaseSlot'; slotId: string }
  | {
      kind: 'refund';
      key: string;
      method: PaymentView['method'];
      reference: string;
      amountCents: number;
      reason: string;
      /** When a refund that ends up a provider task (a bank transfer, a card refund Stripe refused) is due. */
      dueAtMs?: number;
    }
  | {
      kind: 'document';
      request: DocumentRequestFacts;
      /** Whether the client gets it by an email of its own (the payment's confirmation carries the pack's invoice). */
      notify: boolean;
    };

export type RefundEffect = Extract<Effect, { kind: 'refund' }>;
export type DocumentEffect = Extract<Effect, { kind: 'document' }>;

/**
 * An invoice or a credit note to issue once (src/activities/documents.ts `DocumentRequest`, less the pack id): the
 * facts of the business event, no personal data. `key` names the event (`invoice:<pack>`, `credit:<refund key>`).
 */
export interface DocumentRequestFacts {
  key: string;
  kind: 'invoice' | 'credit_note';
  paidAtMs: number;
  method: PaymentView['method'];
  reference?: string;
  amountCents: number;
  corrects?: string;
  reason?: string;
  refundDueAtMs?: number;
  hours?: number;
}

/**
 * The effects produced and not yet handed to the workflow. An event's key is `<seq>:<type>`, its sequence number
 * kept in the pack's data: keys go on rising across continue-as-new, so a retried recording never writes one twice.
 */
export class EffectQueue {
  private pending: Effect[] = [];

  constructor(private readonly counter: { seq: number }) {}

  event(type: string, nowMs: number, data: Record<string, unknown>, emails: EmailSpec[] = []): void {
    const seq = ++this.counter.seq;
    this.pending.push({ kind: 'event', event: { seq, key: `${seq}:${type}`, type, atMs: nowMs, data, emails } });
  }

  releaseSlot(slotId: string): void {
    this.pending.push({ kind: 'releaseSlot', slotId });
  }

  /** `key` is the refund's business reason and payment (`withdrawal:<payment key>`): Stripe's idempotency key. */
  refund(r: Omit<RefundEffect, 'kind'>): void {
    this.pending.push({
      kind: 'refund',
      key: r.key,
      method: r.method,
      reference: r.reference,
      amountCents: r.amountCents,
      reason: r.reason,
      ...(r.dueAtMs !== undefined ? { dueAtMs: r.dueAtMs } : {}),
    });
  }

  document(request: DocumentRequestFacts, notify: boolean): void {
    this.pending.push({ kind: 'document', request, notify });
  }

  take(): Effect[] {
    return this.pending.splice(0);
  }
}

/** The SEQUENCE of the booking's invite; a booking carried from before it had one uses its revision, as its invites did. */
export function inviteSequence(b: BookingView): number {
  return b.sequence ?? b.revision;
}

/** The facts of a booking that its timeline events (and their emails and invites) carry. */
export function bookingData(b: BookingView): Record<string, unknown> {
  return {
    bookingId: b.id,
    start: b.start,
    end: b.end,
    hours: b.hours,
    revision: b.revision,
    sequence: inviteSequence(b),
    status: b.status,
  };
}
