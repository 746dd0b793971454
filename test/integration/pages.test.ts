import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { fieldValue, parseHtml, visibleText } from '../support/html';
import { csrfIn, openPortal, orderFormCsrf } from '../support/portal';
import { signPackToken, verifyPackToken } from '../../src/infra/tokens';
import {
  checkoutCompleted,
  checkoutSessionOf,
  createGatewayWorld,
  PROVIDER_PASSWORD,
  PROVIDER_TOKEN,
  type GatewayWorld,
} from '../support/gateway';
import { OPEN_ALL_THE_TIME } from '../support/packs';
import { placeOrder } from '../support/api';
import { DAY, HOUR, hourAfter } from '../support/time';
import { until } from '../support/until';

// The HTML pages of the gateway (order form, client portal, provider dashboard) driven as a browser would: form posts,
// cookies kept by a supertest agent, CSRF tokens read from the page, on the real stack (Temporal dev server, worker,
// PostgreSQL, stripe-mock, SMTP sink).
const IBAN = 'FR76 3000 6000 0112 3456 7890 189';
const KINDS = ['equipment', 'skills', 'websiteConditions', 'cgv', 'withdrawalWaiver'] as const;
const ALWAYS_OPEN = OPEN_ALL_THE_TIME;

type Agent = ReturnType<typeof request.agent>;
type Res = request.Response;
interface PackView {
  status: string;
  paidCents: number;
  priceCents: number;
  hours: { available: number; reserved: number; forfeited: number };
  withdrawal: { allowed: boolean };
  bookings: Array<{ id: string; start: string; end: string; status: string }>;
}

let w: GatewayWorld;
beforeAll(async () => {
  w = await createGatewayWorld();
});
afterAll(async () => {
  await w?.teardown();
});

// ------------------------------------------------------------------------------------------- helpers
/** A browser: keeps its cookies and asks for HTML, as a browser's navigation does. */
const browser = (): Agent => request.agent(w.app).set('accept', 'text/html,application/xhtml+xml');
const page = (url: string) => request(w.app).get(url).set('accept', 'text/html');
const secret = () => w.app.ctx.config.ACCESS_TOKEN_SECRET;
const cookies = (res: Res): string[] => (res.headers['set-cookie'] as unknown as string[] | undefined) ?? [];
const SESSION = 'imaginasite_session';
const cookieNamed = (res: Res, name: string) => cookies(res).find((c) => c.startsWith(`${name}=`));
const csrfOf = (html: string): string => {
  const m = /name="csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('no csrf field on the page');
  return m[1];
};
let seq = 0;
const uniqueEmail = (tag = 'client') => `${tag}.${Date.now().toString(36)}${(seq++).toString(36)}@example.org`;
/** The order form as a client fills it: every box ticked, 3 hours of the hourly pack, by transfer. */
const orderFields = (o: Record<string, string> = {}): Record<string, string> => ({
  orderKey: crypto.randomUUID(),
  packCode: 'PACK_1H',
  quantity: '3',
  name: 'Léa Moreau',
  email: uniqueEmail(),
  paymentMethod: 'bank_transfer',
  ...Object.fromEntries(KINDS.map((k) => [k, 'yes'])),
  // The review page's button: « Commander avec obligation de paiement ».
  confirm: 'yes',
  ...o,
});
const packOf = (email: string) => w.db.prisma.pack.findFirstOrThrow({ where: { customer: { email } } });
const stateOf = async (packId: string, token: string): Promise<PackView> => {
  const res = await request(w.app).get(`/api/packs/${packId}`).set('authorization', `Bearer ${token}`);
  expect(res.status).toBe(200);
  return res.body as PackView;
};
const stateUntil = (packId: string, token: string, ok: (s: PackView) => boolean, what: string) =>
  until(() => stateOf(packId, token), ok, what);
const provider = (r: request.Test) => r.set('authorization', `Bearer ${PROVIDER_TOKEN}`);

/** Orders through the form in a fresh browser; the browser then holds the pack's cookie. */
async function orderThroughForm(o: Record<string, string> = {}) {
  const agent = browser();
  const fields: Record<string, string> = { csrf: await orderFormCsrf(agent), ...orderFields(o) };
  const res = await agent.post('/commander').type('form').send(fields);
  expect(res.status).toBe(303);
  const pack = await packOf(fields.email);
  // The browser holds a server-side session of the portal; the test reads the pack through the API with a token of its own.
  expect(cookieNamed(res, SESSION)).toMatch(/; HttpOnly/);
  const token = signPackToken(secret(), pack.id, 3600);
  return { agent, res, fields, email: fields.email, pack, packId: pack.id, token };
}

/** A card order through the form, paid by Stripe's signed webhook, active; its browser holds the portal cookie. */
async function paidPortal(o: Record<string, string> = {}) {
  const order = await orderThroughForm({ paymentMethod: 'card', ...o });
  const { payload, header } = w.signed(
    checkoutCompleted(order.packId, order.pack.priceCents, { sessionId: await checkoutSessionOf(w, order.packId) }),
  );
  expect(
    (await request(w.app).post('/webhooks/stripe').set('stripe-signature', header).set('content-type', 'application/json').send(payload))
      .status,
  ).toBe(200);
  await stateUntil(order.packId, order.token, (s) => s.status === 'ACTIVE', 'the payment');
  return order;
}

/** The portal's page and its CSRF token. */
async function portal(agent: Agent) {
  const res = await agent.get('/espace');
  expect(res.status).toBe(200);
  return { html: res.text, csrf: csrfOf(res.text) };
}

let hourOffset = 0;
/** Whole hours in the future that no other test of this file uses (the provider has one calendar). */
const farStart = (daysAhead = 3) =>
  new Date(Math.ceil((Date.now() + daysAhead * DAY) / HOUR) * HOUR + hourOffset++ * 2 * HOUR).toISOString();

/** Books `start` through the portal's form; answers the booking as the workflow holds it. */
async function book(o: { agent: Agent; packId: string; token: string }, start: string) {
  const { csrf } = await portal(o.agent);
  const res = await o.agent.post('/espace/reserver').type('form').send({ csrf, start });
  expect(res.status).toBe(303);
  const s = await stateOf(o.packId, o.token);
  const b = s.bookings.find((x) => Date.parse(x.start) === Date.parse(start));
  expect(b).toBeDefined();
  return b!;
}

/** A logged-in provider's browser and its CSRF token. */
async function adminBrowser() {
  const agent = browser();
  const login = await agent.post('/admin/connexion').type('form').send({ password: PROVIDER_PASSWORD });
  expect([login.status, login.headers.location]).toEqual([303, '/admin']);
  const form = await agent.get('/admin/disponibilites');
  expect(form.status).toBe(200);
  return { agent, csrf: csrfOf(form.text) };
}

