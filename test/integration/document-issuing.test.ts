/**
 * The issuing activity on its own, against a real PostgreSQL (issue 14, points 1 and 2): one document per business
 * event whatever the retries and races, numbers without gaps even when an attempt dies half-way, credit notes naming
 * their invoice. The workflow's side of it (asking once, replay, packs from before invoices) is in
 * test/workflows/pack-invoices.test.ts.
 */
import crypto from 'node:crypto';
import { DateTime } from 'luxon';
import { createDocumentIssuer, type DocumentRequest } from '../../src/activities/documents';
import { DEFAULT_ACTIVITY_SETTINGS } from '../../src/activities/packs';
import { poolOf } from '../../src/infra/database';
import { invoicePdf, type InvoiceDocument } from '../../src/documents';
import { DEFAULT_CATALOG } from '../../src/shared/catalog';
import { createTestDatabase, type TestDatabase } from '../support/stack';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

const year = () => DateTime.now().setZone('Europe/Paris').year;
const issuer = (render?: (d: InvoiceDocument) => Promise<Buffer>) =>
  createDocumentIssuer({
    pool: poolOf(db.prisma),
    seller: DEFAULT_ACTIVITY_SETTINGS.seller,
    iban: 'FR76 3000 6000 0112 3456 7890 189',
    render,
  });

/** A paid hourly pack of `hours` hours, as the order stores it. */
async function pack(hours = 1): Promise<string> {
  const id = crypto.randomUUID();
  const customerId = crypto.randomUUID();
  const offer = DEFAULT_CATALOG.PACK_1H;
  await db.prisma.customer.create({ data: { id: customerId, name: 'Camille Martin', email: `${id}@example.org` } });
  await db.prisma.pack.create({
    data: {
      id,
      customerId,
      orderKey: id,
      packCode: 'PACK_1H',
      quantity: hours,
      totalHours: hours,
      sessionHours: 1,
      breakMinutes: 0,
      priceCents: offer.priceCents * hours,
      currency: 'EUR',
      paymentMethod: 'card',
      bankReference: `IMG-${id.slice(0, 8)}`,
      status: 'ACTIVE',
      orderedAt: new Date(),
      paymentDeadline: new Date(Date.now() + 7 * 86_400_000),
      hoursAvailable: hours,
    },
  });
  return id;
}

const invoiceOf = (packId: string, priceCents = 9_000): DocumentRequest => ({
  packId,
  key: `invoice:${packId}`,
  kind: 'invoice',
  paidAtMs: Date.now(),
  method: 'card',
  reference: `pi_${packId.slice(0, 8)}`,
  amountCents: priceCents,
});

test('the same business event asked twice, or by racing attempts, issues one document and answers it each time', async () => {
  const id = await pack();
  const { issueDocument } = issuer();
  const answers = await Promise.all([issueDocument(invoiceOf(id)), issueDocument(invoiceOf(id)), issueDocument(invoiceOf(id))]);
  const again = await issueDocument(invoiceOf(id));
  expect(new Set([...answers, again].map((a) => a.number)).size).toBe(1);
  expect(await db.prisma.invoice.count({ where: { packId: id } })).toBe(1);
  expect(await db.prisma.invoicePdf.count({ where: { number: again.number } })).toBe(1);
});

test('an attempt that dies after numbering, before its PDF, is completed by the next: same number, no gap, no double', async () => {
  const [a, b] = [await pack(), await pack()];
  const dying = issuer(() => Promise.reject(new Error('worker killed while rendering')));
  await expect(dying.issueDocument(invoiceOf(a))).rejects.toThrow('worker killed');
  const numbered = await db.prisma.invoice.findUniqueOrThrow({ where: { key: `invoice:${a}` }, include: { pdf: true } });
  expect(numbered.pdf).toBeNull();

  const { issueDocument } = issuer();
  const retried = await issueDocument(invoiceOf(a));
  expect(retried.number).toBe(numbered.number);
  const stored = await db.prisma.invoicePdf.findUniqueOrThrow({ where: { number: numbered.number } });
  // The PDF is rendered from the document as stored at numbering: what it would have been the first time.
  expect(Buffer.from(stored.pdf).equals(await invoicePdf(numbered.document as unknown as InvoiceDocument))).toBe(true);
  const next = await issueDocument(invoiceOf(b));
  expect(next.number).toBe(`F${year()}-${String(numbered.seq + 1).padStart(5, '0')}`);
});

