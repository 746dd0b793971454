/**
 * Personal data (CGV « accès, modification ou suppression »): export everything held about a client, and erase a
 * client — their personal data is removed from PostgreSQL while the records a business must keep (amounts, dates,
 * invoice references) stay, and their Temporal histories become unreadable (their key is destroyed).
 */
import { packWorkflowId } from '../shared/pack';
import type { GatewayContext } from './context';
import { ApiError } from './http/errors';

/** Everything held about a client: customer, consents, packs with sessions, payments, timeline, emails, workflow states. */
export async function exportCustomerData(ctx: GatewayContext, customerId: string) {
  const records = await ctx.data.customerRecords(customerId);
  if (!records) throw new ApiError(404, 'NOT_FOUND', 'Client introuvable.');
  const workflowStates: Record<string, unknown> = {};
  for (const p of records.packs) {
    // The workflow's own view of the pack (from its history), while it can still be read.
    workflowStates[p.id] = await ctx.packs.state(p.id).catch(() => null);
  }
  return { exportedAt: new Date().toISOString(), ...records, workflowStates };
}

/**
 * What an erasure keeps, and why (the answer and the confirmation say it): what the law obliges the seller to keep
 * outlives the client's request (RGPD art. 17.3.b).
 */
export const KEPT_AFTER_ERASURE = [
  'la preuve du contrat : la version des CGV acceptée, les cases cochées et leurs dates, les montants et dates de la commande, des paiements et des remboursements (contrat conclu par voie électronique : art. L213-1 du code de la consommation, 10 ans)',
  'les factures et avoirs (art. L123-22 du code de commerce, 10 ans)',
];

export async function eraseCustomer(ctx: GatewayContext, customerId: string): Promise<{ packs: number; kept: string[] }> {
  const packIds = await ctx.data.packIdsOfCustomer(customerId);
  if (!(await ctx.data.customerRecords(customerId))) throw new ApiError(404, 'NOT_FOUND', 'Client introuvable.');
  // 1. The client's packs stop: nothing may run on data that is about to become unreadable.
  for (const packId of packIds) {
    try {
      await ctx.client.workflow.getHandle(packWorkflowId(packId)).terminate('données du client effacées à sa demande');
    } catch (err) {
      if (!/not found|already completed/i.test(String((err as Error).message))) throw err;
    }
  }
  // 2. Crypto-shredding: their payloads in Temporal can no longer be decrypted.
  await ctx.keys.destroy(customerId);
  // 3. PostgreSQL: personal data removed; amounts, dates and references kept.
  // 4. Every way in ends: the client's access tokens and portal sessions (in the same transaction).
  await ctx.data.eraseCustomer(customerId);
  return { packs: packIds.length, kept: KEPT_AFTER_ERASURE };
}
