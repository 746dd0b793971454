import type { Browser, Page } from 'playwright-core';
import { launchChromium, screenshots } from '../support/browser';
import { createGatewayWorld, type GatewayWorld } from '../support/gateway';

// A client who uses no mouse orders a pack, pays it and books a session with the keyboard alone, in Debian's chromium:
// Tab (and Shift+Tab) to move, typing into fields, Space to tick a box or choose an option, Enter to follow a link or
// press a button. No click, no fill: the only way to a control is the keyboard's, in the page's own order.

let w: GatewayWorld;
let browser: Browser;
let page: Page;
const shot = screenshots(() => page, 'keyboard');

beforeAll(async () => {
  w = await createGatewayWorld();
  await w.listen();
  browser = await launchChromium();
  page = await browser.newPage({ locale: 'fr-FR', timezoneId: 'Europe/Paris' });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await w?.teardown();
});

/** Presses Tab until the focused element matches `selector` (at most `max` presses); its focus is visible. */
async function tabTo(selector: string, max = 120): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const hit = await page.evaluate((s) => {
      const el = document.activeElement;
      if (!el?.matches(s)) return null;
      const style = getComputedStyle(el);
      return { outline: style.outlineStyle !== 'none' && style.outlineWidth !== '0px', shadow: style.boxShadow !== 'none' };
    }, selector);
    if (hit) {
      expect(hit.outline || hit.shadow).toBe(true);
      return;
    }
  }
  throw new Error(`the keyboard never reached ${selector} in ${max} presses of Tab`);
}

async function typeInto(selector: string, text: string): Promise<void> {
  await tabTo(selector);
  await page.keyboard.type(text);
}

test('order, pay and book with Tab, Space and Enter only', async () => {
  const email = `clavier.${Date.now()}@example.org`;
  await page.goto(`${w.baseUrl}/`);
  await tabTo('a[href="/commander?pack=PACK_1H"]');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#name');
  await typeInto('#name', 'Claire Clavier');
  await typeInto('#email', email);
  for (const k of ['equipment', 'skills', 'websiteConditions', 'cgv', 'withdrawalWaiver']) {
    await tabTo(`#consent-${k}`);
    await page.keyboard.press('Space');
    expect(await page.isChecked(`#consent-${k}`)).toBe(true);
  }
  // The card option: a radio group is entered with Tab, its option chosen with Space.
  await tabTo('input[name=paymentMethod]');
  await page.keyboard.press('Space');
  expect(await page.isChecked('#pm-card')).toBe(true);
  await shot('form-filled');
  await tabTo('button[type=submit]');
  await page.keyboard.press('Enter');
  await page.waitForSelector('[data-testid=place-order]');
  await tabTo('[data-testid=place-order]');
  await page.keyboard.press('Enter');

  // Payment (the local stand-in for Stripe's hosted page), then the thanks page.
  await page.waitForSelector('[data-testid=simulated-pay]');
  await tabTo('[data-testid=simulated-pay]');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/commande\/merci/);
  await shot('paid');

  // The email's link, then into the portal and a slot, all by keyboard.
  const mail = await w.sink.waitFor((m) => m.to.includes(email) && m.subject.startsWith('Paiement reçu'), 20_000);
  const link = /http:\/\/127\.0\.0\.1:\d+\/espace\?token=[^\s"<]+/.exec(mail.text)![0];
  await page.context().clearCookies();
  await page.goto(link);
  await tabTo('[data-testid=open-portal]');
  await page.keyboard.press('Enter');
  await page.waitForSelector('[data-testid=status]');
  const slot = await page.$$eval('[data-slot]', (els) =>
    els.map((e) => e.getAttribute('data-slot')!).find((s) => Date.parse(s) > Date.now() + 2 * 86_400_000),
  );
  expect(slot).toBeTruthy();
  await tabTo(`[data-slot="${slot}"]`, 400);
  await page.keyboard.press('Enter');
  await page.waitForSelector('.flash.ok');
  expect(await page.textContent('.flash.ok')).toContain('Séance confirmée');
  await shot('booked');
  const pack = await w.db.prisma.pack.findFirstOrThrow({ where: { customer: { email } } });
  const bookings = await w.db.prisma.booking.findMany({ where: { packId: pack.id } });
  expect(bookings.map((b) => [b.start.toISOString(), b.status])).toEqual([[new Date(slot!).toISOString(), 'CONFIRMED']]);
}, 120_000);
