/**
 * Temporal's remote codec protocol for the Web UI and the CLI (`--codec-endpoint <PUBLIC_URL>/codec`): decrypts the
 * clients' payloads for the provider. `{ payloads: [{ metadata: { k: base64 }, data: base64 }] }` both ways.
 */
import express, { type Router } from 'express';
import { z } from 'zod';
import { ClientEncryptionCodec } from '../../infra/codec';
import type { GatewayContext } from '../context';
import { requireProvider } from '../http/auth';
import { parse } from '../http/validation';

// Temporal's CLI and Web UI send `{}` when there is nothing to encode (no `payloads` key, as protobuf's JSON omits an
// empty list): an empty or missing list is valid, and answered with an empty list.
const body = z.object({
  payloads: z
    .array(z.object({ metadata: z.record(z.string(), z.string()).optional(), data: z.string().optional() }))
    .max(1000)
    .default([]),
});

const fromWire = (v: unknown) =>
  parse(body, v).payloads.map((p) => ({
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, x]) => [k, Buffer.from(x, 'base64')])),
    data: Buffer.from(p.data ?? '', 'base64'),
  }));

const toWire = (payloads: Array<{ metadata?: Record<string, Uint8Array> | null; data?: Uint8Array | null }>) => ({
  payloads: payloads.map((p) => ({
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
    data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
  })),
});

export function codecRouter(ctx: GatewayContext): Router {
  const r = express.Router();
  const uiOrigin = new URL(ctx.config.TEMPORAL_UI_URL).origin;
  const codec = new ClientEncryptionCodec(ctx.keys, 'placeholder');
  r.use('/codec', (req, res, next) => {
    res.set({
      'Access-Control-Allow-Origin': uiOrigin,
      'Access-Control-Allow-Credentials': 'true',
      'Access-Control-Allow-Headers': 'Content-Type, Authorization, X-Namespace',
      'Access-Control-Allow-Methods': 'POST, OPTIONS',
      Vary: 'Origin',
    });
    if (req.method === 'OPTIONS') res.sendStatus(204);
    else next();
  });
  const provider = requireProvider(ctx.config.PROVIDER_API_TOKEN);
  r.post('/codec/decode', provider, async (req, res) => {
    res.json(toWire(await codec.decode(fromWire(req.body))));
  });
  r.post('/codec/encode', provider, (req, res) => {
    // The UI encodes signal and query arguments; without a workflow context they go as they are.
    res.json(toWire(fromWire(req.body)));
  });
  return r;
}
