/**
 * Graceful stop for long-running commands. SIGTERM (from a service manager) and SIGINT (Ctrl+C)
 * stop cleanly: finish what is in flight, close, exit 0. A second signal means the person is not
 * willing to wait: exit at once.
 */

/**
 * A repeat this soon after the first signal is not a person insisting: under `npm start` the
 * terminal signals the whole process group while npm and tsx relay the same signal again.
 */
const ECHO_MS = 500;

export function stopOnSignals(stop: () => Promise<void>, say: (text: string) => void): void {
  let firstAt: number | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    if (firstAt !== null) {
      if (Date.now() - firstAt < ECHO_MS) return;
      say(`${signal} again: exiting without waiting`);
      process.exit(1);
    }
    firstAt = Date.now();
    say(`${signal} received: stopping (send it again to exit at once)`);
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        say(`error while stopping: ${err instanceof Error ? err.message : String(err)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
