const CHECK_TIMEOUT_MS = 1_500;

/** One dependency's state for a readiness answer: `up`, or `down: why` (also when it does not answer in time). */
export async function dependencyState(
  check: () => Promise<unknown>,
  timeoutMs = CHECK_TIMEOUT_MS,
): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return 'up';
  } catch (error) {
    return `down: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    clearTimeout(timer);
  }
}

/** Readiness from named dependency checks, all run at once: ready when every one is up. */
export async function readiness(
  checks: Record<string, () => Promise<unknown>>,
): Promise<{ ready: boolean; body: { status: 'ok' | 'unavailable'; checks: Record<string, string> } }> {
  const names = Object.keys(checks);
  const states = await Promise.all(names.map((name) => dependencyState(checks[name])));
  const ready = states.every((state) => state === 'up');
  return {
    ready,
    body: {
      status: ready ? 'ok' : 'unavailable',
      checks: Object.fromEntries(names.map((n, i) => [n, states[i]])),
    },
  };
}
