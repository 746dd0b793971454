/**
 * The files an email carries. The outbox names them (`outbox_email.attachments`: `[{ kind, ref }]`) and the delivery
 * builds or loads them just before sending, so a queued email stays small and a retried delivery sends the same files:
 * - `cgv`: the terms of sale of that version, as kept whole in `cgv_version` (ref: the version the consents name);
 * - `order_recap`: the order with each acknowledgment ticked and its time, from the consent rows (ref: the pack);
 * - `withdrawal_form`: the withdrawal information and the model form (ref: the pack's `withdrawalAfterStart`);
 * - `document`: an issued invoice or credit note, its stored PDF (ref: the document's key).
 * The first three are the contract on a durable medium (Code de la consommation L221-13, issue 13 point 3). The CGV and
 * the form are the same for every client of a version and seller: each is rendered once per worker process.
 */
import type { Pool, PoolClient } from 'pg';
import { cgvPdf, orderRecapPdf, withdrawalFormPdf, type DocumentSeller, type WithdrawalAfterStart } from '../documents';
import { DEFAULT_CATALOG, isPackCode } from '../shared/catalog';
import type { PaymentMethod } from '../shared/pack';
import { withdrawalDeadlineOf } from '../shared/policy';

export type AttachmentRef =
  | { kind: 'cgv'; ref: string }
  | { kind: 'order_recap'; ref: string; withdrawalAfterStart?: WithdrawalAfterStart; withdrawalEndsAt?: string }
  | { kind: 'withdrawal_form'; ref: WithdrawalAfterStart }
  | { kind: 'document'; ref: string };

export interface MailAttachment {
  filename: string;
  content: Buffer;
  contentType: 'application/pdf';
}

/** The contract on a durable medium: what the first email after an order carries. */
export function contractAttachments(a: {
  packId: string;
  cgvVersion: string | null;
  withdrawalAfterStart: WithdrawalAfterStart;
  withdrawalEndsAt?: string;
}): AttachmentRef[] {
  return [
    ...(a.cgvVersion ? [{ kind: 'cgv' as const, ref: a.cgvVersion }] : []),
    {
      kind: 'order_recap',
      ref: a.packId,
      withdrawalAfterStart: a.withdrawalAfterStart,
      ...(a.withdrawalEndsAt ? { withdrawalEndsAt: a.withdrawalEndsAt } : {}),
    },
    { kind: 'withdrawal_form', ref: a.withdrawalAfterStart },
  ];
}

/**
 * Where the files are read from: the delivery's own transaction. A delivery holds its connection (and its email's
 * lock) until the email is sent, so asking the pool for a second one could leave every delivery waiting on the others.
 */
type Db = Pool | PoolClient;

/** Rendered once per key and process: a version of the CGV, the form of a withdrawal rule. */
const SHARED_LIMIT = 64;

