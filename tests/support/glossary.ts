// The bilingual glossary (ADR 0033) expands searches: "export" also finds
// "برآمد". Tests about the plain search (tokens, prefixes, hostile input)
// state their glossary: none of the admins' synonym groups (the migration
// seeds a starter set), only the taxonomy's names.
import { listingsChanged } from "~/lib/listing-cache.server";
import type { Executor } from "../../db/client";

export async function clearGlossary(db: Executor): Promise<void> {
  await db.deleteFrom("glossary_terms").execute();
  await db.deleteFrom("glossary_groups").execute();
  listingsChanged(); // this process's copy of the glossary is read again
}
