// An audit entry's before/after as a short list an admin can read at a glance:
// for two JSON objects, only the keys that changed ("role: stakeholder →
// organiser"); otherwise each side as compact JSON. Long values are cut.

export interface AuditChange {
  /** the changed key, or null when a side is not an object */
  key: string | null;
  before: string | null;
  after: string | null;
}

const MAX = 160;

function parse(text: string | null): { ok: boolean; value: unknown } {
  if (text == null) return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    // Not JSON (never written by the app, but an old row may be): show it as it is.
    return { ok: false, value: text };
  }
}

function show(value: unknown): string | null {
  if (value === undefined) return null;
  const s = typeof value === "string" ? value : JSON.stringify(value);
  return s.length > MAX ? `${s.slice(0, MAX - 1)}…` : s;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export function auditChanges(beforeText: string | null, afterText: string | null): AuditChange[] {
  const before = parse(beforeText);
  const after = parse(afterText);
  const b = before.value;
  const a = after.value;
  if (
    before.ok &&
    after.ok &&
    (isRecord(b) || b === undefined) &&
    (isRecord(a) || a === undefined) &&
    (b !== undefined || a !== undefined)
  ) {
    const bo = (b ?? {}) as Record<string, unknown>;
    const ao = (a ?? {}) as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(bo), ...Object.keys(ao)])];
    const changes = keys
      .filter((k) => JSON.stringify(bo[k]) !== JSON.stringify(ao[k]))
      .map((k) => ({ key: k, before: show(bo[k]), after: show(ao[k]) }));
    // Nothing differs (e.g. a re-tag to the same categories): still say what it was.
    if (changes.length === 0) return keys.map((k) => ({ key: k, before: null, after: show(ao[k] ?? bo[k]) }));
    return changes;
  }
  if (b === undefined && a === undefined) return [];
  return [{ key: null, before: show(b), after: show(a) }];
}
