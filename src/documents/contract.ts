/**
 * The contract confirmed on a durable medium (Code de la consommation L221-13, issue 13 point 3), as data: the CGV
 * exactly as the client accepted them, the order recap with every acknowledgment ticked and its time, and the
 * withdrawal information (withdrawal.ts). contract-pdf.ts prints them; an email or a page can show the same values.
 */
import { formatSiret, vatMention } from '../shared/seller';
import { frenchDay, frenchInstant } from './dates';
import { euros, percent, splitVat } from './money';
import type { DocumentSeller, PaymentMethod, WithdrawalAfterStart } from './types';
import { withdrawalInformation, type WithdrawalInformation } from './withdrawal';

export type Fact = readonly [label: string, value: string];

/** The seller's identity as the contract documents state it. */
export function sellerFacts(seller: DocumentSeller): Fact[] {
  return [
    ['Prestataire', seller.name],
    ['Adresse', seller.address],
    ['SIRET', seller.siret],
    ['TVA', vatMention(seller.vat)],
    ['E-mail', seller.email],
    ['Téléphone', seller.phone],
  ];
}

// The seed CGV (content/cgv.fr.txt) leave the seller's name blank: « le prestataire, M. , propose ».
const SELLER_BLANK = /le prestataire, M\. ,/;

/**
 * The CGV with the seller where the seed leaves a blank: « le prestataire, Jean Dupont EI (12 rue … ; SIRET … ; TVA … ;
 * e-mail), propose ». Text already filled in (as a stored version is) comes back unchanged.
 */
export function fillSellerInCgv(text: string, seller: DocumentSeller): string {
  const identity = `${seller.name} (${seller.address} ; SIRET ${formatSiret(seller.siret)} ; ${vatMention(seller.vat)} ; ${seller.email})`;
  return text.replace(SELLER_BLANK, `le prestataire, ${identity},`);
}

export type CgvBlock = { kind: 'title' | 'heading' | 'paragraph'; text: string } | { kind: 'bullets'; items: string[] };

export interface CgvDocument {
  title: string;
  /** The version hash stored with each consent. */
  version: string;
  shownSince: string;
  /** « Version a1b2c3…, affichée sur le site depuis le 26/11/2026 à 16:05:12 (heure de Paris) ». */
  versionLabel: string;
  seller: Fact[];
  /** The text as accepted (seller filled in), cut into blocks at its blank lines; nothing added or left out. */
  text: string;
  blocks: CgvBlock[];
}

export interface CgvInput {
  /** The CGV text as the client saw it (a stored version, or the seed with its blank). */
  text: string;
  version: string;
  /** ISO instant since which this version is shown. */
  shownSince: string;
  seller: DocumentSeller;
}

export function cgvDocument(input: CgvInput): CgvDocument {
  const text = fillSellerInCgv(input.text, input.seller);
  return {
    title: 'Conditions générales de vente',
    version: input.version,
    shownSince: input.shownSince,
    versionLabel: `Version ${input.version}, affichée sur le site depuis le ${frenchInstant(input.shownSince)}`,
    seller: sellerFacts(input.seller),
    text,
    blocks: cgvBlocks(text),
  };
}

/** Paragraphs at blank lines; lines starting with « • » are bullets; « 1. Matériel… » is a heading. */
function cgvBlocks(text: string): CgvBlock[] {
  const blocks: CgvBlock[] = [];
  const chunks = text
    .replace(/\r\n/g, '\n')
    .split(/\n\s*\n/)
    .map((c) => c.trim())
    .filter(Boolean);
  chunks.forEach((chunk, index) => {
    const lines = chunk.split('\n').map((l) => l.trim());
    let paragraph: string[] = [];
    let bullets: string[] = [];
    const flush = () => {
      if (paragraph.length) blocks.push(paragraphBlock(paragraph.join(' '), index));
      if (bullets.length) blocks.push({ kind: 'bullets', items: bullets });
      paragraph = [];
      bullets = [];
    };
    for (const line of lines) {
      if (line.startsWith('•')) {
        if (paragraph.length) flush();
        bullets.push(line.replace(/^•\s*/, ''));
      } else {
        if (bullets.length) flush();
        paragraph.push(line);
      }
    }
    flush();
  });
  return blocks;
}

function paragraphBlock(text: string, chunkIndex: number): CgvBlock {
  if (chunkIndex < 2 && text.length < 60) return { kind: 'title', text };
  if (/^\d+\.\s/.test(text) && text.length < 80) return { kind: 'heading', text };
  return { kind: 'paragraph', text };
}

/** An acknowledgment the client ticked, as stored (PostgreSQL's consent rows). */
export interface ConsentRecord {
  /** `equipment`, `skills`, `websiteConditions`, `cgv`, `withdrawalWaiver` (src/gateway/orders.ts). */
  kind: string;
  /** The exact wording shown beside the box. */
  wording: string;
  /** ISO instant. */
  acceptedAt: string;
}

