/**
 * The Factur-X XML of an invoice or credit note: UN/CEFACT Cross Industry Invoice (CII D16B), profile EN 16931
 * (Factur-X « EN 16931 », also called Comfort). The element order below is the schema's: CII's sequences are strict.
 *
 * Choices where the norm leaves one:
 * - Under the franchise (art. 293 B du CGI) every line is VAT category E (exempt) at 0 %, with the exemption reason
 *   « TVA non applicable, art. 293 B du CGI » and the code VATEX-FR-FRANCHISE; the seller, who has no VAT number, is
 *   identified for tax purposes (BT-32, required by BR-E-02) by their SIREN.
 * - Prices are VAT-inclusive: each line's net amount is its amount including VAT less its VAT (money.ts). The net
 *   unit price is that amount divided by the quantity when it divides exactly; otherwise the price is given for the
 *   line's whole quantity (BT-149, base quantity), so that price × quantity ÷ base quantity is the line's amount to
 *   the cent, as the validators recompute it.
 * - The document is paid at order: the whole amount is prepaid (BT-113), nothing is due (BT-115), the billing
 *   framework (BT-23) is S2, services already paid, and the due date (BT-9) the day of the payment.
 * - A business buyer's document carries the notes the French rules for invoices between businesses ask for
 *   (XP Z12-012: AAB, PMD, PMT); a consumer's does not, since the penalties and the 40 € indemnity do not apply to a
 *   consumer: Mustang then warns of the missing notes (warnings, not errors: the document is valid).
 */
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces';
import { parseAddress } from './address';
import { cefactDay } from './dates';
import { FRANCHISE_MENTION, SERVICE_NATURE, type InvoiceDocument } from './invoice';
import { decimal } from './money';

/** The profile the XML follows, as its guideline id and as the PDF's XMP says it (Factur-X 1.0). */
export const FACTUR_X_PROFILE = { guideline: 'urn:cen.eu:en16931:2017', conformanceLevel: 'EN 16931' } as const;
export const FACTUR_X_FILENAME = 'factur-x.xml';

const NS = {
  'xmlns:rsm': 'urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100',
  'xmlns:ram': 'urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100',
  'xmlns:qdt': 'urn:un:unece:uncefact:data:standard:QualifiedDataType:100',
  'xmlns:udt': 'urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100',
};

/** UNTDID 1001: commercial invoice, credit note. */
const TYPE_CODE = { invoice: '380', credit_note: '381' } as const;
/** UNTDID 4461: bank card; SEPA credit transfer (which needs the account credited, BR-61). */
const PAYMENT_MEANS = { card: '48', bank_transfer: '58' } as const;

type Node = XMLBuilder;
const leaf = (parent: Node, name: string, text: string, attributes?: Record<string, string>): Node =>
  parent.ele(name, attributes).txt(text).up();
const day = (parent: Node, name: string, instant: string, ns: 'udt' | 'qdt' = 'udt'): Node =>
  parent.ele(name).ele(`${ns}:DateTimeString`, { format: '102' }).txt(cefactDay(instant)).up().up();

