// Preloaded into the benchmark's worker (node --require): reports the process's memory to the benchmark over IPC
// once a second. Does nothing when the process has no IPC channel.
if (process.send) {
  const timer = setInterval(() => {
    try {
      process.send({ type: 'memory', at: Date.now(), ...process.memoryUsage() });
    } catch {
      clearInterval(timer);
    }
  }, 1000);
  timer.unref();
  if (process.channel) process.channel.unref();
}
