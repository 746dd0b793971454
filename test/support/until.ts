// Waiting on a condition instead of sleeping: tests poll what a user (or an operator) would look at, for a bounded
// time and a bounded number of reads, and fail with what they waited for and what they saw last.

export interface UntilOptions {
  /** Gives up after this long (default 20 s). */
  timeoutMs?: number;
  /** Pause between two reads (default 100 ms). */
  intervalMs?: number;
  /**
   * Errors the caller expects while the condition does not hold yet (a workflow not visible yet, a server that is
   * restarting): those are retried. Any other error thrown by `read` fails the wait at once.
   */
  retryOn?: (err: unknown) => boolean;
}

export class UntilTimeout extends Error {}

/** Reads `read()` until `ok` holds for its value and returns that value; throws `UntilTimeout` once time is up. */
export async function until<T>(read: () => Promise<T> | T, ok: (v: T) => boolean, what: string, opts: UntilOptions = {}): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const intervalMs = opts.intervalMs ?? 100;
  const maxReads = Math.ceil(timeoutMs / intervalMs) + 1;
  const deadline = Date.now() + timeoutMs;
  let last: { value: T } | undefined;
  let lastError: unknown;
  for (let reads = 1; ; reads++) {
    try {
      const value = await read();
      last = { value };
      lastError = undefined;
      if (ok(value)) return value;
    } catch (err) {
      if (!opts.retryOn?.(err)) throw err;
      lastError = err;
    }
    if (reads >= maxReads || Date.now() >= deadline) break;
    await pause(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
  const seen =
    lastError !== undefined ? `last error: ${errorText(lastError)}` : last ? `last value: ${describe(last.value)}` : 'nothing was read';
  throw new UntilTimeout(`timed out after ${timeoutMs} ms waiting for ${what}; ${seen}`);
}

/** A pause inside a bounded polling loop (never a stand-in for "the thing happened"). */
export const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Errors of a workflow that the server does not know yet: a query just after the start, or from another client. */
export const workflowNotFoundYet = (err: unknown) => /not found|NotFound/i.test(errorText(err));

/** An error's message (with its cause's), whatever was thrown. */
export function errorText(err: unknown): string {
  if (err instanceof Error)
    return err.cause instanceof Error ? `${err.name}: ${err.message} (cause: ${err.cause.message})` : `${err.name}: ${err.message}`;
  return typeof err === 'string' ? err : describe(err);
}

function describe(v: unknown): string {
  try {
    const text = JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? String(x) : x));
    return (text ?? String(v)).slice(0, 2000);
  } catch {
    return String(v).slice(0, 2000);
  }
}
