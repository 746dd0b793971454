// What an earlier run left running on a data folder, found through /proc (Linux) and stopped before a new start: the
// supervisor's lifeline normally stops everything when a launcher dies, but not when it died too (a container
// stopped, `kill -9` of everything), nor what the launcher of an older checkout started (its embedded PostgreSQL kept
// running and held postmaster.pid; the next start failed on « lock file already exists »).
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { MARK_VARIABLE, ROOT } from './supervisor';

export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** Start time (clock ticks since boot): with the pid, names one process for good. */
  started: number;
  argv: string[];
  cwd?: string;
  /** Its IMAGINASITE_STACK (the data folder of the supervisor that started it). */
  mark?: string;
}

const HAS_PROC = fs.existsSync('/proc/self/stat');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function readProcess(pid: number): ProcessInfo | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z') return undefined; // ended, waiting for its parent to reap it
    const info: ProcessInfo = {
      pid,
      ppid: Number(fields[1]),
      started: Number(fields[19]),
      argv: fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean),
    };
    try {
      info.cwd = fs.readlinkSync(`/proc/${pid}/cwd`);
      const mark = fs
        .readFileSync(`/proc/${pid}/environ`, 'utf8')
        .split('\0')
        .find((v) => v.startsWith(`${MARK_VARIABLE}=`));
      if (mark) info.mark = mark.slice(MARK_VARIABLE.length + 1);
    } catch {
      /* another user's process */
    }
    return info;
  } catch {
    return undefined;
  }
}

function allProcesses(): ProcessInfo[] {
  if (!HAS_PROC) return [];
  return fs
    .readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readProcess(Number(name)))
    .filter((p): p is ProcessInfo => p !== undefined);
}

const isAlive = (p: ProcessInfo) => readProcess(p.pid)?.started === p.started;
export const commandLine = (p: ProcessInfo) => p.argv.join(' ').slice(0, 200);
const argAfter = (argv: string[], flag: string) => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : undefined);
const isPostgres = (p: ProcessInfo) => path.basename(p.argv[0] ?? '') === 'postgres' || (p.argv[0] ?? '').startsWith('postgres:');

/** The processes listening on a TCP port (through the socket inodes of /proc/net/tcp*). */
export function listeningOn(port: number): ProcessInfo[] {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = fs.readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[3] === '0A' && parseInt(f[1]?.split(':')[1] ?? '', 16) === port) inodes.add(`socket:[${f[9]}]`);
    }
  }
  if (inodes.size === 0) return [];
  return allProcesses().filter((p) => {
    try {
      return fs.readdirSync(`/proc/${p.pid}/fd`).some((fd) => inodes.has(fs.readlinkSync(`/proc/${p.pid}/fd/${fd}`)));
    } catch {
      return false;
    }
  });
}

/** This process's ancestors and descendants: never leftovers (a launcher's own chain, the programs it started). */
function family(processes: ProcessInfo[]): Set<number> {
  const ancestors = new Set<number>();
  for (let p = readProcess(process.pid); p && !ancestors.has(p.pid); p = readProcess(p.ppid)) ancestors.add(p.pid);
  const descendants = new Set<number>([process.pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const p of processes) {
      if (!descendants.has(p.pid) && descendants.has(p.ppid)) {
        descendants.add(p.pid);
        grew = true;
      }
    }
  }
  return new Set([...ancestors, ...descendants]);
}

function find(match: (p: ProcessInfo) => boolean): ProcessInfo[] {
  const processes = allProcesses();
  const mine = family(processes);
  return processes.filter((p) => !mine.has(p.pid) && match(p));
}

/** PostgreSQL servers (postmaster and backends: they all work in the data folder) of `pgDataDir`. */
export function postgresLeftovers(pgDataDir: string): ProcessInfo[] {
  const dir = path.resolve(pgDataDir);
  return find((p) => isPostgres(p) && p.cwd === dir);
}

/** Temporal dev servers writing their history to `dbFile`. */
export function temporalLeftovers(dbFile: string): ProcessInfo[] {
  const file = path.resolve(dbFile);
  return find((p) => argAfter(p.argv, '--db-filename') === file);
}

/**
 * What earlier runs of a launcher left running: the processes marked with its `mark` (its supervisor's), the
 * PostgreSQL of its `pgDataDir`, the Temporal dev server of its `temporalDb`, and, from launchers that did not mark
 * their processes yet, this checkout's stripe-mock, Temporal or launcher holding one of its `ports`.
 */
