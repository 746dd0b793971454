/**
 * The worker thread that reads a calendar's busy times (src/infra/calendar-busy.ts), so that a hostile calendar costs
 * the worker a thread under a time and memory limit, never its event loop. Started by `readBusyTimes` below: the
 * thread loads this file through tsx's CommonJS hook (the worker runs from TypeScript sources, jest included).
 */
import { parentPort, Worker, workerData } from 'node:worker_threads';
import { busyTimesOf, MalformedCalendar, type BusyTimes, type BusyWindow } from './calendar-busy';

export type ThreadAnswer = { ok: true; busy: BusyTimes } | { ok: false; malformed: boolean; message: string };

export interface ThreadLimits {
  timeoutMs: number;
  maxHeapMb: number;
}

export class CalendarThreadTimeout extends Error {}

/** Reads the texts' busy times in a thread of its own, ended at `timeoutMs` whatever it is doing. */
export function readBusyTimes(texts: string[], window: BusyWindow, limits: ThreadLimits): Promise<ThreadAnswer> {
  const boot = `require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(__filename)});`;
  const thread = new Worker(boot, {
    eval: true,
    workerData: { texts, window },
    resourceLimits: { maxOldGenerationSizeMb: limits.maxHeapMb, maxYoungGenerationSizeMb: 32 },
    stdout: false,
    stderr: false,
  });
  return new Promise<ThreadAnswer>((resolve, reject) => {
    const timer = setTimeout(() => {
      void thread.terminate();
      reject(new CalendarThreadTimeout(`lecture du calendrier interrompue après ${Math.round(limits.timeoutMs / 1000)} s`));
    }, limits.timeoutMs);
    const done = () => clearTimeout(timer);
    thread.once('message', (m: ThreadAnswer) => {
      done();
      resolve(m);
      void thread.terminate();
    });
    thread.once('error', (err) => {
      done();
      // Out of memory (ERR_WORKER_OUT_OF_MEMORY) is the calendar's size, not ours.
      const oom = (err as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY';
      resolve({ ok: false, malformed: oom, message: oom ? 'calendrier trop volumineux pour être lu' : err.message });
    });
    thread.once('exit', (code) => {
      done();
      resolve({ ok: false, malformed: false, message: `lecture du calendrier arrêtée (code ${code})` });
    });
  });
}

if (parentPort && (workerData as { texts?: unknown } | null)?.texts) {
  const { texts, window } = workerData as { texts: string[]; window: BusyWindow };
  let answer: ThreadAnswer;
  try {
    answer = { ok: true, busy: busyTimesOf(texts, window) };
  } catch (err) {
    answer = { ok: false, malformed: err instanceof MalformedCalendar, message: (err as Error).message };
  }
  parentPort.postMessage(answer);
}
