/**
 * The withdrawal information (Code de la consommation L221-5 2°, after the model of the annex to R221-3) and the
 * model withdrawal form (annex to R221-1), as data: the contract documents print them (withdrawalFormPdf,
 * orderRecapPdf), and the gateway's /retractation page and the emails show the same values, each string plain
 * text to escape as any other (the plain-text renderers below serve the text emails). Without this information
 * the withdrawal period runs twelve months longer (L221-20).
 */
import { lastDayBefore } from './dates';
import type { DocumentSeller, WithdrawalAfterStart } from './types';

export interface TextSection {
  heading: string;
  paragraphs: string[];
}

export interface WithdrawalInformation {
  title: string;
  sections: TextSection[];
}

export interface WithdrawalForm {
  title: string;
  /** « (Veuillez compléter et renvoyer le présent formulaire uniquement si vous souhaitez vous rétracter du contrat.) » */
  instruction: string;
  /** « À l'attention de <name>, <address>, <email> : » */
  addressee: string;
  /** « Je/nous (*) vous notifie/notifions (*) … ci-dessous : » */
  statement: string;
  /** The blanks the consumer fills in, in order, with the lines left for each on paper. */
  fields: Array<{ label: string; lines: number }>;
  /** « (*) Rayez la mention inutile. » */
  footnote: string;
}

export const WITHDRAWAL_DAYS = 14;

/** The seller as the law wants them named for a withdrawal: name, postal address, phone, email. */
const sellerContact = (s: DocumentSeller): string => `${s.name}, ${s.address}, téléphone ${s.phone}, e-mail ${s.email}`;

export function withdrawalInformation(args: {
  seller: DocumentSeller;
  /** `WITHDRAWAL_AFTER_START`; `refused` (the CGV as written) when absent. */
  afterStart?: WithdrawalAfterStart;
  /** For one order: its date and the period's exclusive end (src/shared/policy.ts `withdrawalDeadlineOf`). */
  order?: { orderedOn: string; withdrawalEndsAt: string };
}): WithdrawalInformation {
  const afterStart = args.afterStart ?? 'refused';
  const period = [
    `Vous avez le droit de vous rétracter du présent contrat sans donner de motif dans un délai de quatorze jours.`,
    `Le délai de rétractation expire quatorze jours après le jour de la conclusion du contrat, c'est-à-dire le jour de la commande ; s'il expire un samedi, un dimanche ou un jour férié, il est prolongé jusqu'au premier jour ouvrable suivant.`,
    ...(args.order
      ? [
          `Pour votre commande du ${args.order.orderedOn}, vous pouvez vous rétracter jusqu'au ${lastDayBefore(args.order.withdrawalEndsAt)} inclus.`,
        ]
      : []),
  ];
  const how = [
    `Pour exercer le droit de rétractation, vous devez nous notifier (${sellerContact(args.seller)}) votre décision de rétractation du présent contrat au moyen d'une déclaration dénuée d'ambiguïté (par exemple, lettre envoyée par la poste ou courrier électronique). Vous pouvez utiliser le modèle de formulaire de rétractation ci-dessous, mais ce n'est pas obligatoire.`,
    `Vous pouvez aussi vous rétracter depuis votre espace client, tant qu'aucune séance n'a commencé.`,
    `Pour que le délai de rétractation soit respecté, il suffit que vous transmettiez votre communication relative à l'exercice du droit de rétractation avant l'expiration du délai de rétractation.`,
  ];
  const effects = [
    `En cas de rétractation de votre part du présent contrat, nous vous rembourserons tous les paiements reçus de vous, sans retard excessif et, en tout état de cause, au plus tard quatorze jours à compter du jour où nous sommes informés de votre décision de rétractation. Nous procéderons au remboursement en utilisant le même moyen de paiement que celui que vous aurez utilisé pour la transaction initiale (remboursement sur votre carte, ou virement sur votre compte pour un paiement par virement), sauf si vous convenez expressément d'un moyen différent ; en tout état de cause, ce remboursement n'occasionnera pas de frais pour vous.`,
  ];
  const earlyStart =
    afterStart === 'refused'
      ? [
          `En commandant, vous avez demandé expressément que la prestation puisse commencer avant la fin du délai de rétractation. Tant qu'aucune séance n'a commencé, vous pouvez vous rétracter et vous êtes remboursé intégralement.`,
          `Vous avez reconnu perdre votre droit de rétractation dès qu'une séance a commencé : une fois la première séance commencée, aucun remboursement, total ou partiel, n'est accordé (conditions générales de vente).`,
        ]
      : [
          `En commandant, vous avez demandé expressément que la prestation puisse commencer avant la fin du délai de rétractation. Tant qu'aucune séance n'a commencé, vous pouvez vous rétracter et vous êtes remboursé intégralement.`,
          `Si vous vous rétractez pendant le délai alors qu'une séance a déjà commencé, vous nous devez un montant proportionnel à ce qui vous a été fourni jusqu'au moment où vous nous avez informés de votre rétractation : les heures consommées restent dues, les heures non consommées vous sont remboursées au prix horaire de votre pack (article L221-25 du Code de la consommation).`,
        ];
  return {
    title: 'Informations sur le droit de rétractation',
    sections: [
      { heading: 'Droit de rétractation', paragraphs: period },
      { heading: 'Comment vous rétracter', paragraphs: how },
      { heading: 'Effets de la rétractation', paragraphs: effects },
      { heading: 'Exécution de la prestation avant la fin du délai', paragraphs: earlyStart },
    ],
  };
}

/** The model form of the annex to article R221-1, addressed to the seller. */
export function withdrawalForm(seller: DocumentSeller): WithdrawalForm {
  return {
    title: 'Formulaire de rétractation',
    instruction: '(Veuillez compléter et renvoyer le présent formulaire uniquement si vous souhaitez vous rétracter du contrat.)',
    addressee: `À l'attention de ${seller.name}, ${seller.address}, ${seller.email} :`,
    statement:
      'Je/nous (*) vous notifie/notifions (*) par la présente ma/notre (*) rétractation du contrat portant sur la prestation de services ci-dessous :',
    fields: [
      { label: 'Commandé le (*)/reçu le (*) :', lines: 1 },
      { label: 'Nom du (des) consommateur(s) :', lines: 1 },
      { label: 'Adresse du (des) consommateur(s) :', lines: 2 },
      { label: 'Signature du (des) consommateur(s) (uniquement en cas de notification du présent formulaire sur papier) :', lines: 2 },
      { label: 'Date :', lines: 1 },
    ],
    footnote: '(*) Rayez la mention inutile.',
  };
}

/** The information as plain text (text emails): headings underlined, paragraphs separated by a blank line. */
export function withdrawalInformationText(info: WithdrawalInformation): string {
  const sections = info.sections.map((s) => [s.heading, '-'.repeat(s.heading.length), ...s.paragraphs].join('\n\n'));
  return [info.title.toUpperCase(), ...sections].join('\n\n');
}

/** The form as plain text, each blank a line of underscores. */
export function withdrawalFormText(form: WithdrawalForm): string {
  const blank = '_'.repeat(60);
  return [
    form.title.toUpperCase(),
    form.instruction,
    form.addressee,
    form.statement,
    ...form.fields.map((f) => `${f.label}\n${Array.from({ length: f.lines }, () => blank).join('\n')}`),
    form.footnote,
  ].join('\n\n');
}
