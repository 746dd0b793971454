/**
 * The facts the documents are built from. Plain data (JSON-safe: instants are ISO strings), so a workflow, an
 * activity or the gateway can hand them over as they are; the configured seller (src/shared/seller.ts) fits
 * `DocumentSeller` as it is.
 */

/** « TVA non applicable, art. 293 B du CGI » (franchise en base) or a French VAT number and its rate. */
export type VatStatus = { regime: 'franchise' } | { regime: 'vat'; number: string; ratePercent: number };

/** Who sells: every contract document and invoice names them (C. consom. L221-5, L111-1; CGI ann. II 242 nonies A). */
export interface DocumentSeller {
  name: string;
  /** Postal address on one line, e.g. « 12 rue des Lilas, 75011 Paris ». */
  address: string;
  /** 14 digits; the SIREN is its first 9. */
  siret: string;
  vat: VatStatus;
  email: string;
  phone: string;
}

export type PaymentMethod = 'card' | 'bank_transfer';

/**
 * What a withdrawal within the period costs once a session has started (`WITHDRAWAL_AFTER_START`): `refused`, the
 * CGV as written, or `prorata`, the law's reading (L221-25: the hours not consumed are refunded).
 */
export type WithdrawalAfterStart = 'refused' | 'prorata';
