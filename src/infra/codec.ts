/**
 * Crypto-shredding for Temporal (SPEC "Personal data", CGV « suppression de ses données personnelles »): every
 * payload of a pack's workflow and activities is encrypted (AES-256-GCM) with a key of the pack's client, held in
 * PostgreSQL. Erasing the client destroys the key: their histories become unreadable, wherever Temporal keeps them.
 *
 * The codec finds the client from the payload's serialization context (the workflow id `pack-<packId>`).
 * A payload with no pack context (there are none in this product today) stays as it is.
 *
 * In a pack's context the codec decodes only what it can decrypt. Everything this product sends a pack is encrypted,
 * so a plain payload there was written by someone else — through the Temporal Web UI or the CLI, with no key (a
 * `paymentReceived` typed as JSON would otherwise activate the pack unpaid). It reaches the workflow as no value at
 * all, which every handler refuses (the payment signal is ignored with a warning, an update's validator rejects it),
 * and the codec logs it. It is not thrown: a throw would fail the pack's workflow task on every retry, and one
 * stray signal in its history would freeze the pack for good.
 */
import crypto from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { poolOf, type PrismaClient } from './database';
import { createLogger } from './log';

const ENCODING = 'binary/encrypted';
const KEY_ID = 'encryption-key-id';
const utf8 = (s: string) => new TextEncoder().encode(s);
const MAX_CACHED_KEYS = 5_000;
const log = createLogger('codec');
/** What a pack's workflow or activity gets instead of a plain payload: `undefined` once converted. */
const REFUSED: Payload = { metadata: { encoding: utf8('binary/null') } };

const keyOf = (row: { key: Buffer | null; destroyed_at: Date | null }): Buffer | null =>
  row.key && !row.destroyed_at ? Buffer.from(row.key) : null;

type Context = Parameters<PayloadCodec['encode']>[1];

export class ClientKeyStore {
  private cache = new Map<string, { customerId: string; key: Buffer | null; until: number }>();
  private byCustomer = new Map<string, { key: Buffer | null; until: number }>();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly ttlMs = 60_000,
  ) {}

  /**
   * The key of a pack's client, made on first use. Null once the client has been erased. One statement (plain SQL on
   * Prisma's pool): every pack that wakes after the cache's lifetime asks again, so an expiry burst asks once per pack.
   */
  async forPack(packId: string): Promise<{ customerId: string; key: Buffer | null }> {
    const hit = this.cache.get(packId);
    if (hit && hit.until > Date.now()) return hit;
    const { rows } = await poolOf(this.prisma).query<{ customer_id: string; key: Buffer | null; destroyed_at: Date | null }>(
      `WITH p AS (SELECT customer_id FROM pack WHERE id = $1::uuid),
            made AS (INSERT INTO client_key (customer_id, key) SELECT customer_id, $2 FROM p
                     ON CONFLICT (customer_id) DO NOTHING RETURNING key, destroyed_at)
       SELECT p.customer_id::text AS customer_id, COALESCE(m.key, k.key) AS key, COALESCE(m.destroyed_at, k.destroyed_at) AS destroyed_at
         FROM p LEFT JOIN made m ON true LEFT JOIN client_key k ON k.customer_id = p.customer_id`,
      [packId, crypto.randomBytes(32)],
    );
    if (rows.length === 0) throw new Error(`no pack ${packId}: cannot choose its encryption key`);
    const customerId = rows[0].customer_id;
    const key = keyOf(rows[0]);
    const until = Date.now() + this.ttlMs;
    this.remember(this.cache, packId, { customerId, key, until });
    this.remember(this.byCustomer, customerId, { key, until });
    return { customerId, key };
  }

  async byId(customerId: string, fresh = false): Promise<Buffer | null> {
    const hit = this.byCustomer.get(customerId);
    if (!fresh && hit && hit.until > Date.now()) return hit.key;
    const { rows } = await poolOf(this.prisma).query<{ key: Buffer | null; destroyed_at: Date | null }>(
      'SELECT key, destroyed_at FROM client_key WHERE customer_id = $1::uuid',
      [customerId],
    );
    const key = rows.length > 0 ? keyOf(rows[0]) : null;
    this.remember(this.byCustomer, customerId, { key, until: Date.now() + this.ttlMs });
    return key;
  }

  /** Entries past their lifetime are dropped once the cache grows: 20,000 packs waking must not stay in memory. */
  private remember<V extends { until: number }>(map: Map<string, V>, k: string, v: V): void {
    if (map.size >= MAX_CACHED_KEYS) {
      const now = Date.now();
      for (const [key, e] of map) if (e.until <= now) map.delete(key);
      if (map.size >= MAX_CACHED_KEYS) map.delete(map.keys().next().value!);
    }
    map.set(k, v);
  }

  /** Destroys a client's key (erasure). Other processes stop using it within the cache's lifetime. */
  async destroy(customerId: string): Promise<void> {
    await this.prisma.clientKey.upsert({
      where: { customerId },
      create: { customerId, key: null, destroyedAt: new Date() },
      update: { key: null, destroyedAt: new Date() },
    });
    this.byCustomer.delete(customerId);
    for (const [packId, e] of this.cache) if (e.customerId === customerId) this.cache.delete(packId);
  }
}

