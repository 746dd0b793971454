/**
 * The product's emails, in French, as text and HTML. Every value from outside (names, projects) is escaped in
 * the HTML; the subject never carries line breaks.
 */
import { frenchDay, lastDayBefore } from '../../documents/dates';
import { withdrawalInformation, withdrawalInformationText } from '../../documents/withdrawal';
import type { DocumentSeller } from '../../documents/types';
import type { EmailTemplate } from '../../shared/emails';
import { euros, frenchDate, frenchDateTime, hoursText } from '../../shared/format';
import { escapeHtml } from '../../shared/html';

export interface MailContext {
  template: EmailTemplate;
  event: { type: string; atMs: number; data: Record<string, unknown> };
  pack: {
    id: string;
    label: string;
    totalHours: number;
    priceCents: number;
    paymentMethod: string;
    bankReference: string;
    paymentDeadline: Date;
    expiresAt: Date | null;
    hoursAvailable: number;
  };
  customer: { name: string; email: string };
  settings: {
    publicUrl: string;
    zoomUrl: string;
    timezone: string;
    bank: { iban: string; bic: string; holder: string };
    /** Who sells: the withdrawal information of the first email names them. */
    seller?: DocumentSeller;
  };
  /** The client's portal (magic link). */
  portalUrl: string;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
  /** The session invite to attach, if any. */
  ics?: 'REQUEST' | 'CANCEL';
}

type Body = { subject: string; lines: string[]; ics?: 'REQUEST' | 'CANCEL' };

