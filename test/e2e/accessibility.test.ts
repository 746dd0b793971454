import fs from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { asClient, asProvider, paidPack, placeOrder } from '../support/api';
import { launchChromium, SHOTS } from '../support/browser';
import { createGatewayWorld, PROVIDER_PASSWORD, type GatewayWorld } from '../support/gateway';
import { until } from '../support/until';

// Every page of the site, the client's portal and the provider's dashboard, in Debian's chromium, checked by axe-core
// against the WCAG 2.1 A and AA rules (the tags wcag2a, wcag2aa, wcag21a, wcag21aa), in the states a person meets
// them: empty, filled, with its errors. The report of every page is written to test-output/e2e/axe-report.json.
// On the client's pages, every time shown says it is Paris time.

const WCAG_21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

let w: GatewayWorld;
let browser: Browser;
let page: Page;
/** The pages audited by the test running. */
let audited = new Set<string>();
const report: Record<string, Array<{ id: string; impact: string | null | undefined; help: string; targets: string[] }>> = {};

beforeAll(async () => {
  w = await createGatewayWorld();
  await w.listen();
  browser = await launchChromium();
  // axe-core's Playwright binding needs a page of a context made by browser.newContext().
  page = await (await browser.newContext({ locale: 'fr-FR', timezoneId: 'Europe/Paris' })).newPage();
}, 120_000);

afterAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  fs.writeFileSync(path.join(SHOTS, 'axe-report.json'), JSON.stringify(report, null, 2));
  await browser?.close();
  await w?.teardown();
});

/** axe-core's WCAG 2.1 A/AA violations of the page as it is now, kept in the report under `name`. */
async function audit(name: string): Promise<void> {
  audited.add(name);
  const result = await new AxeBuilder({ page }).withTags(WCAG_21_AA).analyze();
  report[name] = result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    targets: v.nodes.map((n) => n.target.join(' ')),
  }));
}

/**
 * A time of day is always said to be Paris time: on a client's page next to it (the slot buttons under their period's
 * sentence); on the provider's, whose tables hold many, by the footer of every page of the dashboard.
 */
async function timesSayParis(name: string): Promise<void> {
  if (await page.$('footer [data-testid=times-in-paris]')) return;
  const bare = await page.evaluate(() => {
    const out: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = n.textContent ?? '';
      if (!/\b\d{2}h\d{2}\b/.test(text) || text.includes('heure de Paris')) continue;
      const picker = n.parentElement?.closest('.slot-picker');
      if (picker?.querySelector('[data-testid=slot-period]')?.textContent?.includes('heure de Paris')) continue;
      out.push(text.trim());
    }
    return out;
  });
  expect({ page: name, bare }).toEqual({ page: name, bare: [] });
}

async function visit(name: string, url: string): Promise<void> {
  await page.goto(`${w.baseUrl}${url}`);
  await audit(name);
  await timesSayParis(name);
}