export class ErasedPayloadError extends Error {
  constructor(readonly customerId: string) {
    super(`payload of an erased client (${customerId}): its key was destroyed`);
    this.name = 'ErasedPayloadError';
  }
}

function packIdOf(context: Context): string | undefined {
  const id = context?.workflowId;
  return id?.startsWith('pack-') ? id.slice('pack-'.length) : undefined;
}

export class ClientEncryptionCodec implements PayloadCodec {
  constructor(
    private readonly keys: ClientKeyStore,
    /** What to answer for an erased client's payload: throw (workers) or a placeholder (the Web UI's codec endpoint). */
    private readonly onErased: 'throw' | 'placeholder' = 'throw',
  ) {}

  async encode(payloads: Payload[], context?: Context): Promise<Payload[]> {
    const packId = packIdOf(context);
    if (!packId || payloads.length === 0) return payloads;
    const { customerId, key } = await this.keys.forPack(packId);
    if (!key) throw new ErasedPayloadError(customerId);
    return payloads.map((p) => {
      const iv = crypto.randomBytes(12);
      const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
      const plain = temporal.api.common.v1.Payload.encode(p).finish();
      const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return { metadata: { encoding: utf8(ENCODING), [KEY_ID]: utf8(customerId) }, data };
    });
  }

  async decode(payloads: Payload[], context?: Context): Promise<Payload[]> {
    const packId = packIdOf(context);
    return Promise.all(
      payloads.map(async (p) => {
        const encoding = new TextDecoder().decode(p.metadata?.encoding ?? new Uint8Array());
        if (encoding !== ENCODING) {
          if (!packId) return p;
          log.warn('refused an unencrypted payload sent to a pack', { workflowId: context?.workflowId, context: context?.type, encoding });
          return REFUSED;
        }
        const customerId = new TextDecoder().decode(p.metadata?.[KEY_ID] ?? new Uint8Array());
        const key = await this.keys.byId(customerId);
        if (!key) {
          if (this.onErased === 'throw') throw new ErasedPayloadError(customerId);
          return { metadata: { encoding: utf8('json/plain') }, data: utf8(JSON.stringify({ effacé: 'données d’un client effacé' })) };
        }
        const data = Buffer.from(p.data ?? new Uint8Array());
        const decipher = crypto.createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
        decipher.setAuthTag(data.subarray(data.length - 16));
        const plain = Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()]);
        return temporal.api.common.v1.Payload.decode(plain);
      }),
    );
  }
}
