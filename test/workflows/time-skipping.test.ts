import { createPackWorld, type PackWorld } from '../support/packs';
import { DAY } from '../support/time';

// The foundation's promise: Temporal's Java time-skipping server (from Maven Central) runs months of workflow time
// in seconds of real time.
describe('time-skipping test server', () => {
  let w: PackWorld;
  beforeAll(async () => {
    w = await createPackWorld();
  });
  afterAll(async () => {
    await w?.teardown();
  });

  test('a paid pack left unused runs its three months to expiry in seconds of real time', async () => {
    const h = await w.order();
    await w.pay(h);
    const started = Date.now();
    const before = await w.now();
    const final = await h.result();
    const skippedDays = ((await w.now()) - before) / DAY;
    expect(final.status).toBe('EXPIRED');
    expect(skippedDays).toBeGreaterThanOrEqual(89);
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