function body(ctx: MailContext): Body {
  const { pack, settings, event } = ctx;
  const d = event.data;
  const when = (v: unknown) => frenchDateTime(String(v), settings.timezone);
  const session = d.start ? `la séance du ${when(d.start)} (${hoursText(Number(d.hours ?? 0))})` : 'la séance';
  const left = `Heures disponibles sur votre pack : ${pack.hoursAvailable}.`;
  const bank = [
    `Titulaire : ${settings.bank.holder}`,
    `IBAN : ${settings.bank.iban}`,
    `BIC : ${settings.bank.bic}`,
    `Montant : ${euros(pack.priceCents)} TTC`,
    `Référence à indiquer impérativement : ${pack.bankReference}`,
  ];
  const deadline = frenchDateTime(pack.paymentDeadline, settings.timezone);
  const dashboard = `${settings.publicUrl}/admin/packs/${pack.id}`;
  /** A due date is an exclusive end (midnight after the day): the last day it may be done. */
  const lastDay = (v: unknown) => frenchDate(Date.parse(String(v)) - 1, settings.timezone);
  const refundTerms =
    d.refundMethod === 'card'
      ? 'sur votre carte'
      : d.refundDueAt
        ? `par virement, au plus tard le ${lastDay(d.refundDueAt)}`
        : 'par virement, sous 14 jours';
  // A client's move without automatic confirmation: the new time waits for the provider, the former one is given up.
  const moveAwaitsProvider = event.type === 'BOOKING_RESCHEDULED' && d.status === 'REQUESTED';
  switch (ctx.template) {
    case 'ORDER_RECEIVED':
      return {
        subject: `Votre commande ${pack.label} est enregistrée`,
        lines: [
          `Merci pour votre commande : ${pack.label}, ${hoursText(pack.totalHours)}, ${euros(pack.priceCents)} TTC.`,
          ...(pack.paymentMethod === 'bank_transfer'
            ? [`Pour la valider, effectuez un virement avant le ${deadline} :`, ...bank]
            : [`Si le paiement par carte n'a pas abouti, vous pouvez le reprendre depuis votre espace avant le ${deadline}.`]),
          'Aucune séance ne peut être réservée avant la réception du paiement. Sans paiement à cette date, la commande sera annulée.',
          ...contract(ctx),
        ],
      };
    case 'PAYMENT_REMINDER':
      return {
        subject: 'Rappel : votre commande attend son paiement',
        lines: [
          `Nous n'avons pas encore reçu le paiement de votre commande ${pack.label}. Elle sera annulée si le paiement ne nous parvient pas avant le ${deadline}.`,
          ...(pack.paymentMethod === 'bank_transfer' ? bank : ['Vous pouvez payer par carte depuis votre espace.']),
        ],
      };
    case 'ORDER_CANCELLED_UNPAID':
      return {
        subject: 'Votre commande a été annulée faute de paiement',
        lines: [
          `Le paiement de votre commande ${pack.label} ne nous est pas parvenu avant le ${deadline} : elle est annulée.`,
          'Si un paiement partiel nous a été fait, il vous sera remboursé. Vous pouvez passer une nouvelle commande à tout moment.',
        ],
      };
    case 'PAYMENT_CONFIRMED':
      return {
        subject: 'Paiement reçu : votre pack est actif',
        lines: [
          `Nous avons bien reçu votre paiement de ${euros(Number(d.amountCents ?? pack.priceCents))}. Votre ${pack.label} est actif.`,
          ...(d.revived
            ? [
                `Votre paiement nous est parvenu le ${frenchDate(String(d.paidAt), settings.timezone)}, avant l'échéance : l'annulation de votre commande est levée.`,
              ]
            : []),
          `Il est valable jusqu'au ${pack.expiresAt ? frenchDateTime(pack.expiresAt, settings.timezone) : '—'} : les heures non utilisées à cette date seront perdues, sans remboursement (CGV).`,
          'Vous pouvez dès maintenant réserver vos séances depuis votre espace.',
          ...(d.invoiceKey ? ['Votre facture est jointe à cet e-mail (PDF) ; vous la retrouvez aussi dans votre espace client.'] : []),
        ],
      };
    case 'DOCUMENT_ISSUED':
      return d.kind === 'credit_note'
        ? {
            subject: `Votre avoir ${String(d.number)}`,
            lines: [
              `Vous trouverez ci-joint l'avoir n° ${String(d.number)} de ${euros(Number(d.totalCents))}${typeof d.corrects === 'string' ? `, qui corrige la facture n° ${d.corrects}` : ''}.`,
              typeof d.refundDueAt === 'string'
                ? `Ce montant vous sera remboursé par virement au plus tard le ${lastDayBefore(d.refundDueAt)}.`
                : 'Ce montant vous est remboursé par le moyen de paiement utilisé pour votre commande.',
              'Vos factures et avoirs restent disponibles dans votre espace client.',
            ],
          }
        : {
            subject: `Votre facture ${String(d.number)}`,
            lines: [
              `Vous trouverez ci-joint la facture n° ${String(d.number)} de votre ${pack.label} (${euros(Number(d.totalCents))} TTC), acquittée.`,
              'Vos factures et avoirs restent disponibles dans votre espace client.',
            ],
          };
    case 'UNEXPECTED_PAYMENT_REFUNDED':
      return {
        subject: 'Votre paiement va vous être remboursé',
        lines: [
          `Nous avons reçu un paiement de ${euros(Number(d.amountCents))} pour une commande qui n'attendait plus de paiement (annulée, rétractée ou déjà réglée).`,
          d.method === 'card'
            ? 'Il est remboursé sur votre carte ; le remboursement apparaît sous quelques jours.'
            : 'Nous vous le rembourserons par virement sous 14 jours ; nous vous contacterons si nous avons besoin de vos coordonnées bancaires.',
        ],
      };
    case 'REFUND_GRANTED':
      return {
        subject: 'Un remboursement vous est accordé',
        lines: [
          d.reason === 'SURPLUS'
            ? `Vous nous avez versé ${euros(Number(d.amountCents))} de plus que le prix de votre ${pack.label} : ce trop-perçu vous est remboursé.`
            : `À titre de geste commercial, ${euros(Number(d.amountCents))} du prix de votre ${pack.label} vous sont remboursés.`,
          ...(typeof d.note === 'string' && d.note ? [`Message du prestataire : ${d.note}`] : []),
          d.refundMethod === 'card'
            ? 'Le remboursement est fait sur votre carte ; il apparaît sous quelques jours.'
            : 'Le remboursement vous est fait par virement sous 14 jours ; nous vous contacterons si nous avons besoin de vos coordonnées bancaires.',
          ...(d.reason === 'GOODWILL'
            ? ['L’avoir correspondant vous sera envoyé par e-mail et restera disponible dans votre espace client.']
            : []),
          `Vos heures restent inchangées. ${left}`,
        ],
      };
    case 'BOOKING_REQUESTED':
      return {
        subject: 'Demande de séance reçue',
        lines: [`Votre demande pour ${session} est transmise. Vous recevrez un e-mail dès qu'elle sera confirmée.`, left],
      };
    case 'BOOKING_CONFIRMED':
      return {
        subject: `Séance confirmée : ${when(d.start)}`,
        lines: [
          `${session[0].toUpperCase()}${session.slice(1)} est confirmée.`,
          `Lien Zoom : ${settings.zoomUrl}`,
          "L'invitation pour votre agenda est jointe. Annulation ou report sans frais jusqu'à 24 heures avant le début ; au-delà, les heures de la séance sont facturées (CGV).",
        ],
        ics: 'REQUEST',
      };
    case 'BOOKING_DECLINED':
      return {
        subject: "Votre demande de séance n'a pas pu être retenue",
        lines: [
          `Votre demande pour ${session} n'a pas pu être retenue${typeof d.reason === 'string' && d.reason ? ` (${d.reason})` : ''}. Les heures restent disponibles sur votre pack.`,
          ...(d.cancelsInvite ? ["L'invitation provisoire de ce créneau est retirée de votre agenda."] : []),
          'Choisissez un autre créneau depuis votre espace.',
          left,
        ],
        ...(d.cancelsInvite ? { ics: 'CANCEL' as const } : {}),
      };
    case 'BOOKING_RESCHEDULED':
      if (moveAwaitsProvider) {
        return {
          subject: `Séance déplacée au ${when(d.start)} : en attente de confirmation`,
          lines: [
            `Votre séance du ${when(d.from)} est déplacée au ${when(d.start)}, sans frais. Ce nouveau créneau est en attente de confirmation par le prestataire : vous recevrez un e-mail dès qu'il sera confirmé.`,
            `L'ancien créneau du ${when(d.from)} est libéré : il ne vous est plus réservé.`,
            'Si le nouveau créneau ne peut pas être confirmé, les heures de la séance restent sur votre pack et vous pourrez choisir un autre créneau depuis votre espace.',
            "L'invitation jointe inscrit ce créneau dans votre agenda comme provisoire.",
          ],
          ics: 'REQUEST',
        };
      }
      return {
        subject: `Séance déplacée au ${when(d.start)}`,
        lines: [
          `Votre séance du ${when(d.from)} est déplacée au ${when(d.start)}, sans frais. Elle est confirmée.`,
          `Lien Zoom : ${settings.zoomUrl}`,
          "L'invitation jointe met à jour votre agenda.",
        ],
        ics: 'REQUEST',
      };
    case 'BOOKING_CANCELLED':
      return {
        subject: 'Séance annulée sans frais',
        lines: [`${session[0].toUpperCase()}${session.slice(1)} est annulée sans frais : les heures reviennent sur votre pack.`, left],
        ics: 'CANCEL',
      };
    case 'BOOKING_CANCELLED_BILLED':
      return {
        subject: 'Séance annulée moins de 24 heures avant : heures facturées',
        lines: [
          `${session[0].toUpperCase()}${session.slice(1)} a été ${d.reschedule ? 'reportée' : 'annulée'} moins de 24 heures avant son début.`,
          'Conformément aux CGV, les heures de cette séance sont facturées et décomptées de votre pack. Si cette annulation a un motif justifié, répondez à cet e-mail : le prestataire peut lever la pénalité.',
          left,
        ],
        ics: 'CANCEL',
      };
    case 'SESSION_REMINDER': {
      const h = Math.round(Number(d.beforeMs ?? 0) / 3_600_000);
      return {
        subject: `Rappel : séance ${h >= 24 ? 'demain' : `dans ${hoursText(h)}`}, ${when(d.start)}`,
        lines: [
          `Rappel de ${session}.`,
          `Lien Zoom : ${settings.zoomUrl}`,
          'Pensez à vérifier caméra, micro et connexion quelques minutes avant.',
        ],
        ics: 'REQUEST',
      };
    }
    case 'NO_SHOW':
      return {
        subject: 'Absence à votre séance',
        lines: [
          `Vous n'étiez pas présent(e) à ${session}.`,
          'Conformément aux CGV, toute absence injustifiée entraîne la facturation des heures prévues. Si votre absence est justifiée, répondez à cet e-mail.',
          left,
        ],
      };
    case 'PENALTY_WAIVED':
      return {
        subject: 'Pénalité levée : vos heures sont restituées',
        lines: [`La pénalité liée à ${session} est levée : ${hoursText(Number(d.hours ?? 0))} reviennent sur votre pack.`, left],
      };
    case 'EXPIRY_WARNING':
      return {
        subject: `Votre pack expire le ${pack.expiresAt ? frenchDateTime(pack.expiresAt, settings.timezone) : ''}`,
        lines: [
          `Il vous reste ${hoursText(Number(d.hoursLeft ?? pack.hoursAvailable))} sur votre ${pack.label}, valable jusqu'au ${pack.expiresAt ? frenchDateTime(pack.expiresAt, settings.timezone) : ''}.`,
          'Les heures non utilisées à cette date seront perdues, sans remboursement (CGV). Réservez vos séances depuis votre espace.',
        ],
      };
    case 'PACK_ENDED_USED_UP':
      return {
        subject: 'Votre pack est entièrement utilisé',
        lines: [`Toutes les heures de votre ${pack.label} ont été utilisées. Merci pour votre confiance !`],
      };
    case 'PACK_ENDED_EXPIRED':
      return {
        subject: 'Votre pack est arrivé à échéance',
        lines: [
          `Votre ${pack.label} est arrivé au terme de ses 3 mois de validité.`,
          Number(d.hoursLost ?? 0) > 0
            ? `${hoursText(Number(d.hoursLost))} non utilisée(s) sont perdue(s), sans remboursement, conformément aux CGV.`
            : 'Toutes vos heures avaient été utilisées.',
        ],
      };
    case 'WITHDRAWN':
      return {
        subject: 'Rétractation enregistrée',
        lines: [
          d.receivedAt
            ? `Votre demande de rétractation pour la commande ${pack.label}, reçue le ${when(d.receivedAt)}, est enregistrée.`
            : `Votre rétractation pour la commande ${pack.label} est enregistrée.`,
          ...(Number(d.consumedHours ?? 0) > 0
            ? [
                `Heures consommées à la date de votre rétractation (séances commencées, annulations tardives, absences) : ${Number(d.consumedHours)} sur ${pack.totalHours}. Elles restent dues au prix horaire du pack ; les heures non consommées vous sont remboursées (Code de la consommation, art. L221-25).`,
              ]
            : []),
          Number(d.refundCents ?? 0) > 0
            ? `Vous serez remboursé(e) de ${euros(Number(d.refundCents))} ${refundTerms}.`
            : Number(d.consumedHours ?? 0) > 0
              ? 'Aucun remboursement ne vous est dû.'
              : "Aucun paiement n'avait été reçu : rien ne vous est dû et rien ne vous sera prélevé.",
        ],
      };
    // -------------------------------------------------------------------------------------- provider notices
    case 'PROVIDER_ORDER_RECEIVED':
      return {
        subject: `Nouvelle commande : ${pack.label} (${euros(pack.priceCents)})`,
        lines: [
          `Client : ${ctx.customer.name}`,
          `Paiement : ${pack.paymentMethod === 'card' ? 'carte' : `virement, référence ${pack.bankReference}`}`,
          `Échéance de paiement : ${deadline}`,
        ],
      };
    case 'PROVIDER_ORDER_CANCELLED_UNPAID':
      return {
        subject: `Commande annulée faute de paiement : ${ctx.customer.name}`,
        lines: [`La commande ${pack.label} (référence ${pack.bankReference}) est annulée : paiement non reçu avant le ${deadline}.`],
      };
    case 'PROVIDER_PAYMENT_CONFIRMED':
      return {
        subject: `Paiement reçu : ${ctx.customer.name}, ${euros(Number(d.amountCents ?? 0))}`,
        lines: [
          `${pack.label} actif jusqu'au ${pack.expiresAt ? frenchDateTime(pack.expiresAt, settings.timezone) : '—'}.`,
          ...(d.revived
            ? [
                `Paiement daté du ${frenchDate(String(d.paidAt), settings.timezone)}, avant l'échéance : la commande annulée faute de paiement est rétablie, sa validité court depuis cette date.`,
              ]
            : []),
        ],
      };
    case 'PROVIDER_PAYMENT_MISMATCH':
      return {
        subject: `Montant inattendu pour la commande ${pack.bankReference}`,
        lines: [
          `Reçu ${euros(Number(d.amountCents))} (${String(d.method)}, réf. ${String(d.reference)}) ; total reçu ${euros(Number(d.receivedCents))} pour ${euros(Number(d.expectedCents))} attendus.`,
          Number(d.receivedCents) < Number(d.expectedCents)
            ? "La commande reste en attente du complément : elle n'est pas activée."
            : 'La commande est activée ; le trop-perçu est à rembourser au client.',
        ],
      };
    case 'PROVIDER_UNEXPECTED_PAYMENT':
      return {
        subject: `Paiement reçu pour une commande close : ${pack.bankReference}`,
        lines: [
          `Paiement de ${euros(Number(d.amountCents))} (${String(d.method)}, réf. ${String(d.reference)}) reçu alors que la commande était « ${String(d.status)} ».`,
          d.method === 'card'
            ? 'Il est remboursé automatiquement par Stripe.'
            : 'À rembourser par virement : une tâche a été créée dans le tableau de bord.',
        ],
      };
    case 'PROVIDER_BOOKING_REQUESTED':
      return {
        subject: `Demande de séance : ${ctx.customer.name}, ${when(d.start)}`,
        lines: [`${ctx.customer.name} demande ${session}.`, `À confirmer ou refuser dans le tableau de bord : ${dashboard}`],
      };
    case 'PROVIDER_BOOKING_CONFIRMED':
      return {
        subject: `Séance confirmée : ${ctx.customer.name}, ${when(d.start)}`,
        lines: [`${session[0].toUpperCase()}${session.slice(1)} avec ${ctx.customer.name} est confirmée.`],
      };
    case 'PROVIDER_BOOKING_EXPIRED':
      return {
        subject: `Demande non confirmée à temps : ${ctx.customer.name}`,
        lines: [`La demande pour ${session} n'a pas été confirmée avant son heure : elle est refusée et les heures restituées.`],
      };
    case 'PROVIDER_BOOKING_RESCHEDULED':
      if (moveAwaitsProvider) {
        return {
          subject: `Déplacement à confirmer : ${ctx.customer.name}, ${when(d.start)}`,
          lines: [
            `${ctx.customer.name} a déplacé sa séance du ${when(d.from)} au ${when(d.start)}. Ce nouveau créneau attend votre confirmation ; l'ancien est libéré.`,
            `À confirmer ou refuser dans le tableau de bord : ${dashboard}`,
            "Sans réponse de votre part avant l'heure de la séance, la demande sera refusée automatiquement et les heures rendues au client.",
          ],
        };
      }
      return {
        subject: `Séance déplacée : ${ctx.customer.name}, ${when(d.start)}`,
        lines: [
          `Séance du ${when(d.from)} déplacée au ${when(d.start)} par ${d.by === 'provider' ? 'vous' : 'le client'} ; elle reste confirmée.`,
          `Tableau de bord : ${dashboard}`,
        ],
      };
    case 'PROVIDER_BOOKING_CANCELLED':
      return {
        subject: `Séance annulée : ${ctx.customer.name}, ${when(d.start)}`,
        lines: [
          `${session[0].toUpperCase()}${session.slice(1)} est annulée par ${d.by === 'provider' ? 'vous' : 'le client'}${event.type === 'BOOKING_CANCELLED_BILLED' ? ', moins de 24 h avant : heures facturées' : ', sans frais'}.`,
        ],
      };
    case 'PROVIDER_SESSION_REMINDER':
      return { subject: `Rappel : séance avec ${ctx.customer.name}, ${when(d.start)}`, lines: [`Lien Zoom : ${settings.zoomUrl}`] };
    case 'PROVIDER_PACK_ENDED':
      return {
        subject: `Pack terminé : ${ctx.customer.name} (${event.type === 'PACK_EXPIRED' ? 'expiré' : 'heures utilisées'})`,
        lines: [`${pack.label} de ${ctx.customer.name} terminé.`],
      };
    case 'PROVIDER_WITHDRAWN':
      return {
        subject: `Rétractation : ${ctx.customer.name}`,
        lines: [
          ...(d.receivedAt ? [`Demande reçue le ${when(d.receivedAt)}, enregistrée par vous.`] : []),
          ...(Number(d.consumedHours ?? 0) > 0
            ? [`Heures consommées à la rétractation, non remboursées : ${Number(d.consumedHours)} sur ${pack.totalHours}.`]
            : []),
          `Remboursement dû : ${euros(Number(d.refundCents ?? 0))} (${d.refundMethod === 'card' ? 'carte, automatique' : d.refundDueAt ? `virement, à faire au plus tard le ${lastDay(d.refundDueAt)}` : 'virement, à faire'}).`,
        ],
      };
    case 'PROVIDER_REFUND_TASK':
      return {
        subject: `Remboursement par virement à faire : ${euros(Number(d.amountCents))}`,
        lines: [
          `Motif : ${REFUND_REASONS[String(d.reason)] ?? String(d.reason)}. Client : ${ctx.customer.name}. Référence : ${pack.bankReference}.`,
          ...(d.dueAt
            ? [`À faire au plus tard le ${lastDay(d.dueAt)} (Code de la consommation, art. L221-24, pour une rétractation).`]
            : []),
          `Une fois le virement fait, marquez-le comme effectué dans le tableau de bord : ${dashboard}`,
        ],
      };
    case 'PROVIDER_REFUND_REMINDER':
      return {
        subject: `Rappel : remboursement de ${euros(Number(d.amountCents))} à faire avant le ${lastDay(d.dueAt)}`,
        lines: [
          `Le remboursement par virement de ${euros(Number(d.amountCents))} à ${ctx.customer.name} (${REFUND_REASONS[String(d.reason)] ?? String(d.reason)}, référence ${pack.bankReference}) est à faire au plus tard le ${lastDay(d.dueAt)}, dans 3 jours.`,
          `Une fois le virement fait, marquez-le comme effectué dans le tableau de bord : ${dashboard}`,
        ],
      };
  }
}

