// The supervisor's lifeline (scripts/lib/supervisor.ts). It runs detached, in a session of its own, and reads on
// stdin the process groups its parent supervises: "+ <pgid> <signal> <graceMs>" when one starts, "- <pgid>" once it
// has stopped. Its stdin ends when the parent ends, however it ends (the kernel closes the pipe of a process killed
// with SIGKILL too): then it stops the groups still listed, the last started first, each with its own signal and
// SIGKILL after its grace period, and exits. Plain Node, no dependency: it must start in a few milliseconds.
import fs from 'node:fs';

const groups = new Map(); // pgid → { signal, graceMs }, in start order
let pending = '';

function gone(pgid) {
  try {
    process.kill(-pgid, 0);
  } catch {
    return true;
  }
  // A leader that has exited but not been reaped yet (its new parent is slow to wait for it) counts as gone.
  try {
    const stat = fs.readFileSync(`/proc/${pgid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] === 'Z';
  } catch {
    return false;
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function stop(pgid, signal, graceMs) {
  try {
    process.kill(-pgid, signal);
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (!gone(pgid) && Date.now() < deadline) await sleep(100);
  if (gone(pgid)) return;
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    return;
  }
  for (let i = 0; i < 20 && !gone(pgid); i++) await sleep(100);
}

async function stopAll() {
  for (const [pgid, { signal, graceMs }] of [...groups].reverse()) await stop(pgid, signal, graceMs);
  process.exit(0);
}

// Detached from the terminal already; a signal meant for the parent's group must not stop the lifeline half-way.
for (const s of ['SIGINT', 'SIGHUP', 'SIGTERM']) process.on(s, () => undefined);
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  pending += chunk;
  let nl;
  while ((nl = pending.indexOf('\n')) >= 0) {
    const [op, pgid, signal, graceMs] = pending.slice(0, nl).split(' ');
    pending = pending.slice(nl + 1);
    if (op === '+') groups.set(Number(pgid), { signal, graceMs: Number(graceMs) });
    else if (op === '-') groups.delete(Number(pgid));
  }
});
process.stdin.once('end', () => void stopAll());
process.stdin.once('error', () => void stopAll());
