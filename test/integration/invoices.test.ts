/**
 * Invoices and credit notes (issue 14), on the real stack: issued by the packs' lives exactly once, numbered without
 * gaps by PostgreSQL, immutable, kept through erasure, every mention on them, PDF/A-3 with factur-x.xml as the Mustang
 * validator accepts them (both VAT regimes), and where the client, the provider and the accountant find them.
 */
import type { Response } from 'superagent';
import request from 'supertest';
import { DateTime } from 'luxon';
import { euros } from '../../src/shared/format';
import { asClient, asProvider as admin, paidPack, placeOrder } from '../support/api';
import { flat, readPdfs, validateWithMustang } from '../support/documents';
import { createGatewayWorld, PROVIDER_PASSWORD, type GatewayWorld } from '../support/gateway';
import { parseHtml, visibleText } from '../support/html';
import { openPortal } from '../support/portal';
import { until } from '../support/until';

const PARIS = 'Europe/Paris';
const year = () => DateTime.now().setZone(PARIS).year;
const today = () => DateTime.now().setZone(PARIS).toISODate()!;
const thisMonth = () => DateTime.now().setZone(PARIS).toFormat('yyyy-MM');
const frDay = () => DateTime.now().setZone(PARIS).toFormat('dd/MM/yyyy');