// ------------------------------------------------------------------------------------------- public pages
describe('public pages', () => {
  test('the home page lists the three packs with their prices and a link to order each', async () => {
    const res = await page('/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    for (const text of [
      'Pack 1 heure',
      '90,00 € TTC / heure',
      'Pack 1/2 journée (3 heures consécutives)',
      '240,00 € TTC',
      'Pack 1 jour (6 heures consécutives, hors pause)',
      '450,00 € TTC',
    ]) {
      expect(res.text).toContain(text);
    }
    for (const code of ['PACK_1H', 'PACK_HALF_DAY', 'PACK_DAY']) expect(res.text).toContain(`href="/commander?pack=${code}"`);
  });

  test('the order form preselects the pack chosen on the home page', async () => {
    const res = await page('/commander?pack=PACK_DAY');
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/<option value="PACK_DAY" selected>/);
    expect(res.text).not.toMatch(/<option value="PACK_1H" selected>/);
  });

  test('the CGV page shows the terms of sale from content/cgv.fr.txt', async () => {
    const res = await page('/cgv');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<h1>Conditions générales de vente</h1>');
    const line = fs
      .readFileSync(path.join(__dirname, '../../content/cgv.fr.txt'), 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Les présentes Conditions Générales de Vente'));
    expect(line).toBeDefined();
    // The seed's blank (« le prestataire, M. , propose ») is the seller, from the configuration.
    const seller = w.app.ctx.seller;
    const filled = line!.replace(
      'le prestataire, M. , ',
      `le prestataire, ${seller.name} (${seller.address} ; SIRET 123 456 782 00010 ; TVA non applicable, art. 293 B du CGI ; ${seller.email}), `,
    );
    expect(visibleText(res.text)).toContain(filled);
    expect(visibleText(res.text)).toMatch(new RegExp(`Version ${w.app.ctx.cgv.version}, en vigueur depuis le \\S+ \\d+ \\S+ \\d{4}`));
  });

  test('/static/site.css is served as a stylesheet', async () => {
    const res = await request(w.app).get('/static/site.css');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/css/);
    expect(res.text).toMatch(/box-sizing:\s*border-box/);
  });

  test('pages carry a strict Content-Security-Policy (no script, no framing) and no X-Powered-By', async () => {
    for (const url of ['/', '/cgv', '/commander', '/espace/lien', '/admin/connexion', '/une-page-qui-n-existe-pas']) {
      const res = await page(url);
      const csp = String(res.headers['content-security-policy'] ?? '');
      expect(csp).toContain("script-src 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).toContain("default-src 'self'");
      expect(res.headers['x-powered-by']).toBeUndefined();
      expect(res.text).not.toMatch(/<script/i);
    }
  });
});

