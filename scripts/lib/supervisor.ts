// The one process supervisor of this project: `npm start` (scripts/dev.ts), the local stack's servers
// (scripts/lib/local-stack.ts), the benchmark (scripts/bench/stack.ts) and the fault tests (test/support/stack.ts) all
// start and stop their processes here.
//
// - A process runs in a process group of its own: a stop reaches whatever it started, and the terminal's Ctrl-C
//   reaches only the launcher, which stops its processes one at a time, the last started first (the gateway before
//   the database it uses).
// - Ready means a line of its output or a port accepting connections; a timeout, or an exit before that, fails with
//   the process's last output.
// - Stopped means a signal, then SIGKILL after a grace period.
// - A lifeline (reaper.mjs) outlives the launcher: when the launcher ends without stopping its processes (kill -9, a
//   crash), the lifeline stops them in the same order. Nothing is left behind.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');

/** The environment variable that marks every process a supervisor with a `mark` starts (scripts/lib/leftovers.ts). */
export const MARK_VARIABLE = 'IMAGINASITE_STACK';

/** When a process is ready: a line of its output (text or pattern), or a port of 127.0.0.1 accepting connections. */
export type Ready = string | RegExp | { port: number };

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ProgramSpec {
  /** Names the process in logs and errors. */
  name: string;
  command: string;
  args?: string[];
  /** Default: the project's root. */
  cwd?: string;
  /** The whole environment of the process (default: this process's). */
  env?: NodeJS.ProcessEnv;
  uid?: number;
  gid?: number;
  /** Appends its output (stdout and stderr) to this file. */
  log?: string;
  /** Copies each line of its output to this process's stdout as `[name] line`. */
  echo?: boolean;
  ready?: Ready;
  /** Default 60 s. */
  readyTimeoutMs?: number;
  /** Default SIGTERM. */
  stopSignal?: NodeJS.Signals;
  /** Time between the stop signal and SIGKILL; default 10 s. */
  graceMs?: number;
  /** An IPC channel (`child.send`, `child.on('message')`). */
  ipc?: boolean;
}

/** A TypeScript program of this project, run by Node with tsx's loader (one process; tsx's CLI would add a second). */
export function tsxCommand(script: string, args: string[] = [], nodeArgs: string[] = []): Pick<ProgramSpec, 'command' | 'args'> {
  return { command: process.execPath, args: [...nodeArgs, '--import', 'tsx', script, ...args] };
}