test('a failed numbering transaction gives its number back: the series keeps no gap', async () => {
  const broken = await pack();
  const fine = await pack();
  // A SIREN the order form would have refused: the document cannot be built once its number is taken.
  await db.prisma.customer.updateMany({
    where: { packs: { some: { id: broken } } },
    data: { businessName: 'X SARL', businessSiren: '123' },
  });
  const { issueDocument } = issuer();
  const before = await db.prisma.invoiceCounter.findUnique({ where: { kind_year: { kind: 'invoice', year: year() } } });
  await expect(issueDocument(invoiceOf(broken))).rejects.toThrow('a SIREN has 9 digits');
  expect(await db.prisma.invoiceCounter.findUnique({ where: { kind_year: { kind: 'invoice', year: year() } } })).toEqual(before);
  const issued = await issueDocument(invoiceOf(fine));
  expect(issued.number).toBe(`F${year()}-${String((before?.last ?? 0) + 1).padStart(5, '0')}`);
});

test('a credit note has its own series, names the invoice it corrects and its buyer, whole or for the hours refunded', async () => {
  const id = await pack(3);
  const { issueDocument } = issuer();
  const invoice = await issueDocument(invoiceOf(id, 27_000));
  const whole = await issueDocument({
    packId: id,
    key: `credit:withdrawal:${id}`,
    kind: 'credit_note',
    paidAtMs: Date.now(),
    method: 'card',
    reference: 're_123',
    amountCents: 27_000,
    corrects: `invoice:${id}`,
    reason: 'Rétractation du client',
  });
  const part = await issueDocument({
    packId: id,
    key: `credit:withdrawal-2:${id}`,
    kind: 'credit_note',
    paidAtMs: Date.now(),
    method: 'card',
    amountCents: 18_000,
    corrects: `invoice:${id}`,
    reason: 'Rétractation du client : heures non consommées remboursées',
    hours: 2,
  });
  expect(whole.number).toMatch(new RegExp(`^A${year()}-\\d{5}$`));
  expect(Number(part.number.slice(-5))).toBe(Number(whole.number.slice(-5)) + 1);
  const rows = await db.prisma.invoice.findMany({ where: { kind: 'credit_note', packId: id }, orderBy: { seq: 'asc' } });
  expect(rows.map((r) => [r.corrects, r.inclVatCents])).toEqual([
    [invoice.number, 27_000],
    [invoice.number, 18_000],
  ]);
  const doc = rows[1].document as unknown as InvoiceDocument;
  expect(doc.lines).toEqual([expect.objectContaining({ quantity: 1, unitPriceCents: 18_000, hours: 2 })]);
  expect(doc.lines[0].description).toContain('remboursement partiel : 2 heures non consommées');
  expect(doc.buyer.name).toBe('Camille Martin');
});

test('a credit note asked before its invoice is issued fails, to be retried: it is never issued on no invoice', async () => {
  const id = await pack();
  const { issueDocument } = issuer();
  await expect(
    issueDocument({
      packId: id,
      key: `credit:x:${id}`,
      kind: 'credit_note',
      paidAtMs: Date.now(),
      method: 'card',
      amountCents: 9_000,
      corrects: `invoice:${id}`,
    }),
  ).rejects.toThrow('not issued yet');
  expect(await db.prisma.invoice.count({ where: { packId: id } })).toBe(0);
});
