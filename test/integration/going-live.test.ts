import request from 'supertest';
import { asClient, paidPack, placeOrder } from '../support/api';
import { createGatewayWorld, type GatewayWorld } from '../support/gateway';
import { parseHtml, visibleText } from '../support/html';
import { openPortal, orderFormCsrf } from '../support/portal';
import { CONSENTS } from '../support/packs';

// Ready to sell in France (issue 13): the seller's identity where the law wants it, the legal pages linked from every
// page, prices TTC with the total before the order button, every CGV version kept whole, and the client's own
// corrections of their personal data.
let w: GatewayWorld;
beforeAll(async () => {
  w = await createGatewayWorld();
});
afterAll(async () => {
  await w?.teardown();
});

const page = (url: string) => request(w.app).get(url).set('accept', 'text/html');

describe('legal pages', () => {
  test('the legal notices name the publisher (name, address, SIRET, VAT status, email, phone), the host and the consumer mediator', async () => {
    const res = await page('/mentions-legales');
    expect(res.status).toBe(200);
    const text = visibleText(res.text);
    const s = w.app.ctx.seller;
    for (const part of [
      s.name,
      s.address,
      'SIRET : 123 456 782 00010',
      'TVA non applicable, art. 293 B du CGI',
      s.email,
      s.phone,
      s.host.name,
      s.host.address,
      s.mediator.name,
      s.mediator.url,
    ]) {
      expect(text).toContain(part);
    }
    expect(text).toContain('Directeur de la publication');
  });

  test('the privacy notice gives the controller, purposes and legal bases, recipients, retention periods, rights and the CNIL complaint', async () => {
    const text = visibleText((await page('/confidentialite')).text);
    for (const part of [
      'Responsable du traitement',
      w.app.ctx.seller.name,
      'Exécution du contrat (art. 6.1.b du RGPD)',
      'Obligation légale',
      'L213-1',
      'L123-22',
      'Stripe',
      w.app.ctx.seller.host.name,
      '10 ans',
      'rectifier',
      'effacement',
      'portabilité',
      'www.cnil.fr',
    ]) {
      expect(text).toContain(part);
    }
  });

  test('every page links the CGV, the legal notices, the privacy notice and the withdrawal form from its footer', async () => {
    for (const url of ['/', '/cgv', '/commander', '/mentions-legales', '/confidentialite', '/espace/lien', '/une-page-absente']) {
      const links = parseHtml((await page(url)).text)
        .querySelectorAll('footer a')
        .map((a) => a.getAttribute('href'));
      expect([url, links]).toEqual([url, expect.arrayContaining(['/cgv', '/mentions-legales', '/confidentialite', '/retractation'])]);
    }
  });
});

