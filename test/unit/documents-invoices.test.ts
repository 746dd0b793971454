/**
 * Invoices and credit notes (issue 14, points 3 and 4): totals in integer cents that add up, every mandatory
 * mention, and the Factur-X PDF/A-3 that the Mustang project's validator accepts — for both VAT regimes, for a
 * consumer and a business buyer.
 */
import fc from 'fast-check';
import {
  buildInvoiceDocument,
  facturXml,
  invoicePdf,
  splitVat,
  type DocumentSeller,
  type InvoiceDocument,
  type InvoiceInput,
  withdrawalFormPdf,
} from '../../src/documents';
import { flat, readPdfs, validateWithMustang, type ValidatorVerdict } from '../support/documents';

const IDENTITY = {
  name: 'Jean Dupont EI',
  address: '12 rue des Lilas, 75011 Paris',
  siret: '73282932000074',
  email: 'contact@imaginasite.com',
  phone: '+33 6 12 34 56 78',
};
const FRANCHISE: DocumentSeller = { ...IDENTITY, vat: { regime: 'franchise' } };
const VAT_20: DocumentSeller = { ...IDENTITY, vat: { regime: 'vat', number: 'FR44732829320', ratePercent: 20 } };

const CONSUMER = { name: 'Marie Martin', email: 'marie.martin@example.org' };
const BUSINESS = {
  name: 'Paul Bernard',
  email: 'paul@bernard-conseil.example',
  billingAddress: '3 place Bellecour, 69002 Lyon',
  business: { name: 'Bernard Conseil SARL', siren: '552100554' },
};
const IBAN = 'FR76 3000 6000 0112 3456 7890 189';

const PACK_1H = { description: 'Pack 1 heure', hoursPerUnit: 1 };
const HALF_DAY = { description: 'Pack 1/2 journée (3 heures consécutives)', hoursPerUnit: 3 };
const DAY = { description: 'Pack 1 jour (6 heures consécutives, hors pause)', hoursPerUnit: 6 };

const invoice = (over: Partial<InvoiceInput> & Pick<InvoiceInput, 'number' | 'seller' | 'buyer' | 'lines'>): InvoiceDocument =>
  buildInvoiceDocument({
    kind: 'invoice',
    issuedAt: '2026-11-26T15:05:12.000Z',
    soldAt: '2026-11-26T15:00:00.000Z',
    payment: { method: 'card', paidAt: '2026-11-26T15:04:30.000Z', reference: 'pi_3QabcDEF' },
    ...over,
  });
const creditNote = (over: Partial<InvoiceInput> & Pick<InvoiceInput, 'number' | 'seller' | 'buyer' | 'lines'>): InvoiceDocument =>
  buildInvoiceDocument({
    kind: 'credit_note',
    issuedAt: '2026-12-01T09:30:00.000Z',
    soldAt: '2026-12-01T09:30:00.000Z',
    payment: { method: 'card', paidAt: '2026-12-01T09:30:00.000Z', reference: 're_3QabcXYZ' },
    correctedInvoice: { number: 'F2026-00001', issuedAt: '2026-11-26T15:05:12.000Z' },
    reason: 'Rétractation du client',
    ...over,
  });

