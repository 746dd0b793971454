// The gateway as it runs in production: behind the operator's TLS proxy (PUBLIC_URL https, TRUST_PROXY 1). Each
// client is told apart by the address the proxy forwards (consents, rate limits) and the cookies are Secure.
import request from 'supertest';
import { placeOrder } from '../support/api';
import { createGatewayWorld, type GatewayWorld } from '../support/gateway';

let w: GatewayWorld;
beforeAll(async () => {
  w = await createGatewayWorld({
    env: { PUBLIC_URL: 'https://www.imaginasite.test', TRUST_PROXY: '1' },
    rateLimits: { ordersPerMinute: 2 },
  });
});
afterAll(async () => {
  await w?.teardown();
});

/** A request as the proxy forwards it: the public host, HTTPS, the client's own address. */
const viaProxy = (r: request.Test, client: string) =>
  r.set('host', 'www.imaginasite.test').set('x-forwarded-proto', 'https').set('x-forwarded-for', client);

test('the session cookie is Secure, and the page is served on the public host', async () => {
  const res = await viaProxy(request(w.app).get('/commander').set('accept', 'text/html'), '198.51.100.10');
  expect(res.status).toBe(200);
  const cookie = ((res.headers['set-cookie'] as unknown as string[] | undefined) ?? []).find((c) => c.startsWith('imaginasite_session='));
  expect(cookie).toMatch(/; Secure/);
  expect(res.headers['strict-transport-security']).toBeDefined();
});

test('each consent records the client’s own address, not the proxy’s', async () => {
  const res = await viaProxy(placeOrder(w), '198.51.100.23');
  expect(res.status).toBe(201);
  const consents = await w.db.prisma.consent.findMany({ where: { packId: res.body.packId } });
  expect(new Set(consents.map((c) => c.ip))).toEqual(new Set(['198.51.100.23']));
});

test('the rate limits count each client on their own: one client’s limit leaves another’s orders through', async () => {
  const from = (client: string) => viaProxy(placeOrder(w), client);
  expect([(await from('203.0.113.1')).status, (await from('203.0.113.1')).status, (await from('203.0.113.1')).status]).toEqual([
    201, 201, 429,
  ]);
  expect((await from('203.0.113.2')).status).toBe(201);
});
