/** A one-line postal address, as configured (`SELLER_ADDRESS`) or typed by a client, read into its parts. */
export interface PostalAddress {
  /** What precedes the postcode: « 12 rue des Lilas », or the whole address when no French postcode is found. */
  line: string;
  postcode?: string;
  city?: string;
  /** ISO 3166-1 alpha-2. The business sells in France: an address names another country only explicitly. */
  country: string;
}

/**
 * « 12 rue des Lilas, 75011 Paris » → line « 12 rue des Lilas », postcode 75011, city Paris. The last part with a
 * 5-digit postcode followed by the city is the postcode and city; anything after it (« France ») is dropped.
 */
export function parseAddress(address: string): PostalAddress {
  const parts = address
    .split(/\s*(?:,|\n)\s*/)
    .map((p) => p.trim())
    .filter(Boolean);
  for (let i = parts.length - 1; i >= 0; i--) {
    const m = /^(\d{5})\s+(.+)$/.exec(parts[i]);
    if (m && i > 0) return { line: parts.slice(0, i).join(', '), postcode: m[1], city: m[2], country: 'FR' };
  }
  return { line: parts.join(', '), country: 'FR' };
}
