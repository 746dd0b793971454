import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createGatewayWorld, PROVIDER_PASSWORD, type GatewayWorld } from '../support/gateway';
import { HOUR } from '../support/time';

// End to end in a real browser (Debian's chromium, driven by playwright-core) against the real stack. Stripe's
// hosted Checkout cannot be reached from here: the order goes through the local simulated checkout page, which sends
// the same signed webhook Stripe would.
const SHOTS = path.join(__dirname, '../../test-output/e2e');

describe('a client buys a half-day pack, books, reschedules, cancels late; the provider sees it', () => {
  let w: GatewayWorld;
  let browser: Browser;
  let page: Page;
  let step = 0;
  const shot = async (name: string) => {
    await page.screenshot({ path: path.join(SHOTS, `${String(++step).padStart(2, '0')}-${name}.png`), fullPage: true });
  };

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    w = await createGatewayWorld();
    await w.listen();
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
      ],
    });
    page = await browser.newPage({ locale: 'fr-FR', timezoneId: 'Europe/Paris' });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await w?.teardown();
  });

  test('the whole journey, one screenshot per step', async () => {
    const email = `e2e.${Date.now()}@example.org`;
    // 1. The order form, filled as a client would, with a name that tries to inject HTML.
    await page.goto(`${w.baseUrl}/`);
    await shot('home');
    await page.click('a[href="/commander?pack=PACK_HALF_DAY"]');
    await page.fill('#name', 'Zoé <b>Durand</b>');
    await page.fill('#email', email);
    await page.fill('#project', 'Refaire mon site <script>alert(1)</script>');
    await page.click('button[type=submit]');
    // Nothing ticked: the form comes back with each error next to its field, the input kept.
    await page.waitForSelector('#withdrawalWaiver-error');
    expect(await page.inputValue('#email')).toBe(email);
    await shot('form-errors');
    await page.fill('#name', 'Zoé Durand');
    for (const k of ['equipment', 'skills', 'websiteConditions', 'cgv', 'withdrawalWaiver']) await page.check(`#consent-${k}`);
    await page.check('#pm-card');
    await shot('form-filled');
    await page.click('button[type=submit]');
    // The review: the total, then the button that says ordering means paying.
    await page.waitForSelector('[data-testid=order-total]');
    expect(await page.textContent('[data-testid=order-total]')).toContain('240,00 € TTC');
    await shot('review');
    await page.click('[data-testid=place-order]');

    // 2. Payment (simulated Stripe Checkout → signed webhook), then the magic link from the email.
    await page.waitForSelector('[data-testid=simulated-pay]');
    await shot('checkout');
    await page.click('[data-testid=simulated-pay]');
    await page.waitForURL(/\/commande\/merci/);
    const pack = await w.db.prisma.pack.findFirstOrThrow({ where: { customer: { email } } });
    const paidMail = await w.sink.waitFor((m) => m.to.includes(email) && m.subject.startsWith('Paiement reçu'), 20_000);
    const link = /http:\/\/127\.0\.0\.1:\d+\/espace\?token=[^\s"<]+/.exec(paidMail.text)?.[0];
    expect(link).toBeTruthy();
    await page.context().clearCookies();
    await page.goto(link!);
    // The link asks for one click on the site before it opens the portal.
    await page.click('[data-testid=open-portal]');
    await page.waitForSelector('[data-testid=status]');
    expect(await page.textContent('[data-testid=status]')).toBe('Actif');
    expect(await page.textContent('[data-testid=hours-available]')).toBe('3');
    await shot('portal-paid');

    // The invoice, in « Mes factures », downloads as the PDF/A-3 issued (with its factur-x.xml), byte for byte.
    const invoice = await w.db.prisma.invoice.findFirstOrThrow({ where: { packId: pack.id, kind: 'invoice' }, include: { pdf: true } });
    const [download] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid="download-${invoice.number}"]`)]);
    expect(download.suggestedFilename()).toBe(`${invoice.number}.pdf`);
    const file = fs.readFileSync(await download.path());
    expect(file.subarray(0, 8).toString('latin1')).toBe('%PDF-1.7');
    expect(file.equals(Buffer.from(invoice.pdf!.pdf))).toBe(true);
    expect(file.includes('factur-x.xml')).toBe(true);

    // 3. Book a slot at least two days ahead.
    const slots = await page.$$eval('[data-slot]', (els) => els.map((e) => e.getAttribute('data-slot')!));
    const farSlot = slots.find((s) => Date.parse(s) > Date.now() + 48 * HOUR)!;
    await page.click(`[data-slot="${farSlot}"]`);
    await page.waitForSelector('.flash.ok');
    expect(await page.textContent('.flash.ok')).toContain('Séance confirmée');
    await shot('booked');

    // 4. Reschedule it more than 24 h ahead: the page says it is free.
    await page.click('a:has-text("Déplacer")');
    await page.waitForSelector('[data-testid=free-notice]');
    await shot('reschedule-free-notice');
    const laterSlots = await page.$$eval('[data-slot]', (els) => els.map((e) => e.getAttribute('data-slot')!));
    const moveTo = laterSlots.find((s) => Date.parse(s) > Date.parse(farSlot) + 24 * HOUR)!;
    await page.click(`[data-slot="${moveTo}"]`);
    await page.waitForSelector('.flash.ok');
    expect(await page.textContent('.flash.ok')).toContain('sans frais');
    await shot('rescheduled');

    // 5. Cancel it (free, hours back), book again within 24 h, cancel: warned, then billed.
    await page.click('a:has-text("Annuler")');
    await page.waitForSelector('[data-testid=free-notice]');
    await page.click('button:has-text("Confirmer l\'annulation")');
    await page.waitForSelector('.flash.ok');
    expect(await page.textContent('[data-testid=hours-available]')).toBe('3');
    const soonSlot = (await page.$$eval('[data-slot]', (els) => els.map((e) => e.getAttribute('data-slot')!))).find(
      (s) => Date.parse(s) < Date.now() + 20 * HOUR,
    )!;
    expect(soonSlot).toBeTruthy();
    await page.click(`[data-slot="${soonSlot}"]`);
    await page.waitForSelector('.flash.ok');
    await shot('booked-within-24h');
    await page.click('a:has-text("Annuler")');
    await page.waitForSelector('[data-testid=penalty-warning]');
    expect(await page.textContent('[data-testid=penalty-warning]')).toContain('facturées');
    await shot('late-cancel-warning');
    await page.click('button:has-text("Confirmer l\'annulation")');
    await page.waitForSelector('.flash.ok');
    expect(await page.textContent('.flash.ok')).toContain('facturées');
    expect(await page.textContent('[data-testid=hours-forfeited]')).toBe('3');
    await shot('late-cancel-billed');

    // 6. The provider logs in, finds the pack, its penalty and its timeline; the client's name is text, not HTML.
    await page.goto(`${w.baseUrl}/admin`);
    await page.waitForSelector('#password');
    await page.fill('#password', PROVIDER_PASSWORD);
    await page.click('button:has-text("Se connecter")');
    await page.waitForSelector(`a[href="/admin/packs/${pack.id}"]`);
    await shot('dashboard');
    await page.click(`a[href="/admin/packs/${pack.id}"]`);
    await page.waitForSelector('[data-testid=admin-forfeited]');
    expect(await page.textContent('[data-testid=admin-forfeited]')).toBe('3');
    // The history reads in French, each event with its date and who acted; no raw code.
    const timeline = (await page.textContent('[data-testid=timeline]')) ?? '';
    for (const words of [
      'Commande passée',
      'Paiement reçu, pack activé',
      'Séance confirmée',
      'Séance déplacée',
      'Séance annulée sans frais',
      'Séance annulée tardivement (facturée)',
    ])
      expect(timeline).toContain(words);
    expect(timeline).toContain('le client');
    expect(timeline).not.toMatch(/[A-Z]{3,}_[A-Z_]+/);
    expect(await page.textContent('main')).toContain('Refaire mon site <script>alert(1)</script>');
    expect(await page.$('main script')).toBeNull();
    await shot('provider-pack');
  }, 120_000);
});
