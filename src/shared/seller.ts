/**
 * Who sells (Code de la consommation L221-5 and L111-1, LCEN art. 6 III, CGI art. 242 nonies A of annex II): the
 * seller's identity as every legal page, contract document and invoice shows it. Pure: validated by the
 * configuration (src/infra/config.ts), used everywhere.
 */
export type VatStatus = { regime: 'franchise' } | { regime: 'vat'; number: string; ratePercent: number };

export interface Seller {
  name: string;
  address: string;
  /** 14 digits (the SIREN is its first 9). */
  siret: string;
  vat: VatStatus;
  email: string;
  phone: string;
  host: { name: string; address: string };
  mediator: { name: string; url: string };
}

export const FRANCHISE_MENTION = 'TVA non applicable, art. 293 B du CGI';

/** « TVA non applicable, art. 293 B du CGI » or « TVA intracommunautaire FR… ». */
export const vatMention = (v: VatStatus): string =>
  v.regime === 'franchise' ? FRANCHISE_MENTION : `N° de TVA intracommunautaire : ${v.number}`;

export const siren = (siret: string): string => siret.slice(0, 9);

/** « 123 456 789 00012 ». */
export const formatSiret = (siret: string): string => `${siret.slice(0, 3)} ${siret.slice(3, 6)} ${siret.slice(6, 9)} ${siret.slice(9)}`;

/**
 * The Luhn check of a SIRET (INSEE). La Poste's establishments (SIREN 356 000 000) follow their own rule: the sum of
 * the digits is a multiple of 5.
 */
export function validSiret(siret: string): boolean {
  if (!/^\d{14}$/.test(siret)) return false;
  if (siret.startsWith('356000000')) return [...siret].reduce((s, d) => s + Number(d), 0) % 5 === 0;
  let sum = 0;
  for (let i = 0; i < 14; i++) {
    let d = Number(siret[13 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** A SIREN (INSEE): 9 digits whose Luhn check holds. */
export function validSiren(siren: string): boolean {
  if (!/^\d{9}$/.test(siren)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) {
    let d = Number(siren[8 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** A French VAT number: FR, a 2-digit key, the SIREN; key = (12 + 3 × (SIREN mod 97)) mod 97. */
export function validFrenchVat(number: string): boolean {
  const m = /^FR(\d{2})(\d{9})$/.exec(number);
  if (!m) return false;
  return Number(m[1]) === (12 + 3 * (Number(m[2]) % 97)) % 97;
}
