import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import request from 'supertest';
import { DateTime } from 'luxon';
import { asProvider, paidPack } from '../support/api';
import { launchChromium, screenshots } from '../support/browser';
import { createGatewayWorld, PROVIDER_PASSWORD, type GatewayWorld } from '../support/gateway';
import { OPEN_ALL_THE_TIME } from '../support/packs';
import { DAY } from '../support/time';

// The client's journey and the provider's lists on a 390 px phone (issue 12): every action reachable, nothing a
// person needs hidden, no page wider than the screen, an afternoon slot booked through the page.
const PHONE = { width: 390, height: 844 };
const OFFICE_HOURS = { ...OPEN_ALL_THE_TIME, weekly: [1, 2, 3, 4, 5].map((day) => ({ day, from: '09:00', to: '18:00' })) };

describe('on a 390 px phone', () => {
  let w: GatewayWorld;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const shot = screenshots(() => page, 'phone');

  beforeAll(async () => {
    w = await createGatewayWorld();
    await w.listen();
    browser = await launchChromium();
    context = await browser.newContext({
      viewport: PHONE,
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      locale: 'fr-FR',
      timezoneId: 'Europe/Paris',
    });
    page = await context.newPage();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await w?.teardown();
  });

  /** The element is shown, and wholly on the screen's width. */
  async function onScreen(l: Locator) {
    await l.scrollIntoViewIfNeeded();
    expect(await l.isVisible()).toBe(true);
    const box = (await l.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width);
  }
  const noSideways = async () => expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);

  test('the client books an afternoon slot through the page, then can move, cancel and add it to a calendar', async () => {
    expect((await asProvider(request(w.app).put('/api/admin/availability')).send(OFFICE_HOURS)).status).toBe(200);
    const pack = await paidPack(w, { quantity: 2 });
    await page.goto(`${w.baseUrl}/espace?token=${encodeURIComponent(pack.token)}`);
    await onScreen(page.locator('[data-testid=open-portal]'));
    await page.click('[data-testid=open-portal]');
    await page.waitForSelector('[data-testid=status]');
    await noSideways();
    await shot('portal');
    // 16h00 Paris on the first weekday after tomorrow.
    let day = DateTime.now().setZone('Europe/Paris').plus({ days: 2 }).startOf('day');
    while (day.weekday > 5) day = day.plus({ days: 1 });
    const afternoon = day.set({ hour: 16 }).toUTC().toISO({ suppressMilliseconds: false })!;
    const slot = page.locator(`[data-slot="${new Date(afternoon).toISOString()}"]`);
    await onScreen(slot);
    await slot.click();
    await page.waitForSelector('.flash.ok');
    expect(await page.textContent('.flash.ok')).toContain('à 16h00');
    await shot('booked');
    for (const name of ['Déplacer', 'Annuler', 'Ajouter à mon agenda (.ics)']) await onScreen(page.getByRole('link', { name }));
    for (const label of ['Date', 'Durée', 'Statut']) await onScreen(page.locator(`tr[data-booking] td[data-label="${label}"]`).first());
    const ics = await page.request.get(
      await page
        .getByRole('link', { name: 'Ajouter à mon agenda (.ics)' })
        .getAttribute('href')
        .then((h) => `${w.baseUrl}${h}`),
    );
    expect(ics.headers()['content-type']).toMatch(/^text\/calendar/);
    await page.getByRole('link', { name: 'Déplacer' }).click();
    await page.waitForSelector('[data-testid=free-notice]');
    await noSideways();
    await onScreen(page.locator('[data-slot]').first());
    await shot('move');
    await page.goBack();
    await page.getByRole('link', { name: 'Annuler' }).click();
    await onScreen(page.getByRole('button', { name: "Confirmer l'annulation" }));
    await shot('cancel');
    await page.getByRole('button', { name: "Confirmer l'annulation" }).click();
    await page.waitForSelector('.flash.ok');
    expect(await page.textContent('.flash.ok')).toContain('sans frais');
  }, 120_000);

  test('the provider reads every column of the packs list and uses every action; the navigation and buttons stay apart', async () => {
    expect(
      (await asProvider(request(w.app).put('/api/admin/availability')).send({ ...OPEN_ALL_THE_TIME, autoConfirm: false })).status,
    ).toBe(200);
    const pack = await paidPack(w);
    const start = new Date(Math.ceil((Date.now() + 3 * DAY) / 3_600_000) * 3_600_000).toISOString();
    expect(
      (await request(w.app).post(`/api/packs/${pack.packId}/bookings`).set('authorization', `Bearer ${pack.token}`).send({ start })).status,
    ).toBe(201);
    await page.goto(`${w.baseUrl}/admin/connexion`);
    await page.fill('#password', PROVIDER_PASSWORD);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.waitForURL(/\/admin$/);
    await noSideways();
    await shot('agenda');
    await page.click('nav a[href="/admin/packs"]');
    await page.waitForURL(/\/admin\/packs$/);
    await noSideways();
    await shot('dashboard');
    const row = page.locator('tbody tr', { has: page.locator(`a[href="/admin/packs/${pack.packId}"]`) });
    for (const label of ['Client', 'Pack', 'Statut', 'Montant', 'Paiement', 'Heures disponibles', 'Commande', 'Expire'])
      await onScreen(row.locator(`td[data-label="${label}"]`));
    // « E-mails » stays on one line.
    const emails = page.locator('nav a', { hasText: 'E-mails' });
    const lineHeight = await emails.evaluate((a) => parseFloat(getComputedStyle(a).lineHeight) || 24);
    expect((await emails.boundingBox())!.height).toBeLessThan(lineHeight * 1.5);
    await page.click(`a[href="/admin/packs/${pack.packId}"]`);
    const confirm = page.getByRole('button', { name: 'Confirmer' });
    const decline = page.getByRole('button', { name: 'Refuser' });
    await onScreen(confirm);
    await onScreen(decline);
    const [a, b] = [(await confirm.boundingBox())!, (await decline.boundingBox())!];
    const apart = b.y >= a.y + a.height || b.x >= a.x + a.width + 4 || a.x >= b.x + b.width + 4;
    expect(apart).toBe(true);
    await onScreen(page.getByRole('link', { name: 'Déplacer' }));
    await noSideways();
    await shot('pack');
  }, 120_000);
});
