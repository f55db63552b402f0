// Reading something the server writes soon after it answers (the early
// answers' security counts, written once a second: ADR 0037).

/** Reads until `done` holds or `timeoutMs` has passed, every 100 ms; returns the last reading (the test asserts on it). */
export async function readUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    value = await read();
  }
  return value;
}
