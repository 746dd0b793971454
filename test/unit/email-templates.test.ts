import { renderEmail, type MailContext } from '../../src/activities/emails/templates';

const ctx = (over: Partial<MailContext> = {}): MailContext => ({
  template: 'BOOKING_CONFIRMED',
  event: {
    type: 'BOOKING_CONFIRMED',
    atMs: Date.parse('2027-03-01T09:00:00Z'),
    data: { start: '2027-03-28T08:00:00.000Z', end: '2027-03-28T09:00:00.000Z', hours: 1 },
  },
  pack: {
    id: 'p',
    label: 'Pack 1 heure',
    totalHours: 2,
    priceCents: 18_000,
    paymentMethod: 'card',
    bankReference: 'IMG-ABCDEFGH',
    paymentDeadline: new Date('2027-03-08T09:00:00Z'),
    expiresAt: new Date('2027-06-01T09:00:00Z'),
    hoursAvailable: 1,
  },
  customer: { name: 'Zoé <script>alert(1)</script>', email: 'zoe@example.org' },
  settings: {
    publicUrl: 'https://www.imaginasite.com',
    zoomUrl: 'https://zoom.us/j/123',
    timezone: 'Europe/Paris',
    bank: { iban: 'FR76 3000 6000 0112 3456 7890 189', bic: 'AGRIFRPPXXX', holder: 'imaginasite' },
  },
  portalUrl: 'https://www.imaginasite.com/espace?token=abc',
  ...over,
});

describe('emails', () => {
  test('a confirmed session’s email is in French, in Paris time across DST, with the Zoom link and an invite', () => {
    const m = renderEmail(ctx());
    expect(m.subject).toBe('Séance confirmée : dimanche 28 mars 2027 à 10h00');
    expect(m.text).toContain('Lien Zoom : https://zoom.us/j/123');
    expect(m.ics).toBe('REQUEST');
  });

  test('only the site’s own addresses and the Zoom link become links: a URL a client typed stays text', () => {
    const m = renderEmail(
      ctx({
        template: 'PROVIDER_BOOKING_REQUESTED',
        event: {
          type: 'BOOKING_REQUESTED',
          atMs: Date.parse('2027-03-01T09:00:00Z'),
          data: { start: '2027-03-28T08:00:00.000Z', hours: 1 },
        },
        customer: { name: 'Eve https://evil.example/login', email: 'eve@example.org' },
      }),
    );
    expect(m.html).toContain('Eve https://evil.example/login demande');
    expect(m.html).not.toContain('href="https://evil.example');
    expect(m.html).toContain('<a href="https://www.imaginasite.com/admin/packs/p">');
    const client = renderEmail(ctx());
    expect(client.html).toContain('<a href="https://zoom.us/j/123">');
    expect(client.html).toContain('<a href="https://www.imaginasite.com/espace?token=abc">');
  });

  test('a value from outside is rendered inert in the HTML (escaped), and a subject never carries a line break', () => {
    const m = renderEmail(
      ctx({
        template: 'PROVIDER_ORDER_RECEIVED',
        customer: { name: 'Eve <script>alert(1)</script>\r\nBcc: x@example.org', email: 'eve@example.org' },
      }),
    );
    expect(m.html).not.toContain('<script>');
    expect(m.html).toContain('&lt;script&gt;');
    expect(m.subject).not.toMatch(/[\r\n]/);
  });

  test('the bank-transfer order email gives the IBAN, the amount, the reference and the deadline', () => {
    const m = renderEmail(ctx({ template: 'ORDER_RECEIVED', pack: { ...ctx().pack, paymentMethod: 'bank_transfer' } }));
    for (const s of ['IBAN : FR76 3000 6000 0112 3456 7890 189', 'Montant : 180,00 € TTC', 'IMG-ABCDEFGH', 'lundi 8 mars 2027 à 10h00'])
      expect(m.text).toContain(s);
  });
});
