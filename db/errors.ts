// Recognising constraint violations the same way on both databases.
// `column` narrows it to the constraint on that column: SQLite names the column
// in its message ("UNIQUE constraint failed: users.email_normalised"), PostgreSQL
// in the constraint name ("users_email_normalised_key").
export function isUniqueViolation(error: unknown, column?: string): boolean {
  const e = error as { code?: string; message?: string; constraint?: string } | undefined;
  const unique = e?.code === "SQLITE_CONSTRAINT_UNIQUE" || e?.code === "SQLITE_CONSTRAINT_PRIMARYKEY" || e?.code === "23505";
  if (!unique || !column) return unique;
  return Boolean(e?.message?.includes(column) || e?.constraint?.includes(column));
}

/** A row still referred to by another table's foreign key (a delete that raced an insert). */
export function isForeignKeyViolation(error: unknown): boolean {
  const e = error as { code?: string } | undefined;
  return e?.code === "SQLITE_CONSTRAINT_FOREIGNKEY" || e?.code === "23503";
}