/**
 * The contract on a durable medium (Code de la consommation L221-13): what the first email's attachments are, then
 * the withdrawal information itself (L221-5), with this order's last day.
 */
function contract(ctx: MailContext): string[] {
  const seller = ctx.settings.seller;
  if (!seller) return [];
  const d = ctx.event.data;
  const endsAt = typeof d.withdrawalEndsAt === 'string' ? d.withdrawalEndsAt : undefined;
  const info = withdrawalInformation({
    seller,
    afterStart: d.withdrawalAfterStart === 'prorata' ? 'prorata' : 'refused',
    ...(endsAt ? { order: { orderedOn: frenchDay(new Date(ctx.event.atMs).toISOString()), withdrawalEndsAt: endsAt } } : {}),
  });
  return [
    'Vous trouverez en pièces jointes, à conserver : les conditions générales de vente que vous avez acceptées, le récapitulatif de votre commande (chaque case cochée, avec son heure) et les informations sur le droit de rétractation avec le formulaire de rétractation.',
    ...withdrawalInformationText(info).split('\n\n'),
  ];
}

/** Why money is given back, as the provider reads it. */
const REFUND_REASONS: Record<string, string> = {
  WITHDRAWAL: 'rétractation',
  UNEXPECTED_PAYMENT: 'paiement reçu pour une commande close ou déjà payée',
  ORDER_CANCELLED: 'paiement partiel d’une commande annulée faute de paiement',
  PACK_CLOSED: 'paiement reçu pour un pack clos',
  GOODWILL: 'geste commercial',
  SURPLUS: 'trop-perçu',
};

