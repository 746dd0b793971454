/**
 * Placing an order (SPEC "Order"): the customer, the five acknowledgments and the pack are written in one
 * transaction, then the pack's workflow is started. The same order placed twice (same order key) is one pack and one
 * workflow: the row is found by its key, and the workflow id `pack-<orderId>` cannot start twice.
 */
import crypto from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { TypedSearchAttributes, WorkflowIdReusePolicy } from '@temporalio/common';
import { z } from 'zod';
import { poolOf, type PrismaClient } from '../infra/database';
import { DEFAULT_CATALOG, isPackCode, PACK_CODES, type PackCode, type PackOffer } from '../shared/catalog';
import { packWorkflowId, type PackInput, type PaymentMethod } from '../shared/pack';
import { paymentDeadlineOf, type PackSettings } from '../shared/policy';
import { PACK_CODE, PACK_STATUS } from '../shared/search-attributes';
import { validSiren } from '../shared/seller';
import type { Request } from 'express';
import { signPackToken } from '../infra/tokens';
import { createCheckout } from './checkout';
import { ApiError } from './http/errors';
import type { GatewayContext } from './context';
import { createGatewayData, type OrderRow } from './data';

/** The wording the client ticks, stored with each consent (SPEC "Order" 2, CGV). */
export const CONSENT_WORDING = {
  equipment:
    "Je dispose d'un ordinateur équipé d'une caméra et d'un micro fonctionnels, d'une connexion Internet stable permettant la tenue de visioconférences via Zoom, et je suis en mesure d'installer et d'utiliser Zoom.",
  skills:
    "Je maîtrise les usages courants de l'informatique : traitement de texte, tableur, navigation web ; e-mail et pièces jointes ; services en ligne du quotidien ; installation de logiciels, dossiers et fichiers de mon ordinateur.",
  websiteConditions:
    "Je comprends que l'accompagnement se réalise sur un site en ligne ; le nom de domaine et l'hébergement ne sont ni inclus ni déductibles du tarif, je les acquiers auprès du prestataire de mon choix, à ma charge exclusive.",
  cgv: "J'ai lu et j'accepte les conditions générales de vente.",
  withdrawalWaiver:
    "Je demande expressément que la prestation puisse commencer avant la fin du délai de rétractation de 14 jours, et je reconnais perdre mon droit de rétractation dès qu'une séance a commencé.",
} as const;
export type ConsentKind = keyof typeof CONSENT_WORDING;
export const CONSENT_KINDS = Object.keys(CONSENT_WORDING) as ConsentKind[];

const mustTick = z.literal(true, { message: 'Cette case doit être cochée pour commander.' });

/** Who the client is: the order's `customer`, and what the client corrects from the portal (RGPD art. 16). */
export const customerFields = {
  name: z
    .string({ message: 'Indiquez votre nom.' })
    .trim()
    .min(1, { message: 'Indiquez votre nom.', abort: true })
    .min(2, 'Le nom doit comporter au moins 2 caractères.')
    .max(120, '120 caractères au plus.')
    .regex(/^[^\r\n<>]*$/, 'Caractères non autorisés.')
    // The name opens the order's email, which goes to whatever address was typed in: never a link nor an address there.
    .refine((v) => !NAME_WITH_ADDRESS.test(v), 'Votre nom ne peut pas contenir d’adresse web ou e-mail.'),
  email: z
    .string({ message: 'Indiquez votre adresse e-mail.' })
    .trim()
    .min(1, { message: 'Indiquez votre adresse e-mail.', abort: true })
    .max(200, '200 caractères au plus.')
    .email('Adresse e-mail invalide : vérifiez-la (exemple : prenom.nom@exemple.fr).')
    .regex(/^[^\r\n]*$/, 'Adresse e-mail invalide.'),
  phone: z
    .string()
    .trim()
    .max(30, '30 caractères au plus.')
    .regex(/^[0-9 +().-]*$/, 'Numéro de téléphone invalide : chiffres, espaces et + ( ) . - seulement.')
    .optional(),
};

/**
 * What the client's invoices name, optional (CGI ann. II art. 242 nonies A): a billing address, and for a business its
 * name and SIREN (both, or neither).
 */
export const billingFields = {
  billingAddress: z
    .string()
    .trim()
    .max(300, '300 caractères au plus.')
    .regex(/^[^<>]*$/, 'Caractères non autorisés.')
    .optional(),
  business: z
    .object(
      {
        name: z
          .string({ message: 'Indiquez le nom de l’entreprise.' })
          .trim()
          .min(2, 'Indiquez le nom de l’entreprise (2 caractères au moins).')
          .max(200, '200 caractères au plus.')
          .regex(/^[^\r\n<>]*$/, 'Caractères non autorisés.'),
        siren: z
          .string({ message: 'Indiquez le SIREN de l’entreprise.' })
          .transform((v) => v.replace(/[\s.]/g, ''))
          .refine(validSiren, 'SIREN invalide : 9 chiffres (il figure sur l’extrait Kbis ou l’avis de situation INSEE).'),
      },
      { message: 'Pour une entreprise, indiquez son nom et son SIREN.' },
    )
    .optional(),
};

