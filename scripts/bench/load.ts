// A small, bounded load generator: open-loop at a fixed rate (latency measured from the instant each request was
// due, so a stalled server cannot hide its queueing) or closed-loop flat out with a fixed number of workers. Every
// run is bounded in count and in time.

export class BenchError extends Error {
  constructor(
    readonly code: string,
    message?: string,
  ) {
    super(message ?? code);
  }
}

export interface Summary {
  /** Operations started. */
  count: number;
  ok: number;
  errors: number;
  /** Errors by code (HTTP error code of the API, DROPPED when the in-flight bound was hit, TIMEOUT…). */
  errorCodes: Record<string, number>;
  durationS: number;
  /** Successful operations per second of the run. */
  perSec: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

const round = (n: number) => Math.round(n * 10) / 10;

class Recorder {
  private latencies: number[] = [];
  private codes: Record<string, number> = {};
  count = 0;

  ok(ms: number): void {
    this.latencies.push(ms);
  }
  fail(err: unknown): void {
    const code = err instanceof BenchError ? err.code : (err as Error)?.name === 'TimeoutError' ? 'TIMEOUT' : 'EXCEPTION';
    if (code === 'EXCEPTION' && process.env.BENCH_DEBUG) console.error(err);
    this.codes[code] = (this.codes[code] ?? 0) + 1;
  }
  summary(durationMs: number): Summary {
    const s = [...this.latencies].sort((a, b) => a - b);
    const errors = Object.values(this.codes).reduce((a, b) => a + b, 0);
    return {
      count: this.count,
      ok: s.length,
      errors,
      errorCodes: this.codes,
      durationS: round(durationMs / 1000),
      perSec: round(s.length / (durationMs / 1000)),
      p50Ms: round(percentile(s, 50)),
      p95Ms: round(percentile(s, 95)),
      p99Ms: round(percentile(s, 99)),
      maxMs: round(s[s.length - 1] ?? NaN),
    };
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/**
 * Starts `task(i)` at `ratePerSec` for `durationS` seconds, whatever the answers. At most `maxInFlight` run at once:
 * beyond, the operation is counted as DROPPED (an error). Waits for the last ones, `drainS` at most.
 */
export async function atRate(o: {
  ratePerSec: number;
  durationS: number;
  maxInFlight?: number;
  drainS?: number;
  task: (i: number) => Promise<void>;
}): Promise<Summary> {
  const rec = new Recorder();
  const n = Math.round(o.ratePerSec * o.durationS);
  const maxInFlight = o.maxInFlight ?? 1000;
  const pending = new Set<Promise<void>>();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const due = t0 + (i * 1000) / o.ratePerSec;
    await sleep(due - performance.now());
    rec.count++;
    if (pending.size >= maxInFlight) {
      rec.fail(new BenchError('DROPPED'));
      continue;
    }
    const p = o.task(i).then(
      () => rec.ok(performance.now() - due),
      (err) => rec.fail(err),
    );
    pending.add(p);
    void p.finally(() => pending.delete(p));
  }
  await Promise.race([Promise.all(pending), sleep((o.drainS ?? 60) * 1000)]);
  return rec.summary(Math.max(performance.now() - t0, o.durationS * 1000));
}

/**
 * `concurrency` workers each run `task` back to back for `durationS` seconds (or until `maxOps` started).
 * Throughput counts the operations finished within the window; the ones in hand at its end are awaited, not counted.
 */
export async function flatOut(o: {
  concurrency: number;
  durationS: number;
  maxOps?: number;
  task: (i: number) => Promise<void>;
}): Promise<Summary> {
  const rec = new Recorder();
  const t0 = performance.now();
  const end = t0 + o.durationS * 1000;
  let next = 0;
  let inWindow = 0;
  const worker = async () => {
    while (performance.now() < end && next < (o.maxOps ?? Infinity)) {
      const i = next++;
      rec.count++;
      const start = performance.now();
      try {
        await o.task(i);
        const done = performance.now();
        rec.ok(done - start);
        if (done <= end) inWindow++;
      } catch (err) {
        rec.fail(err);
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  const elapsed = Math.min(performance.now(), end) - t0;
  const s = rec.summary(elapsed);
  return { ...s, perSec: round(inWindow / (elapsed / 1000)) };
}
