/**
 * Placing an order (SPEC "Order"): the customer, the five acknowledgments and the pack are written in one
 * transaction, then the pack's workflow is started. The same order placed twice (same order key) is one pack and one
 * workflow: the row is found by its key, and the workflow id `pack-<orderId>` cannot start twice.
 */
import crypto from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { TypedSearchAttributes, WorkflowIdReusePolicy } from '@temporalio/common';
import { z } from 'zod';
import type { Pool } from 'pg';
import { poolOf, type PrismaClient } from '../infra/database';
import { PACK_CODES, type PackCode, type PackOffer } from '../shared/catalog';
import { packWorkflowId, type PackInput, type PaymentMethod } from '../shared/pack';
import { paymentDeadlineOf, type PackSettings } from '../shared/policy';
import { PACK_CODE, PACK_STATUS } from '../shared/search-attributes';

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

/** The order body of `POST /api/orders` (and the order form, mapped to it). */
export const orderSchema = z.object({
  packCode: z.enum(PACK_CODES, { message: 'Pack inconnu.' }),
  quantity: z
    .number({ message: 'La quantité doit être un nombre entier.' })
    .int('La quantité doit être un nombre entier.')
    .min(1, 'Au moins 1 heure.')
    .max(10, '10 heures au plus.')
    .optional(),
  customer: z.object({
    name: z
      .string()
      .trim()
      .min(2, 'Indiquez votre nom.')
      .max(120, '120 caractères au plus.')
      .regex(/^[^\r\n<>]*$/, 'Caractères non autorisés.'),
    email: z
      .string()
      .trim()
      .max(200)
      .email('Adresse e-mail invalide.')
      .regex(/^[^\r\n]*$/, 'Adresse e-mail invalide.'),
    phone: z
      .string()
      .trim()
      .max(30)
      .regex(/^[0-9 +().-]*$/, 'Numéro de téléphone invalide.')
      .optional(),
  }),
  project: z.string().trim().max(2000, '2000 caractères au plus.').optional(),
  paymentMethod: z.enum(['card', 'bank_transfer'], { message: 'Choisissez carte ou virement.' }),
  consents: z.object({ equipment: mustTick, skills: mustTick, websiteConditions: mustTick, cgv: mustTick, withdrawalWaiver: mustTick }),
});
export type OrderRequest = z.infer<typeof orderSchema>;

export interface OrderDeps {
  client: Client;
  prisma: PrismaClient;
  taskQueue: string;
  catalog: Record<PackCode, PackOffer>;
  settings: PackSettings;
  cgvVersion: string;
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

  // Plain SQL on Prisma's pool (one statement each way): Prisma's query compiler cost more CPU than the rest of the
  // order path (benchmark, README "Performance").
  const pool = poolOf(deps.prisma);
  let pack: OrderRow | undefined;
  let created = false;
  try {
    pack = await insertOrder(pool, {
      packId: crypto.randomUUID(),
      customerId: crypto.randomUUID(),
      orderKey: meta.orderKey,
      offer,
      quantity,
      customer: { name: order.customer.name, email: order.customer.email.toLowerCase(), phone: order.customer.phone || null },
      paymentMethod: order.paymentMethod,
      project: order.project || null,
      at: new Date(nowMs),
      paymentDeadline: new Date(deadline),
      consent: { ip: meta.ip, userAgent: meta.userAgent.slice(0, 500), cgvVersion: deps.cgvVersion },
    });
    created = true;
  } catch (err) {
    // The same order key came in before (a double submit, a retried request): that order is the answer. The statement
    // failed as a whole, so no customer or consent row was left behind.
    if ((err as { code?: string }).code !== UNIQUE_VIOLATION) throw err;
    pack = await findOrder(pool, meta.orderKey);
    if (!pack) throw err;
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
    paymentMethod: pack.paymentMethod as PaymentMethod,
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
    paymentMethod: pack.paymentMethod as PaymentMethod,
    bankReference: pack.bankReference,
    paymentDeadline: pack.paymentDeadline,
    checkoutUrl: pack.checkoutUrl,
    created,
  };
}

const UNIQUE_VIOLATION = '23505';

interface OrderRow {
  id: string;
  packCode: string;
  quantity: number;
  totalHours: number;
  sessionHours: number;
  breakMinutes: number;
  priceCents: number;
  paymentMethod: string;
  bankReference: string;
  status: string;
  orderedAt: Date;
  paymentDeadline: Date;
  checkoutUrl: string | null;
}

const ORDER_COLUMNS = `id::text, pack_code AS "packCode", quantity, total_hours AS "totalHours", session_hours AS "sessionHours",
  break_minutes AS "breakMinutes", price_cents AS "priceCents", payment_method AS "paymentMethod", bank_reference AS "bankReference",
  status, ordered_at AS "orderedAt", payment_deadline AS "paymentDeadline", checkout_url AS "checkoutUrl"`;

async function findOrder(pool: Pool, orderKey: string): Promise<OrderRow | undefined> {
  const { rows } = await pool.query<OrderRow>(`SELECT ${ORDER_COLUMNS} FROM pack WHERE order_key = $1`, [orderKey]);
  return rows[0];
}

/** The customer, the pack and the five consents, in one statement: all of them or none. */
async function insertOrder(
  pool: Pool,
  o: {
    packId: string;
    customerId: string;
    orderKey: string;
    offer: PackOffer;
    quantity: number;
    customer: { name: string; email: string; phone: string | null };
    paymentMethod: PaymentMethod;
    project: string | null;
    at: Date;
    paymentDeadline: Date;
    consent: { ip: string; userAgent: string; cgvVersion: string };
  },
): Promise<OrderRow> {
  const hours = o.offer.hours * o.quantity;
  const { rows } = await pool.query<OrderRow>(
    `WITH c AS (
       INSERT INTO customer (id, name, email, phone) VALUES ($1::uuid, $2, $3, $4) RETURNING id
     ), p AS (
       INSERT INTO pack (id, customer_id, order_key, pack_code, quantity, total_hours, session_hours, break_minutes, price_cents, currency,
                         payment_method, bank_reference, project, status, ordered_at, payment_deadline, hours_available, updated_at)
       SELECT $5::uuid, c.id, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 'AWAITING_PAYMENT', $17, $18, $9, now() FROM c
       RETURNING ${ORDER_COLUMNS}, customer_id AS "customerId"
     ), k AS (
       INSERT INTO consent (customer_id, pack_id, kind, wording, accepted_at, ip, user_agent, cgv_version)
       SELECT p."customerId", p.id::uuid, x.kind, x.wording, $17, $19, $20, $21 FROM p, unnest($22::text[], $23::text[]) AS x(kind, wording)
     )
     SELECT * FROM p`,
    [
      o.customerId,
      o.customer.name,
      o.customer.email,
      o.customer.phone,
      o.packId,
      o.orderKey,
      o.offer.code,
      o.quantity,
      hours,
      o.offer.sessionHours,
      o.offer.breakMinutes,
      o.offer.priceCents * o.quantity,
      o.offer.currency,
      o.paymentMethod,
      newBankReference(),
      o.project,
      o.at,
      o.paymentDeadline,
      o.consent.ip,
      o.consent.userAgent,
      o.consent.cgvVersion,
      CONSENT_KINDS,
      CONSENT_KINDS.map((k) => CONSENT_WORDING[k]),
    ],
  );
  return rows[0];
}