/** The order body of `POST /api/orders` (and the order form, mapped to it). */
export const orderSchema = z
  .object({
    packCode: z.enum(PACK_CODES, { message: 'Pack inconnu.' }),
    quantity: z
      .number({ message: 'La quantité doit être un nombre entier.' })
      .int('La quantité doit être un nombre entier.')
      .min(1, 'Au moins 1 heure.')
      .max(10, '10 heures au plus.')
      .optional(),
    customer: z.object({ ...customerFields, ...billingFields }, { message: 'Indiquez le client : nom et adresse e-mail.' }),
    project: z.string().trim().max(2000, '2000 caractères au plus.').optional(),
    paymentMethod: z.enum(['card', 'bank_transfer'], { message: 'Choisissez carte ou virement.' }),
    consents: z.object(
      { equipment: mustTick, skills: mustTick, websiteConditions: mustTick, cgv: mustTick, withdrawalWaiver: mustTick },
      { message: 'Les cinq cases (consents) doivent être cochées pour commander.' },
    ),
  })
  // Only the hourly pack sells several hours at once; a half-day or day pack asked twice is refused, not sold once.
  .superRefine((o, ctx) => {
    if (!isPackCode(o.packCode)) return;
    const max = DEFAULT_CATALOG[o.packCode].maxQuantity;
    if (o.quantity !== undefined && o.quantity > max) {
      ctx.addIssue({
        code: 'custom',
        path: ['quantity'],
        message: max === 1 ? 'Ce pack se vend à l’unité : la quantité ne peut être que 1.' : `${max} au plus pour ce pack.`,
      });
    }
  });
export type OrderRequest = z.infer<typeof orderSchema>;

export interface OrderDeps {
  client: Client;
  prisma: PrismaClient;
  taskQueue: string;
  catalog: Record<PackCode, PackOffer>;
  settings: PackSettings;
  cgvVersion: string;
  /** The text of that version: kept whole the first time it is accepted (cgv_version). */
  cgvText?: string;
  /** Tests only: make the workflow continue as new after this many history events. */
  continueAsNewAfterEvents?: number;
}

export interface PlacedOrder {
  orderId: string;
  packId: string;
  status: string;
  totalHours: number;
  priceCents: number;
  paymentMethod: PaymentMethod;
  bankReference: string;
  paymentDeadline: Date;
  /** The card order's current Checkout page, if one was made. */
  checkoutUrl: string | null;
  created: boolean;
}

/** An address in a name: a scheme, « www. », an e-mail, or a domain (« exemple.fr »). Initials (« J. Dupont ») are not. */
const NAME_WITH_ADDRESS = /(:\/\/|https?:|www\.|@|[\p{L}\d-]\.[\p{L}]{2,}\b)/iu;

/** A reference short enough to type in a bank transfer's label, unambiguous (no 0/O, 1/I). */
export function newBankReference(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = crypto.randomBytes(8);
  return `IMG-${Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('')}`;
}

