/**
 * The contract on a durable medium (issue 13, point 3; Code de la consommation L221-13, L221-5, R221-1): the first
 * email after an order carries, as PDF attachments, the CGV version the client accepted, the order recap with each
 * acknowledgment ticked and its time, and the withdrawal information with the model form; its text gives the withdrawal
 * information too — the way the pack was sold (`WITHDRAWAL_AFTER_START`) says what a started session costs.
 */
import type { Attachment } from 'mailparser';
import { cgvDocument } from '../../src/documents';
import { frenchInstant, lastDayBefore } from '../../src/documents/dates';
import { withdrawalDeadlineOf } from '../../src/shared/policy';
import { placeOrder } from '../support/api';
import { flat, readPdfs, type PdfContent } from '../support/documents';
import { createGatewayWorld, type GatewayWorld } from '../support/gateway';

const compact = (s: string): string => s.replace(/\s+/g, '');

/** An order by transfer and the first email its client receives. */
async function orderAndFirstEmail(w: GatewayWorld, email: string) {
  const res = await placeOrder(w, { customer: { name: 'Zoé L’Hôte', email } });
  expect(res.status).toBe(201);
  const mail = await w.sink.waitFor((m) => m.to.includes(email) && m.subject.startsWith('Votre commande'), 20_000);
  return { packId: res.body.packId as string, mail };
}

const pdfsOf = (attachments: Attachment[]) => attachments.filter((a) => a.contentType === 'application/pdf');

