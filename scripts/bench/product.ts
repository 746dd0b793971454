// The benchmark's view of the product: its public HTTP contract (orders, Stripe's signed webhook, bookings, reads,
// the dashboard) and the database, read directly only to learn when asynchronous work has landed.
import crypto from 'node:crypto';
import { Pool } from 'pg';
import { BenchError } from './load';

const CONSENTS = { equipment: true, skills: true, websiteConditions: true, cgv: true, withdrawalWaiver: true };

export interface Order {
  packId: string;
  accessToken: string;
  /** The Checkout session the order made (Stripe's events name it). */
  sessionId: string;
  amountCents: number;
}

export class Product {
  private price = new Map<string, number>();

  constructor(
    readonly url: string,
    private readonly secrets: { providerToken: string; webhookSecret: string; providerPassword: string },
  ) {}

  async call<T = unknown>(
    method: string,
    path: string,
    o: { token?: string; cookie?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
  ): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json', ...o.headers };
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    if (o.cookie) headers.cookie = o.cookie;
    let body: string | undefined = o.raw;
    if (o.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(o.body);
    }
    const res = await fetch(this.url + path, { method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(60_000) });
    const text = await res.text();
    if (res.status >= 400) {
      let code = `HTTP_${res.status}`;
      try {
        code = (JSON.parse(text) as { error?: { code?: string } }).error?.code ?? code;
      } catch {
        /* not JSON */
      }
      throw new BenchError(code, `${method} ${path} → ${res.status} ${text.slice(0, 200)}`);
    }
    return (res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as T;
  }

  async loadCatalog(): Promise<void> {
    const c = await this.call<{ packs: Array<{ code: string; priceCents: number }> }>('GET', '/api/catalog');
    for (const p of c.packs) this.price.set(p.code, p.priceCents);
  }

  /** `POST /api/orders`, paid by card (the order creates its Stripe Checkout session, on stripe-mock here). */
  async order(tag: string, quantity = 1): Promise<Order> {
    const o = await this.call<{ packId: string; accessToken: string; checkoutUrl: string }>('POST', '/api/orders', {
      headers: { 'idempotency-key': crypto.randomUUID() },
      body: {
        packCode: 'PACK_1H',
        quantity,
        customer: { name: `Client ${tag}`, email: `client-${tag}@example.com` },
        paymentMethod: 'card',
        consents: CONSENTS,
      },
    });
    // The gateway pays a pack only through a Checkout session it made for it: the simulated page's address names it.
    const sessionId = new URL(o.checkoutUrl).searchParams.get('session') ?? '';
    return { packId: o.packId, accessToken: o.accessToken, sessionId, amountCents: (this.price.get('PACK_1H') ?? 9000) * quantity };
  }

  /** Stripe's signed `checkout.session.completed` for the order, as Stripe would post it. `created` in seconds. */
  async pay(order: Order, created = Math.floor(Date.now() / 1000)): Promise<void> {
    const event = {
      id: `evt_${crypto.randomBytes(10).toString('hex')}`,
      object: 'event',
      type: 'checkout.session.completed',
      created,
      api_version: '2025-09-30.clover',
      data: {
        object: {
          id: order.sessionId,
          object: 'checkout.session',
          mode: 'payment',
          client_reference_id: order.packId,
          metadata: { orderId: order.packId },
          payment_status: 'paid',
          status: 'complete',
          amount_total: order.amountCents,
          currency: 'eur',
          payment_intent: `pi_${crypto.randomBytes(10).toString('hex')}`,
        },
      },
    };
    const raw = JSON.stringify(event);
    const t = Math.floor(Date.now() / 1000);
    const v1 = crypto.createHmac('sha256', this.secrets.webhookSecret).update(`${t}.${raw}`).digest('hex');
    await this.call('POST', '/webhooks/stripe', {
      raw,
      headers: { 'content-type': 'application/json', 'stripe-signature': `t=${t},v1=${v1}` },
    });
  }

  book(order: Order, start: string): Promise<unknown> {
    return this.call('POST', `/api/packs/${order.packId}/bookings`, { token: order.accessToken, body: { start } });
  }

  readPack(order: Order): Promise<unknown> {
    return this.call('GET', `/api/packs/${order.packId}`, { token: order.accessToken });
  }

  setAvailability(a: unknown): Promise<unknown> {
    return this.call('PUT', '/api/admin/availability', { token: this.secrets.providerToken, body: a });
  }

  /** Signs in to the provider's dashboard; returns the session cookie. */
  async login(): Promise<string> {
    const res = await fetch(`${this.url}/admin/connexion`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ password: this.secrets.providerPassword }),
      redirect: 'manual',
    });
    const cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    if (res.status !== 303 || !cookie) throw new Error(`dashboard login failed: ${res.status}`);
    return cookie;
  }

  /** The dashboard's list of packs (HTML, the 500 latest). */
  async dashboard(cookie: string): Promise<void> {
    const html = await this.call<string>('GET', '/admin', { cookie, headers: { accept: 'text/html' } });
    if (!String(html).includes('<table>')) throw new BenchError('NOT_THE_DASHBOARD');
  }
}

/**
 * Learns from the database when packs are paid: one query every 100 ms for all the packs waited on, instead of each
 * flow polling the API (which would add its own load).
 */
export class PaidWatcher {
  private waiting = new Map<string, { resolve: () => void; reject: (e: Error) => void; until: number }>();
  private timer: NodeJS.Timeout;
  private busy = false;

  constructor(private readonly db: Pool) {
    this.timer = setInterval(() => void this.poll(), 100);
  }

  paid(packId: string, timeoutMs = 60_000): Promise<void> {
    return new Promise((resolve, reject) => this.waiting.set(packId, { resolve, reject, until: Date.now() + timeoutMs }));
  }

  private async poll(): Promise<void> {
    if (this.busy || this.waiting.size === 0) return;
    this.busy = true;
    try {
      const ids = [...this.waiting.keys()];
      const r = await this.db.query<{ id: string }>(
        `SELECT id::text FROM pack WHERE id = ANY($1::uuid[]) AND status <> 'AWAITING_PAYMENT'`,
        [ids],
      );
      for (const { id } of r.rows) {
        this.waiting.get(id)?.resolve();
        this.waiting.delete(id);
      }
      const now = Date.now();
      for (const [id, w] of this.waiting) {
        if (w.until < now) {
          w.reject(new BenchError('NOT_PAID_IN_TIME'));
          this.waiting.delete(id);
        }
      }
    } finally {
      this.busy = false;
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/** Consecutive one-hour slots from the next full hour plus two: every booking of the run gets its own. */
export class Slots {
  private next: number;
  constructor(nowMs = Date.now()) {
    this.next = Math.ceil(nowMs / 3_600_000) * 3_600_000 + 2 * 3_600_000;
  }
  take(): string {
    const s = new Date(this.next).toISOString();
    this.next += 3_600_000;
    return s;
  }
}

export const OPEN_ALL_THE_TIME = {
  timezone: 'Europe/Paris',
  weekly: [1, 2, 3, 4, 5, 6, 7].map((day) => ({ day, from: '00:00', to: '24:00' })),
  exceptions: [],
  minNoticeHours: 0,
  bufferMinutes: 0,
  autoConfirm: true,
};