/** Supertest reads a PDF answer as bytes. */
const bytes = (res: Response, done: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

interface Listed {
  number: string;
  kind: 'invoice' | 'credit_note';
  issuedAt: string;
  totalCents: number;
  vatCents: number;
  url: string;
}

/** The pack's documents as its client lists them, once there are `n`. */
async function documentsOf(w: GatewayWorld, pack: { packId: string; token: string }, n: number): Promise<Listed[]> {
  return until(
    async () => {
      const res = await asClient(pack.token)(request(w.app).get(`/api/packs/${pack.packId}/invoices`));
      expect(res.status).toBe(200);
      return (res.body as { invoices: Listed[] }).invoices;
    },
    (list) => list.length >= n,
    `${n} document(s) for pack ${pack.packId}`,
  );
}

const pdfOf = async (w: GatewayWorld, url: string, token?: string): Promise<Buffer> => {
  const r = request(w.app).get(url).buffer(true).parse(bytes);
  const res = await (token ? asClient(token)(r) : admin(r));
  expect([res.status, res.headers['content-type']]).toEqual([200, 'application/pdf']);
  return res.body as Buffer;
};

const transfer = (w: GatewayWorld, packId: string, amountCents: number, reference: string) =>
  admin(request(w.app).post(`/api/admin/packs/${packId}/payments`)).send({ method: 'bank_transfer', amountCents, reference });

/** A transfer order, placed by the API; its pack, the client's token and what to transfer. */
async function transferOrder(w: GatewayWorld, body: Record<string, unknown> = {}) {
  const res = await placeOrder(w, body);
  expect(res.status).toBe(201);
  return {
    packId: res.body.packId as string,
    token: res.body.accessToken as string,
    amountCents: res.body.bankTransfer.amountCents as number,
    reference: res.body.bankTransfer.reference as string,
  };
}

/** Every document a world's tests issued, through the validator: one JVM for all. */
async function everyDocumentValid(w: GatewayWorld) {
  const rows = await w.db.prisma.invoicePdf.findMany({ orderBy: { number: 'asc' } });
  const verdicts = await validateWithMustang(rows.map((r) => ({ name: r.number, pdf: Buffer.from(r.pdf) })));
  return { rows, verdicts };
}

describe('invoices and credit notes, seller under the VAT franchise', () => {
  let w: GatewayWorld;
  beforeAll(async () => {
    w = await createGatewayWorld();
  }, 120_000);
  afterAll(async () => {
    await w?.teardown();
  });

  // ------------------------------------------------------------------------------------------- issued exactly once

  test('a card payment issues one invoice, attached to the payment confirmation, listed and downloadable as issued', async () => {
    const email = `facture.carte.${Date.now()}@example.org`;
    const pack = await paidPack(w, { customer: { name: 'Zoé L’Hôte-Ñúñez', email } });
    const [invoice] = await documentsOf(w, pack, 1);
    expect(invoice).toEqual({
      number: expect.stringMatching(new RegExp(`^F${year()}-\\d{5}$`)),
      kind: 'invoice',
      issuedAt: expect.any(String),
      totalCents: 9_000,
      vatCents: 0,
      url: `/api/packs/${pack.packId}/invoices/${invoice.number}.pdf`,
    });
    const pdf = await pdfOf(w, invoice.url, pack.token);
    const mail = await w.sink.waitFor((m) => m.to.includes(email) && m.subject.startsWith('Paiement reçu'));
    const attached = mail.parsed.attachments.find((a) => a.filename === `${invoice.number}.pdf`);
    expect(attached?.contentType).toBe('application/pdf');
    // The very bytes stored when it was issued: the PDF is never rendered again.
    expect(attached!.content.equals(pdf)).toBe(true);
    expect(mail.text).toContain('Votre facture est jointe à cet e-mail');
    const [text] = await readPdfs([pdf]);
    const t = flat(text.body);
    for (const mention of [
      `Facture n° ${invoice.number}`,
      w.app.ctx.seller.name,
      w.app.ctx.seller.address,
      w.app.ctx.seller.siret,
      'Zoé L’Hôte-Ñúñez',
      email,
      'Prestation de services',
      'TVA non applicable, art. 293 B du CGI',
      'Pack 1 heure — accompagnement individuel à distance (Zoom)',
      `Facture acquittée le ${frDay()} par carte bancaire.`,
    ]) {
      expect(t).toContain(mention);
    }
    // One invoice for one payment, however the events and emails went.
    expect(await w.db.prisma.invoice.count({ where: { packId: pack.packId } })).toBe(1);
  });

  test('a partial transfer issues nothing; the transfer that completes the price issues the invoice, naming both', async () => {
    const order = await transferOrder(w);
    const first = await transfer(w, order.packId, 4_000, `${order.reference}-1`);
    expect([first.status, first.body.status]).toEqual([200, 'AWAITING_PAYMENT']);
    await until(
      () => w.db.prisma.packEvent.count({ where: { packId: order.packId, type: 'PAYMENT_INCOMPLETE' } }),
      (n) => n === 1,
      'the part-payment on the timeline',
    );
    expect(await w.db.prisma.invoice.count({ where: { packId: order.packId } })).toBe(0);
    const rest = await transfer(w, order.packId, 5_000, `${order.reference}-2`);
    expect(rest.body.status).toBe('ACTIVE');
    const [invoice] = await documentsOf(w, order, 1);
    expect([invoice.kind, invoice.totalCents]).toEqual(['invoice', 9_000]);
    const row = await w.db.prisma.invoice.findUniqueOrThrow({ where: { number: invoice.number } });
    expect([row.paymentMethod, row.paymentReference]).toEqual(['bank_transfer', `${order.reference}-1, ${order.reference}-2`]);
    const [text] = await readPdfs([await pdfOf(w, invoice.url, order.token)]);
    expect(flat(text.body)).toContain('par virement bancaire');
  });

  test('a withdrawal refunded on the card issues a credit note on the invoice, sent to the client with its PDF', async () => {
    const email = `avoir.carte.${Date.now()}@example.org`;
    const pack = await paidPack(w, { customer: { name: 'Marie Martin', email } });
    const [invoice] = await documentsOf(w, pack, 1);
    const withdrawn = await asClient(pack.token)(request(w.app).post(`/api/packs/${pack.packId}/withdraw`));
    expect(withdrawn.status).toBe(200);
    const [, credit] = await documentsOf(w, pack, 2);
    expect(credit).toMatchObject({
      kind: 'credit_note',
      totalCents: 9_000,
      number: expect.stringMatching(new RegExp(`^A${year()}-\\d{5}$`)),
    });
    const row = await w.db.prisma.invoice.findUniqueOrThrow({ where: { number: credit.number } });
    expect(row.corrects).toBe(invoice.number);
    const mail = await w.sink.waitFor((m) => m.to.includes(email) && m.subject === `Votre avoir ${credit.number}`);
    expect(mail.parsed.attachments.map((a) => a.filename)).toEqual([`${credit.number}.pdf`]);
    const [text] = await readPdfs([mail.parsed.attachments[0].content]);
    const t = flat(text.body);
    expect(t).toContain(`Avoir n° ${credit.number}`);
    expect(t).toContain(`Avoir sur la facture ${invoice.number} du ${frDay()}.`);
    expect(t).toContain('Rétractation du client');
    expect(t).toContain(`Montant remboursé le ${frDay()} par carte bancaire.`);
  });

  test('a withdrawal refunded by transfer issues a credit note saying by when the money is paid back', async () => {
    const order = await transferOrder(w);
    expect((await transfer(w, order.packId, order.amountCents, order.reference)).body.status).toBe('ACTIVE');
    await documentsOf(w, order, 1);
    const recorded = await admin(request(w.app).post(`/api/admin/packs/${order.packId}/withdrawal`)).send({ receivedAt: today() });
    expect([recorded.status, recorded.body.status]).toEqual([200, 'WITHDRAWN']);
    const [, credit] = await documentsOf(w, order, 2);
    const [text] = await readPdfs([await pdfOf(w, credit.url, order.token)]);
    const due = DateTime.fromISO(recorded.body.refund.dueAt).setZone(PARIS).minus({ milliseconds: 1 }).toFormat('dd/MM/yyyy');
    expect(flat(text.body)).toContain(`Montant à rembourser par virement bancaire au plus tard le ${due}.`);
  });

  test('money no invoice covers (a second transfer for a paid pack) is refunded without a credit note', async () => {
    const order = await transferOrder(w);
    expect((await transfer(w, order.packId, order.amountCents, order.reference)).body.status).toBe('ACTIVE');
    await documentsOf(w, order, 1);
    const again = await transfer(w, order.packId, order.amountCents, `${order.reference}-bis`);
    expect(again.body.payments.at(-1).outcome).toBe('FLAGGED');
    await until(
      () => w.db.prisma.packEvent.count({ where: { packId: order.packId, type: 'REFUND_TASK_CREATED' } }),
      (n) => n === 1,
      'the refund task',
    );
    expect((await w.db.prisma.invoice.findMany({ where: { packId: order.packId } })).map((d) => d.kind)).toEqual(['invoice']);
  });

  test('a commercial gesture of the provider is refunded on the card and credited: a partial credit note on the invoice, sent to the client', async () => {
    const email = `geste.${Date.now()}@example.org`;
    const pack = await paidPack(w, { customer: { name: 'Nina Geste', email }, quantity: 2 });
    const [invoice] = await documentsOf(w, pack, 1);
    const granted = await admin(request(w.app).post(`/api/admin/packs/${pack.packId}/refunds`)).send({
      amountCents: 4_500,
      reason: 'goodwill',
      note: 'Séance du 12 écourtée',
    });
    expect(granted.status).toBe(200);
    expect(granted.body).toMatchObject({
      status: 'ACTIVE',
      hours: { total: 2, available: 2 },
      refundable: { goodwillCents: 13_500, surplusCents: 0 },
      providerRefunds: [{ n: 1, reason: 'GOODWILL', amountCents: 4_500, note: 'Séance du 12 écourtée' }],
    });
    const [, credit] = await documentsOf(w, pack, 2);
    expect(credit).toMatchObject({ kind: 'credit_note', totalCents: 4_500 });
    expect((await w.db.prisma.invoice.findUniqueOrThrow({ where: { number: credit.number } })).corrects).toBe(invoice.number);
    const refunds = await w.db.prisma.refund.findMany({ where: { packId: pack.packId } });
    expect(refunds.map((r) => [r.key, r.amountCents, r.status])).toEqual([[expect.stringMatching(/^goodwill:1:/), 4_500, 'REFUNDED']]);
    const told = await w.sink.waitFor((m) => m.to.includes(email) && m.subject === 'Un remboursement vous est accordé');
    expect(told.text).toContain('À titre de geste commercial, 45,00 € du prix de votre Pack 1 heure vous sont remboursés.');
    expect(told.text).toContain('Message du prestataire : Séance du 12 écourtée');
    const mail = await w.sink.waitFor((m) => m.to.includes(email) && m.subject === `Votre avoir ${credit.number}`);
    const [text] = await readPdfs([mail.parsed.attachments[0].content]);
    expect(flat(text.body)).toContain('Geste commercial');
    // More than the price still holds is refused, in French, and changes nothing.
    const tooMuch = await admin(request(w.app).post(`/api/admin/packs/${pack.packId}/refunds`)).send({
      amountCents: 13_501,
      reason: 'goodwill',
    });
    expect([tooMuch.status, tooMuch.body.error.code, tooMuch.body.error.message]).toEqual([
      400,
      'VALIDATION_FAILED',
      'Un geste commercial peut rembourser au plus 135,00 € (le prix du pack, moins les gestes déjà faits).',
    ]);
  });

  test('a surplus received by transfer is refunded by transfer, owed within 14 days, without a credit note', async () => {
    const order = await transferOrder(w);
    expect((await transfer(w, order.packId, order.amountCents + 1_000, order.reference)).body.status).toBe('ACTIVE');
    await documentsOf(w, order, 1);
    const granted = await admin(request(w.app).post(`/api/admin/packs/${order.packId}/refunds`)).send({
      amountCents: 1_000,
      reason: 'surplus',
    });
    expect([granted.status, granted.body.refundable]).toEqual([200, { goodwillCents: order.amountCents, surplusCents: 0 }]);
    await until(
      () => w.db.prisma.packEvent.count({ where: { packId: order.packId, type: 'REFUND_TASK_CREATED' } }),
      (n) => n === 1,
      'the refund task',
    );
    const [task] = await w.db.prisma.providerTask.findMany({ where: { packId: order.packId } });
    expect(task).toMatchObject({ kind: 'BANK_REFUND', amountCents: 1_000 });
    expect((await w.db.prisma.invoice.findMany({ where: { packId: order.packId } })).map((d) => d.kind)).toEqual(['invoice']);
    const bad = await admin(request(w.app).post(`/api/admin/packs/${order.packId}/refunds`)).send({ amountCents: 1, reason: 'cadeau' });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(bad.body.error.message).toContain('geste commercial');
  });

  // ------------------------------------------------------------------------------------------- numbering

  test('20 concurrent payments get 20 consecutive numbers, dated in the order of their numbers', async () => {
    const before = await w.db.prisma.invoiceCounter.findUnique({ where: { kind_year: { kind: 'invoice', year: year() } } });
    const from = (before?.last ?? 0) + 1;
    const packs = await Promise.all(Array.from({ length: 20 }, () => paidPack(w)));
    const numbers = await until(
      async () =>
        await w.db.prisma.invoice.findMany({ where: { packId: { in: packs.map((p) => p.packId) } }, orderBy: { issuedAt: 'asc' } }),
      (rows) => rows.length === 20,
      'the 20 invoices',
    );
    expect(numbers.map((r) => r.number)).toEqual(Array.from({ length: 20 }, (_, i) => `F${year()}-${String(from + i).padStart(5, '0')}`));
    const all = await w.db.prisma.invoice.findMany({ where: { kind: 'invoice' }, orderBy: { seq: 'asc' } });
    expect(all.map((r) => r.seq)).toEqual(Array.from({ length: all.length }, (_, i) => i + 1));
  });

  // ------------------------------------------------------------------------------------------- immutability and retention

  test('PostgreSQL refuses to change, delete or truncate an issued document or its PDF', async () => {
    const { number } = await w.db.prisma.invoice.findFirstOrThrow({ orderBy: { number: 'asc' } });
    for (const sql of [
      `UPDATE invoice SET buyer_name = 'Quelqu''un d''autre' WHERE number = '${number}'`,
      `UPDATE invoice SET incl_vat_cents = 1 WHERE number = '${number}'`,
      `DELETE FROM invoice WHERE number = '${number}'`,
      `UPDATE invoice_pdf SET pdf = '\\x00' WHERE number = '${number}'`,
      `DELETE FROM invoice_pdf WHERE number = '${number}'`,
      'TRUNCATE invoice, invoice_pdf',
    ]) {
      await expect(w.db.prisma.$executeRawUnsafe(sql)).rejects.toThrow(/immutable/);
    }
    expect(await w.db.prisma.invoice.count({ where: { number } })).toBe(1);
  });

  test('erasing a client keeps their invoices and credit notes as issued, still downloadable by the provider', async () => {
    const email = `efface.${Date.now()}@example.org`;
    const pack = await paidPack(w, { customer: { name: 'Paul Effacé', email, billingAddress: '3 place Bellecour, 69002 Lyon' } });
    const [invoice] = await documentsOf(w, pack, 1);
    const before = await w.db.prisma.invoice.findUniqueOrThrow({ where: { number: invoice.number }, include: { pdf: true } });
    const { customerId } = await w.db.prisma.pack.findUniqueOrThrow({ where: { id: pack.packId } });
    const erased = await admin(request(w.app).post(`/api/admin/customers/${customerId}/erase`));
    expect(erased.status).toBe(200);
    expect(erased.body.kept.join(' ')).toContain('les factures et avoirs (art. L123-22 du code de commerce, 10 ans)');
    const customer = await w.db.prisma.customer.findUniqueOrThrow({ where: { id: customerId } });
    expect([customer.name, customer.billingAddress]).toEqual(['Client effacé', null]);
    const after = await w.db.prisma.invoice.findUniqueOrThrow({ where: { number: invoice.number }, include: { pdf: true } });
    expect(after).toEqual(before);
    expect((after.document as { buyer: { name: string } }).buyer.name).toBe('Paul Effacé');
    const pdf = await pdfOf(w, `/api/admin/packs/${pack.packId}/invoices/${invoice.number}.pdf`);
    expect(pdf.equals(Buffer.from(before.pdf!.pdf))).toBe(true);
  });

  // ------------------------------------------------------------------------------------------- content

  test('a business names itself with its SIREN and billing address; its invoice carries the late-payment mentions', async () => {
    const order = await transferOrder(w, {
      customer: {
        name: 'Paul Bernard',
        email: `pro.${Date.now()}@example.org`,
        billingAddress: '3 place Bellecour, 69002 Lyon',
        business: { name: 'Bernard Conseil SARL', siren: '552 100 554' },
      },
    });
    expect((await transfer(w, order.packId, order.amountCents, order.reference)).body.status).toBe('ACTIVE');
    const [invoice] = await documentsOf(w, order, 1);
    const [text] = await readPdfs([await pdfOf(w, invoice.url, order.token)]);
    const t = flat(text.body);
    for (const mention of [
      'Bernard Conseil SARL',
      '552100554',
      '3 place Bellecour, 69002 Lyon',
      'Paul Bernard',
      'Aucun escompte pour paiement anticipé.',
      'Indemnité forfaitaire pour frais de recouvrement due en cas de retard de paiement : 40,00 €',
    ]) {
      expect(t).toContain(mention);
    }
    expect((await w.db.prisma.invoice.findUniqueOrThrow({ where: { number: invoice.number } })).buyerName).toBe(
      'Bernard Conseil SARL (Paul Bernard)',
    );
  });

  test('a SIREN that is not one, or a business without its name, is refused in French and nothing is stored', async () => {
    const email = `pro.invalide.${Date.now()}@example.org`;
    const bad = await placeOrder(w, { customer: { name: 'Paul', email, business: { name: 'Bernard SARL', siren: '552100555' } } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toEqual({
      code: 'VALIDATION_FAILED',
      message: expect.stringContaining('customer.business.siren : SIREN invalide'),
    });
    const nameless = await placeOrder(w, { customer: { name: 'Paul', email, business: { siren: '552100554' } } });
    expect(nameless.body.error.message).toContain('customer.business.name');
    expect(await w.db.prisma.customer.count({ where: { email } })).toBe(0);
  });

  test('the order form asks for the optional billing address, business name and SIREN, and says a bad SIREN next to it', async () => {
    const agent = request.agent(w.app);
    const form = await agent.get('/commander').set('accept', 'text/html');
    const html = parseHtml(form.text);
    for (const id of ['billingAddress', 'businessName', 'siren']) expect(html.querySelector(`#${id}`)).not.toBeNull();
    expect(visibleText(form.text)).toContain('Facturation (facultatif)');
    const csrf = html.querySelector('input[name=csrf]')!.getAttribute('value')!;
    const posted = await agent
      .post('/commander')
      .set('accept', 'text/html')
      .type('form')
      .send({ csrf, packCode: 'PACK_1H', name: 'Paul Bernard', email: 'paul@example.org', businessName: 'Bernard SARL', siren: '12345' });
    expect(posted.status).toBe(400);
    expect(parseHtml(posted.text).querySelector('#siren-error')?.textContent).toContain('SIREN invalide');
  });

  // ------------------------------------------------------------------------------------------- where they are

  test('an unknown, malformed or another pack’s number answers NOT_FOUND, the same for each', async () => {
    const mine = await paidPack(w);
    const theirs = await paidPack(w);
    const [their] = await documentsOf(w, theirs, 1);
    const answers = [];
    for (const number of [their.number, `F${year()}-99999`, 'A2000-00001', 'abc', '..%2F..%2Fetc']) {
      const res = await asClient(mine.token)(request(w.app).get(`/api/packs/${mine.packId}/invoices/${number}.pdf`));
      answers.push([res.status, res.body]);
    }
    const admin404 = await admin(request(w.app).get(`/api/admin/packs/${mine.packId}/invoices/${their.number}.pdf`));
    answers.push([admin404.status, admin404.body]);
    const expected = [404, { error: { code: 'NOT_FOUND', message: 'Facture introuvable.' } }];
    expect(answers).toEqual(answers.map(() => expected));
    // The client's token opens no other pack's list either.
    expect((await asClient(mine.token)(request(w.app).get(`/api/packs/${theirs.packId}/invoices`))).status).toBe(404);
  });

  test('a month outside AAAA-MM, or a period that is not one, is VALIDATION_FAILED with a French message', async () => {
    for (const q of ['month=2026-13', 'month=2026-1', 'month=novembre', '']) {
      const res = await admin(request(w.app).get(`/api/admin/invoices.csv?${q}`));
      expect([q, res.status, res.body.error.code]).toEqual([q, 400, 'VALIDATION_FAILED']);
      expect(res.body.error.message).toMatch(/^Données invalides — month : /);
    }
    const period = await admin(request(w.app).get('/api/admin/invoices?from=2026-02-30x'));
    expect([period.status, period.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    const reversed = await admin(request(w.app).get('/api/admin/invoices?from=2026-12-01&to=2026-11-01'));
    expect(reversed.body.error.message).toContain('la date de début (from) doit précéder la date de fin (to)');
  });

  test('GET /api/admin/invoices lists every pack’s documents of a period; the CSV journal has one row per document', async () => {
    const all = await w.db.prisma.invoice.findMany({ orderBy: [{ issuedAt: 'asc' }, { number: 'asc' }] });
    const list = await admin(request(w.app).get(`/api/admin/invoices?from=${today()}&to=${today()}`));
    expect(list.status).toBe(200);
    expect((list.body.invoices as Array<Listed & { packId: string }>).map((d) => d.number).sort()).toEqual(all.map((d) => d.number).sort());
    const one = (list.body.invoices as Array<Listed & { packId: string }>)[0];
    expect(one.url).toBe(`/api/admin/packs/${one.packId}/invoices/${one.number}.pdf`);
    expect((await admin(request(w.app).get('/api/admin/invoices?from=2000-01-01&to=2000-01-31'))).body).toEqual({ invoices: [] });

    const csv = await admin(request(w.app).get(`/api/admin/invoices.csv?month=${thisMonth()}`));
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe(`attachment; filename="journal-des-ventes-${thisMonth()}.csv"`);
    const lines = csv.text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('Numéro;Type;Date;Client;Montant HT;TVA;Montant TTC;Moyen de paiement;Référence;Facture corrigée');
    expect(lines).toHaveLength(all.length + 1);
    const credit = all.find((d) => d.kind === 'credit_note')!;
    expect(lines).toContain(
      [
        credit.number,
        'Avoir',
        frDay(),
        credit.buyerName,
        '-90,00',
        '0,00',
        '-90,00',
        'Carte bancaire',
        credit.paymentReference,
        credit.corrects,
      ].join(';'),
    );
    const card = all.find((d) => d.kind === 'invoice' && d.paymentMethod === 'card')!;
    expect(lines).toContain(
      [card.number, 'Facture', frDay(), card.buyerName, '90,00', '0,00', '90,00', 'Carte bancaire', card.paymentReference, ''].join(';'),
    );
    expect(card.paymentReference).toMatch(/^pi_/);
  });

  test('a client name that a spreadsheet would run as a formula is written inert in the journal', async () => {
    const pack = await paidPack(w, { customer: { name: '=CONCATENER("A" "B")', email: `formule.${Date.now()}@example.org` } });
    const [invoice] = await documentsOf(w, pack, 1);
    const csv = await admin(request(w.app).get(`/api/admin/invoices.csv?month=${thisMonth()}`));
    const line = csv.text.split('\r\n').find((l) => l.startsWith(invoice.number))!;
    expect(line.split(';')[3]).toBe(`"'=CONCATENER(""A"" ""B"")"`);
  });

  test('the portal lists the pack’s documents, each with its download link', async () => {
    const pack = await paidPack(w);
    const [invoice] = await documentsOf(w, pack, 1);
    const agent = request.agent(w.app);
    await openPortal(agent, pack.token);
    const page = await agent.get('/espace').set('accept', 'text/html');
    const table = parseHtml(page.text).querySelector('[data-testid=documents]');
    expect(table?.textContent).toContain(`Facture n° ${invoice.number}`);
    const href = parseHtml(page.text).querySelector(`[data-testid=download-${invoice.number}]`)?.getAttribute('href');
    expect(href).toBe(`/espace/factures/${invoice.number}.pdf`);
    const pdf = await agent.get(href!).buffer(true).parse(bytes);
    expect([pdf.status, pdf.headers['content-type']]).toEqual([200, 'application/pdf']);
    expect((pdf.body as Buffer).equals(await pdfOf(w, invoice.url, pack.token))).toBe(true);
    const foreign = await w.db.prisma.invoice.findFirstOrThrow({ where: { packId: { not: pack.packId } } });
    expect((await agent.get(`/espace/factures/${foreign.number}.pdf`)).status).toBe(404);
  });

  test('the dashboard lists every document by month with its totals, and links each PDF and the month’s journal', async () => {
    const agent = request.agent(w.app).set('accept', 'text/html');
    expect((await agent.post('/admin/connexion').type('form').send({ password: PROVIDER_PASSWORD })).status).toBe(303);
    const res = await agent.get('/admin/factures');
    expect(res.status).toBe(200);
    const html = parseHtml(res.text);
    const all = await w.db.prisma.invoice.findMany();
    const signed = (d: (typeof all)[number]) => (d.kind === 'credit_note' ? -1 : 1) * d.inclVatCents;
    const ttc = all.reduce((s, d) => s + signed(d), 0);
    const month = html.querySelector(`[data-month="${thisMonth()}"]`)!;
    const cells = month.querySelectorAll('td').map((c) => c.textContent.replace(/\s/g, ' '));
    expect(cells[1]).toBe(String(all.filter((d) => d.kind === 'invoice').length));
    expect(cells[2]).toBe(String(all.filter((d) => d.kind === 'credit_note').length));
    expect(cells[5]).toBe(euros(ttc).replace(/\s/g, ' '));
    for (const d of all) {
      const row = html.querySelector(`[data-number="${d.number}"]`);
      expect(row?.querySelector('a[href$=".pdf"]')?.getAttribute('href')).toBe(`/api/admin/packs/${d.packId}/invoices/${d.number}.pdf`);
    }
    expect(html.querySelector('[data-testid=month-total]')?.textContent).toContain('Total du mois');
    expect(html.querySelector('nav a[href="/admin/factures"]')?.textContent).toBe('Factures');
    expect((await agent.get('/admin/factures?mois=2026-13')).status).toBe(400);
  });

  test('from the dashboard, the provider refunds a surplus or makes a gesture, and the page says what was done', async () => {
    const order = await transferOrder(w);
    expect((await transfer(w, order.packId, order.amountCents + 500, order.reference)).body.status).toBe('ACTIVE');
    const agent = request.agent(w.app).set('accept', 'text/html');
    expect((await agent.post('/admin/connexion').type('form').send({ password: PROVIDER_PASSWORD })).status).toBe(303);
    const page = parseHtml((await agent.get(`/admin/packs/${order.packId}`)).text);
    const form = page.querySelector(`form[action="/admin/packs/${order.packId}/remboursement"]`)!;
    expect(form.querySelectorAll('option').map((o) => [o.getAttribute('value'), o.textContent])).toEqual([
      ['surplus', 'Trop-perçu : 5,00 € reçus au-delà du prix (sans avoir)'],
      ['goodwill', `Geste commercial, au plus ${euros(order.amountCents)} (un avoir est émis)`],
    ]);
    const csrf = form.querySelector('input[name=csrf]')!.getAttribute('value');
    const done = await agent
      .post(`/admin/packs/${order.packId}/remboursement`)
      .type('form')
      .send({ csrf, reason: 'surplus', amount: '5,00' });
    expect([done.status, done.headers.location]).toEqual([303, `/admin/packs/${order.packId}`]);
    const after = visibleText((await agent.get(`/admin/packs/${order.packId}`)).text);
    expect(after).toContain('Remboursement de 5,00 € décidé, par virement');
    expect(after).toContain('5,00 € — trop-perçu');
  });

  // ------------------------------------------------------------------------------------------- the validator

  test('the Mustang validator accepts every invoice and credit note these tests issued (PDF/A-3 and Factur-X EN 16931)', async () => {
    const { rows, verdicts } = await everyDocumentValid(w);
    expect(rows.some((r) => r.number.startsWith('A'))).toBe(true);
    expect(verdicts.map((v) => [v.name, v.valid, v.pdf, v.xml, v.messages.filter((m) => m.severity === 'error')])).toEqual(
      verdicts.map((v) => [v.name, true, 'valid', 'valid', []]),
    );
    expect(new Set(verdicts.map((v) => v.profile))).toEqual(new Set(['urn:cen.eu:en16931:2017']));
  }, 120_000);
});

describe('invoices and credit notes, seller charging VAT at 20 %', () => {
  let w: GatewayWorld;
  beforeAll(async () => {
    w = await createGatewayWorld({ env: { SELLER_VAT: 'FR11123456782', VAT_RATE: '20' } });
  }, 120_000);
  afterAll(async () => {
    await w?.teardown();
  });

  test('the invoice states the VAT number, the rate and the amounts excluding VAT, VAT and including VAT', async () => {
    const pack = await paidPack(w, { packCode: 'PACK_HALF_DAY' });
    const [invoice] = await documentsOf(w, pack, 1);
    expect([invoice.totalCents, invoice.vatCents]).toEqual([24_000, 4_000]);
    const [text] = await readPdfs([await pdfOf(w, invoice.url, pack.token)]);
    const t = flat(text.body);
    for (const mention of [
      'N° de TVA intracommunautaire : FR11123456782 — TVA au taux de 20 %',
      'Total HT 200,00 €',
      'TVA 20 % 40,00 €',
      'Total TTC 240,00 €',
    ]) {
      expect(t).toContain(mention);
    }
    expect(t).not.toContain('293 B');
  });

  test('a business’s transfer invoice and a withdrawal’s credit note, with VAT, pass the validator like the rest', async () => {
    const order = await transferOrder(w, {
      quantity: 3,
      customer: {
        name: 'Paul Bernard',
        email: `pro.tva.${Date.now()}@example.org`,
        business: { name: 'Bernard Conseil SARL', siren: '552100554' },
      },
    });
    expect((await transfer(w, order.packId, order.amountCents, order.reference)).body.status).toBe('ACTIVE');
    await documentsOf(w, order, 1);
    const card = await paidPack(w);
    await documentsOf(w, card, 1);
    expect((await asClient(card.token)(request(w.app).post(`/api/packs/${card.packId}/withdraw`))).status).toBe(200);
    const [, credit] = await documentsOf(w, card, 2);
    expect([credit.kind, credit.totalCents, credit.vatCents]).toEqual(['credit_note', 9_000, 1_500]);
    const { rows, verdicts } = await everyDocumentValid(w);
    expect(rows.length).toBeGreaterThanOrEqual(4);
    expect(verdicts.map((v) => [v.name, v.valid, v.messages.filter((m) => m.severity === 'error')])).toEqual(
      verdicts.map((v) => [v.name, true, []]),
    );
  }, 120_000);
});
