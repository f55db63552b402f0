// Figures computed at most once per period, per process and per database
// handle (a WeakMap: test databases never share one), with a single flight:
// while one computation runs, every other caller waits for it instead of
// starting its own. Used by the organiser dashboard (ADR 0017) and the public
// statistics. A value from "the future" (the clock went back) is not trusted.

interface Slot<T> {
  at?: number;
  value?: T;
  inFlight?: Promise<T>;
}

export type SnapshotMemo<T> = (db: object, key: string, p: { now: number; maxAgeMs: number; compute: () => Promise<T> }) => Promise<T>;

export function snapshotMemo<T>(): SnapshotMemo<T> {
  const memo = new WeakMap<object, Map<string, Slot<T>>>();
  return (db, key, { now, maxAgeMs, compute }) => {
    let slots = memo.get(db);
    if (!slots) memo.set(db, (slots = new Map()));
    let slot = slots.get(key);
    if (!slot) slots.set(key, (slot = {}));
    if (slot.inFlight) return slot.inFlight;
    if (slot.value !== undefined && slot.at !== undefined && now >= slot.at && now - slot.at < maxAgeMs) return Promise.resolve(slot.value);
    const s = slot;
    s.inFlight = compute()
      .then((value) => {
        s.value = value;
        s.at = now;
        return value;
      })
      .finally(() => {
        s.inFlight = undefined;
      });
    return s.inFlight;
  };
}
