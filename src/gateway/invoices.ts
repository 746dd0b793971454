/**
 * The invoices and credit notes as the gateway shows them (issue 14, point 5): the JSON lists of the API, the PDF as
 * issued, the accountant's monthly sales journal (CSV) and the months of the dashboard. Documents are only read here:
 * the packs' workflows issue them (src/activities/documents.ts) and PostgreSQL keeps them unchanged.
 */
import type { Response } from 'express';
import { DateTime } from 'luxon';
import { z } from 'zod';
import type { GatewayContext } from './context';
import type { DocumentRow } from './data';
import { ApiError } from './http/errors';
import { parse } from './http/validation';
import { DOCUMENT_KIND_LABELS, PAYMENT_METHOD_LABELS } from './views/labels';

/** A document of the API's lists (SPEC « Invoices »); `packId` is the admin list's extension. */
export interface DocumentView {
  number: string;
  kind: 'invoice' | 'credit_note';
  issuedAt: string;
  totalCents: number;
  vatCents: number;
  url: string;
}

export const clientDocumentUrl = (packId: string, number: string) => `/api/packs/${packId}/invoices/${number}.pdf`;
export const adminDocumentUrl = (packId: string, number: string) => `/api/admin/packs/${packId}/invoices/${number}.pdf`;

export function documentView(d: DocumentRow, url: string): DocumentView {
  return { number: d.number, kind: d.kind, issuedAt: d.issuedAt.toISOString(), totalCents: d.inclVatCents, vatCents: d.vatCents, url };
}

const NUMBER = /^[FA]\d{4}-\d{5}$/;
const NOT_FOUND = () => new ApiError(404, 'NOT_FOUND', 'Facture introuvable.');

/**
 * Sends a document's PDF as it was issued. Unknown, malformed or another pack's numbers get the same answer: nothing
 * tells whether a document exists.
 */
export async function sendDocumentPdf(ctx: GatewayContext, res: Response, number: string, packId: string | null): Promise<void> {
  const doc = NUMBER.test(number) ? await ctx.data.documentPdf(number, packId) : undefined;
  if (!doc) throw NOT_FOUND();
  res
    .type('application/pdf')
    .set('Content-Disposition', `attachment; filename="${doc.number}.pdf"`)
    .set('Cache-Control', 'private, no-store')
    .send(doc.pdf);
}

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const DAY = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** `?month=AAAA-MM` of the sales journal. */
export const monthQuery = z.object({
  month: z.string({ message: 'indiquez le mois (AAAA-MM, ex. 2026-11).' }).regex(MONTH, 'mois attendu au format AAAA-MM (ex. 2026-11).'),
});

/** `?from=&to=` of the admin list: days AAAA-MM-JJ in the business's time zone, both included, both optional. */
export const periodQuery = z
  .object({
    from: z.string().regex(DAY, 'date attendue au format AAAA-MM-JJ (ex. 2026-11-01).').optional(),
    to: z.string().regex(DAY, 'date attendue au format AAAA-MM-JJ (ex. 2026-11-30).').optional(),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'la date de début (from) doit précéder la date de fin (to).' });

const startOfDay = (day: string, zone: string): number => {
  const t = DateTime.fromISO(day, { zone });
  if (!t.isValid) throw new ApiError(400, 'VALIDATION_FAILED', `Données invalides — date inexistante : ${day}.`);
  return t.startOf('day').toMillis();
};

/** The instants [from, to) of a month in the business's time zone. */
export function monthBounds(month: string, zone: string): { fromMs: number; toMs: number } {
  const start = DateTime.fromISO(`${month}-01`, { zone }).startOf('month');
  return { fromMs: start.toMillis(), toMs: start.plus({ months: 1 }).toMillis() };
}

/** The instants [from, to) of `?from=&to=` (to: the end of that day). */
export function periodBounds(query: unknown, zone: string): { fromMs: number | null; toMs: number | null } {
  const q = parse(periodQuery, query);
  return {
    fromMs: q.from ? startOfDay(q.from, zone) : null,
    toMs: q.to ? DateTime.fromMillis(startOfDay(q.to, zone), { zone }).plus({ days: 1 }).toMillis() : null,
  };
}

/** The month a document belongs to, in the business's time zone (AAAA-MM). */
export const monthOf = (at: Date, zone: string): string => DateTime.fromJSDate(at, { zone }).toFormat('yyyy-MM');

/** An amount of the journal (« -90,00 » for a credit note): a number, never quoted or prefixed. */
const amount = (cents: number): string =>
  `${cents < 0 ? '-' : ''}${Math.floor(Math.abs(cents) / 100)},${String(Math.abs(cents) % 100).padStart(2, '0')}`;

/**
 * One field of the journal: quoted when it holds the separator, a quote or a line break (RFC 4180), and a text that a
 * spreadsheet would run as a formula (= + - @ first) is prefixed with an apostrophe: a client's name is not code.
 */
function field(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[;"\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export const JOURNAL_COLUMNS = [
  'Numéro',
  'Type',
  'Date',
  'Client',
  'Montant HT',
  'TVA',
  'Montant TTC',
  'Moyen de paiement',
  'Référence',
  'Facture corrigée',
] as const;

/**
 * The sales journal an accountant imports: one row per document in the order of the series, `;`-separated with
 * decimal commas (what French spreadsheets and accounting tools read), UTF-8 with its BOM; a credit note's amounts
 * are negative, so a column's sum is the month's sales.
 */
export function salesJournalCsv(rows: readonly DocumentRow[], zone: string): string {
  const sign = (d: DocumentRow) => (d.kind === 'credit_note' ? -1 : 1);
  const lines = rows.map((d) =>
    [
      field(d.number),
      field(DOCUMENT_KIND_LABELS[d.kind]),
      DateTime.fromJSDate(d.issuedAt, { zone }).toFormat('dd/MM/yyyy'),
      field(d.buyerName),
      amount(sign(d) * d.exclVatCents),
      amount(sign(d) * d.vatCents),
      amount(sign(d) * d.inclVatCents),
      field(PAYMENT_METHOD_LABELS[d.paymentMethod]),
      field(d.paymentReference ?? ''),
      field(d.corrects ?? ''),
    ].join(';'),
  );
  return `\uFEFF${[JOURNAL_COLUMNS.join(';'), ...lines].join('\r\n')}\r\n`;
}
