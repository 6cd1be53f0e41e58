/**
 * Resolves on the first SIGINT or SIGTERM, after logging it, so the command can shut down cleanly;
 * a second signal exits at once with code 1. Listening starts at the call, so a signal that
 * arrives once the command has said it is ready is never missed.
 */
export function shutdownSignal(log: (line: string) => void): Promise<void> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      log(`${signal}: shutting down`);
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
      const force = () => process.exit(1);
      process.once('SIGINT', force).once('SIGTERM', force);
      resolve();
    };
    process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  });
}

/**
 * Sends `console.log`, `info` and `debug` to stderr, for a command whose stdout carries a protocol:
 * whatever user code prints must not corrupt it.
 */
export function redirectConsoleToStderr(): void {
  const toStderr = (...args: unknown[]) => console.error(...args);
  console.log = toStderr;
  console.info = toStderr;
  console.debug = toStderr;
}