describe('the first email after an order: the contract on a durable medium', () => {
  let w: GatewayWorld;
  let packId: string;
  let text: string;
  let files: Attachment[];
  let cgv: PdfContent;
  let recap: PdfContent;
  let form: PdfContent;

  beforeAll(async () => {
    w = await createGatewayWorld();
    const first = await orderAndFirstEmail(w, `contrat.${Date.now()}@example.org`);
    packId = first.packId;
    text = first.mail.text;
    files = pdfsOf(first.mail.parsed.attachments);
    [cgv, recap, form] = await readPdfs(files.map((f) => f.content));
  }, 120_000);
  afterAll(async () => {
    await w?.teardown();
  });

  test('it carries three PDF attachments: the CGV accepted, the order recap, the withdrawal information and form', () => {
    expect(files.map((f) => f.filename)).toEqual([
      `conditions-generales-de-vente-${w.app.ctx.cgv.version}.pdf`,
      `recapitulatif-de-commande-${packId.slice(0, 8)}.pdf`,
      'information-et-formulaire-de-retractation.pdf',
    ]);
    for (const f of files) expect(f.content.subarray(0, 5).toString()).toBe('%PDF-');
  });

  test('the CGV attached are the version the consents name, every clause in order, as kept in cgv_version', async () => {
    const consent = await w.db.prisma.consent.findFirstOrThrow({ where: { packId, kind: 'cgv' } });
    const kept = await w.db.prisma.cgvVersion.findUniqueOrThrow({ where: { version: consent.cgvVersion } });
    expect(consent.cgvVersion).toBe(w.app.ctx.cgv.version);
    const body = compact(cgv.body);
    let from = 0;
    const doc = cgvDocument({
      text: kept.text,
      version: kept.version,
      shownSince: kept.shownSince.toISOString(),
      seller: w.app.ctx.seller,
    });
    for (const block of doc.blocks) {
      for (const piece of block.kind === 'bullets' ? block.items : [block.text]) {
        const at = body.indexOf(compact(piece), from);
        expect({ piece, found: at >= 0 }).toEqual({ piece, found: true });
        from = at;
      }
    }
    expect(flat(cgv.body)).toContain('Les packs achetés sont valables pour une durée de 3 mois à compter de la date d’achat.');
    expect(flat(cgv.body)).toContain(
      `Version ${kept.version}, affichée sur le site depuis le ${frenchInstant(kept.shownSince.toISOString())}`,
    );
  });

  test('the recap holds each acknowledgment ticked, in its exact wording, with the time it was ticked', async () => {
    const consents = await w.db.prisma.consent.findMany({ where: { packId }, orderBy: { id: 'asc' } });
    expect(consents).toHaveLength(5);
    const body = flat(recap.body);
    for (const c of consents) {
      expect(body).toContain(flat(`☑ ${c.wording}`));
      expect(body).toContain(`Case cochée le ${frenchInstant(c.acceptedAt.toISOString())}`);
    }
    expect(body).toContain('Zoé L’Hôte');
    expect(body).toContain(`Version acceptée ${w.app.ctx.cgv.version}`);
  });

  test('the withdrawal information names the last day of this order, and the model form follows it', async () => {
    const pack = await w.db.prisma.pack.findUniqueOrThrow({ where: { id: packId } });
    const lastDay = lastDayBefore(new Date(withdrawalDeadlineOf(pack.orderedAt.getTime(), w.app.ctx.settings)).toISOString());
    expect(flat(recap.body)).toContain(`vous pouvez vous rétracter jusqu'au ${lastDay} inclus`);
    const f = flat(form.body);
    expect(f).toContain('Informations sur le droit de rétractation');
    expect(f).toContain(
      'Je/nous (*) vous notifie/notifions (*) par la présente ma/notre (*) rétractation du contrat portant sur la prestation de services ci-dessous :',
    );
    expect(f).toContain("une fois la première séance commencée, aucun remboursement, total ou partiel, n'est accordé");
  });

  test('the email’s own text gives the withdrawal information, with the last day, and says what is attached', async () => {
    const pack = await w.db.prisma.pack.findUniqueOrThrow({ where: { id: packId } });
    const lastDay = lastDayBefore(new Date(withdrawalDeadlineOf(pack.orderedAt.getTime(), w.app.ctx.settings)).toISOString());
    const t = flat(text);
    expect(t).toContain('INFORMATIONS SUR LE DROIT DE RÉTRACTATION');
    expect(t).toContain('Vous avez le droit de vous rétracter du présent contrat sans donner de motif dans un délai de quatorze jours.');
    expect(t).toContain(`vous pouvez vous rétracter jusqu'au ${lastDay} inclus`);
    expect(t).toContain('les conditions générales de vente que vous avez acceptées, le récapitulatif de votre commande');
    expect(t).toContain("une fois la première séance commencée, aucun remboursement, total ou partiel, n'est accordé");
  });

  test('the CGV and the form are rendered once for all the clients of a version; the recap is each order’s own', async () => {
    const second = await orderAndFirstEmail(w, `contrat.bis.${Date.now()}@example.org`);
    const again = pdfsOf(second.mail.parsed.attachments);
    expect(again).toHaveLength(3);
    expect(again[0].content.equals(files[0].content)).toBe(true);
    expect(again[2].content.equals(files[2].content)).toBe(true);
    expect(again[1].content.equals(files[1].content)).toBe(false);
  });
});

describe('a pack sold under WITHDRAWAL_AFTER_START=prorata', () => {
  let w: GatewayWorld;
  beforeAll(async () => {
    w = await createGatewayWorld({ packSettings: { withdrawalAfterStart: 'prorata' } });
  }, 120_000);
  afterAll(async () => {
    await w?.teardown();
  });

  test('its email, recap and form say that a withdrawal after a session began refunds the hours not consumed', async () => {
    const { mail } = await orderAndFirstEmail(w, `prorata.${Date.now()}@example.org`);
    const [, recap, form] = await readPdfs(pdfsOf(mail.parsed.attachments).map((f) => f.content));
    const prorata =
      'les heures non consommées vous sont remboursées au prix horaire de votre pack (article L221-25 du Code de la consommation)';
    for (const t of [flat(mail.text), flat(recap.body), flat(form.body)]) {
      expect(t).toContain(prorata);
      expect(t).not.toContain("aucun remboursement, total ou partiel, n'est accordé");
    }
  });
});
