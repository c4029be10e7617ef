/** Waiting on a condition, never on a fixed time: the machine may be slow, so the limit is generous. */

const LIMIT_MS = 60_000;
const EVERY_MS = 100;

/** Asks `probe` until it answers something other than undefined, and answers that; fails after a minute. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + LIMIT_MS;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, EVERY_MS));
  }
}
