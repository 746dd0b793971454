/**
 * The documents the business hands its clients, data first (typed values built by pure code from the facts), then
 * rendered: the contract on a durable medium (CGV, order recap, withdrawal information and model form) and the
 * invoices and credit notes (PDF/A-3 with their Factur-X XML). Nothing here stores, numbers or sends a document:
 * the caller does (numbering and immutability are the database's job).
 */
export type { DocumentSeller, PaymentMethod, VatStatus, WithdrawalAfterStart } from './types';
export { splitVat, euros, type VatSplit } from './money';
export { parseAddress, type PostalAddress } from './address';
export {
  buildInvoiceDocument,
  DEFAULT_LATE_PAYMENT_RATE,
  FIXED_RECOVERY_INDEMNITY_CENTS,
  FRANCHISE_MENTION,
  SERVICE_NATURE,
  type DocumentKind,
  type InvoiceBuyer,
  type InvoiceDocument,
  type InvoiceInput,
  type InvoiceLine,
  type InvoiceLineInput,
  type InvoiceTotals,
} from './invoice';
export { facturXml, FACTUR_X_FILENAME, FACTUR_X_PROFILE } from './factur-x';
export { invoicePdf } from './invoice-pdf';
export {
  ACKNOWLEDGMENT_HEADINGS,
  cgvDocument,
  fillSellerInCgv,
  orderRecap,
  sellerFacts,
  type Acknowledgment,
  type CgvBlock,
  type CgvDocument,
  type CgvInput,
  type ConsentRecord,
  type Fact,
  type OrderFacts,
  type OrderRecap,
} from './contract';
export { cgvPdf, orderRecapPdf, withdrawalFormPdf } from './contract-pdf';
export {
  WITHDRAWAL_DAYS,
  withdrawalForm,
  withdrawalFormText,
  withdrawalInformation,
  withdrawalInformationText,
  type TextSection,
  type WithdrawalForm,
  type WithdrawalInformation,
} from './withdrawal';