export async function placeOrder(
  deps: OrderDeps,
  order: OrderRequest,
  meta: { orderKey: string; ip: string; userAgent: string; nowMs?: number },
): Promise<PlacedOrder> {
  const offer = deps.catalog[order.packCode];
  const quantity = offer.maxQuantity > 1 ? (order.quantity ?? 1) : 1;
  const nowMs = meta.nowMs ?? Date.now();
  const { deadline } = paymentDeadlineOf(nowMs, deps.settings);

  const data = createGatewayData(poolOf(deps.prisma));
  const fingerprint = orderFingerprint({ ...order, quantity });
  if (deps.cgvText) await data.keepCgvVersion(deps.cgvVersion, deps.cgvText);
  let pack: OrderRow | undefined;
  let created = false;
  try {
    pack = await data.insertOrder({
      fingerprint,
      packId: crypto.randomUUID(),
      customerId: crypto.randomUUID(),
      orderKey: meta.orderKey,
      offer,
      quantity,
      customer: {
        name: order.customer.name,
        email: order.customer.email.toLowerCase(),
        phone: order.customer.phone || null,
        billingAddress: order.customer.billingAddress || null,
        business: order.customer.business ?? null,
      },
      paymentMethod: order.paymentMethod,
      project: order.project || null,
      bankReference: newBankReference(),
      at: new Date(nowMs),
      paymentDeadline: new Date(deadline),
      consent: {
        ip: meta.ip,
        userAgent: meta.userAgent.slice(0, 500),
        cgvVersion: deps.cgvVersion,
        kinds: CONSENT_KINDS,
        wordings: CONSENT_KINDS.map((k) => CONSENT_WORDING[k]),
      },
    });
    created = true;
  } catch (err) {
    // The same order key came in before (a double submit, a retried request): that order is the answer. The statement
    // failed as a whole, so no customer or consent row was left behind.
    if ((err as { code?: string }).code !== UNIQUE_VIOLATION) throw err;
    pack = await data.orderByKey(meta.orderKey);
    if (!pack) throw err;
    // Another order under a key already used: never someone else's order (nor a token for it).
    if (pack.orderFingerprint !== fingerprint)
      throw new ApiError(
        409,
        'IDEMPOTENCY_KEY_REUSED',
        'Cette clé de commande (Idempotency-Key) a déjà servi pour une autre commande : utilisez une nouvelle clé pour une nouvelle commande.',
      );
  }

  const input: PackInput = {
    packId: pack.id,
    packCode: pack.packCode as PackCode,
    quantity: pack.quantity,
    totalHours: pack.totalHours,
    sessionHours: pack.sessionHours,
    breakMinutes: pack.breakMinutes,
    priceCents: pack.priceCents,
    currency: 'EUR',
    paymentMethod: pack.paymentMethod,
    orderedAtMs: pack.orderedAt.getTime(),
    settings: deps.settings,
  };
  try {
    await deps.client.workflow.start('packWorkflow', {
      workflowId: packWorkflowId(pack.id),
      taskQueue: deps.taskQueue,
      args: [{ input, continueAsNewAfterEvents: deps.continueAsNewAfterEvents }],
      // Never a second workflow for one order, not even after the first has completed.
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      typedSearchAttributes: new TypedSearchAttributes([
        { key: PACK_STATUS, value: 'AWAITING_PAYMENT' },
        { key: PACK_CODE, value: pack.packCode },
      ]),
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  return {
    orderId: pack.id,
    packId: pack.id,
    status: pack.status,
    totalHours: pack.totalHours,
    priceCents: pack.priceCents,
    paymentMethod: pack.paymentMethod,
    bankReference: pack.bankReference,
    paymentDeadline: pack.paymentDeadline,
    checkoutUrl: pack.checkoutUrl,
    created,
  };
}

const UNIQUE_VIOLATION = '23505';

/**
 * What an order asks for, as a hash: the same request sent again (a retry, a double submit) has the same one, another
 * order under the same key does not. The email is compared as stored (lower case).
 */
export function orderFingerprint(order: OrderRequest): string {
  const canonical = (v: unknown): unknown =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>)
            .filter(([, x]) => x !== undefined && x !== '')
            .sort(([a], [b]) => (a < b ? -1 : 1))
            .map(([k, x]) => [k, canonical(x)]),
        )
      : v;
  const normalised = { ...order, customer: { ...order.customer, email: order.customer.email.toLowerCase() } };
  return crypto
    .createHash('sha256')
    .update(JSON.stringify(canonical(normalised)))
    .digest('hex');
}

/** The access token a client gets with an order: valid while the pack can live (validity, deadline and linger). */
export const ACCESS_TOKEN_TTL_SECONDS = 200 * 24 * 3600;

/** Where an order came from, stored with each consent. */
export function clientMeta(req: Request): { ip: string; userAgent: string } {
  return { ip: req.ip ?? 'unknown', userAgent: req.get('user-agent') ?? 'unknown' };
}

/** The answer to an order (the API's body, the order form's redirect): what to do next to pay. */
export async function orderResponse(ctx: GatewayContext, placed: PlacedOrder) {
  const accessToken = signPackToken(ctx.config.ACCESS_TOKEN_SECRET, placed.packId, ACCESS_TOKEN_TTL_SECONDS);
  let checkoutUrl: string | undefined;
  if (placed.paymentMethod === 'card' && placed.status === 'AWAITING_PAYMENT') {
    checkoutUrl = placed.checkoutUrl ?? (await createCheckout(ctx, placed.packId)).url;
  }
  return {
    orderId: placed.orderId,
    packId: placed.packId,
    status: placed.status,
    accessToken,
    ...(checkoutUrl ? { checkoutUrl } : {}),
    ...(placed.paymentMethod === 'bank_transfer'
      ? {
          bankTransfer: {
            iban: ctx.config.BANK_IBAN,
            bic: ctx.config.BANK_BIC,
            holder: ctx.config.BANK_ACCOUNT_HOLDER,
            reference: placed.bankReference,
            amountCents: placed.priceCents,
            deadline: placed.paymentDeadline.toISOString(),
          },
        }
      : {}),
  };
}
