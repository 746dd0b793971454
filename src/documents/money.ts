/**
 * Amounts in integer cents. Prices are VAT-inclusive (SPEC « Catalog »), so the amounts excluding VAT and the VAT
 * are derived from the amount including VAT, never the other way round.
 */

/** An amount including VAT, split so that `exclVatCents + vatCents === inclVatCents` exactly. */
export interface VatSplit {
  inclVatCents: number;
  exclVatCents: number;
  vatCents: number;
}

/**
 * The rounding rule: the amount excluding VAT is the amount including VAT divided by (1 + rate), rounded to the
 * nearest cent (a half cent up), and the VAT is what remains: HT = round(TTC × 100 / (100 + taux)), TVA = TTC − HT.
 * So the three amounts printed always add up. Whenever some HT gives TTC exactly as HT + round(HT × taux), this
 * rule finds that HT, so the VAT is then also HT × taux rounded (90,00 € TTC → 75,00 € HT + 15,00 € TVA). Some TTC
 * amounts have no such HT (699,93 € at 20 %: 583,27 € gives 699,92 €, 583,28 € gives 699,94 €); the VAT then
 * differs from HT × taux by one cent, which EN 16931 tolerates (BR-CO-17). `ratePercent` 0 (or a franchise) is no
 * VAT. Rates are taken to the hundredth of a percent (5.5, 2.1).
 */
export function splitVat(inclVatCents: number, ratePercent: number): VatSplit {
  assertCents(inclVatCents, 'amount including VAT');
  const rateBp = Math.round(ratePercent * 100);
  if (!Number.isInteger(rateBp) || rateBp < 0 || rateBp > 10_000) throw new RangeError(`VAT rate out of range: ${ratePercent}`);
  if (rateBp === 0) return { inclVatCents, exclVatCents: inclVatCents, vatCents: 0 };
  // round(a / b) for integers a ≥ 0, b > 0: floor((2a + b) / 2b), exact in doubles below 2^53.
  const num = inclVatCents * 10_000;
  const den = 10_000 + rateBp;
  const exclVatCents = Math.floor((2 * num + den) / (2 * den));
  return { inclVatCents, exclVatCents, vatCents: inclVatCents - exclVatCents };
}

/** Integer cents, never negative, small enough that every product above stays exact. */
export function assertCents(cents: number, what: string): void {
  if (!Number.isSafeInteger(cents) || cents < 0 || cents > 1e11) throw new RangeError(`${what} must be integer cents ≥ 0, got ${cents}`);
}

/** « 1234.50 »: the decimal form of XML amounts. */
export const decimal = (cents: number): string => {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
};

/** « 1 234,50 € » with plain spaces (what the PDFs print). */
export const euros = (cents: number): string => {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const units = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
  return `${sign}${units},${String(abs % 100).padStart(2, '0')} €`;
};

/** « 20 % », « 5,5 % ». */
export const percent = (ratePercent: number): string => `${String(ratePercent).replace('.', ',')} %`;
