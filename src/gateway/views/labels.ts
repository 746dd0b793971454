/**
 * The French words the provider and the clients read for the product's codes: no raw code reaches a page.
 * A code missing here is a bug: `label()` falls back to a neutral wording, never to the code itself.
 */
import type { EmailTemplate } from '../../shared/emails';
import type { Actor, PaymentMethod, PaymentView } from '../../shared/pack';
import type { BookingStatus, PackStatus } from '../../shared/policy';
import type { CalendarSourceKind, CalendarSyncError } from '../../shared/calendars';

export const PACK_STATUS_LABELS: Record<PackStatus, string> = {
  AWAITING_PAYMENT: 'En attente de paiement',
  ACTIVE: 'Actif',
  USED_UP: 'Heures utilisées',
  EXPIRED: 'Expiré',
  CANCELLED_UNPAID: 'Annulé (non payé)',
  WITHDRAWN: 'Rétracté',
};

export const BOOKING_STATUS_LABELS: Record<BookingStatus, string> = {
  REQUESTED: 'Demandée',
  CONFIRMED: 'Confirmée',
  DECLINED: 'Refusée',
  CANCELLED: 'Annulée sans frais',
  LATE_CANCELLED: 'Annulée tardivement (facturée)',
  NO_SHOW: 'Absence (facturée)',
  HELD: 'Effectuée',
};

export const PAYMENT_METHOD_LABELS: Record<PaymentMethod, string> = { card: 'Carte bancaire', bank_transfer: 'Virement' };

export const PAYMENT_OUTCOME_LABELS: Record<PaymentView['outcome'], string> = {
  ACCEPTED: 'accepté',
  PARTIAL: 'partiel (en attente du complément)',
  SURPLUS: 'accepté, trop-perçu à rembourser',
  REFUNDED: 'remboursé',
  FLAGGED: 'à rembourser par virement',
};

export const ACTOR_LABELS: Record<Actor, string> = { client: 'le client', provider: 'vous', system: 'automatique' };

/** The pack's timeline, as the provider reads it. */
export const EVENT_LABELS: Record<string, string> = {
  ORDER_PLACED: 'Commande passée',
  PAYMENT_REMINDER: 'Rappel de paiement envoyé',
  ORDER_CANCELLED_UNPAID: 'Commande annulée faute de paiement',
  PAYMENT_CONFIRMED: 'Paiement reçu, pack activé',
  PAYMENT_INCOMPLETE: 'Paiement partiel reçu',
  PAYMENT_SURPLUS: 'Trop-perçu reçu',
  UNEXPECTED_PAYMENT_REFUNDED: 'Paiement inattendu remboursé',
  UNEXPECTED_PAYMENT_FLAGGED: 'Paiement inattendu à rembourser',
  BOOKING_REQUESTED: 'Séance demandée',
  BOOKING_CONFIRMED: 'Séance confirmée',
  BOOKING_DECLINED: 'Demande de séance refusée',
  BOOKING_RESCHEDULED: 'Séance déplacée',
  BOOKING_CANCELLED: 'Séance annulée sans frais',
  BOOKING_CANCELLED_BILLED: 'Séance annulée tardivement (facturée)',
  SESSION_REMINDER: 'Rappel de séance envoyé',
  SESSION_STARTED: 'Séance commencée',
  SESSION_HELD: 'Séance effectuée',
  NO_SHOW: 'Absence signalée (facturée)',
  PENALTY_WAIVED: 'Pénalité levée',
  EXPIRY_WARNING: "Avertissement d'expiration envoyé",
  PACK_USED_UP: 'Toutes les heures utilisées',
  PACK_EXPIRED: 'Pack expiré',
  WITHDRAWN: 'Rétractation',
  REFUND_ISSUED: 'Remboursement effectué',
  REFUND_TASK_CREATED: 'Remboursement par virement à faire',
  REFUND_REMINDER: 'Rappel du remboursement à faire envoyé',
  REFUND_PAID: 'Remboursement par virement effectué',
  ORDER_REVIVED: 'Commande rétablie : paiement daté avant l’échéance',
  INVOICE_ISSUED: 'Facture émise',
  CREDIT_NOTE_ISSUED: 'Avoir émis',
  REFUND_GRANTED: 'Remboursement accordé par vous',
};

/** Who acted, when the event itself does not say (`data.by`). */
const EVENT_ACTORS: Record<string, Actor> = {
  ORDER_PLACED: 'client',
  BOOKING_REQUESTED: 'client',
  BOOKING_CONFIRMED: 'provider',
  BOOKING_DECLINED: 'provider',
  NO_SHOW: 'provider',
  PENALTY_WAIVED: 'provider',
  WITHDRAWN: 'client',
  REFUND_PAID: 'provider',
  REFUND_GRANTED: 'provider',
};

export function eventActor(type: string, data: Record<string, unknown>): string {
  const by = data.by;
  if (by === 'client' || by === 'provider' || by === 'system') return ACTOR_LABELS[by];
  if (type === 'PAYMENT_CONFIRMED' || type === 'PAYMENT_INCOMPLETE' || type === 'PAYMENT_SURPLUS') {
    return data.method === 'bank_transfer' ? ACTOR_LABELS.provider : 'Stripe';
  }
  if (type === 'BOOKING_CONFIRMED' && data.status === 'CONFIRMED' && data.auto === true) return ACTOR_LABELS.system;
  if (type === 'WITHDRAWN' && data.recordedBy === 'provider') return 'le client (par e-mail ou courrier, enregistrée par vous)';
  return ACTOR_LABELS[EVENT_ACTORS[type] ?? 'system'];
}

/** An issued document's kind (`invoice.kind`). */
export const DOCUMENT_KIND_LABELS: Record<'invoice' | 'credit_note', string> = { invoice: 'Facture', credit_note: 'Avoir' };