test('the site, the order and the client’s portal: no WCAG 2.1 A/AA violation, every time in Paris time', async () => {
  for (const [name, url] of [
    ['accueil', '/'],
    ['cgv', '/cgv'],
    ['mentions légales', '/mentions-legales'],
    ['confidentialité', '/confidentialite'],
    ['rétractation', '/retractation'],
    ['lien de l’espace client', '/espace/lien'],
    ['page introuvable', '/nulle-part'],
    ['formulaire de commande', '/commander?pack=PACK_HALF_DAY'],
  ])
    await visit(name, url);

  // The order form with its errors, then filled and reviewed.
  await page.click('button[type=submit]');
  await page.waitForSelector('.error-text');
  await audit('formulaire de commande avec ses erreurs');
  await page.fill('#name', 'Zoé Accessible');
  await page.fill('#email', `zoe.${Date.now()}@example.org`);
  for (const k of ['equipment', 'skills', 'websiteConditions', 'cgv', 'withdrawalWaiver']) await page.check(`#consent-${k}`);
  await page.check('#pm-card');
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-testid=place-order]');
  await audit('récapitulatif de la commande');
  await timesSayParis('récapitulatif de la commande');
  await page.click('[data-testid=place-order]');
  await page.waitForSelector('[data-testid=simulated-pay]');
  await audit('paiement (simulé)');
  await page.click('[data-testid=simulated-pay]');
  await page.waitForURL(/\/commande\/merci/);
  await audit('merci');
  await timesSayParis('merci');

  // A bank transfer order: its bank details.
  await page.goto(`${w.baseUrl}/commander?pack=PACK_1H`);
  await page.fill('#name', 'Hugo Virement');
  await page.fill('#email', `hugo.${Date.now()}@example.org`);
  for (const k of ['equipment', 'skills', 'websiteConditions', 'cgv', 'withdrawalWaiver']) await page.check(`#consent-${k}`);
  await page.check('#pm-transfer');
  await page.click('button[type=submit]');
  await page.click('[data-testid=place-order]');
  await page.waitForSelector('[data-testid=iban]');
  await audit('coordonnées du virement');
  await timesSayParis('coordonnées du virement');

  // The portal of a paid pack, with a session booked.
  const pack = await paidPack(w, { quantity: 6 });
  await page.goto(`${w.baseUrl}/espace?token=${encodeURIComponent(pack.token)}`);
  await audit('ouverture de l’espace client');
  await page.click('[data-testid=open-portal]');
  await page.waitForSelector('[data-testid=status]');
  await audit('espace client');
  await timesSayParis('espace client');
  const slot = await page.$eval('[data-slot]', (e) => e.getAttribute('data-slot')!);
  const later = (await page.$$eval('[data-slot]', (els) => els.map((e) => e.getAttribute('data-slot')!))).find(
    (s) => Date.parse(s) > Date.now() + 3 * 86_400_000,
  )!;
  await page.click(`[data-slot="${later ?? slot}"]`);
  await page.waitForSelector('.flash.ok');
  await audit('espace client, séance réservée');
  await timesSayParis('espace client, séance réservée');
  const booking = await until(
    async () => (await asClient(pack.token)(request(w.app).get(`/api/packs/${pack.packId}`))).body as { bookings: Array<{ id: string }> },
    (s) => s.bookings.length > 0,
    'the booking',
  );
  const id = booking.bookings[0].id;
  for (const [name, url] of [
    ['déplacer une séance', `/espace/seances/${id}/deplacer`],
    ['annuler une séance', `/espace/seances/${id}/annuler`],
    ['rétractation depuis l’espace', '/espace/retractation'],
    ['coordonnées du client', '/espace/coordonnees'],
  ])
    await visit(name, url);

  // Signing out, a link that no longer works, a new link asked for, a withdrawal sent from the site.
  await page.goto(`${w.baseUrl}/espace`);
  await page.click('button:has-text("Me déconnecter de tous mes appareils")');
  await page.waitForSelector('[data-testid=signed-out]');
  await audit('déconnexion');
  await visit('lien expiré', `/espace?token=${encodeURIComponent(pack.token)}`);
  await page.goto(`${w.baseUrl}/espace/lien`);
  await page.fill('#email', 'personne@example.org');
  await page.click('button:has-text("Recevoir mon lien")');
  await page.waitForSelector('h1:has-text("Vérifiez votre boîte de réception")');
  await audit('lien envoyé');
  await page.goto(`${w.baseUrl}/retractation`);
  await page.click('button:has-text("Envoyer ma rétractation")');
  await page.waitForSelector('.error-text');
  await audit('formulaire de rétractation avec ses erreurs');
  await page.fill('#w-orderedOn', '2026-12-01');
  await page.fill('#w-name', 'Zoé Accessible');
  await page.fill('#w-address', '1 rue de la Paix, 75002 Paris');
  await page.fill('#w-email', 'zoe.retractation@example.org');
  await page.click('button:has-text("Envoyer ma rétractation")');
  await page.waitForSelector('h1:has-text("Votre rétractation est reçue")');
  await audit('rétractation envoyée');
  await timesSayParis('rétractation envoyée');

  const failing = Object.entries(report).filter(([, v]) => v.length > 0);
  expect(failing).toEqual([]);
}, 180_000);

test('the provider’s dashboard: no WCAG 2.1 A/AA violation on any page', async () => {
  const dashboard = (audited = new Set<string>());
  const pack = await paidPack(w, { quantity: 4 });
  const start = new Date(Date.now() + 5 * 86_400_000);
  start.setUTCHours(9, 0, 0, 0);
  const booked = await asClient(pack.token)(request(w.app).post(`/api/packs/${pack.packId}/bookings`)).send({ start: start.toISOString() });
  expect(booked.status).toBe(201);
  expect((await placeOrder(w)).status).toBe(201);
  await asProvider(request(w.app).put('/api/admin/calendar')).send({ kind: 'ics', url: 'http://127.0.0.1:9/inexistant.ics' });

  await page.context().clearCookies();
  await visit('connexion du prestataire', '/admin/connexion');
  await page.fill('#password', 'pas le bon');
  await page.click('button:has-text("Se connecter")');
  await audit('connexion refusée');
  await page.fill('#password', PROVIDER_PASSWORD);
  await page.click('button:has-text("Se connecter")');
  await page.waitForSelector('h1:has-text("Agenda")');
  await until(
    async () => (await page.reload(), await page.$('[data-testid=calendar-error]')),
    (el) => el !== null,
    'the calendar error on the agenda',
  );
  await audit('agenda');
  await visit('agenda, semaine de la séance', `/admin?semaine=${start.toISOString().slice(0, 10)}`);

  // Every page of the dashboard's navigation, then the pages of a pack.
  const nav = await page.$$eval('header nav a', (as) =>
    as.map((a) => a.getAttribute('href')!).filter((h) => h.startsWith('/admin') && h !== '/admin'),
  );
  expect(nav).toEqual(expect.arrayContaining(['/admin/packs', '/admin/disponibilites', '/admin/calendrier', '/admin/emails']));
  for (const href of nav) await visit(`tableau de bord ${href}`, href);
  await visit('fiche du pack', `/admin/packs/${pack.packId}`);
  await visit('déplacer une séance (prestataire)', `/admin/packs/${pack.packId}/seances/${booked.body.booking.id}/deplacer`);

  // The calendars page with its form's errors.
  await page.goto(`${w.baseUrl}/admin/calendrier`);
  await page.check('#calendar-kind-caldav');
  await page.fill('#calendar-url', 'pas une adresse');
  await page.click('button:has-text("Enregistrer et lire l’agenda")');
  await page.waitForSelector('[data-testid=calendar-form-errors]');
  await audit('calendriers avec les erreurs du formulaire');

  const failing = Object.entries(report).filter(([k, v]) => v.length > 0 && dashboard.has(k));
  expect(failing).toEqual([]);
}, 180_000);