/** Every document the tests produce; each one goes through the validator. */
const DOCUMENTS: Record<string, InvoiceDocument> = {
  'invoice, franchise, consumer, card': invoice({
    number: 'F2026-00001',
    seller: FRANCHISE,
    buyer: CONSUMER,
    lines: [{ ...PACK_1H, quantity: 3, unitPriceCents: 9_000 }],
  }),
  'invoice, franchise, business, transfer': invoice({
    number: 'F2026-00002',
    seller: FRANCHISE,
    buyer: BUSINESS,
    payment: { method: 'bank_transfer', paidAt: '2026-11-30T08:00:00.000Z', reference: 'IMG-7F3K2Q', iban: IBAN },
    lines: [{ ...DAY, quantity: 1, unitPriceCents: 45_000 }],
  }),
  'invoice, 20 % VAT, consumer, card': invoice({
    number: 'F2026-00003',
    seller: VAT_20,
    buyer: CONSUMER,
    lines: [{ ...HALF_DAY, quantity: 1, unitPriceCents: 24_000 }],
  }),
  'invoice, 20 % VAT, business, transfer, an amount no HT reaches exactly': invoice({
    number: 'F2026-00004',
    seller: VAT_20,
    buyer: BUSINESS,
    payment: { method: 'bank_transfer', paidAt: '2026-11-27T10:00:00.000Z', reference: 'IMG-9QWERT', iban: IBAN },
    lines: [{ ...PACK_1H, quantity: 7, unitPriceCents: 9_999 }],
  }),
  'invoice, 20 % VAT, business, two lines, transfer without the account': invoice({
    number: 'F2026-00005',
    seller: VAT_20,
    buyer: { ...BUSINESS, billingAddress: undefined },
    payment: { method: 'bank_transfer', paidAt: '2026-11-27T10:00:00.000Z', reference: 'IMG-2LINES' },
    lines: [
      { ...PACK_1H, quantity: 2, unitPriceCents: 9_001 },
      { ...HALF_DAY, quantity: 1, unitPriceCents: 24_007 },
    ],
  }),
  'invoice, franchise, consumer, accented names and a billing address': invoice({
    number: 'F2026-00006',
    seller: { ...FRANCHISE, name: 'Zoé L’Hôte-Ñúñez EI', address: '5 bis, rue de l’Église, 29200 Brest' },
    buyer: {
      name: 'Łucja Œhlenschläger-Dvořák',
      email: 'lucja@example.org',
      billingAddress: '8, allée des Châtaigniers, 97400 Saint-Denis',
    },
    lines: [{ ...HALF_DAY, quantity: 1, unitPriceCents: 24_000 }],
  }),
  'credit note, franchise, consumer, card refund': creditNote({
    number: 'A2026-00001',
    seller: FRANCHISE,
    buyer: CONSUMER,
    lines: [{ ...PACK_1H, description: 'Remboursement — Pack 1 heure', quantity: 3, unitPriceCents: 9_000 }],
  }),
  'credit note, 20 % VAT, consumer, card refund': creditNote({
    number: 'A2026-00002',
    seller: VAT_20,
    buyer: CONSUMER,
    correctedInvoice: { number: 'F2026-00003', issuedAt: '2026-11-26T15:05:12.000Z' },
    lines: [{ ...HALF_DAY, description: 'Remboursement — Pack 1/2 journée', quantity: 1, unitPriceCents: 24_000 }],
  }),
  'credit note, 20 % VAT, business, transfer refund of unconsumed hours': creditNote({
    number: 'A2026-00003',
    seller: VAT_20,
    buyer: BUSINESS,
    reason: 'Rétractation après le début de la prestation : heures non consommées (art. L221-25)',
    correctedInvoice: { number: 'F2026-00004', issuedAt: '2026-11-26T15:05:12.000Z' },
    payment: { method: 'bank_transfer', paidAt: '2026-12-05T14:00:00.000Z', reference: 'REMB-9QWERT' },
    lines: [{ ...PACK_1H, description: 'Remboursement — heures non consommées', quantity: 5, unitPriceCents: 9_999 }],
  }),
  'credit note, franchise, business, transfer refund': creditNote({
    number: 'A2026-00004',
    seller: FRANCHISE,
    buyer: BUSINESS,
    reason: 'Paiement en double',
    correctedInvoice: { number: 'F2026-00002', issuedAt: '2026-11-30T08:00:00.000Z' },
    payment: { method: 'bank_transfer', paidAt: '2026-12-02T11:00:00.000Z', reference: 'REMB-7F3K2Q' },
    lines: [{ ...DAY, description: 'Remboursement — paiement reçu en double', quantity: 1, unitPriceCents: 45_000 }],
  }),
};
const NAMES = Object.keys(DOCUMENTS);