export function renderEmail(ctx: MailContext): RenderedEmail {
  const b = body(ctx);
  const { settings } = ctx;
  const toClient = !ctx.template.startsWith('PROVIDER_');
  const greeting = toClient ? `Bonjour ${ctx.customer.name},` : 'Bonjour,';
  const footer = toClient
    ? [
        'Votre espace client (pack, séances, factures) :',
        ctx.portalUrl,
        '',
        'imaginasite — accompagnement à distance pour vos sites et outils numériques',
      ]
    : ['— imaginasite'];
  const text = [greeting, '', ...b.lines.flatMap((l) => [l, '']), ...footer].join('\n');
  // Only the site's own addresses (and the Zoom link) become links: a URL typed by a client (a name, a project, a note)
  // stays text, so no email of ours carries someone else's link.
  const ours = [settings.publicUrl, settings.zoomUrl].map((u) => escapeHtml(u));
  const linkify = (s: string) =>
    escapeHtml(s).replace(/(https?:\/\/[^\s<]+)/g, (url) => (ours.some((o) => url.startsWith(o)) ? `<a href="${url}">${url}</a>` : url));
  const html = `<!doctype html><html lang="fr"><body style="font-family:Arial,sans-serif;line-height:1.5;color:#222">
<p>${escapeHtml(greeting)}</p>
${b.lines.map((l) => `<p>${linkify(l)}</p>`).join('\n')}
<hr><p style="color:#666;font-size:13px">${footer.filter(Boolean).map(linkify).join('<br>')}</p>
</body></html>`;
  return { subject: b.subject.replace(/[\r\n]+/g, ' ').slice(0, 200), text, html, ics: b.ics };
}
