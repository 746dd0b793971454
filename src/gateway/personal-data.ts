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

export async function eraseCustomer(ctx: GatewayContext, customerId: string): Promise<{ packs: number }> {
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
  await ctx.data.eraseCustomer(customerId);
  return { packs: packIds.length };
}