const PDFS: Record<string, Buffer> = {};
let verdicts: Record<string, ValidatorVerdict> = {};
let texts: Record<string, string> = {};
/** A PDF/A-3b without any XML (a contract document), which the validator must refuse as an invoice. */
const NOT_AN_INVOICE = 'a PDF/A without its XML';

beforeAll(async () => {
  for (const name of NAMES) PDFS[name] = await invoicePdf(DOCUMENTS[name]);
  const plain = await withdrawalFormPdf({ seller: FRANCHISE, createdAt: '2026-11-26T15:00:00.000Z' });
  // One validator run (one JVM) for every file.
  const [validated, read] = await Promise.all([
    validateWithMustang([...NAMES.map((name) => ({ name, pdf: PDFS[name] })), { name: NOT_AN_INVOICE, pdf: plain }]),
    readPdfs(NAMES.map((n) => PDFS[n])),
  ]);
  verdicts = Object.fromEntries(validated.map((v) => [v.name, v]));
  texts = Object.fromEntries(NAMES.map((n, i) => [n, flat(read[i].body)]));
}, 120_000);

describe('totals in integer cents', () => {
  const rates = fc.constantFrom(0, 2.1, 5.5, 10, 20);

  test('an amount including VAT splits into an amount excluding VAT and a VAT that add up to it, to the cent', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000_000 }), rates, (ttc, rate) => {
        const s = splitVat(ttc, rate);
        expect(s.exclVatCents + s.vatCents).toBe(ttc);
        expect(s.exclVatCents).toBeGreaterThanOrEqual(0);
        expect(s.vatCents).toBeGreaterThanOrEqual(0);
        // The VAT is the basis × rate to within one cent (EN 16931 BR-CO-17 tolerates it).
        expect(Math.abs(s.vatCents - (s.exclVatCents * rate) / 100)).toBeLessThanOrEqual(1);
      }),
      { numRuns: 5_000 },
    );
  });

  test('when some HT gives the price exactly (HT + its VAT rounded), the split finds that HT', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 50_000_000 }), rates, (ht, rate) => {
        const vat = Math.round((ht * rate) / 100);
        fc.pre(Math.abs((ht * rate) / 100 - Math.trunc((ht * rate) / 100) - 0.5) > 1e-9); // no exact half cent
        expect(splitVat(ht + vat, rate)).toEqual({ inclVatCents: ht + vat, exclVatCents: ht, vatCents: vat });
      }),
      { numRuns: 5_000 },
    );
  });

  test("the catalog's prices split exactly at 20 %: 90,00 € TTC is 75,00 € HT and 15,00 € VAT", () => {
    expect(splitVat(9_000, 20)).toEqual({ inclVatCents: 9_000, exclVatCents: 7_500, vatCents: 1_500 });
    expect(splitVat(24_000, 20)).toEqual({ inclVatCents: 24_000, exclVatCents: 20_000, vatCents: 4_000 });
    expect(splitVat(45_000, 20)).toEqual({ inclVatCents: 45_000, exclVatCents: 37_500, vatCents: 7_500 });
  });

  test("a document's lines add up to its totals, and its totals to the amount paid, for any lines and rate", () => {
    const line = fc.record({
      quantity: fc.integer({ min: 1, max: 10 }),
      unitPriceCents: fc.integer({ min: 0, max: 2_000_000 }),
      hoursPerUnit: fc.constantFrom(1, 3, 6),
    });
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 6 }), fc.constantFrom(0, 5.5, 10, 20), (lines, rate) => {
        const seller: DocumentSeller =
          rate === 0 ? FRANCHISE : { ...IDENTITY, vat: { regime: 'vat', number: 'FR44732829320', ratePercent: rate } };
        const doc = invoice({
          number: 'F2026-00042',
          seller,
          buyer: CONSUMER,
          lines: lines.map((l, i) => ({ ...l, description: `Ligne ${i + 1}` })),
        });
        const paid = lines.reduce((s, l) => s + l.quantity * l.unitPriceCents, 0);
        const sum = (f: (l: InvoiceDocument['lines'][number]) => number) => doc.lines.reduce((s, l) => s + f(l), 0);
        expect(doc.totals.inclVatCents).toBe(paid);
        expect(doc.totals.exclVatCents + doc.totals.vatCents).toBe(paid);
        expect(sum((l) => l.total.inclVatCents)).toBe(doc.totals.inclVatCents);
        expect(sum((l) => l.total.exclVatCents)).toBe(doc.totals.exclVatCents);
        expect(sum((l) => l.total.vatCents)).toBe(doc.totals.vatCents);
        for (const l of doc.lines) {
          expect(l.total.exclVatCents + l.total.vatCents).toBe(l.total.inclVatCents);
          expect(l.total.vatCents).toBeGreaterThanOrEqual(0);
        }
        expect(doc.totals.vatCents).toBe(splitVat(paid, rate).vatCents);
        expect(doc.totals.dueCents).toBe(0);
        if (rate === 0) expect(doc.totals.vatCents).toBe(0);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('mandatory mentions', () => {
  const franchise = DOCUMENTS['invoice, franchise, consumer, card'];
  const vat = DOCUMENTS['invoice, 20 % VAT, business, transfer, an amount no HT reaches exactly'];
  const credit = DOCUMENTS['credit note, 20 % VAT, business, transfer refund of unconsumed hours'];

  test('under the franchise the invoice says « TVA non applicable, art. 293 B du CGI » and charges no VAT', () => {
    expect(franchise.mentions.vat).toBe('TVA non applicable, art. 293 B du CGI');
    expect(franchise.totals).toMatchObject({ exclVatCents: 27_000, vatCents: 0, inclVatCents: 27_000 });
    expect(texts['invoice, franchise, consumer, card']).toContain('TVA non applicable, art. 293 B du CGI');
  });

  test('with a VAT number the invoice shows it, the rate, the VAT and the totals excluding and including VAT', () => {
    expect(vat.totals).toEqual({ exclVatCents: 58_328, vatCents: 11_665, inclVatCents: 69_993, paidCents: 69_993, dueCents: 0 });
    const text = texts['invoice, 20 % VAT, business, transfer, an amount no HT reaches exactly'];
    for (const s of ['FR44732829320', 'TVA 20 %', 'Total HT 583,28 €', '116,65 €', 'Total TTC 699,93 €']) expect(text).toContain(s);
  });

  test('every invoice names the seller (name, address, SIRET), the buyer, its number and dates, the nature and the payment', () => {
    const text = texts['invoice, franchise, consumer, card'];
    for (const s of [
      'Facture n° F2026-00001',
      'Jean Dupont EI',
      '12 rue des Lilas, 75011 Paris',
      '73282932000074',
      'Marie Martin',
      "Date d'émission 26/11/2026",
      'Date de la vente 26/11/2026',
      'Date du paiement 26/11/2026 (carte bancaire)',
      'Nature : Prestation de services.',
      'Paiement comptant à la commande. Facture acquittée le 26/11/2026 par carte bancaire.',
      'Pack 1 heure 3 3 90,00 € 270,00 €',
    ]) {
      expect(text).toContain(s);
    }
  });

  test("a business buyer's invoice names the business and its SIREN, the late-payment penalties and the 40 € indemnity", () => {
    const text = texts['invoice, franchise, business, transfer'];
    for (const s of [
      'Bernard Conseil SARL',
      'SIREN 552100554',
      'Paul Bernard',
      '3 place Bellecour, 69002 Lyon',
      'Aucun escompte pour paiement anticipé.',
    ]) {
      expect(text).toContain(s);
    }
    expect(text).toContain('pénalités exigibles sans rappel au taux de refinancement de la Banque centrale européenne majoré de 10 points');
    expect(text).toContain('Indemnité forfaitaire pour frais de recouvrement due en cas de retard de paiement : 40,00 €');
  });

  test("a consumer's invoice carries no late-payment mention", () => {
    expect(franchise.mentions.latePayment).toEqual([]);
    expect(texts['invoice, franchise, consumer, card']).not.toContain('Indemnité forfaitaire');
  });

  test('a credit note refers to the number and date of the invoice it corrects, and says why', () => {
    expect(credit.title).toBe('Avoir');
    expect(credit.mentions.correction).toBe('Avoir sur la facture F2026-00004 du 26/11/2026.');
    const text = texts['credit note, 20 % VAT, business, transfer refund of unconsumed hours'];
    expect(text).toContain('Avoir n° A2026-00003');
    expect(text).toContain('Facture corrigée F2026-00004 du 26/11/2026');
    expect(text).toContain('heures non consommées (art. L221-25)');
    expect(text).toContain('Montant remboursé le 05/12/2026 par virement bancaire.');
  });

  test('numbers follow F<year>-<5 digits> for invoices and A<year>-<5 digits> for credit notes', () => {
    const lines = [{ ...PACK_1H, quantity: 1, unitPriceCents: 9_000 }];
    expect(() => invoice({ number: 'A2026-00001', seller: FRANCHISE, buyer: CONSUMER, lines })).toThrow(/does not match/);
    expect(() => invoice({ number: 'F26-1', seller: FRANCHISE, buyer: CONSUMER, lines })).toThrow(/does not match/);
    expect(() => creditNote({ number: 'F2026-00001', seller: FRANCHISE, buyer: CONSUMER, lines })).toThrow(/does not match/);
    expect(() => creditNote({ number: 'A2026-00001', seller: FRANCHISE, buyer: CONSUMER, lines, correctedInvoice: undefined })).toThrow(
      /names the invoice it corrects/,
    );
  });

  test('dates are the days in Paris: a payment at 23:30 UTC on 31 December is dated 1 January', () => {
    const doc = invoice({
      number: 'F2027-00001',
      seller: FRANCHISE,
      buyer: CONSUMER,
      issuedAt: '2026-12-31T23:30:00.000Z',
      payment: { method: 'card', paidAt: '2026-12-31T23:30:00.000Z' },
      lines: [{ ...PACK_1H, quantity: 1, unitPriceCents: 9_000 }],
    });
    expect([doc.issueDate, doc.payment.paymentDate]).toEqual(['2027-01-01', '2027-01-01']);
    expect(facturXml(doc)).toContain('<udt:DateTimeString format="102">20270101</udt:DateTimeString>');
  });
});

describe('Factur-X XML', () => {
  test('an invoice is type 380 and a credit note type 381 referring to its invoice', () => {
    const inv = facturXml(DOCUMENTS['invoice, 20 % VAT, consumer, card']);
    const cn = facturXml(DOCUMENTS['credit note, 20 % VAT, consumer, card refund']);
    expect(inv).toContain('<ram:TypeCode>380</ram:TypeCode>');
    expect(inv).not.toContain('InvoiceReferencedDocument');
    expect(cn).toContain('<ram:TypeCode>381</ram:TypeCode>');
    expect(flat(cn)).toContain(
      '<ram:InvoiceReferencedDocument> <ram:IssuerAssignedID>F2026-00003</ram:IssuerAssignedID> <ram:FormattedIssueDateTime> <qdt:DateTimeString format="102">20261126</qdt:DateTimeString>',
    );
  });

  test("the XML's totals are the document's", () => {
    const xml = flat(facturXml(DOCUMENTS['invoice, 20 % VAT, business, transfer, an amount no HT reaches exactly']));
    expect(xml).toContain(
      '<ram:LineTotalAmount>583.28</ram:LineTotalAmount> <ram:TaxBasisTotalAmount>583.28</ram:TaxBasisTotalAmount> <ram:TaxTotalAmount currencyID="EUR">116.65</ram:TaxTotalAmount> <ram:GrandTotalAmount>699.93</ram:GrandTotalAmount> <ram:TotalPrepaidAmount>699.93</ram:TotalPrepaidAmount> <ram:DuePayableAmount>0.00</ram:DuePayableAmount>',
    );
  });

  test('under the franchise every line is exempt (E, 0 %) with the 293 B reason', () => {
    const xml = flat(facturXml(DOCUMENTS['invoice, franchise, consumer, card']));
    expect(xml).toContain('<ram:CategoryCode>E</ram:CategoryCode> <ram:RateApplicablePercent>0.00</ram:RateApplicablePercent>');
    expect(xml).toContain('<ram:ExemptionReason>TVA non applicable, art. 293 B du CGI</ram:ExemptionReason>');
    expect(xml).not.toContain('schemeID="VA"');
  });

  test('text from outside is escaped, never markup: a buyer named « Dupont & Fils <SARL> »', () => {
    const doc = invoice({
      number: 'F2026-00099',
      seller: FRANCHISE,
      buyer: { ...CONSUMER, name: 'Dupont & Fils <SARL>' },
      lines: [{ ...PACK_1H, quantity: 1, unitPriceCents: 9_000 }],
    });
    expect(facturXml(doc)).toContain('<ram:Name>Dupont &amp; Fils &lt;SARL&gt;</ram:Name>');
  });
});

describe('the Factur-X PDF, checked by the Mustang validator', () => {
  test.each(NAMES)('%s: valid (PDF/A-3 and EN 16931 XML)', (name) => {
    const v = verdicts[name];
    const errors = v.messages.filter((m) => m.severity === 'error' || m.severity === 'exception');
    if (!v.valid) throw new Error(`${name} is not valid:\n${v.report}`);
    expect(errors).toEqual([]);
    expect(v).toMatchObject({ valid: true, pdf: 'valid', xml: 'valid', profile: 'urn:cen.eu:en16931:2017' });
    expect(v.pdfa).toMatch(/flavour=3b.*isCompliant=true/);
  });

  test.each(NAMES.filter((n) => n.includes('business')))(
    '%s: the French rules for invoices between businesses (XP Z12-012) raise nothing',
    (name) => {
      expect(verdicts[name].messages.filter((m) => /BR-FR/.test(m.text))).toEqual([]);
    },
  );

  test('the validator refuses what is not a Factur-X invoice (a PDF/A without its XML)', () => {
    const plain = verdicts[NOT_AN_INVOICE];
    expect(plain).toMatchObject({ valid: false, pdf: 'invalid' });
    expect(plain.messages.map((m) => m.text).join('\n')).toMatch(/XML could not be extracted/);
  });

  test('the XML is attached as factur-x.xml, as the Alternative form of the invoice, and declared in the XMP', () => {
    const pdf = PDFS['invoice, franchise, consumer, card'].toString('latin1');
    expect(pdf).toMatch(/\/AFRelationship \/Alternative/);
    expect(pdf).toContain('/F (factur-x.xml)');
    expect(pdf).toContain('/Subtype /text#2Fxml');
    for (const s of [
      '<fx:DocumentType>INVOICE</fx:DocumentType>',
      '<fx:DocumentFileName>factur-x.xml</fx:DocumentFileName>',
      '<fx:Version>1.0</fx:Version>',
      '<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>',
      '<pdfaid:part>3</pdfaid:part>',
      '<pdfaid:conformance>B</pdfaid:conformance>',
    ]) {
      expect(pdf).toContain(s);
    }
    expect(pdf).toContain('/OutputIntents');
    expect(pdf).toContain('/FontFile2');
  });

  test('the same document renders the same bytes (an issued invoice can be produced again, identical)', async () => {
    const doc = DOCUMENTS['credit note, franchise, consumer, card refund'];
    expect((await invoicePdf(doc)).equals(PDFS['credit note, franchise, consumer, card refund'])).toBe(true);
  });
});