/** Why money is given back (a refund's `reason`). */
export const REFUND_REASON_LABELS: Record<string, string> = {
  WITHDRAWAL: 'rétractation',
  UNEXPECTED_PAYMENT: 'paiement pour une commande close ou déjà payée',
  ORDER_CANCELLED: 'paiement partiel d’une commande annulée faute de paiement',
  PACK_CLOSED: 'paiement pour un pack clos',
  GOODWILL: 'geste commercial',
  SURPLUS: 'trop-perçu',
};

/** Why a withdrawal is not possible (the pack state's `withdrawal.reason`). */
export const WITHDRAWAL_REFUSAL_LABELS: Record<string, string> = {
  PERIOD_OVER: 'délai de 14 jours écoulé',
  SESSION_STARTED: 'une séance a commencé',
  PACK_CLOSED: 'pack clos',
};

export const TASK_LABELS: Record<string, string> = {
  WITHDRAWAL_REQUEST: 'Rétractation reçue en ligne : à enregistrer sur le pack, avec sa date de réception',
  BANK_REFUND: 'Remboursement par virement à faire',
  CARD_REFUND_FAILED: 'Remboursement par carte refusé par Stripe : à faire par virement',
  PAYMENT_FOR_CLOSED_PACK: 'Paiement reçu pour une commande close (remboursé automatiquement)',
};

export const EMAIL_LABELS: Record<EmailTemplate, string> = {
  ORDER_RECEIVED: 'Commande enregistrée',
  PAYMENT_REMINDER: 'Rappel de paiement',
  ORDER_CANCELLED_UNPAID: 'Commande annulée (non payée)',
  PAYMENT_CONFIRMED: 'Paiement reçu',
  UNEXPECTED_PAYMENT_REFUNDED: 'Paiement inattendu remboursé',
  BOOKING_REQUESTED: 'Demande de séance reçue',
  BOOKING_CONFIRMED: 'Séance confirmée',
  BOOKING_DECLINED: 'Demande de séance refusée',
  BOOKING_RESCHEDULED: 'Séance déplacée',
  BOOKING_CANCELLED: 'Séance annulée sans frais',
  BOOKING_CANCELLED_BILLED: 'Séance annulée tardivement',
  SESSION_REMINDER: 'Rappel de séance',
  NO_SHOW: 'Absence',
  PENALTY_WAIVED: 'Pénalité levée',
  EXPIRY_WARNING: "Avertissement d'expiration",
  PACK_ENDED_USED_UP: 'Pack entièrement utilisé',
  PACK_ENDED_EXPIRED: 'Pack expiré',
  WITHDRAWN: 'Rétractation enregistrée',
  DOCUMENT_ISSUED: 'Facture ou avoir envoyé',
  REFUND_GRANTED: 'Remboursement accordé',
  PROVIDER_ORDER_RECEIVED: 'Nouvelle commande (prestataire)',
  PROVIDER_ORDER_CANCELLED_UNPAID: 'Commande annulée (prestataire)',
  PROVIDER_PAYMENT_CONFIRMED: 'Paiement reçu (prestataire)',
  PROVIDER_PAYMENT_MISMATCH: 'Montant inattendu (prestataire)',
  PROVIDER_UNEXPECTED_PAYMENT: 'Paiement pour une commande close (prestataire)',
  PROVIDER_BOOKING_REQUESTED: 'Demande de séance (prestataire)',
  PROVIDER_BOOKING_CONFIRMED: 'Séance confirmée (prestataire)',
  PROVIDER_BOOKING_EXPIRED: 'Demande non confirmée à temps (prestataire)',
  PROVIDER_BOOKING_RESCHEDULED: 'Séance déplacée (prestataire)',
  PROVIDER_BOOKING_CANCELLED: 'Séance annulée (prestataire)',
  PROVIDER_SESSION_REMINDER: 'Rappel de séance (prestataire)',
  PROVIDER_PACK_ENDED: 'Pack terminé (prestataire)',
  PROVIDER_WITHDRAWN: 'Rétractation (prestataire)',
  PROVIDER_REFUND_TASK: 'Remboursement à faire (prestataire)',
  PROVIDER_REFUND_REMINDER: 'Rappel : remboursement à faire (prestataire)',
};

/** A label from one of the tables above; an unknown code reads as « autre » rather than as the code. */
export function label(table: Record<string, string>, code: string | null | undefined, fallback = 'autre'): string {
  return (code && Object.hasOwn(table, code) ? table[code] : undefined) ?? fallback;
}

/** The two ways the provider connects their own calendar (calendar_source.kind). */
export const CALENDAR_SOURCE_KIND_LABELS: Record<CalendarSourceKind, string> = {
  caldav: 'Compte CalDAV',
  ics: 'Adresse ICS en lecture seule',
};

/** Why the provider's calendar could not be read (calendar_source.last_error_code). */
export const CALENDAR_ERROR_LABELS: Record<CalendarSyncError, string> = {
  CALENDAR_UNREACHABLE: 'serveur du calendrier injoignable',
  CALENDAR_TIMEOUT: 'le serveur du calendrier n’a pas répondu à temps',
  CALENDAR_AUTH_FAILED: 'identifiant ou mot de passe refusé par le serveur',
  CALENDAR_NOT_FOUND: 'aucun calendrier à cette adresse',
  CALENDAR_TOO_LARGE: 'calendrier trop volumineux',
  CALENDAR_MALFORMED: 'calendrier illisible (format iCalendar invalide)',
  CALENDAR_TOO_COMPLEX: 'calendrier trop complexe pour être lu entièrement',
  CALENDAR_SECRET_UNREADABLE: 'mot de passe enregistré illisible : saisissez-le à nouveau',
};
