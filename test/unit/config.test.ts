import { checkGatewayConfig, ConfigError, loadConfig, loadGatewayConfig, SAMPLE_SELLER_ENV, sellerOf } from '../../src/infra/config';
import { loadPackSettings } from '../../src/infra/settings';
import { workerTuningFromConfig } from '../../src/worker/worker';

const valid = {
  DATABASE_URL: 'postgresql://u:p@localhost:5432/db',
  STRIPE_SECRET_KEY: 'sk_test_abc',
  STRIPE_WEBHOOK_SECRET: 'whsec_abc',
  PROVIDER_API_TOKEN: 'a'.repeat(32),
  ACCESS_TOKEN_SECRET: 's'.repeat(40),
  ...SAMPLE_SELLER_ENV,
};

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('configuration', () => {
  test('a complete environment gives the documented defaults', () => {
    const c = loadConfig(valid);
    expect(c.PORT).toBe(3000);
    expect(c.PUBLIC_URL).toBe('http://localhost:3000');
    expect(c.TEMPORAL_ADDRESS).toBe('localhost:7233');
    expect(c.TEMPORAL_NAMESPACE).toBe('default');
    expect(c.SMTP_URL).toBe('smtp://127.0.0.1:2525');
  });

  test('each missing required value gets one clear message naming it', () => {
    expect(problems({})).toEqual([
      'DATABASE_URL is required',
      'STRIPE_SECRET_KEY is required',
      'ACCESS_TOKEN_SECRET is required',
      'SELLER_NAME is required',
      'SELLER_ADDRESS is required',
      'SELLER_SIRET is required',
      'SELLER_VAT is required',
      'SELLER_EMAIL is required',
      'SELLER_PHONE is required',
      'HOST_NAME is required',
      'HOST_ADDRESS is required',
      'MEDIATOR_NAME is required',
      'MEDIATOR_URL is required',
    ]);
  });

  test('the gateway alone needs the webhook secret and the provider’s token: the workers run without them', () => {
    const { STRIPE_WEBHOOK_SECRET, PROVIDER_API_TOKEN, ...worker } = valid;
    expect([STRIPE_WEBHOOK_SECRET, PROVIDER_API_TOKEN].every(Boolean)).toBe(true);
    expect(problems(worker)).toEqual([]);
    expect(() => loadGatewayConfig(worker)).toThrow(/STRIPE_WEBHOOK_SECRET is required[\s\S]*PROVIDER_API_TOKEN is required/);
    expect(loadGatewayConfig(valid).PROVIDER_API_TOKEN).toBe(valid.PROVIDER_API_TOKEN);
  });

  test('stripe-mock (STRIPE_API_URL) takes test keys only; the gateway listens on every interface unless LISTEN_HOST says otherwise', () => {
    expect(problems({ ...valid, STRIPE_SECRET_KEY: 'sk_live_abc', STRIPE_API_URL: 'http://127.0.0.1:12111' })).toEqual([
      'STRIPE_API_URL is for stripe-mock and test keys only: unset it with a live STRIPE_SECRET_KEY',
    ]);
    expect(loadConfig(valid).LISTEN_HOST).toBe('0.0.0.0');
    expect(loadConfig({ ...valid, LISTEN_HOST: '127.0.0.1' }).LISTEN_HOST).toBe('127.0.0.1');
  });

  test('a malformed SIRET (Luhn) or VAT number gets one clear message', () => {
    expect(problems({ ...valid, SELLER_SIRET: '12345678200011' })).toEqual([
      'SELLER_SIRET must be a SIRET: 14 digits whose Luhn check holds (INSEE)',
    ]);
    expect(problems({ ...valid, SELLER_SIRET: '1234' })).toEqual([
      'SELLER_SIRET must be a SIRET: 14 digits whose Luhn check holds (INSEE)',
    ]);
    expect(problems({ ...valid, SELLER_VAT: 'FR00123456782' })).toEqual([
      "SELLER_VAT must be 'franchise' (TVA non applicable, art. 293 B du CGI) or a French VAT number (FR, its 2-digit key, the SIREN)",
    ]);
    // A valid VAT number of another business than the SIRET's.
    expect(problems({ ...valid, SELLER_VAT: 'FR44732829320' })).toEqual([
      'SELLER_VAT does not match SELLER_SIRET: its SIREN must be 123456782',
    ]);
  });

  test('the seller: the franchise, or a VAT number with its rate (default 20 %); spaces in a SIRET are allowed', () => {
    expect(sellerOf(loadConfig(valid)).vat).toEqual({ regime: 'franchise' });
    const vat = sellerOf(loadConfig({ ...valid, SELLER_SIRET: '123 456 782 00010', SELLER_VAT: 'fr 11 123456782' }));
    expect([vat.siret, vat.vat]).toEqual(['12345678200010', { regime: 'vat', number: 'FR11123456782', ratePercent: 20 }]);
    expect(sellerOf(loadConfig({ ...valid, SELLER_VAT: 'FR11123456782', VAT_RATE: '10' })).vat).toMatchObject({ ratePercent: 10 });
  });

  test('each invalid value gets one message saying what is expected', () => {
    const p = problems({ ...valid, PORT: 'abc', DATABASE_URL: 'mysql://x', TEMPORAL_ADDRESS: 'nohost', SMTP_URL: 'http://x' });
    expect(p).toHaveLength(4);
    expect(p).toEqual(
      expect.arrayContaining([
        'PORT must be a port number',
        'DATABASE_URL must be a URL (postgres, postgresql)',
        'TEMPORAL_ADDRESS must be host:port',
        'SMTP_URL must be a URL (smtp, smtps)',
      ]),
    );
  });

  test('TRUST_PROXY is read as Express takes it: a number of proxies, true or false, or addresses', () => {
    const trust = (v: string) => loadConfig({ ...valid, TRUST_PROXY: v }).TRUST_PROXY;
    expect([trust('1'), trust('true'), trust('false'), trust('loopback, 10.0.0.0/8')]).toEqual([1, true, false, 'loopback, 10.0.0.0/8']);
    expect(loadConfig(valid).TRUST_PROXY).toBeUndefined();
  });

  test('the gateway refuses an https PUBLIC_URL without TRUST_PROXY (a TLS proxy is in front); the workers take it as it is', () => {
    const https = loadConfig({ ...valid, PUBLIC_URL: 'https://www.imaginasite.com' });
    expect(() => checkGatewayConfig(https)).toThrow(/TRUST_PROXY is required when PUBLIC_URL is https/);
    expect(() => checkGatewayConfig(loadConfig({ ...valid, PUBLIC_URL: 'https://www.imaginasite.com', TRUST_PROXY: '1' }))).not.toThrow();
    expect(() => checkGatewayConfig(loadConfig(valid))).not.toThrow();
  });

  test('Zoom’s three credentials go together, or none (the fixed ZOOM_MEETING_URL then serves every session)', () => {
    expect(problems({ ...valid, ZOOM_ACCOUNT_ID: 'acc', ZOOM_CLIENT_ID: 'id' })).toEqual([
      'ZOOM_CLIENT_SECRET ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET go together (a Server-to-Server OAuth app), or none',
    ]);
    const zoom = loadConfig({ ...valid, ZOOM_ACCOUNT_ID: 'acc', ZOOM_CLIENT_ID: 'id', ZOOM_CLIENT_SECRET: 's' });
    expect([zoom.ZOOM_API_URL, zoom.ZOOM_OAUTH_URL, zoom.ZOOM_USER_ID]).toEqual([
      'https://api.zoom.us/v2',
      'https://zoom.us/oauth/token',
      'me',
    ]);
  });

  test('a client certificate without its key is refused', () => {
    expect(problems({ ...valid, TEMPORAL_TLS_CERT_PATH: '/tmp/c.pem' })).toEqual([
      'TEMPORAL_TLS_KEY_PATH TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH go together',
    ]);
  });

  test('worker tuning and rate limits have bounded defaults and can be set', () => {
    const c = loadConfig(valid);
    expect(workerTuningFromConfig(c)).toEqual({
      maxCachedWorkflows: 500,
      maxConcurrentWorkflowTaskExecutions: 40,
      maxConcurrentActivityTaskExecutions: 40,
      maxConcurrentLocalActivityExecutions: 40,
    });
    expect([c.RATE_LIMIT_ORDERS_PER_MINUTE, c.RATE_LIMIT_BOOKINGS_PER_MINUTE]).toEqual([10, 30]);
    const tuned = loadConfig({ ...valid, WORKER_MAX_CACHED_WORKFLOWS: '2000', RATE_LIMIT_BOOKINGS_PER_MINUTE: '6000' });
    expect(workerTuningFromConfig(tuned).maxCachedWorkflows).toBe(2000);
    expect(tuned.RATE_LIMIT_BOOKINGS_PER_MINUTE).toBe(6000);
    expect(problems({ ...valid, WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '1' })).toEqual([
      expect.stringMatching(/^WORKER_MAX_CONCURRENT_WORKFLOW_TASKS /),
    ]);
  });

  test('PACK_VALIDITY (benchmarks only) replaces the validity in months by an elapsed duration', () => {
    expect(loadPackSettings({}).validityOverrideMs).toBeUndefined();
    expect(loadPackSettings({ PACK_VALIDITY: '5m' }).validityOverrideMs).toBe(300_000);
    expect(() => loadPackSettings({ PACK_VALIDITY: 'trois mois' })).toThrow(/PACK_VALIDITY must be a duration/);
  });
});