export function createAttachments(deps: {
  seller: DocumentSeller;
  /** The seller's IBAN, quoted on a transfer order's recap. */
  iban: string;
  timezone: string;
  warn: (msg: string) => void;
}) {
  const { seller } = deps;
  const shared = new Map<string, Promise<Buffer | null>>();
  const once = (key: string, make: () => Promise<Buffer | null>): Promise<Buffer | null> => {
    let p = shared.get(key);
    if (!p) {
      if (shared.size >= SHARED_LIMIT) shared.clear();
      p = make();
      shared.set(key, p);
      // A failure (the database down) is not kept: the next delivery tries again.
      p.catch(() => shared.delete(key));
    }
    return p;
  };

  const cgv = (db: Db, version: string) =>
    once(`cgv:${version}`, async () => {
      const row = (
        await db.query<{ text: string; shownSince: Date }>('SELECT text, shown_since AS "shownSince" FROM cgv_version WHERE version = $1', [
          version,
        ])
      ).rows[0];
      if (!row) {
        // The gateway keeps every version it shows before an order names it: only a test's order can lack its text.
        deps.warn(`CGV version ${version} is not kept in cgv_version: the email goes without it`);
        return null;
      }
      return cgvPdf({ text: row.text, version, shownSince: row.shownSince.toISOString(), seller });
    });

  const form = (afterStart: WithdrawalAfterStart) =>
    // Its PDF dates are fixed, so every client gets the very same file.
    once(`form:${afterStart}`, () =>
      withdrawalFormPdf({ seller, withdrawalAfterStart: afterStart, createdAt: '2026-01-01T00:00:00.000Z' }),
    );

  async function recap(db: Db, a: Extract<AttachmentRef, { kind: 'order_recap' }>): Promise<Buffer> {
    const row = (
      await db.query<{
        packCode: string;
        quantity: number;
        totalHours: number;
        priceCents: number;
        paymentMethod: PaymentMethod;
        bankReference: string;
        orderedAt: Date;
        paymentDeadline: Date;
        name: string;
        email: string;
        phone: string | null;
        consents: Array<{ kind: string; wording: string; acceptedAt: string }>;
        cgvVersion: string | null;
        shownSince: Date | null;
      }>(
        `SELECT p.pack_code AS "packCode", p.quantity, p.total_hours AS "totalHours", p.price_cents AS "priceCents",
                p.payment_method AS "paymentMethod", p.bank_reference AS "bankReference", p.ordered_at AS "orderedAt",
                p.payment_deadline AS "paymentDeadline", c.name, c.email, c.phone,
                (SELECT coalesce(json_agg(json_build_object('kind', k.kind, 'wording', k.wording, 'acceptedAt', k.accepted_at) ORDER BY k.id), '[]')
                   FROM consent k WHERE k.pack_id = p.id) AS consents,
                k.cgv_version AS "cgvVersion", v.shown_since AS "shownSince"
           FROM pack p JOIN customer c ON c.id = p.customer_id
           LEFT JOIN consent k ON k.pack_id = p.id AND k.kind = 'cgv'
           LEFT JOIN cgv_version v ON v.version = k.cgv_version
          WHERE p.id = $1::uuid`,
        [a.ref],
      )
    ).rows[0];
    if (!row) throw new Error(`order recap: pack ${a.ref} is not in the database`);
    const withdrawalEndsAt =
      a.withdrawalEndsAt ??
      new Date(withdrawalDeadlineOf(row.orderedAt.getTime(), { withdrawalDays: 14, timezone: deps.timezone })).toISOString();
    return orderRecapPdf({
      seller,
      withdrawalAfterStart: a.withdrawalAfterStart ?? 'refused',
      consents: row.consents.map((k) => ({ kind: k.kind, wording: k.wording, acceptedAt: new Date(k.acceptedAt).toISOString() })),
      order: {
        reference: a.ref,
        orderedAt: row.orderedAt.toISOString(),
        client: { name: row.name, email: row.email, ...(row.phone ? { phone: row.phone } : {}) },
        pack: {
          label: isPackCode(row.packCode) ? DEFAULT_CATALOG[row.packCode].label : row.packCode,
          hoursPerUnit: row.totalHours / row.quantity,
        },
        quantity: row.quantity,
        totalCents: row.priceCents,
        paymentMethod: row.paymentMethod,
        paymentDeadline: row.paymentDeadline.toISOString(),
        ...(row.paymentMethod === 'bank_transfer' ? { bankTransfer: { iban: deps.iban, reference: row.bankReference } } : {}),
        withdrawalEndsAt,
        cgv: { version: row.cgvVersion ?? 'inconnue', ...(row.shownSince ? { shownSince: row.shownSince.toISOString() } : {}) },
      },
    });
  }

  async function document(db: Db, key: string): Promise<MailAttachment> {
    const row = (
      await db.query<{ number: string; pdf: Buffer }>(
        'SELECT i.number, f.pdf FROM invoice i JOIN invoice_pdf f ON f.number = i.number WHERE i.key = $1',
        [key],
      )
    ).rows[0];
    // Issued before the email that carries it is recorded: missing, the delivery is retried.
    if (!row) throw new Error(`document ${key} is not issued yet`);
    return { filename: `${row.number}.pdf`, content: row.pdf, contentType: 'application/pdf' };
  }

  const pdf = (filename: string, content: Buffer): MailAttachment => ({ filename, content, contentType: 'application/pdf' });

  async function file(db: Db, a: AttachmentRef): Promise<MailAttachment | null> {
    switch (a.kind) {
      case 'cgv': {
        const content = await cgv(db, a.ref);
        return content ? pdf(`conditions-generales-de-vente-${a.ref}.pdf`, content) : null;
      }
      case 'order_recap':
        return pdf(`recapitulatif-de-commande-${a.ref.slice(0, 8)}.pdf`, await recap(db, a));
      case 'withdrawal_form': {
        const content = await form(a.ref);
        return content ? pdf('information-et-formulaire-de-retractation.pdf', content) : null;
      }
      case 'document':
        return document(db, a.ref);
      default:
        return null;
    }
  }

  /** The files of an email, in the order it names them (one after the other: a connection runs one query at a time). */
  async function build(db: Db, refs: readonly AttachmentRef[]): Promise<MailAttachment[]> {
    const files: MailAttachment[] = [];
    for (const a of refs) {
      const f = await file(db, a);
      if (f) files.push(f);
    }
    return files;
  }

  return { build };
}