describe('the withdrawal form', () => {
  test('/retractation gives the withdrawal information and the model form of R221-1, to print (PDF) or to send from the page', async () => {
    const res = await page('/retractation');
    const text = visibleText(res.text);
    for (const part of [
      'Informations sur le droit de rétractation',
      'quatorze jours',
      'déclaration dénuée d',
      'Formulaire de rétractation',
      `À l'attention de ${w.app.ctx.seller.name}`,
      'Je/nous (*) vous notifie/notifions (*) par la présente ma/notre (*) rétractation du contrat portant sur la prestation de services ci-dessous',
      '(*) Rayez la mention inutile.',
    ]) {
      expect(text).toContain(part);
    }
    const pdf = await request(w.app).get('/retractation/formulaire.pdf').buffer(true);
    expect([pdf.status, pdf.headers['content-type']]).toEqual([200, 'application/pdf']);
    expect(
      Buffer.from(pdf.body as Buffer)
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
  });

  test('a withdrawal sent from the page is acknowledged by email with its date, and handed to the provider on the client’s pack', async () => {
    const pack = await placeOrderFor('retract.online@example.org');
    const agent = request.agent(w.app).set('accept', 'text/html');
    const csrf = parseHtml((await agent.get('/retractation')).text)
      .querySelector('input[name=csrf]')!
      .getAttribute('value')!;
    const bad = await agent
      .post('/retractation')
      .type('form')
      .send({ csrf, name: 'Léa', email: 'pas-une-adresse', address: '', orderedOn: '' });
    expect(bad.status).toBe(400);
    expect(visibleText(bad.text)).toContain('Indiquez votre adresse postale.');
    const sent = await agent
      .post('/retractation')
      .type('form')
      .send({ csrf, name: 'Léa Retrait', email: 'Retract.Online@example.org', address: '3 rue du Départ, 69001 Lyon', orderedOn: 'hier' });
    expect(sent.status).toBe(200);
    expect(visibleText(sent.text)).toContain('Votre rétractation est reçue');
    const ack = await w.sink.waitFor(
      (m) => m.to.includes('retract.online@example.org') && m.subject === 'Accusé de réception de votre rétractation',
      20_000,
    );
    expect(ack.text).toMatch(/reçu votre rétractation le \S+ \d+ \S+ \d{4} à \d{2}h\d{2}/);
    expect(ack.text).toContain('3 rue du Départ, 69001 Lyon');
    const notice = await w.sink.waitFor((m) => m.subject === 'Rétractation reçue en ligne : Léa Retrait', 20_000);
    expect(notice.text).toContain(`/admin/packs/${pack.packId}`);
    const task = await w.db.prisma.providerTask.findFirstOrThrow({ where: { kind: 'WITHDRAWAL_REQUEST', packId: pack.packId } });
    expect(task.details).toMatchObject({ name: 'Léa Retrait', email: 'retract.online@example.org' });
  });
});

describe('prices and the order', () => {
  test('prices say TTC on the home page and the order form; the order form is reviewed with its total before the button that commits to pay', async () => {
    expect(visibleText((await page('/')).text)).toContain('90,00 € TTC / heure');
    const options = parseHtml((await page('/commander')).text)
      .querySelectorAll('#packCode option')
      .map((o) => o.textContent);
    for (const o of options) expect(o).toMatch(/ TTC/);
    const agent = request.agent(w.app).set('accept', 'text/html');
    const csrf = await orderFormCsrf(agent);
    const review = await agent
      .post('/commander')
      .type('form')
      .send({
        csrf,
        packCode: 'PACK_1H',
        quantity: '4',
        name: 'Léa Moreau',
        email: 'lea.review@example.org',
        paymentMethod: 'bank_transfer',
        ...Object.fromEntries(Object.keys(CONSENTS).map((k) => [k, 'yes'])),
      });
    const html = parseHtml(review.text);
    expect(html.querySelector('[data-testid=order-total]')!.textContent).toContain('360,00 € TTC');
    const buttons = html.querySelectorAll('form button');
    expect(buttons.at(-1)!.textContent).toBe('Commander avec obligation de paiement');
    // Nothing is ordered before that button.
    expect(await w.db.prisma.customer.count({ where: { email: 'lea.review@example.org' } })).toBe(0);
  });

  test('the CGV version the site shows is kept whole, and the consents of an order name it', async () => {
    const { version, text } = w.app.ctx.cgv;
    const kept = await w.db.prisma.cgvVersion.findUniqueOrThrow({ where: { version } });
    expect(kept.text).toBe(text);
    expect(kept.text).toContain(w.app.ctx.seller.name);
    const pack = await paidPack(w);
    const consents = await w.db.prisma.consent.findMany({ where: { packId: pack.packId } });
    expect(new Set(consents.map((c) => c.cgvVersion))).toEqual(new Set([version]));
  });
});

describe('the client corrects their personal data', () => {
  async function portal() {
    const pack = await paidPack(w, { customer: { name: 'Léo Avant', email: `leo.${Date.now()}@example.org`, phone: '01 02 03 04 05' } });
    const agent = request.agent(w.app).set('accept', 'text/html');
    await openPortal(agent, pack.token);
    const form = await agent.get('/espace/coordonnees');
    const csrf = parseHtml(form.text).querySelector('input[name=csrf]')!.getAttribute('value')!;
    const { customerId } = await w.db.prisma.pack.findUniqueOrThrow({ where: { id: pack.packId } });
    return { ...pack, agent, csrf, customerId, form };
  }

  test('name and phone are corrected from the portal; a bad value is refused in French and nothing changes', async () => {
    const p = await portal();
    const email = (await w.db.prisma.customer.findUniqueOrThrow({ where: { id: p.customerId } })).email;
    expect(parseHtml(p.form.text).querySelector('#name')!.getAttribute('value')).toBe('Léo Avant');
    const bad = await p.agent.post('/espace/coordonnees').type('form').send({ csrf: p.csrf, name: 'L', phone: '01 02', email });
    expect(bad.status).toBe(400);
    expect(visibleText(bad.text)).toContain('Le nom doit comporter au moins 2 caractères.');
    expect((await w.db.prisma.customer.findUniqueOrThrow({ where: { id: p.customerId } })).name).toBe('Léo Avant');
    const ok = await p.agent
      .post('/espace/coordonnees')
      .type('form')
      .send({ csrf: p.csrf, name: 'Léo Après', phone: '06 07 08 09 10', email });
    expect([ok.status, ok.headers.location]).toEqual([303, '/espace']);
    expect(await w.db.prisma.customer.findUniqueOrThrow({ where: { id: p.customerId } })).toMatchObject({
      name: 'Léo Après',
      phone: '06 07 08 09 10',
      email,
    });
    expect(visibleText((await p.agent.get('/espace')).text)).toContain('Vos coordonnées sont enregistrées.');
  });

  test('a new email address is used only once confirmed by the link sent to it; the former address is told', async () => {
    const p = await portal();
    const before = (await w.db.prisma.customer.findUniqueOrThrow({ where: { id: p.customerId } })).email;
    const after = `nouvelle.${Date.now()}@example.org`;
    const res = await p.agent.post('/espace/coordonnees').type('form').send({ csrf: p.csrf, name: 'Léo Avant', phone: '', email: after });
    expect(res.status).toBe(303);
    expect((await w.db.prisma.customer.findUniqueOrThrow({ where: { id: p.customerId } })).email).toBe(before);
    const mail = await w.sink.waitFor((m) => m.to.includes(after) && m.subject === 'Confirmez votre nouvelle adresse e-mail', 20_000);
    const link = /http:\/\/[^\s]+\/espace\/coordonnees\/email\?token=[^\s]+/.exec(mail.text)![0];
    const tampered = await request(w.app)
      .get(`${new URL(link).pathname}?token=${encodeURIComponent('x.y')}`)
      .set('accept', 'text/html');
    expect(tampered.status).toBe(400);
    const confirmed = await request(w.app)
      .get(new URL(link).pathname + new URL(link).search)
      .set('accept', 'text/html');
    expect(confirmed.status).toBe(200);
    expect(visibleText(confirmed.text)).toContain('Adresse e-mail modifiée');
    expect((await w.db.prisma.customer.findUniqueOrThrow({ where: { id: p.customerId } })).email).toBe(after);
    await w.sink.waitFor((m) => m.to.includes(before) && m.subject === 'Votre adresse e-mail a été modifiée', 20_000);
    // The pack still answers its own token (the access is the pack's, not the address's).
    expect((await asClient(p.token)(request(w.app).get(`/api/packs/${p.packId}`))).status).toBe(200);
  });
});

async function placeOrderFor(email: string) {
  const res = await placeOrder(w, { customer: { name: 'Léa Retrait', email } });
  expect(res.status).toBe(201);
  return { packId: res.body.packId as string };
}
