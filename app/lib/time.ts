/** Times are stored as ISO-8601 UTC text; one helper so every write agrees. */
export function nowIso(now: Date = new Date()): string {
  return now.toISOString();
}