// ------------------------------------------------------------------------------------------- order form
describe('order form', () => {
  test('nothing ticked → 400: the form comes back with the input kept, an error next to each unticked box, and no pack is created', async () => {
    const before = await w.db.prisma.pack.count();
    const email = uniqueEmail('unticked');
    const orderKey = crypto.randomUUID();
    const agent = browser();
    const csrf = await orderFormCsrf(agent);
    const res = await agent.post('/commander').type('form').send({
      csrf,
      orderKey,
      packCode: 'PACK_1H',
      quantity: '2',
      name: 'Jean Dupont',
      email,
      project: 'Mon site vitrine',
      paymentMethod: 'card',
    });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Le formulaire contient des erreurs');
    expect(/<input id="email"[^>]*value="([^"]*)"/.exec(res.text)?.[1]).toBe(email);
    expect(/<input id="name"[^>]*value="([^"]*)"/.exec(res.text)?.[1]).toBe('Jean Dupont');
    expect(/<input id="quantity"[^>]*value="([^"]*)"/.exec(res.text)?.[1]).toBe('2');
    expect(res.text).toContain('>Mon site vitrine</textarea>');
    expect(res.text).toContain(`name="orderKey" value="${orderKey}"`);
    for (const k of KINDS) {
      expect(res.text).toContain(`<p class="error-text" id="${k}-error">Cette case doit être cochée pour commander.</p>`);
      expect(res.text).toMatch(new RegExp(`<input type="checkbox" id="consent-${k}"[^>]*aria-describedby="${k}-error"`));
    }
    expect(res.text).not.toContain('id="email-error"');
    expect(await w.db.prisma.pack.count()).toBe(before);
    expect(await w.db.prisma.customer.count({ where: { email } })).toBe(0);
  });

  test('a name with HTML is refused, and what was typed is echoed back escaped, never as markup', async () => {
    const agent = browser();
    const csrf = await orderFormCsrf(agent);
    const res = await agent
      .post('/commander')
      .type('form')
      .send({
        csrf,
        ...orderFields({
          name: 'Zoé <b>Durand</b>',
          email: '"><script>alert(1)</script>',
          project: '</textarea><script>alert(2)</script>',
        }),
      });
    expect(res.status).toBe(400);
    expect(res.text).toContain('<p class="error-text" id="name-error">Caractères non autorisés.</p>');
    expect(fieldValue(res.text, 'name')).toBe('Zoé <b>Durand</b>');
    expect(fieldValue(res.text, 'email')).toBe('"><script>alert(1)</script>');
    expect(fieldValue(res.text, 'project')).toBe('</textarea><script>alert(2)</script>');
    expect(res.text).not.toMatch(/<script|<b>Durand/i);
  });

  test('a bank-transfer order → 303 to /commande/virement, which shows the IBAN and the reference of the created pack', async () => {
    const { agent, res, pack } = await orderThroughForm();
    expect(res.headers.location).toBe('/commande/virement');
    expect(cookieNamed(res, SESSION)).toMatch(/; HttpOnly/);
    const transfer = await agent.get('/commande/virement');
    expect(transfer.status).toBe(200);
    expect(transfer.text).toContain('Merci ! Votre commande est enregistrée');
    expect(transfer.text).toContain(`<td data-testid="iban">${IBAN}</td>`);
    expect(transfer.text).toContain(`<td data-testid="reference"><strong>${pack.bankReference}</strong></td>`);
    expect(pack.bankReference).toMatch(/^IMG-/);
    expect(transfer.text).toContain('270,00 €');
    expect(pack).toMatchObject({ status: 'AWAITING_PAYMENT', paymentMethod: 'bank_transfer', totalHours: 3, priceCents: 27_000 });
  });

  test('a bank-transfer order sends the client « Votre commande … est enregistrée » with the IBAN and the reference', async () => {
    const { email, pack } = await orderThroughForm();
    const mail = await w.sink.waitFor((m) => m.to.includes(email) && /^Votre commande .+ est enregistrée$/.test(m.subject));
    expect(mail.subject).toBe('Votre commande Pack 1 heure est enregistrée');
    expect(mail.text).toContain(`IBAN : ${IBAN}`);
    expect(mail.text).toContain(pack.bankReference);
  });

  test('pages with a client’s or the provider’s data are never cached (Cache-Control: no-store); public pages may be', async () => {
    const { agent } = await orderThroughForm();
    for (const url of ['/espace', '/commande/virement'])
      expect([url, (await agent.get(url)).headers['cache-control']]).toEqual([url, 'no-store']);
    const admin = browser();
    expect((await admin.post('/admin/connexion').type('form').send({ password: PROVIDER_PASSWORD })).status).toBe(303);
    for (const url of ['/admin', '/admin/packs', '/admin/factures'])
      expect([url, (await admin.get(url)).headers['cache-control']]).toEqual([url, 'no-store']);
    expect((await page('/cgv')).headers['cache-control']).not.toBe('no-store');
  });

  test('the order form posted without its CSRF token, or with another browser’s → 403, and no order is made', async () => {
    const agent = browser();
    const other = await orderFormCsrf(browser());
    await orderFormCsrf(agent);
    const fields = orderFields();
    expect((await agent.post('/commander').type('form').send(fields)).status).toBe(403);
    expect(
      (
        await agent
          .post('/commander')
          .type('form')
          .send({ ...fields, csrf: other })
      ).status,
    ).toBe(403);
    expect(await w.db.prisma.customer.count({ where: { email: fields.email } })).toBe(0);
  });

  test('the same order form posted twice (same hidden orderKey) creates one pack', async () => {
    const agent = browser();
    const fields: Record<string, string> = { csrf: await orderFormCsrf(agent), ...orderFields() };
    const first = await agent.post('/commander').type('form').send(fields);
    const second = await agent.post('/commander').type('form').send(fields);
    expect([first.status, first.headers.location]).toEqual([303, '/commande/virement']);
    expect([second.status, second.headers.location]).toEqual([303, '/commande/virement']);
    expect(await w.db.prisma.pack.count({ where: { customer: { email: fields.email } } })).toBe(1);
    expect(await w.db.prisma.customer.count({ where: { email: fields.email } })).toBe(1);
    const pack = await packOf(fields.email);
    expect((await agent.get('/commande/virement')).text).toContain(pack.bankReference);
  });

  test('the same form changed and sent again (back, edit, send) is a new order, never the first one under its old key', async () => {
    const agent = browser();
    const fields: Record<string, string> = { csrf: await orderFormCsrf(agent), ...orderFields() };
    expect((await agent.post('/commander').type('form').send(fields)).status).toBe(303);
    const first = await packOf(fields.email);
    const changed = { ...fields, email: uniqueEmail('corrige') };
    const again = await agent.post('/commander').type('form').send(changed);
    expect([again.status, again.headers.location]).toEqual([303, '/commande/virement']);
    const second = await packOf(changed.email);
    expect(second.id).not.toBe(first.id);
    expect((await agent.get('/commande/virement')).text).toContain(second.bankReference);
  });

  test('a card order → 303 to the simulated checkout; paying there → 303 to /commande/merci and the pack becomes ACTIVE', async () => {
    const { agent, res, packId, pack, token } = await orderThroughForm({ paymentMethod: 'card', packCode: 'PACK_HALF_DAY' });
    expect(res.headers.location).toBe(`${w.baseUrl}/dev/paiement-simule?session=${pack.checkoutSessionId}&pack=${packId}`);
    const checkout = await agent.get(res.headers.location.slice(w.baseUrl.length));
    expect(checkout.status).toBe(200);
    expect(checkout.text).toContain('Paiement par carte (simulé)');
    expect(checkout.text).toContain('data-testid="simulated-pay"');
    expect(checkout.text).toContain('240,00 €');
    const paid = await agent.post('/dev/paiement-simule').type('form').send({ pack: packId });
    expect(paid.status).toBe(303);
    const returned = /^\/commande\/merci\?token=([^&]+)$/.exec(paid.headers.location)?.[1];
    expect(verifyPackToken(secret(), decodeURIComponent(returned ?? ''))?.packId).toBe(packId);
    // In the browser that ordered, the token leaves the address bar at once.
    const back = await agent.get(paid.headers.location);
    expect([back.status, back.headers.location]).toEqual([303, '/commande/merci']);
    const thanks = await agent.get(back.headers.location);
    expect(thanks.status).toBe(200);
    expect(thanks.text).toContain('Merci pour votre paiement');
    const s = await stateUntil(packId, token, (x) => x.status === 'ACTIVE', 'the simulated payment');
    expect(s.paidCents).toBe(24_000);
    await until(
      () => w.db.prisma.pack.findUniqueOrThrow({ where: { id: packId } }),
      (p) => p.status === 'ACTIVE',
      'the projection',
    );
  });
});