export function facturXml(doc: InvoiceDocument): string {
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele('rsm:CrossIndustryInvoice', NS);
  const franchise = doc.seller.vat.regime === 'franchise';
  const category = franchise ? 'E' : 'S';
  const rate = decimal(Math.round(doc.vatRatePercent * 100));

  const context = root.ele('rsm:ExchangedDocumentContext');
  // BT-23, the French billing framework: S2, an invoice for services already paid.
  leaf(context.ele('ram:BusinessProcessSpecifiedDocumentContextParameter'), 'ram:ID', 'S2');
  leaf(context.ele('ram:GuidelineSpecifiedDocumentContextParameter'), 'ram:ID', FACTUR_X_PROFILE.guideline);

  const header = root.ele('rsm:ExchangedDocument');
  leaf(header, 'ram:ID', doc.number);
  leaf(header, 'ram:TypeCode', TYPE_CODE[doc.kind]);
  day(header, 'ram:IssueDateTime', doc.issuedAt);
  const note = (content: string, subject?: string) => {
    const n = header.ele('ram:IncludedNote');
    leaf(n, 'ram:Content', content);
    if (subject) leaf(n, 'ram:SubjectCode', subject);
  };
  note(SERVICE_NATURE);
  if (doc.mentions.correction) note(doc.mentions.correction);
  if (doc.reason) note(`Motif : ${doc.reason}`);
  if (franchise) note(FRANCHISE_MENTION);
  // UNTDID 4451 as the French rules for invoices between businesses use them (XP Z12-012, BR-FR-05/06): AAB the
  // discount, PMD the late-payment penalties, PMT the fixed indemnity. A consumer's invoice has none of them.
  const [noDiscount, penalties, indemnity] = doc.mentions.latePayment;
  if (noDiscount) note(noDiscount, 'AAB');
  if (penalties) note(penalties, 'PMD');
  if (indemnity) note(indemnity, 'PMT');

  const trade = root.ele('rsm:SupplyChainTradeTransaction');
  for (const line of doc.lines) {
    const item = trade.ele('ram:IncludedSupplyChainTradeLineItem');
    item.ele('ram:AssociatedDocumentLineDocument').ele('ram:LineID').txt(String(line.id));
    const product = item.ele('ram:SpecifiedTradeProduct');
    leaf(product, 'ram:Name', line.description);
    leaf(product, 'ram:Description', `${line.hours} heure${line.hours > 1 ? 's' : ''} d'accompagnement à distance`);
    const exact = line.total.exclVatCents % line.quantity === 0;
    const price = item.ele('ram:SpecifiedLineTradeAgreement').ele('ram:NetPriceProductTradePrice');
    leaf(price, 'ram:ChargeAmount', decimal(exact ? line.total.exclVatCents / line.quantity : line.total.exclVatCents));
    if (!exact) leaf(price, 'ram:BasisQuantity', String(line.quantity), { unitCode: 'C62' });
    item.ele('ram:SpecifiedLineTradeDelivery').ele('ram:BilledQuantity', { unitCode: 'C62' }).txt(String(line.quantity));
    const settlement = item.ele('ram:SpecifiedLineTradeSettlement');
    const tax = settlement.ele('ram:ApplicableTradeTax');
    leaf(tax, 'ram:TypeCode', 'VAT');
    leaf(tax, 'ram:CategoryCode', category);
    leaf(tax, 'ram:RateApplicablePercent', rate);
    settlement.ele('ram:SpecifiedTradeSettlementLineMonetarySummation').ele('ram:LineTotalAmount').txt(decimal(line.total.exclVatCents));
  }

  const agreement = trade.ele('ram:ApplicableHeaderTradeAgreement');
  const seller = agreement.ele('ram:SellerTradeParty');
  leaf(seller, 'ram:Name', doc.seller.name);
  leaf(seller.ele('ram:SpecifiedLegalOrganization'), 'ram:ID', doc.seller.siret.slice(0, 9), { schemeID: '0002' });
  const contact = seller.ele('ram:DefinedTradeContact');
  leaf(contact.ele('ram:TelephoneUniversalCommunication'), 'ram:CompleteNumber', doc.seller.phone);
  leaf(contact.ele('ram:EmailURIUniversalCommunication'), 'ram:URIID', doc.seller.email);
  address(seller, doc.seller.address);
  leaf(seller.ele('ram:URIUniversalCommunication'), 'ram:URIID', doc.seller.email, { schemeID: 'EM' });
  const registration = seller.ele('ram:SpecifiedTaxRegistration');
  if (doc.seller.vat.regime === 'vat') leaf(registration, 'ram:ID', doc.seller.vat.number, { schemeID: 'VA' });
  else leaf(registration, 'ram:ID', doc.seller.siret.slice(0, 9), { schemeID: 'FC' });

  const buyer = agreement.ele('ram:BuyerTradeParty');
  const business = doc.buyer.business;
  leaf(buyer, 'ram:Name', business ? business.name : doc.buyer.name);
  if (business) {
    leaf(buyer.ele('ram:SpecifiedLegalOrganization'), 'ram:ID', business.siren, { schemeID: '0002' });
    leaf(buyer.ele('ram:DefinedTradeContact'), 'ram:PersonName', doc.buyer.name);
  }
  // BR-10/BR-11: the buyer's address, at least its country, even when the client gave none.
  address(buyer, doc.buyer.billingAddress);
  leaf(buyer.ele('ram:URIUniversalCommunication'), 'ram:URIID', doc.buyer.email, { schemeID: 'EM' });

  day(trade.ele('ram:ApplicableHeaderTradeDelivery').ele('ram:ActualDeliverySupplyChainEvent'), 'ram:OccurrenceDateTime', doc.soldAt);

  const settlement = trade.ele('ram:ApplicableHeaderTradeSettlement');
  if (doc.payment.reference) leaf(settlement, 'ram:PaymentReference', doc.payment.reference);
  leaf(settlement, 'ram:InvoiceCurrencyCode', 'EUR');
  if (doc.payment.method === 'card' || doc.payment.iban) {
    const means = settlement.ele('ram:SpecifiedTradeSettlementPaymentMeans');
    leaf(means, 'ram:TypeCode', PAYMENT_MEANS[doc.payment.method]);
    leaf(means, 'ram:Information', `Payé par ${doc.payment.methodLabel}`);
    if (doc.payment.method === 'bank_transfer' && doc.payment.iban) {
      leaf(means.ele('ram:PayeePartyCreditorFinancialAccount'), 'ram:IBANID', doc.payment.iban.replace(/\s+/g, ''));
    }
  }
  const tax = settlement.ele('ram:ApplicableTradeTax');
  leaf(tax, 'ram:CalculatedAmount', decimal(doc.totals.vatCents));
  leaf(tax, 'ram:TypeCode', 'VAT');
  if (franchise) leaf(tax, 'ram:ExemptionReason', FRANCHISE_MENTION);
  leaf(tax, 'ram:BasisAmount', decimal(doc.totals.exclVatCents));
  leaf(tax, 'ram:CategoryCode', category);
  if (franchise) leaf(tax, 'ram:ExemptionReasonCode', 'VATEX-FR-FRANCHISE');
  leaf(tax, 'ram:RateApplicablePercent', rate);
  const terms = settlement.ele('ram:SpecifiedTradePaymentTerms');
  leaf(terms, 'ram:Description', doc.mentions.paymentTerms);
  // BR-FR-CO-09: under S2 the due date (BT-9) is the day it was paid.
  day(terms, 'ram:DueDateDateTime', doc.payment.paidAt);
  const sums = settlement.ele('ram:SpecifiedTradeSettlementHeaderMonetarySummation');
  leaf(sums, 'ram:LineTotalAmount', decimal(doc.totals.exclVatCents));
  leaf(sums, 'ram:TaxBasisTotalAmount', decimal(doc.totals.exclVatCents));
  leaf(sums, 'ram:TaxTotalAmount', decimal(doc.totals.vatCents), { currencyID: 'EUR' });
  leaf(sums, 'ram:GrandTotalAmount', decimal(doc.totals.inclVatCents));
  leaf(sums, 'ram:TotalPrepaidAmount', decimal(doc.totals.paidCents));
  leaf(sums, 'ram:DuePayableAmount', decimal(doc.totals.dueCents));
  if (doc.correctedInvoice) {
    const ref = settlement.ele('ram:InvoiceReferencedDocument');
    leaf(ref, 'ram:IssuerAssignedID', doc.correctedInvoice.number);
    day(ref, 'ram:FormattedIssueDateTime', doc.correctedInvoice.issuedAt, 'qdt');
  }

  return root.end({ prettyPrint: true });
}

function address(party: Node, oneLine: string | undefined): void {
  const a = party.ele('ram:PostalTradeAddress');
  const parsed = oneLine ? parseAddress(oneLine) : undefined;
  if (parsed?.postcode) leaf(a, 'ram:PostcodeCode', parsed.postcode);
  if (parsed?.line) leaf(a, 'ram:LineOne', parsed.line);
  if (parsed?.city) leaf(a, 'ram:CityName', parsed.city);
  leaf(a, 'ram:CountryID', parsed?.country ?? 'FR');
}
