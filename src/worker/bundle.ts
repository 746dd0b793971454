/**
 * Bundles the workflow code in a short-lived child process. Webpack left about 120 MiB of resident memory behind in
 * the worker when it bundled in-process (measured for the benchmark, README "Performance"); the child takes it away
 * when it exits. The child runs with the parent's Node options, so `tsx` loads the TypeScript sources there too.
 */
import { fork } from 'node:child_process';

interface BundleMessage {
  type: 'workflow-bundle';
  code?: string;
  error?: string;
}

export function bundleInChildProcess(workflowsPath: string, timeoutMs = 120_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, [workflowsPath], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let settled = false;
    const finish = (err: Error | null, code?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(code!);
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish(new Error(`bundling the workflows took more than ${timeoutMs} ms`));
    }, timeoutMs);
    // Other messages may come over the channel (a preloaded probe inherited through the Node options): only ours count.
    child.on('message', (m: BundleMessage) => {
      if (m?.type !== 'workflow-bundle') return;
      if (m.code !== undefined) finish(null, m.code);
      else finish(new Error(`bundling the workflows failed: ${m.error}`));
    });
    child.once('error', (err) => finish(err));
    child.once('exit', (code, signal) => finish(new Error(`the workflow bundler exited (${signal ?? code}) without a bundle`)));
  });
}

if (require.main === module && process.send) {
  const send = (m: BundleMessage) => new Promise<void>((done) => process.send!(m, () => done()));
  void (async () => {
    try {
      const { bundleWorkflowCode, DefaultLogger } = await import('@temporalio/worker');
      const { code } = await bundleWorkflowCode({ workflowsPath: process.argv[2], logger: new DefaultLogger('WARN') });
      await send({ type: 'workflow-bundle', code });
    } catch (err) {
      await send({ type: 'workflow-bundle', error: err instanceof Error ? err.message : String(err) });
    }
    process.exit(0);
  })();
}