export const errorMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err));
const describeExit = (e: Exit) => (e.signal ? `killed by ${e.signal}` : `exit code ${e.code}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- process groups and the lifeline

const groups = new Set<number>();
let lifeline: { process: ChildProcess; input: net.Socket } | undefined;

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  if (!(pgid > 1)) return; // never -1 (every process) nor -0 (our own group)
  try {
    process.kill(-pgid, signal);
  } catch {
    /* the group is gone */
  }
}

// Without a lifeline (it could not start, or was killed), this process's exit still takes its groups down, if less
// gently. Registered only while there are groups: every jest test file loads this module anew.
const killOnExit = () => {
  if (lifeline?.process.pid === undefined || lifeline.process.exitCode !== null) killAllNow();
};

function watchGroup(pgid: number, signal: NodeJS.Signals, graceMs: number): void {
  if (groups.size === 0) process.on('exit', killOnExit);
  groups.add(pgid);
  if (!lifeline) {
    const child = spawn(process.execPath, [path.join(__dirname, 'reaper.mjs')], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
    const current = { process: child, input: child.stdin as net.Socket };
    child.once('error', () => lifeline === current && (lifeline = undefined));
    current.input.on('error', () => undefined);
    // Neither the lifeline nor its pipe may keep this process alive.
    child.unref();
    current.input.unref();
    lifeline = current;
  }
  lifeline.input.write(`+ ${pgid} ${signal} ${graceMs}\n`);
}

function forgetGroup(pgid: number): void {
  if (!groups.delete(pgid)) return;
  lifeline?.input.write(`- ${pgid}\n`);
  if (groups.size === 0) {
    process.off('exit', killOnExit);
    lifeline?.input.end();
    lifeline = undefined;
  }
}

/** SIGKILL to every process group this process started, at once. */
function killAllNow(): void {
  for (const pgid of groups) signalGroup(pgid, 'SIGKILL');
}

export async function canConnect(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, host);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

// ---------------------------------------------------------------- one process

export class ManagedProcess {
  readonly exited: Promise<Exit>;
  /** Set once the process reached its ready condition (at once without one). */
  ready = false;
  /** Its end is no surprise: it was asked to stop, or it is a command that runs to completion. */
  expectExit = false;
  private output = '';
  private readonly outputListeners = new Set<() => void>();
  private spawnError: Error | undefined;

  constructor(
    readonly spec: ProgramSpec,
    readonly child: ChildProcess,
  ) {
    const log = spec.log
      ? (fs.mkdirSync(path.dirname(spec.log), { recursive: true }), fs.createWriteStream(spec.log, { flags: 'a' }))
      : null;
    log?.on('error', () => undefined); // a log that cannot be written (its folder removed) loses lines, not the process
    const prefix = `[${spec.name}] `;
    for (const stream of [child.stdout, child.stderr]) {
      let partial = '';
      stream?.on('data', (d: Buffer) => {
        log?.write(d);
        const text = d.toString();
        this.output = (this.output + text).slice(-4000);
        if (spec.echo) {
          const lines = (partial + text).split('\n');
          partial = lines.pop()!;
          for (const line of lines) process.stdout.write(`${prefix}${line.startsWith(prefix) ? line.slice(prefix.length) : line}\n`);
        }
        for (const listener of this.outputListeners) listener();
      });
      stream?.once('end', () => {
        if (spec.echo && partial) process.stdout.write(`${prefix}${partial}\n`);
      });
    }
    child.once('close', () => log?.end());
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        // Whatever it started and left behind goes with it.
        signalGroup(this.pid, 'SIGKILL');
        forgetGroup(this.pid);
        resolve({ code, signal });
      });
      child.once('error', (err) => {
        this.spawnError = err;
        if (child.pid === undefined) resolve({ code: null, signal: null });
      });
    });
    if (child.pid !== undefined) watchGroup(child.pid, spec.stopSignal ?? 'SIGTERM', spec.graceMs ?? 10_000);
  }

  get name(): string {
    return this.spec.name;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.child.pid !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last few thousand characters of its output. */
  tail(): string {
    return this.output;
  }

  /** Rejects if the command could not be run at all (not found, not executable). */
  async spawned(): Promise<void> {
    if (this.child.pid !== undefined) return;
    await this.exited;
    throw new Error(`${this.name}: cannot run ${this.spec.command}: ${this.spawnError?.message ?? 'unknown error'}`);
  }

  /** Resolves when `ready` holds; rejects after `timeoutMs`, or if the process ends first, with its last output. */
  async until(ready: Ready, timeoutMs: number): Promise<void> {
    const what = typeof ready === 'string' || ready instanceof RegExp ? `the line « ${String(ready)} »` : `port ${ready.port}`;
    await this.spawned();
    await new Promise<void>((resolve, reject) => {
      let done = false;
      const finish = (err?: Error) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.outputListeners.delete(check);
        if (err) reject(err);
        else resolve();
      };
      const lastOutput = () => `; its last output:\n${this.output.trimEnd() || '(none)'}`;
      const timer = setTimeout(
        () => finish(new Error(`${this.name} was not ready within ${timeoutMs / 1000} s (waiting for ${what})${lastOutput()}`)),
        timeoutMs,
      );
      void this.exited.then((e) => finish(new Error(`${this.name} ended (${describeExit(e)}) before it was ready${lastOutput()}`)));
      const check = () => {
        if (typeof ready === 'string' ? this.output.includes(ready) : ready instanceof RegExp && ready.test(this.output)) finish();
      };
      if (typeof ready === 'string' || ready instanceof RegExp) {
        this.outputListeners.add(check);
        check();
      } else {
        void (async () => {
          while (!done) {
            if (await canConnect(ready.port)) finish();
            else await sleep(100);
          }
        })();
      }
    });
  }

  /** Sends `signal` to its process group, SIGKILL after `graceMs`, and resolves once it has ended. */
  async stop(signal = this.spec.stopSignal ?? 'SIGTERM', graceMs = this.spec.graceMs ?? 10_000): Promise<Exit> {
    this.expectExit = true;
    if (this.running) {
      signalGroup(this.pid, signal);
      const timer = graceMs > 0 ? setTimeout(() => signalGroup(this.pid, 'SIGKILL'), graceMs) : undefined;
      if (!timer) signalGroup(this.pid, 'SIGKILL');
      await this.exited;
      clearTimeout(timer);
    }
    return this.exited;
  }
}

// ---------------------------------------------------------------- a set of processes, stopped in reverse order

export interface SupervisorOptions {
  /** Progress messages (stop order and times). */
  say?: (message: string) => void;
  /** Put in every process's environment as IMAGINASITE_STACK, so that a later run can find what this one left. */
  mark?: string;
  /** A process that was ready ended without being asked to. */
  onUnexpectedExit?: (process: ManagedProcess, exit: Exit) => void;
}

export class Supervisor {
  private readonly started: Array<{ name: string; stop: () => Promise<unknown> }> = [];
  private stopping = false;

  constructor(private readonly options: SupervisorOptions = {}) {}

  say(message: string): void {
    this.options.say?.(message);
  }

  /** Starts a process and waits until it is ready; on failure it is killed and the error carries its last output. */
  async start(spec: ProgramSpec): Promise<ManagedProcess> {
    const p = this.launch(spec);
    try {
      await (spec.ready === undefined ? p.spawned() : p.until(spec.ready, spec.readyTimeoutMs ?? 60_000));
    } catch (err) {
      await p.stop('SIGKILL', 0);
      throw err;
    }
    p.ready = true;
    return p;
  }

  /** Runs a command to completion (a migration, initdb); rejects with its last output unless it exits with 0. */
  async run(spec: Omit<ProgramSpec, 'ready'>): Promise<string> {
    const p = this.launch(spec);
    p.expectExit = true;
    await p.spawned();
    const exit = await p.exited;
    if (exit.code !== 0) throw new Error(`${spec.name} failed (${describeExit(exit)}):\n${p.tail().trimEnd()}`);
    return p.tail();
  }

  private launch(spec: ProgramSpec): ManagedProcess {
    const env = { ...(spec.env ?? process.env), ...(this.options.mark ? { [MARK_VARIABLE]: this.options.mark } : {}) };
    const child = spawn(spec.command, spec.args ?? [], {
      cwd: spec.cwd ?? ROOT,
      env,
      uid: spec.uid,
      gid: spec.gid,
      detached: true, // a process group (and session) of its own
      stdio: ['ignore', 'pipe', 'pipe', ...(spec.ipc ? (['ipc'] as const) : [])],
    });
    const p = new ManagedProcess(spec, child);
    const entry = { name: spec.name, stop: () => p.stop() };
    this.started.push(entry);
    void p.exited.then((exit) => {
      const i = this.started.indexOf(entry);
      if (i >= 0) this.started.splice(i, 1);
      if (p.ready && !p.expectExit && !this.stopping) this.options.onUnexpectedExit?.(p, exit);
    });
    return p;
  }

  /** Something of this process (an in-process server) to stop in its turn, after what was started after it. */
  add(name: string, stop: () => Promise<unknown>): void {
    this.started.push({ name, stop });
  }

  /** Stops everything, the last started first, one at a time; never throws (failures are said). */
  async stopAll(): Promise<void> {
    this.stopping = true;
    for (let entry = this.started.pop(); entry; entry = this.started.pop()) {
      const t0 = Date.now();
      try {
        await entry.stop();
        this.say(`${entry.name} stopped (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      } catch (err) {
        this.say(`${entry.name} did not stop cleanly: ${errorMessage(err)}`);
      }
    }
    this.stopping = false;
  }
}

/** This process's supervisor, for what is started without one of its own. */
export const processes = new Supervisor();