export interface OrderFacts {
  /** The order's number as the client sees it (its id). */
  reference: string;
  orderedAt: string;
  client: { name: string; email: string; phone?: string };
  pack: { label: string; hoursPerUnit: number };
  quantity: number;
  /** The price paid, VAT included. */
  totalCents: number;
  paymentMethod: PaymentMethod;
  /** ISO instant after which an unpaid order is cancelled. */
  paymentDeadline: string;
  /** A transfer: where to and with which reference. */
  bankTransfer?: { iban: string; reference: string };
  /** The period's exclusive end (src/shared/policy.ts `withdrawalDeadlineOf`). */
  withdrawalEndsAt: string;
  /** The CGV version the client accepted, and since when it was shown. */
  cgv: { version: string; shownSince?: string };
}

export interface Acknowledgment {
  heading: string;
  wording: string;
  /** « Case cochée le 26/11/2026 à 16:05:12 (heure de Paris) ». */
  ticked: string;
}

export interface OrderRecap {
  title: string;
  reference: string;
  orderedAt: string;
  seller: Fact[];
  client: Fact[];
  order: Fact[];
  payment: Fact[];
  acknowledgments: Acknowledgment[];
  cgv: Fact[];
  withdrawal: WithdrawalInformation;
}

/** Headings of the order form's boxes (the CGV's own headings where they have one). */
export const ACKNOWLEDGMENT_HEADINGS: Record<string, string> = {
  equipment: 'Matériel et environnement technique',
  skills: 'Compétences informatiques de base',
  websiteConditions: 'Conditions spécifiques liées à la création d’un site web',
  cgv: 'Conditions générales de vente',
  withdrawalWaiver: 'Exécution avant la fin du délai de rétractation',
};

const PAYMENT_LABELS: Record<PaymentMethod, string> = {
  card: 'Carte bancaire (paiement en ligne sécurisé par Stripe)',
  bank_transfer: 'Virement bancaire',
};

export function orderRecap(args: {
  order: OrderFacts;
  seller: DocumentSeller;
  consents: readonly ConsentRecord[];
  /** `WITHDRAWAL_AFTER_START`; `refused` when absent. */
  withdrawalAfterStart?: WithdrawalAfterStart;
}): OrderRecap {
  const { order, seller } = args;
  if (!Number.isInteger(order.quantity) || order.quantity < 1) throw new RangeError('quantity must be a positive integer');
  const hours = order.quantity * order.pack.hoursPerUnit;
  const price: Fact[] = [['Prix total TTC', euros(order.totalCents)]];
  if (seller.vat.regime === 'vat') {
    const split = splitVat(order.totalCents, seller.vat.ratePercent);
    price.push(['Prix total HT', euros(split.exclVatCents)], [`TVA ${percent(seller.vat.ratePercent)}`, euros(split.vatCents)]);
  } else {
    price.push(['TVA', 'TVA non applicable, art. 293 B du CGI']);
  }
  const deadline = frenchInstant(order.paymentDeadline);
  const payment: Fact[] = [
    ['Moyen de paiement', PAYMENT_LABELS[order.paymentMethod]],
    ...(order.bankTransfer
      ? [['IBAN du prestataire', order.bankTransfer.iban] as const, ['Référence à indiquer', order.bankTransfer.reference] as const]
      : []),
    [
      'Échéance',
      `Paiement exigé à la commande ; sans paiement reçu au plus tard le ${deadline}, la commande est annulée. Aucune séance ne peut être réservée avant réception du paiement.`,
    ],
  ];
  const acknowledgments = [...args.consents]
    .sort((a, b) => Date.parse(a.acceptedAt) - Date.parse(b.acceptedAt))
    .map((c) => ({
      heading: ACKNOWLEDGMENT_HEADINGS[c.kind] ?? 'Engagement',
      wording: c.wording,
      ticked: `Case cochée le ${frenchInstant(c.acceptedAt)}`,
    }));
  return {
    title: 'Récapitulatif de votre commande',
    reference: order.reference,
    orderedAt: order.orderedAt,
    seller: sellerFacts(seller),
    client: [
      ['Nom', order.client.name],
      ['E-mail', order.client.email],
      ...(order.client.phone ? [['Téléphone', order.client.phone] as const] : []),
    ],
    order: [
      ['N° de commande', order.reference],
      ['Date de la commande', frenchInstant(order.orderedAt)],
      ['Prestation', `${order.pack.label} — accompagnement individuel à distance (Zoom)`],
      ['Quantité', String(order.quantity)],
      ['Heures', `${hours} heure${hours > 1 ? 's' : ''}`],
      ...price,
      ['Validité', '3 mois à compter de la date du paiement ; les heures non utilisées sont alors perdues (CGV).'],
    ],
    payment,
    acknowledgments,
    cgv: [
      ['Version acceptée', order.cgv.version],
      ...(order.cgv.shownSince ? [['Affichée depuis le', frenchInstant(order.cgv.shownSince)] as const] : []),
      ['Texte', 'Fourni avec ce récapitulatif, au format PDF ; disponible sur demande pendant toute la durée de conservation du contrat.'],
    ],
    withdrawal: withdrawalInformation({
      seller,
      afterStart: args.withdrawalAfterStart,
      order: { orderedOn: frenchDay(order.orderedAt), withdrawalEndsAt: order.withdrawalEndsAt },
    }),
  };
}
