// The static list of migrations, in order. Bundlers and tests find them here;
// nothing is discovered from the file system at run time.
import type { Kysely, Migration } from "kysely";
import type { Dialect } from "../client";
import * as init from "./2026-11-29T0000-init";
import * as browseAndSearch from "./2026-11-29T0100-browse-and-search";
import * as moderationQueue from "./2026-11-29T0200-moderation-queue";
import * as consultationArchive from "./2026-11-29T0300-consultation-archive";
import * as emailOutbox from "./2026-11-29T0520-email-outbox";
import * as dashboardIndexes from "./2026-11-29T0530-dashboard-indexes";
import * as digits from "./2026-11-29T0600-digits";
import * as commentThreads from "./2026-11-29T0700-comment-threads";
import * as securityEventCounts from "./2026-12-06T0000-security-event-counts";
import * as identity from "./2026-12-07T0000-identity";
import * as organisationMembership from "./2026-12-07T0100-organisation-membership";
import * as reportTrust from "./2026-12-07T0200-report-trust";
import * as follows from "./2026-12-07T0300-follows";
import * as recommendationProgress from "./2026-12-07T0400-recommendation-progress";
import * as coverageReasons from "./2026-12-07T0600-coverage-reasons";
import * as notificationSettings from "./2026-12-07T0500-notification-settings";
import * as synthesisIndexes from "./2026-12-07T0700-synthesis-indexes";
import * as workbenchStageAndChangeIndexes from "./2026-12-07T0800-workbench-stage-and-change-indexes";
import * as translations from "./2026-12-08T0100-translations";
import * as bilingualRecommendations from "./2026-12-08T0200-bilingual-recommendations";
import * as glossary from "./2026-12-08T0300-glossary";

interface DialectMigration {
  up(db: Kysely<any>, dialect: Dialect): Promise<void>;
  down?(db: Kysely<any>, dialect: Dialect): Promise<void>;
}

const migrations: Array<[string, DialectMigration]> = [
  ["2026-11-29T0000-init", init],
  ["2026-11-29T0100-browse-and-search", browseAndSearch],
  ["2026-11-29T0200-moderation-queue", moderationQueue],
  ["2026-11-29T0300-consultation-archive", consultationArchive],
  ["2026-11-29T0520-email-outbox", emailOutbox],
  ["2026-11-29T0530-dashboard-indexes", dashboardIndexes],
  ["2026-11-29T0600-digits", digits],
  ["2026-11-29T0700-comment-threads", commentThreads],
  ["2026-12-06T0000-security-event-counts", securityEventCounts],
  ["2026-12-07T0000-identity", identity],
  ["2026-12-07T0100-organisation-membership", organisationMembership],
  ["2026-12-07T0200-report-trust", reportTrust],
  ["2026-12-07T0300-follows", follows],
  ["2026-12-07T0400-recommendation-progress", recommendationProgress],
  ["2026-12-07T0500-notification-settings", notificationSettings],
  ["2026-12-07T0600-coverage-reasons", coverageReasons],
  ["2026-12-07T0700-synthesis-indexes", synthesisIndexes],
  ["2026-12-07T0800-workbench-stage-and-change-indexes", workbenchStageAndChangeIndexes],
  ["2026-12-08T0100-translations", translations],
  ["2026-12-08T0200-bilingual-recommendations", bilingualRecommendations],
  ["2026-12-08T0300-glossary", glossary],
];

export function getMigrations(dialect: Dialect): Record<string, Migration> {
  return Object.fromEntries(
    migrations.map(([name, m]) => [
      name,
      {
        up: (db: Kysely<any>) => m.up(db, dialect),
        down: m.down ? (db: Kysely<any>) => m.down!(db, dialect) : undefined,
      },
    ]),
  );
}
