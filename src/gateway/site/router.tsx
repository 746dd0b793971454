/** The public site: the catalog, the terms of sale and the legal pages, the withdrawal form. */
import express, { type Request, type Router } from 'express';
import { z } from 'zod';
import { withdrawalForm, withdrawalFormPdf, withdrawalFormText, withdrawalInformation } from '../../documents';
import { createLogger } from '../../infra/log';
import { frenchDateTime } from '../../shared/format';
import type { GatewayContext } from '../context';
import { csrfToken, requireCsrf } from '../http/session';
import { check, formField } from '../http/validation';
import { customerFields } from '../orders';
import { sendPage } from '../views/render';
import { LegalNoticePage, PrivacyPage, WithdrawalInfoPage, WithdrawalSentPage } from './legal';
import { CgvPage, HomePage } from './pages';

const log = createLogger('gateway');

const withdrawalBody = z.object({
  name: customerFields.name,
  email: customerFields.email,
  address: z.string().trim().min(5, 'Indiquez votre adresse postale.').max(300, '300 caractères au plus.'),
  orderedOn: z.string().trim().min(1, 'Indiquez la date de votre commande (ou sa référence).').max(100, '100 caractères au plus.'),
});

export function siteRouter(ctx: GatewayContext): Router {
  const r = express.Router();
  const afterStart = ctx.settings.withdrawalAfterStart ?? 'refused';
  const info = withdrawalInformation({ seller: ctx.seller, afterStart });
  const form = withdrawalForm(ctx.seller);
  let formPdf: Promise<Buffer> | undefined;
  const withdrawalPage = (req: Request, values?: Record<string, string>, errors?: Record<string, string>) => (
    <WithdrawalInfoPage information={info} form={form} csrf={csrfToken(req)} values={values} errors={errors} />
  );

  r.get('/', (_req, res) => sendPage(res, <HomePage catalog={ctx.catalog} />));
  r.get('/cgv', async (_req, res) => {
    await ctx.data.keepCgvVersion(ctx.cgv.version, ctx.cgv.text);
    const kept = await ctx.data.cgvVersion(ctx.cgv.version);
    sendPage(res, <CgvPage cgv={ctx.cgv} shownSince={kept?.shownSince ?? new Date()} seller={ctx.seller} zone={ctx.zone} />);
  });
  r.get('/mentions-legales', (_req, res) => sendPage(res, <LegalNoticePage seller={ctx.seller} publicUrl={ctx.publicUrl} />));
  r.get('/confidentialite', (_req, res) => sendPage(res, <PrivacyPage seller={ctx.seller} />));

  r.get('/retractation', (req, res) => sendPage(res, withdrawalPage(req)));
  r.get('/retractation/formulaire.pdf', async (_req, res) => {
    // The same for every client: made once per process.
    formPdf ??= withdrawalFormPdf({ seller: ctx.seller, withdrawalAfterStart: afterStart });
    res
      .type('application/pdf')
      .set('Content-Disposition', 'attachment; filename="formulaire-retractation.pdf"')
      .send(await formPdf);
  });

  // A withdrawal sent from here (L221-21): acknowledged at once on a durable medium (an email), and handed to the
  // provider, who records it on the pack with this date of receipt.
  r.post('/retractation', requireCsrf, ctx.limits.magicLink, async (req, res) => {
    const values = {
      name: formField(req, 'name'),
      email: formField(req, 'email'),
      address: formField(req, 'address'),
      orderedOn: formField(req, 'orderedOn'),
    };
    const parsed = check(withdrawalBody, values);
    if (!parsed.success) {
      const errors = Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0]), i.message]));
      return sendPage(res, withdrawalPage(req, values, errors), 400);
    }
    const w = { ...parsed.data, email: parsed.data.email.toLowerCase() };
    const receivedAt = new Date();
    const { packId } = await ctx.data.recordWithdrawalRequest({ ...w, receivedAt });
    const when = frenchDateTime(receivedAt, ctx.zone);
    const filled = [
      withdrawalFormText(form),
      `Formulaire rempli en ligne le ${when} (heure de Paris) :`,
      `Commandé le : ${w.orderedOn}`,
      `Nom : ${w.name}`,
      `Adresse : ${w.address}`,
      `Adresse e-mail : ${w.email}`,
    ].join('\n\n');
    await ctx.mailer.sendMail({
      to: w.email,
      from: ctx.config.MAIL_FROM,
      subject: 'Accusé de réception de votre rétractation',
      text: `Bonjour,\n\nNous avons bien reçu votre rétractation le ${when} (heure de Paris). Vous serez remboursé(e) au plus tard 14 jours après cette date, par le moyen de paiement utilisé pour la commande.\n\nVotre formulaire :\n\n${filled}\n\n${ctx.seller.name}`,
    });
    await ctx.mailer
      .sendMail({
        to: ctx.config.PROVIDER_EMAIL,
        from: ctx.config.MAIL_FROM,
        subject: `Rétractation reçue en ligne : ${w.name}`,
        text: `Rétractation reçue le ${when} (heure de Paris), à enregistrer sur le pack avec cette date de réception.\n\n${filled}\n\n${packId ? `Pack : ${ctx.publicUrl}/admin/packs/${packId}` : 'Aucun pack ouvert ne correspond à cette adresse : retrouvez la commande dans le tableau de bord.'}`,
      })
      .catch((err: Error) => log.error('the provider could not be told of a withdrawal sent online', { error: err }));
    sendPage(res, <WithdrawalSentPage receivedAt={`${when} (heure de Paris)`} email={w.email} />);
  });
  return r;
}