// ------------------------------------------------------------------------------------------- client portal
describe('client portal: magic link', () => {
  test('GET /espace?token=<valid> shows one button; clicking it (POST with this browser’s csrf) → 303 to /espace with an HttpOnly cookie, which shows the pack', async () => {
    const { packId } = await orderThroughForm();
    const agent = browser();
    const token = signPackToken(secret(), packId, 3600);
    const link = await agent.get(`/espace?token=${encodeURIComponent(token)}`);
    expect(link.status).toBe(200);
    expect(parseHtml(link.text).querySelector('[data-testid=open-portal]')!.textContent).toBe('Ouvrir mon espace');
    // The link alone opens nothing: another browser's csrf, or none, is refused.
    expect((await agent.post('/espace/ouvrir').type('form').send({ token })).status).toBe(403);
    const res = await agent
      .post('/espace/ouvrir')
      .type('form')
      .send({ token, csrf: csrfIn(link.text) });
    expect([res.status, res.headers.location]).toEqual([303, '/espace']);
    expect(cookieNamed(res, SESSION)).toMatch(/; Path=\/; .*HttpOnly; SameSite=Lax/);
    const home = await agent.get('/espace');
    expect(home.status).toBe(200);
    expect(home.text).toContain('<h1>Pack 1 heure</h1>');
    expect(home.text).toContain('<b data-testid="status">En attente de paiement</b>');
    expect(home.text).toContain('<b data-testid="hours-available">3</b>');
  });

  test('an expired or tampered link → 401 « Ce lien n’est plus valable », and no cookie', async () => {
    const a = await orderThroughForm();
    const b = await orderThroughForm();
    const expired = signPackToken(secret(), a.packId, 60, Date.now() - 2 * HOUR);
    // Pack A's signature on a payload naming pack B.
    const [, sigA] = signPackToken(secret(), a.packId, 3600).split('.');
    const [payloadB] = signPackToken(secret(), b.packId, 3600).split('.');
    const tampered = `${payloadB}.${sigA}`;
    const otherSecret = signPackToken('not-the-gateway-secret-but-long-enough', a.packId, 3600);
    for (const token of [expired, tampered, otherSecret, 'garbage']) {
      const res = await browser().get(`/espace?token=${encodeURIComponent(token)}`);
      expect(res.status).toBe(401);
      expect(res.text).toContain("<h1>Ce lien n'est plus valable</h1>");
      expect(res.text).toContain('href="/espace/lien"');
      expect(cookieNamed(res, SESSION)).toBeUndefined();
    }
  });

  test('GET /espace without a cookie → 303 to /espace/lien, which asks for the email address', async () => {
    const res = await page('/espace');
    expect([res.status, res.headers.location]).toEqual([303, '/espace/lien']);
    const form = await page('/espace/lien');
    expect(form.status).toBe(200);
    expect(form.text).toContain('<form class="stack" method="post" action="/espace/lien">');
    expect(form.text).toContain('id="email" name="email" type="email"');
  });

  test('POST /espace/lien mails a working link to a known address, nothing to an unknown one, and answers both with the same page', async () => {
    const { email, packId } = await orderThroughForm();
    const unknown = uniqueEmail('inconnu');
    // The link is handed to the mailer before the page is answered (not awaited, so both answers take the same time):
    // once the stranger's page is back, an email for it would already have been handed over.
    const handed = jest.spyOn(w.app.ctx.mailer, 'sendMail');
    const known = await request(w.app).post('/espace/lien').set('accept', 'text/html').type('form').send({ email });
    const stranger = await request(w.app).post('/espace/lien').set('accept', 'text/html').type('form').send({ email: unknown });
    const recipients = handed.mock.calls.map((args) => JSON.stringify(args[0].to));
    handed.mockRestore();
    expect(recipients).toEqual([JSON.stringify(email)]);
    expect(known.status).toBe(200);
    expect(stranger.status).toBe(200);
    expect(known.text).toContain('Vérifiez votre boîte de réception');
    expect(stranger.text).toBe(known.text);
    const mail = await w.sink.waitFor((m) => m.to.includes(email) && m.subject === 'Votre lien d’accès à votre espace imaginasite');
    const link = new RegExp(`${w.baseUrl.replace(/[.]/g, '\\.')}(/espace\\?token=[^\\s]+)`).exec(mail.text)?.[1];
    expect(link).toBeDefined();
    const agent = browser();
    await openPortal(agent, decodeURIComponent(/token=([^&\s]+)/.exec(link!)![1]));
    const home = await agent.get('/espace');
    expect(home.status).toBe(200);
    expect(home.text).toContain('data-testid="status"');
    expect((await w.db.prisma.pack.findUniqueOrThrow({ where: { id: packId } })).status).toBe('AWAITING_PAYMENT');
    expect(w.sink.messages.some((m) => m.to.includes(unknown))).toBe(false);
  });

  test('an unpaid card pack offers « Payer par carte », which (with the csrf token) → 303 to its open checkout, not a new one', async () => {
    const { agent, packId } = await orderThroughForm({ paymentMethod: 'card' });
    const ordered = await w.db.prisma.pack.findUniqueOrThrow({ where: { id: packId } });
    const { html, csrf } = await portal(agent);
    expect(html).toContain('<form method="post" action="/espace/payer">');
    expect((await agent.post('/espace/payer').type('form').send({})).status).toBe(403);
    const res = await agent.post('/espace/payer').type('form').send({ csrf });
    expect(res.status).toBe(303);
    expect(res.headers.location).toMatch(
      new RegExp(`^${w.baseUrl.replace(/[.]/g, '\\.')}/dev/paiement-simule\\?session=cs_[^&]+&pack=${packId}$`),
    );
    // The order's Checkout session is still open: the same page, and no second Stripe session.
    expect(res.headers.location).toBe(ordered.checkoutUrl);
    expect((await w.db.prisma.pack.findUniqueOrThrow({ where: { id: packId } })).checkoutCount).toBe(1);
  });
});