export function leftoversOf(opts: { mark: string; pgDataDir?: string; temporalDb?: string; ports?: number[] }): ProcessInfo[] {
  const mark = path.resolve(opts.mark);
  const pgDataDir = opts.pgDataDir && path.resolve(opts.pgDataDir);
  const temporalDb = opts.temporalDb && path.resolve(opts.temporalDb);
  const ourTool = (p: ProcessInfo) =>
    ['temporal', 'stripe-mock'].includes(path.basename(p.argv[0] ?? '')) || p.argv.some((a) => /(^|\/)scripts\/dev\.ts$/.test(a));
  const holders = new Set((opts.ports ?? []).flatMap((port) => listeningOn(port).map((p) => p.pid)));
  return find(
    (p) =>
      p.mark === mark ||
      (isPostgres(p) && p.cwd === pgDataDir) ||
      (temporalDb !== undefined && argAfter(p.argv, '--db-filename') === temporalDb) ||
      (holders.has(p.pid) && p.mark === undefined && p.cwd === ROOT && ourTool(p)),
  );
}

/**
 * PostgreSQL refuses to start while the pid in postmaster.pid is alive, whoever it now is (pids are reused after a
 * reboot): a pid file that names no PostgreSQL of this folder is removed.
 */
export function removeStalePostmasterPid(pgDataDir: string): void {
  const file = path.join(pgDataDir, 'postmaster.pid');
  let pid: number;
  try {
    pid = Number(fs.readFileSync(file, 'utf8').split('\n')[0]);
  } catch {
    return;
  }
  const holder = pid > 0 ? readProcess(pid) : undefined;
  if (!holder || (holder.cwd !== undefined && !(isPostgres(holder) && holder.cwd === path.resolve(pgDataDir))))
    fs.rmSync(file, { force: true });
}

async function stopProcess(p: ProcessInfo, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  const deadline = Date.now() + graceMs;
  for (const s of [signal, 'SIGKILL'] as const) {
    try {
      process.kill(p.pid, s);
    } catch {
      return;
    }
    while (isAlive(p) && Date.now() < (s === 'SIGKILL' ? deadline + 5000 : deadline)) await sleep(100);
    if (!isAlive(p)) return;
  }
}

/**
 * Stops leftovers, the last started first. Only the oldest of a family is signalled (a postmaster stops its own
 * backends, a launcher its programs); what outlives it gets SIGKILL.
 */
export async function stopLeftovers(leftovers: ProcessInfo[], say: (message: string) => void): Promise<void> {
  const pids = new Set(leftovers.map((p) => p.pid));
  const heads = leftovers.filter((p) => !pids.has(p.ppid)).sort((a, b) => b.started - a.started || b.pid - a.pid);
  for (const p of heads) {
    say(`stopping pid ${p.pid}, left running by an earlier start: ${commandLine(p)}`);
    await stopProcess(p, isPostgres(p) ? 'SIGINT' : 'SIGTERM', isPostgres(p) ? 30_000 : 10_000);
  }
  await Promise.all(leftovers.map((p) => stopProcess(p, 'SIGKILL', 0)));
}

/** Rejects, naming who holds it and the variable that moves it, if a port of 127.0.0.1 cannot be listened on. */
export async function assertPortFree(port: number, what: string, variable: string): Promise<void> {
  const free = await new Promise<boolean>((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
  if (free) return;
  const holders = listeningOn(port).map((p) => `pid ${p.pid} (${commandLine(p)})`);
  throw new Error(`port ${port}, for ${what}, is in use by ${holders.join(', ') || 'another process'}: stop it or set ${variable}`);
}

/**
 * Makes this process the one launcher of `dataDir` (its pid in `dataDir/launcher.pid`) and returns the release;
 * throws if another live launcher holds it. A launcher that died leaves a stale file, which is simply taken over.
 */
export function claimDataDir(dataDir: string, what: string): () => void {
  const file = path.join(dataDir, 'launcher.pid');
  let previous: string[] = [];
  try {
    previous = fs.readFileSync(file, 'utf8').trim().split(' ');
  } catch {
    /* none */
  }
  const pid = Number(previous[0]);
  if (pid > 0 && pid !== process.pid) {
    const holder = readProcess(pid);
    const alive = HAS_PROC
      ? holder !== undefined && String(holder.started) === previous[1]
      : (() => {
          try {
            process.kill(pid, 0);
            return true;
          } catch {
            return false;
          }
        })();
    if (alive)
      throw new Error(`${what} is already running on ${dataDir} (pid ${pid}): stop it first (Ctrl-C in its terminal, or kill -INT ${pid})`);
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const mine = `${process.pid} ${readProcess(process.pid)?.started ?? ''}`;
  fs.writeFileSync(file, `${mine}\n`);
  return () => {
    try {
      if (fs.readFileSync(file, 'utf8').trim() === mine.trim()) fs.rmSync(file);
    } catch {
      /* already gone */
    }
  };
}
