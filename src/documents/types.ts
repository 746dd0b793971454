/**
 * The facts the documents are built from. Plain data (JSON-safe: instants are ISO strings), so a workflow, an
 * activity or the gateway can hand them over as they are; the configured seller (src/shared/seller.ts) fits
 * `DocumentSeller` as it is.
 */

import type { Seller, VatStatus } from '../shared/seller';

export type { VatStatus };

/**
 * Who sells: every contract document and invoice names them (C. consom. L221-5, L111-1; CGI ann. II 242 nonies A).
 * The configured seller (src/shared/seller.ts), without the host and mediator that only the legal pages show.
 */
export type DocumentSeller = Pick<Seller, 'name' | 'address' | 'siret' | 'vat' | 'email' | 'phone'>;

export type PaymentMethod = 'card' | 'bank_transfer';

/**
 * What a withdrawal within the period costs once a session has started (`WITHDRAWAL_AFTER_START`): `refused`, the
 * CGV as written, or `prorata`, the law's reading (L221-25: the hours not consumed are refunded).
 */
export type WithdrawalAfterStart = 'refused' | 'prorata';