describe('client portal: sessions', () => {
  test('POST /espace/reserver without the csrf token, or with another session’s → 403 and nothing is booked', async () => {
    const o = await paidPortal();
    const other = await paidPortal();
    const start = farStart();
    const missing = await o.agent.post('/espace/reserver').type('form').send({ start });
    expect(missing.status).toBe(403);
    expect(missing.text).toContain('Formulaire expiré');
    const foreign = await o.agent
      .post('/espace/reserver')
      .type('form')
      .send({ start, csrf: (await portal(other.agent)).csrf });
    expect(foreign.status).toBe(403);
    expect((await stateOf(o.packId, o.token)).bookings).toHaveLength(0);
  });

  test('POST /espace/reserver with the page’s csrf token → 303 and the session is booked', async () => {
    const o = await paidPortal();
    const { html, csrf } = await portal(o.agent);
    const slots = [...html.matchAll(/data-slot="([^"]+)"/g)].map((m) => m[1]);
    expect(slots.length).toBeGreaterThan(0);
    const start = farStart();
    const res = await o.agent.post('/espace/reserver').type('form').send({ csrf, start });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/espace');
    const b = (await stateOf(o.packId, o.token)).bookings.find((x) => Date.parse(x.start) === Date.parse(start));
    expect(b?.status).toBe('CONFIRMED');
    const after = await o.agent.get(res.headers.location);
    expect(after.text).toContain('Séance confirmée');
    expect(after.text).toContain(`<tr data-booking="${b!.id}">`);
    expect(after.text).toContain('<b data-testid="hours-available">2</b>');
    await until(
      () => w.db.prisma.booking.findUnique({ where: { id: b!.id } }),
      (row) => row?.status === 'CONFIRMED',
      'the booking row',
    );
  });

  test('the cancel page of a session more than 24 h ahead says cancelling is free (free-notice)', async () => {
    const o = await paidPortal();
    const b = await book(o, farStart());
    const res = await o.agent.get(`/espace/seances/${b.id}/annuler`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('data-testid="free-notice"');
    expect(visibleText(res.text)).toContain("l'annulation est sans frais");
    expect(res.text).not.toContain('data-testid="penalty-warning"');
    expect(res.text).toContain(`<form method="post" action="/espace/seances/${b.id}/annuler">`);
  });

  test('the cancel page of a session less than 24 h ahead warns that its hours will be billed (penalty-warning)', async () => {
    const o = await paidPortal();
    const b = await book(o, hourAfter(Date.now(), 3 * HOUR));
    const res = await o.agent.get(`/espace/seances/${b.id}/annuler`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('data-testid="penalty-warning"');
    expect(res.text).toContain('<strong>facturées</strong>');
    expect(res.text).not.toContain('data-testid="free-notice"');
  });

  test('POST cancel without csrf → 403; with it → 303, the session is cancelled for free and its hours come back', async () => {
    const o = await paidPortal();
    const b = await book(o, farStart());
    expect((await o.agent.post(`/espace/seances/${b.id}/annuler`).type('form').send({})).status).toBe(403);
    expect((await stateOf(o.packId, o.token)).bookings[0].status).toBe('CONFIRMED');
    const { csrf } = await portal(o.agent);
    const res = await o.agent.post(`/espace/seances/${b.id}/annuler`).type('form').send({ csrf });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/espace');
    expect((await o.agent.get('/espace')).text).toContain('Séance annulée sans frais : les heures reviennent sur votre pack.');
    const s = await stateOf(o.packId, o.token);
    expect(s.bookings.find((x) => x.id === b.id)?.status).toBe('CANCELLED');
    expect(s.hours.available).toBe(3);
  });

  test('moving a session more than 24 h ahead: the page says it is free and lists slots; POST with csrf → 303 and the session moves', async () => {
    const o = await paidPortal();
    const b = await book(o, farStart());
    const form = await o.agent.get(`/espace/seances/${b.id}/deplacer`);
    expect(form.status).toBe(200);
    expect(form.text).toContain('data-testid="free-notice"');
    expect(form.text).toContain('le report est sans frais');
    expect(form.text).toContain(`action="/espace/seances/${b.id}/deplacer"`);
    const to = farStart(4);
    expect((await o.agent.post(`/espace/seances/${b.id}/deplacer`).type('form').send({ start: to })).status).toBe(403);
    const res = await o.agent
      .post(`/espace/seances/${b.id}/deplacer`)
      .type('form')
      .send({ csrf: csrfOf(form.text), start: to });
    expect([res.status, res.headers.location]).toEqual([303, '/espace']);
    expect((await o.agent.get('/espace')).text).toContain('Séance déplacée sans frais');
    const moved = (await stateOf(o.packId, o.token)).bookings.find((x) => x.id === b.id);
    expect(Date.parse(moved!.start)).toBe(Date.parse(to));
  });

  test('a session of another client’s pack answers 404 on the cancel, move and invitation pages', async () => {
    const owner = await paidPortal();
    const b = await book(owner, farStart());
    const intruder = await paidPortal();
    for (const url of [`/espace/seances/${b.id}/annuler`, `/espace/seances/${b.id}/deplacer`, `/espace/seances/${b.id}/invitation.ics`]) {
      expect((await intruder.agent.get(url)).status).toBe(404);
    }
    const { csrf } = await portal(intruder.agent);
    expect((await intruder.agent.post(`/espace/seances/${b.id}/annuler`).type('form').send({ csrf })).status).toBe(404);
    expect((await stateOf(owner.packId, owner.token)).bookings[0].status).toBe('CONFIRMED');
  });

  test('GET /espace/seances/:id/invitation.ics is a text/calendar PUBLISH with UID <bookingId>@imaginasite.com and DTSTART in UTC', async () => {
    const o = await paidPortal();
    const b = await book(o, farStart());
    const res = await o.agent.get(`/espace/seances/${b.id}/invitation.ics`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/calendar/);
    expect(res.headers['content-disposition']).toBe(`attachment; filename="seance-${b.id.slice(0, 8)}.ics"`);
    const basic = (iso: string) =>
      new Date(iso)
        .toISOString()
        .replace(/[-:]/g, '')
        .replace(/\.\d{3}/, '');
    const lines = res.text.split('\r\n');
    expect(lines).toContain('METHOD:PUBLISH'); // a file for the client's calendar, not a meeting request (iTIP)
    expect(lines).toContain(`UID:${b.id}@imaginasite.com`);
    expect(lines).toContain(`DTSTART:${basic(b.start)}`);
    expect(lines).toContain(`DTEND:${basic(new Date(Date.parse(b.start) + HOUR).toISOString())}`);
    expect(basic(b.start)).toMatch(/^\d{8}T\d{6}Z$/);
  });
});

describe('client portal: withdrawal and data', () => {
  test('the withdrawal page shows the legal text and the button while eligible; POST → 303 and the pack becomes WITHDRAWN', async () => {
    const o = await paidPortal();
    const form = await o.agent.get('/espace/retractation');
    expect(form.status).toBe(200);
    expect(form.text).toContain('<h1>Droit de rétractation</h1>');
    expect(form.text).toContain('vous pouvez vous rétracter dans les 14 jours suivant votre commande');
    expect(form.text).toContain('remboursé(e) intégralement (270,00 €)');
    expect(form.text).toContain('Je me rétracte et demande le remboursement');
    expect((await o.agent.post('/espace/retractation').type('form').send({})).status).toBe(403);
    const res = await o.agent
      .post('/espace/retractation')
      .type('form')
      .send({ csrf: csrfOf(form.text) });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/espace');
    expect((await stateOf(o.packId, o.token)).status).toBe('WITHDRAWN');
    await until(
      () => w.db.prisma.pack.findUniqueOrThrow({ where: { id: o.packId } }),
      (p) => p.status === 'WITHDRAWN',
      'the projection',
    );
    const again = await o.agent.get('/espace/retractation');
    expect(again.text).toContain("La rétractation n'est plus possible pour ce pack.");
    expect(again.text).not.toContain('Je me rétracte');
  });

  test('POST /espace/export (with csrf) → 303 and the client receives a JSON attachment with their email and their pack', async () => {
    const o = await orderThroughForm();
    const { csrf } = await portal(o.agent);
    expect((await o.agent.post('/espace/export').type('form').send({})).status).toBe(403);
    const res = await o.agent.post('/espace/export').type('form').send({ csrf });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/espace');
    const mail = await w.sink.waitFor((m) => m.to.includes(o.email) && m.subject === 'Copie de vos données personnelles');
    const attachment = mail.parsed.attachments.find((a) => a.filename === 'mes-donnees-imaginasite.json');
    expect(attachment?.contentType).toBe('application/json');
    const data = JSON.parse(attachment!.content.toString('utf8'));
    expect(data.customer.email).toBe(o.email);
    expect(data.packs.map((p: { id: string }) => p.id)).toEqual([o.packId]);
    expect(data.consents).toHaveLength(5);
  });
});

// ------------------------------------------------------------------------------------------- dashboard
describe('provider dashboard', () => {
  test('the dashboard pages without a session → 303 to /admin/connexion', async () => {
    for (const url of [
      '/admin',
      '/admin/packs',
      '/admin/calendrier',
      '/admin/emails',
      '/admin/disponibilites',
      `/admin/packs/${crypto.randomUUID()}`,
    ]) {
      const res = await page(url);
      expect([url, res.status, res.headers.location]).toEqual([url, 303, '/admin/connexion']);
    }
    const post = await request(w.app)
      .post('/admin/disponibilites')
      .set('accept', 'text/html')
      .type('form')
      .send({ weekly: '1 09:00 10:00' });
    expect([post.status, post.headers.location]).toEqual([303, '/admin/connexion']);
    const login = await page('/admin/connexion');
    expect(login.status).toBe(200);
    expect(login.text).toContain('<input id="password" name="password" type="password"');
  });

  test('a wrong password → 401 « Mot de passe incorrect » and no session', async () => {
    const res = await browser().post('/admin/connexion').type('form').send({ password: 'pas le bon' });
    expect(res.status).toBe(401);
    expect(res.text).toContain('Mot de passe incorrect.');
    expect(cookieNamed(res, SESSION)).toBeUndefined();
  });

  test('the right password → 303 to /admin with an HttpOnly session cookie, and /admin/packs lists the packs', async () => {
    const { email, packId } = await orderThroughForm({ name: 'Bérénice Martin' });
    const agent = browser();
    const res = await agent.post('/admin/connexion').type('form').send({ password: PROVIDER_PASSWORD });
    expect([res.status, res.headers.location]).toEqual([303, '/admin']);
    expect(cookieNamed(res, SESSION)).toMatch(/^imaginasite_session=[^;]+; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Lax$/);
    expect(Date.parse(/Expires=([^;]+)/.exec(cookieNamed(res, SESSION)!)![1]) - Date.now()).toBeGreaterThan(7.9 * HOUR);
    expect(Date.parse(/Expires=([^;]+)/.exec(cookieNamed(res, SESSION)!)![1]) - Date.now()).toBeLessThanOrEqual(8 * HOUR);
    const list = await agent.get('/admin/packs');
    expect(list.status).toBe(200);
    expect(list.text).toContain('<h1>Packs</h1>');
    expect(list.text).toContain(`<a href="/admin/packs/${packId}">Bérénice Martin</a>`);
    expect(list.text).toContain(email);
  });

  test('the « attente » filter shows only the packs awaiting payment', async () => {
    const { agent } = await adminBrowser();
    const waiting = await orderThroughForm();
    const paid = await paidPortal();
    await until(
      () => w.db.prisma.pack.findUniqueOrThrow({ where: { id: paid.packId } }),
      (p) => p.status === 'ACTIVE',
      'the projection',
    );
    const res = await agent.get('/admin/packs?filtre=attente');
    expect(res.status).toBe(200);
    const table = /<table>[\s\S]*<\/table>/.exec(res.text)![0];
    expect(table).toContain(`href="/admin/packs/${waiting.packId}"`);
    expect(table).not.toContain(`href="/admin/packs/${paid.packId}"`);
    const statuses = parseHtml(table)
      .querySelectorAll('tbody td[data-label=Statut]')
      .map((td) => td.textContent);
    expect(statuses.length).toBeGreaterThan(0);
    for (const status of statuses) expect(status).toBe('En attente de paiement');
    const active = await agent.get('/admin/packs?filtre=ACTIVE');
    expect(active.text).toContain(`href="/admin/packs/${paid.packId}"`);
    expect(active.text).not.toContain(`href="/admin/packs/${waiting.packId}"`);
  });

  test('a project containing <script> is shown escaped on /admin/packs/:id, never as a raw script tag', async () => {
    const { packId } = await orderThroughForm({ project: 'Refaire mon site <script>alert(1)</script> & "le reste"' });
    const { agent } = await adminBrowser();
    const res = await agent.get(`/admin/packs/${packId}`);
    expect(res.status).toBe(200);
    expect(visibleText(res.text)).toContain('Projet : Refaire mon site <script>alert(1)</script> & "le reste"');
    expect(res.text).not.toMatch(/<script/i);
  });

  test('dashboard forms posted without the csrf token (or with a wrong one) → 403 and nothing changes', async () => {
    const { agent } = await adminBrowser();
    const { packId, pack } = await orderThroughForm();
    const before = (await provider(request(w.app).get('/api/admin/availability'))).body;
    for (const csrf of [undefined, 'pas-le-bon-jeton']) {
      const forms: Array<[string, Record<string, string>]> = [
        [`/admin/packs/${packId}/paiement`, { amount: '270', reference: pack.bankReference }],
        [`/admin/packs/${packId}/seances/${crypto.randomUUID()}/cancel`, {}],
        ['/admin/disponibilites', { weekly: '1 09:00 10:00', exceptions: '', minNoticeHours: '0', bufferMinutes: '0' }],
      ];
      for (const [url, body] of forms) {
        const res = await agent
          .post(url)
          .type('form')
          .send(csrf ? { ...body, csrf } : body);
        expect([url, res.status]).toEqual([url, 403]);
        expect(res.text).toContain('Formulaire expiré');
      }
    }
    expect((await w.db.prisma.pack.findUniqueOrThrow({ where: { id: packId } })).status).toBe('AWAITING_PAYMENT');
    expect((await provider(request(w.app).get('/api/admin/availability'))).body).toEqual(before);
  });

  test('recording a transfer on the pack page (with csrf) → 303 and the pack becomes ACTIVE', async () => {
    const { packId, pack, token } = await orderThroughForm();
    const { agent } = await adminBrowser();
    const form = await agent.get(`/admin/packs/${packId}`);
    expect(form.status).toBe(200);
    expect(form.text).toContain('<b data-testid="admin-status">En attente de paiement</b>');
    expect(form.text).toContain(`action="/admin/packs/${packId}/paiement"`);
    expect(/<input id="amount"[^>]*value="([^"]*)"/.exec(form.text)?.[1]).toBe('270');
    const csrf = csrfOf(form.text);
    const bad = await agent.post(`/admin/packs/${packId}/paiement`).type('form').send({ csrf, amount: '0', reference: pack.bankReference });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Montant ou référence invalide.');
    const res = await agent
      .post(`/admin/packs/${packId}/paiement`)
      .type('form')
      .send({ csrf, amount: '270', reference: pack.bankReference });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/admin/packs/${packId}`);
    expect((await stateOf(packId, token)).status).toBe('ACTIVE');
    const after = await agent.get(res.headers.location);
    expect(visibleText(after.text)).toMatch(/Virement enregistré.* : le pack est actif jusqu'au /);
    expect(after.text).toContain('<b data-testid="admin-status">Actif</b>');
    await until(
      () => w.db.prisma.pack.findUniqueOrThrow({ where: { id: packId } }),
      (p) => p.status === 'ACTIVE',
      'the projection',
    );
  });

  test('a session requested by a client is confirmed from the pack page (with csrf) → 303 and CONFIRMED; an unknown action → 404', async () => {
    expect((await provider(request(w.app).put('/api/admin/availability')).send({ ...ALWAYS_OPEN, autoConfirm: false })).status).toBe(200);
    try {
      const o = await paidPortal();
      const b = await book(o, farStart(5));
      expect(b.status).toBe('REQUESTED');
      const { agent } = await adminBrowser();
      const detail = await agent.get(`/admin/packs/${o.packId}`);
      expect(detail.text).toContain(`action="/admin/packs/${o.packId}/seances/${b.id}/confirm"`);
      expect(detail.text).toContain(`action="/admin/packs/${o.packId}/seances/${b.id}/decline"`);
      const csrf = csrfOf(detail.text);
      const unknown = await agent.post(`/admin/packs/${o.packId}/seances/${b.id}/supprimer`).type('form').send({ csrf });
      expect(unknown.status).toBe(404);
      const res = await agent.post(`/admin/packs/${o.packId}/seances/${b.id}/confirm`).type('form').send({ csrf });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe(`/admin/packs/${o.packId}`);
      expect((await stateOf(o.packId, o.token)).bookings.find((x) => x.id === b.id)?.status).toBe('CONFIRMED');
    } finally {
      await provider(request(w.app).put('/api/admin/availability')).send(ALWAYS_OPEN);
    }
  });

  test('availability: an invalid form → 400 and nothing saved; a valid one → 303 and GET /api/admin/availability reflects it', async () => {
    const { agent, csrf } = await adminBrowser();
    try {
      const invalid = await agent
        .post('/admin/disponibilites')
        .type('form')
        .send({ csrf, d1_from1: '09:00', d1_to1: '', exceptionRows: '1', ex0_date: '31/12/2031', minNoticeHours: '0', bufferMinutes: '0' });
      expect(invalid.status).toBe(400);
      expect(visibleText(invalid.text)).toContain('Disponibilités invalides');
      expect(visibleText(invalid.text)).toContain('lundi : indiquez le début et la fin de la plage 1.');
      expect(visibleText(invalid.text)).toContain('Exception « 31/12/2031 » : la date doit être au format AAAA-MM-JJ.');
      expect((await provider(request(w.app).get('/api/admin/availability'))).body).toMatchObject({
        weekly: ALWAYS_OPEN.weekly,
        minNoticeHours: 0,
      });
      const valid = await agent.post('/admin/disponibilites').type('form').send({
        csrf,
        d1_from1: '09:00',
        d1_to1: '12:00',
        d3_from1: '14:00',
        d3_to1: '18:00',
        exceptionRows: '0',
        minNoticeHours: '48',
        bufferMinutes: '15',
      });
      expect([valid.status, valid.headers.location]).toEqual([303, '/admin/disponibilites']);
      expect((await provider(request(w.app).get('/api/admin/availability'))).body).toMatchObject({
        weekly: [
          { day: 1, from: '09:00', to: '12:00' },
          { day: 3, from: '14:00', to: '18:00' },
        ],
        exceptions: [],
        minNoticeHours: 48,
        bufferMinutes: 15,
        autoConfirm: false,
      });
      expect(visibleText((await agent.get(valid.headers.location)).text)).toContain('Disponibilités enregistrées.');
    } finally {
      await provider(request(w.app).put('/api/admin/availability')).send(ALWAYS_OPEN);
    }
    expect((await provider(request(w.app).get('/api/admin/availability'))).body).toMatchObject(ALWAYS_OPEN);
  });

  test('/admin/emails lists the emails sent, with their recipient and subject', async () => {
    const { email, packId } = await orderThroughForm();
    await until(
      () => w.db.prisma.outboxEmail.findMany({ where: { packId, toAddress: email } }),
      (rows) => rows.some((r) => r.status === 'SENT'),
      'the order email',
    );
    const { agent } = await adminBrowser();
    const res = await agent.get('/admin/emails');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<h1>E-mails envoyés et en attente</h1>');
    const row = parseHtml(res.text)
      .querySelectorAll('tbody tr')
      .find((tr) => tr.querySelector('td[data-label=À]')?.textContent === email);
    expect(row?.querySelector('td[data-label=Objet]')?.textContent).toBe('Votre commande Pack 1 heure est enregistrée');
    expect(row?.querySelector('td[data-label=État]')?.textContent).toMatch(/^envoyé /);
  });

  test('POST /admin/deconnexion clears the session cookie and the dashboard asks to log in again', async () => {
    const { agent } = await adminBrowser();
    expect((await agent.get('/admin')).status).toBe(200);
    expect((await agent.post('/admin/deconnexion').type('form').send({})).status).toBe(403); // CSRF, like every form
    const res = await agent
      .post('/admin/deconnexion')
      .type('form')
      .send({ csrf: csrfOf((await agent.get('/admin')).text) });
    expect([res.status, res.headers.location]).toEqual([303, '/admin/connexion']);
    expect(cookieNamed(res, SESSION)).toMatch(/^imaginasite_session=; Path=\/; Expires=Thu, 01 Jan 1970/);
    const after = await agent.get('/admin');
    expect([after.status, after.headers.location]).toEqual([303, '/admin/connexion']);
  });
});

// Last: it locks this address out of the dashboard for 15 minutes (login_attempt rows of this test's database).
describe('pages that only say what the site means', () => {
  test('a crafted ?ok= message in the address is never shown as the site’s own banner', async () => {
    const o = await paidPortal();
    const res = await o.agent.get('/espace?ok=Appelez%20le%200899%20000%20000');
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('0899');
  });

  test('the success banner after an action is shown once, from the site itself', async () => {
    const o = await paidPortal();
    await book(o, farStart(9));
    expect((await o.agent.get('/espace')).text).toContain('Séance confirmée');
    expect((await o.agent.get('/espace')).text).not.toContain('class="flash ok"');
  });

  test('the cancel and move pages of a session already cancelled say it can no longer change (409), with no button', async () => {
    const o = await paidPortal();
    const b = await book(o, farStart(9));
    const { csrf } = await portal(o.agent);
    expect((await o.agent.post(`/espace/seances/${b.id}/annuler`).type('form').send({ csrf })).status).toBe(303);
    for (const path of [`/espace/seances/${b.id}/annuler`, `/espace/seances/${b.id}/deplacer`]) {
      const res = await o.agent.get(path);
      expect(res.status).toBe(409);
      expect(res.text).toContain('ne peut plus être annulée ni déplacée');
      expect(res.text).not.toContain('data-slot');
      expect(res.text).not.toContain('Confirmer l');
    }
  });

  test('a quantity that is not a number gets a French error on the order form', async () => {
    const agent = browser();
    const csrf = await orderFormCsrf(agent);
    const res = await agent
      .post('/commander')
      .type('form')
      .send({ csrf, ...orderFields({ quantity: 'abc' }) });
    expect(res.status).toBe(400);
    expect(res.text).toContain('La quantité doit être un nombre entier.');
  });

  test('the bank-transfer page is not shown for a card order: it leads to the portal', async () => {
    const o = await orderThroughForm({ paymentMethod: 'card' });
    const res = await o.agent.get('/commande/virement');
    expect([res.status, res.headers.location]).toEqual([303, '/espace']);
  });

  test('availability with an empty notice or buffer field is refused, not saved as zero', async () => {
    const { agent, csrf } = await adminBrowser();
    const res = await agent
      .post('/admin/disponibilites')
      .type('form')
      .send({ csrf, d1_from1: '09:00', d1_to1: '18:00', exceptionRows: '0', minNoticeHours: '', bufferMinutes: '', autoConfirm: 'yes' });
    expect(res.status).toBe(400);
    expect(visibleText(res.text)).toContain('Délai minimum de réservation : indiquez un nombre entier positif ou nul.');
  });
});

describe('signing out of the portal', () => {
  test('« Me déconnecter » ends this browser’s session only; « de tous mes appareils » ends every session and every link given so far', async () => {
    const { agent: laptop, packId, token } = await orderThroughForm();
    const phone = browser();
    await openPortal(phone, token);
    expect((await phone.get('/espace')).status).toBe(200);

    // This browser only.
    const { csrf } = await portal(laptop);
    const out = await laptop.post('/espace/deconnexion').type('form').send({ csrf });
    expect([out.status, visibleText(out.text)]).toEqual([200, expect.stringContaining('Vous êtes déconnecté sur ce navigateur.')]);
    expect((await laptop.get('/espace')).headers.location).toBe('/espace/lien');
    expect((await phone.get('/espace')).status).toBe(200);
    expect((await request(w.app).get(`/api/packs/${packId}`).set('authorization', `Bearer ${token}`)).status).toBe(200);

    // Every device: the phone's session, the token and the emailed links stop working.
    const everywhere = await phone
      .post('/espace/deconnexion')
      .type('form')
      .send({ csrf: (await portal(phone)).csrf, partout: 'oui' });
    expect(visibleText(everywhere.text)).toContain('Vous êtes déconnecté sur tous vos appareils');
    expect((await phone.get('/espace')).headers.location).toBe('/espace/lien');
    expect((await request(w.app).get(`/api/packs/${packId}`).set('authorization', `Bearer ${token}`)).status).toBe(401);
    expect((await page(`/espace?token=${encodeURIComponent(token)}`)).status).toBe(401);
    // A link issued afterwards works (tokens carry their second of issue: one of the next second).
    const fresh = signPackToken(secret(), packId, 3600, Date.now() + 1000);
    expect((await request(w.app).get(`/api/packs/${packId}`).set('authorization', `Bearer ${fresh}`)).status).toBe(200);
  });

  test('signing out needs the session’s CSRF token', async () => {
    const { agent } = await orderThroughForm();
    expect((await agent.post('/espace/deconnexion').type('form').send({ partout: 'oui' })).status).toBe(403);
    expect((await agent.get('/espace')).status).toBe(200);
  });
});

describe('provider login lockout', () => {
  test('after 5 failed logins within 15 minutes the next attempt → 429 « Trop de tentatives », even with the right password', async () => {
    const since = new Date(Date.now() - 15 * 60_000);
    const failures = () => w.db.prisma.loginAttempt.count({ where: { succeeded: false, at: { gte: since } } });
    for (let n = await failures(); n < 5; n++) {
      const res = await browser()
        .post('/admin/connexion')
        .type('form')
        .send({ password: `essai ${n}` });
      expect(res.status).toBe(401);
    }
    expect(await failures()).toBe(5);
    const res = await browser().post('/admin/connexion').type('form').send({ password: PROVIDER_PASSWORD });
    expect(res.status).toBe(429);
    expect(res.text).toContain('Trop de tentatives échouées : réessayez dans 15 minutes.');
    expect(cookieNamed(res, SESSION)).toBeUndefined();
  }, 20_000);
});

describe('PORTAL_LINK_TTL_DAYS', () => {
  let short: GatewayWorld;
  beforeAll(async () => {
    short = await createGatewayWorld({ env: { PORTAL_LINK_TTL_DAYS: '3' } });
  });
  afterAll(async () => {
    await short?.teardown();
  });

  test('the magic link and the portal session it opens last the configured days, not 30', async () => {
    const email = uniqueEmail('ttl');
    expect((await placeOrder(short, { customer: { name: 'Léa Moreau', email } })).status).toBe(201);
    const asked = Date.now();
    await request(short.app).post('/espace/lien').set('accept', 'text/html').type('form').send({ email });
    const mail = await short.sink.waitFor((m) => m.to.includes(email) && m.subject === 'Votre lien d’accès à votre espace imaginasite');
    const token = decodeURIComponent(/\/espace\?token=([^\s&]+)/.exec(mail.text)![1]);
    const claim = verifyPackToken(short.app.ctx.config.ACCESS_TOKEN_SECRET, token)!;
    expect(claim.exp * 1000 - asked).toBeGreaterThan(3 * DAY - 60_000);
    expect(claim.exp * 1000 - asked).toBeLessThanOrEqual(3 * DAY + 1_000);
    const agent = request.agent(short.app).set('accept', 'text/html');
    const link = await agent.get(`/espace?token=${encodeURIComponent(token)}`);
    const opened = await agent
      .post('/espace/ouvrir')
      .type('form')
      .send({ token, csrf: csrfIn(link.text) });
    expect([opened.status, opened.headers.location]).toEqual([303, '/espace']);
    const expires = Date.parse(/Expires=([^;]+)/i.exec(cookieNamed(opened, SESSION) ?? '')?.[1] ?? '');
    expect(expires - asked).toBeGreaterThan(3 * DAY - 60_000);
    expect(expires - asked).toBeLessThanOrEqual(3 * DAY + 60_000);
  });
});

describe('provider login lockout across addresses', () => {
  let spread: GatewayWorld;
  beforeAll(async () => {
    spread = await createGatewayWorld();
  });
  afterAll(async () => {
    await spread?.teardown();
  });

  test('100 failed logins within the hour from many addresses suspend the login for everyone, the right password included', async () => {
    // A guesser spread over 40 addresses, each below its own limit (2 or 3 failures in the quarter-hour).
    await spread.db.prisma.loginAttempt.createMany({
      data: Array.from({ length: 100 }, (_x, i) => ({
        ip: `203.0.113.${i % 40}`,
        succeeded: false,
        at: new Date(Date.now() - i * 20_000),
      })),
    });
    const res = await request(spread.app)
      .post('/admin/connexion')
      .set('accept', 'text/html')
      .type('form')
      .send({ password: PROVIDER_PASSWORD });
    expect(res.status).toBe(429);
    expect(visibleText(res.text)).toContain('Trop de tentatives échouées sur ce compte, depuis plusieurs adresses');
    expect(cookieNamed(res, SESSION)).toBeUndefined();
    // An hour later (the failures older than that), the login works again.
    await spread.db.prisma.loginAttempt.updateMany({ data: { at: new Date(Date.now() - 61 * 60_000) } });
    const later = await request(spread.app).post('/admin/connexion').type('form').send({ password: PROVIDER_PASSWORD });
    expect([later.status, later.headers.location]).toEqual([303, '/admin']);
  });
});
