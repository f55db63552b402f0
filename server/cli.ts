// The operators' command line: `npm run cli -- <command>`. Calls the same
// models as the web app; exit 0 on success, 1 with a message otherwise.
import fs from "node:fs";
import path from "node:path";
import SQLite from "better-sqlite3";
import { Command, CommanderError, Option } from "commander";
import { ConfigError, parseConfig, type Config } from "~/lib/env.server";
import { ROLES, isRole } from "~/auth/permissions";
import { ORGANISATION_TYPES, PROVINCES, SIZE_BANDS } from "~/lib/reference";
import { messageText } from "~/lib/i18n";
import { tFor } from "~/lib/i18next.server";
import { MAX_IMPORT_BYTES, MAX_IMPORT_ROWS } from "~/lib/import-format";
import { EmailSchema } from "~/lib/schemas";
import { issuePasswordReset, setUserRole } from "~/models/admin-users.server";
import { configureMail } from "~/models/email-outbox.server";
import { importSubmissions, type ImportResult } from "~/models/import.server";
import { resetTwoFactor } from "~/models/two-factor.server";
import { createUser, findUserIdByEmail } from "~/models/user.server";
import { createDb, type DbHandle } from "../db/client";
import { migrateToLatest } from "../db/migrate";
import { seedTaxonomy } from "../db/seed";
import { MultiBar, Presets } from "cli-progress";
import { DEMO_PASSWORD, seedDemo } from "./demo-seed";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ExportFormat } from "~/lib/export-formats.server";
import { parseSubmissionExportQuery, submissionsExport } from "~/models/export.server";

class UsageError extends Error {}

function loadConfig(): Config {
  try {
    return parseConfig();
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
}

async function withDb<T>(fn: (handle: DbHandle) => Promise<T>, options: { migrate?: boolean } = { migrate: true }): Promise<T> {
  const config = loadConfig();
  // Links in what a command writes (a reset link, an email) name the site's ORIGIN, as the server's do.
  configureMail({ origin: config.ORIGIN, delivery: config.SMTP_URL ? "smtp" : "held" });
  const handle = createDb(config.DATABASE_URL, { poolSize: 2 });
  try {
    if (options.migrate) await migrateToLatest(handle);
    return await fn(handle);
  } finally {
    await handle.close();
  }
}

const out = (line: string) => process.stdout.write(`${line}\n`);

/** A backup in progress is written to `FILE.partial-<pid>` (with SQLite's -wal/-shm/-journal beside it while open). */
const PARTIAL = ".partial-";
const PARTIAL_NAME = /\.partial-(\d+)(-wal|-shm|-journal)?$/;

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * A backup killed outright (SIGKILL, power cut) cannot remove its partial
 * file; the next backup into the same directory does, when the process that
 * wrote it is gone. Never under a backup's real name, so never mistaken for one.
 */
function removeStalePartials(dir: string) {
  for (const name of fs.readdirSync(dir)) {
    const m = PARTIAL_NAME.exec(name);
    if (m && Number(m[1]) !== process.pid && !isRunning(Number(m[1]))) fs.rmSync(path.join(dir, name), { force: true });
  }
}

function fsyncPath(p: string) {
  const fd = fs.openSync(p, "r");
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** The first `max` bytes of a file (enough to know it is too large without reading it all). */
function readAtMost(file: string, max: number): Buffer {
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    const buffer = Buffer.alloc(Math.min(max, fs.fstatSync(fd).size));
    const read = fs.readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, read);
  } finally {
    fs.closeSync(fd);
  }
}

/** An import refusal in English, as the page shows it: the reason, then each problem by line. */
function importRefusalText(result: Extract<ImportResult, { ok: false }>): string {
  const t = tFor("en");
  const reason = t(`import.refused.${result.reason}`, { mb: MAX_IMPORT_BYTES / 1024 / 1024, rows: MAX_IMPORT_ROWS });
  const lines = result.problems.map((p) => `  line ${p.line}: ${p.column ? `${p.column}: ` : ""}${messageText(t, p.message)}`);
  return [`import refused: ${reason}`, ...lines].join("\n");
}

function buildProgram(): Command {
  const program = new Command("mashwara")
    .description("Mashwara operator commands")
    .exitOverride()
    .showHelpAfterError()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  program
    .command("user:create")
    .description("create a user (an organisation too, when --organisation is given)")
    .requiredOption("--email <email>")
    .requiredOption("--password <password>")
    .requiredOption("--name <name>", "display name")
    .addOption(new Option("--role <role>").choices([...ROLES]).default("stakeholder"))
    .option("--organisation <name>", "organisation name")
    .addOption(new Option("--organisation-type <type>").choices([...ORGANISATION_TYPES]).default("firm"))
    .addOption(new Option("--size <band>").choices([...SIZE_BANDS]).default("small"))
    .option("--cluster <slug>", "primary cluster of the organisation", "it")
    .option("--city <city>", "city of the organisation", "Islamabad")
    .addOption(new Option("--province <province>").choices([...PROVINCES]).default("islamabad"))
    .option("--registration-number <number>", "NTN or SECP number")
    .action(async (o) => {
      if (!EmailSchema.safeParse(o.email).success) throw new UsageError(`not an email address: ${o.email}`);
      if (String(o.name).trim().length < 2) throw new UsageError("--name needs at least 2 characters");
      await withDb(async ({ db }) => {
        await seedTaxonomy(db);
        const result = await createUser(db, {
          email: o.email,
          password: o.password,
          displayName: o.name,
          role: o.role,
          showOrganisation: false,
          emailConfirmed: true,
          organisation: o.organisation
            ? {
                name: o.organisation,
                type: o.organisationType,
                sizeBand: o.size,
                city: o.city,
                province: o.province,
                clusterSlug: o.cluster,
                registrationNumber: o.registrationNumber,
              }
            : null,
        });
        if (!result.ok) {
          const t = tFor("en");
          const lines = Object.entries(result.fieldErrors).map(([f, errs]) => `${f}: ${errs.map((e) => t(e)).join(" ")}`);
          throw new UsageError(`user not created:\n  ${lines.join("\n  ")}`);
        }
        out(`created user ${result.userId} <${o.email}> with role ${o.role}`);
        if (result.requestedOrganisationId != null) {
          // The number names an organisation that exists: a request to join it, as on the site (issue 15).
          out(`asked to join organisation ${result.requestedOrganisationId}: a member or a moderator approves it`);
        }
      });
    });

  program
    .command("user:set-role")
    .description("change a user's role; ends all their sessions")
    .requiredOption("--email <email>")
    .requiredOption("--role <role>", `one of ${ROLES.join(", ")}`)
    .action(async (o) => {
      if (!isRole(o.role)) throw new UsageError(`unknown role "${o.role}": use one of ${ROLES.join(", ")}`);
      await withDb(async ({ db }) => {
        const result = await setUserRole(db, { email: o.email, role: o.role, actorRole: "operator" });
        if (!result.ok) throw new UsageError(`no user with email ${o.email}`);
        out(
          result.previous === o.role
            ? `${o.email}: already ${o.role}; nothing changed`
            : `${o.email}: role ${result.previous} → ${o.role}; sessions ended`,
        );
      });
    });

  program
    .command("user:reset-two-factor")
    .description("turn off a user's two-factor sign-in (a lost phone and lost recovery codes); they enrol again at their next sign-in")
    .requiredOption("--email <email>")
    .action(async (o) => {
      await withDb(async ({ db }) => {
        const userId = await findUserIdByEmail(db, o.email);
        if (userId === null) throw new UsageError(`no user with email ${o.email}`);
        const r = await resetTwoFactor(db, { userId, actor: null });
        if (!r.ok) throw new UsageError(`no user with email ${o.email}`);
        out(
          r.wasEnabled ? `${o.email}: two-factor turned off; recovery codes removed` : `${o.email}: two-factor was not on; nothing changed`,
        );
      });
    });

  program
    .command("user:reset-password")
    .description("print a password reset link (1 hour, single use) for the operator to pass on; audited")
    .requiredOption("--email <email>")
    .action(async (o) => {
      await withDb(async ({ db }) => {
        const r = await issuePasswordReset(db, { email: o.email, send: false, actorRole: "operator" });
        if (!r.ok) {
          throw new UsageError(
            r.reason === "inactive" ? `${o.email}: the account is disabled; enable it first` : `no user with email ${o.email}`,
          );
        }
        out(`${r.email}: reset link (works once, for 1 hour): ${r.link}`);
      });
    });

  program
    .command("db:migrate")
    .description("migrate the database to the latest version")
    .action(async () => {
      await withDb(
        async (handle) => {
          const { applied } = await migrateToLatest(handle);
          out(applied.length ? `applied: ${applied.join(", ")}` : "already up to date");
        },
        { migrate: false },
      );
    });

  program
    .command("db:seed")
    .description("seed the taxonomy and the default consultation (idempotent)")
    .option("--demo", "add demo users and submissions")
    .addOption(new Option("--size <size>").choices(["small", "bench"]).default("small"))
    .option("--seed <n>", "random seed of the demo data (same seed, same data)", "20261129")
    .action(async (o) => {
      await withDb(async (handle) => {
        const r = await seedTaxonomy(handle.db);
        out(
          `clusters +${r.clusters}, categories +${r.categories}, stages +${r.stages}, default consultation ${r.consultationCreated ? "created" : "already there"}`,
        );
        if (!o.demo) return;
        const seed = Number.parseInt(o.seed, 10);
        if (!Number.isSafeInteger(seed)) throw new UsageError(`--seed must be a whole number, got "${o.seed}"`);
        const started = Date.now();
        const bars = new MultiBar(
          {
            format: " {step} [{bar}] {value}/{total}",
            hideCursor: true,
            clearOnComplete: false,
            stream: process.stderr,
            noTTYOutput: true,
            notTTYSchedule: 5000,
          },
          Presets.shades_classic,
        );
        let bar: ReturnType<MultiBar["create"]> | null = null;
        const demo = await seedDemo(handle, {
          size: o.size,
          seed,
          progress: {
            start: (step, total) => {
              bar = bars.create(total, 0, { step: step.padEnd(12) });
            },
            tick: (n) => bar?.increment(n),
            stop: () => bar?.stop(),
          },
        });
        bars.stop();
        out(
          `demo data (${o.size}, seed ${seed}): ${demo.users} users, ${demo.organisations} organisations, ${demo.submissions} suggestions, ` +
            `${demo.supports} supports, ${demo.comments} comments, ${demo.recommendations} recommendations in ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
            `demo users sign in as demo.N@example.pk with the password "${DEMO_PASSWORD}"`,
        );
      });
    });

  program
    .command("db:backup")
    .description("consistent online backup of the SQLite database to FILE (safe while the app serves)")
    .argument("<file>")
    .action(async (file: string) => {
      await withDb(
        async (handle) => {
          if (handle.dialect !== "sqlite" || !handle.sqlite) {
            throw new UsageError("db:backup is for SQLite; on PostgreSQL use pg_dump (see docs/operations.md)");
          }
          const target = path.resolve(file);
          if (target === path.resolve(handle.location)) throw new UsageError("the backup file must not be the database itself");
          fs.mkdirSync(path.dirname(target), { recursive: true });
          removeStalePartials(path.dirname(target));
          // Write beside the target and rename when whole: a crash never leaves a half backup under the real name.
          const partial = `${target}${PARTIAL}${process.pid}`;
          const cleanUp = () => {
            for (const f of [partial, `${partial}-wal`, `${partial}-shm`, `${partial}-journal`]) fs.rmSync(f, { force: true });
          };
          // Stopped by a signal (Ctrl-C, a service manager, a timeout): no partial file stays behind.
          // (The copy, the check and the rename run without yielding: a signal that comes during
          // them is handled after them, when the backup is already whole under its name.)
          let renamed = false;
          const onSignal = (signal: NodeJS.Signals) => {
            cleanUp();
            process.stderr.write(
              renamed
                ? `stopped by ${signal}; the backup was already written to ${target}\n`
                : `backup interrupted by ${signal}: nothing written to ${target}\n`,
            );
            process.exit(signal === "SIGINT" ? 130 : 143);
          };
          process.once("SIGINT", onSignal);
          process.once("SIGTERM", onSignal);
          try {
            // All pages in one step, under one read snapshot: in steps of 100 pages (the default), a write
            // by the app between two steps restarted the copy (150 MB with 500 writes a second: no end
            // until the writes stopped). A write cannot restart a single step.
            await handle.sqlite.backup(partial, { progress: () => 0x7fffffff });
            // The copy is a single self-contained file: rollback journal, not WAL (no -wal/-shm beside it).
            const check = new SQLite(partial);
            check.pragma("journal_mode = DELETE");
            const integrity = check.pragma("integrity_check", { simple: true });
            check.close();
            if (integrity !== "ok") throw new Error(`integrity check of the backup failed: ${String(integrity)}`);
            fsyncPath(partial);
            fs.renameSync(partial, target);
            renamed = true;
            // The rename itself survives a power cut only once the directory is on disk.
            fsyncPath(path.dirname(target));
          } finally {
            cleanUp();
            process.off("SIGINT", onSignal);
            process.off("SIGTERM", onSignal);
          }
          out(`backup written to ${target} (${fs.statSync(target).size} bytes, integrity ok)`);
        },
        { migrate: false },
      );
    });

  program
    .command("import:submissions")
    .description("import a workshop CSV file as pending suggestions (source import): every row, or none if any is bad")
    .argument("<file>", "UTF-8 CSV with the header row cluster,title,problem,proposal,expected_impact,organisation,city,province,stage")
    .option("--dry-run", "check the file and say what would be imported; write nothing")
    .action(async (file: string, o: { dryRun?: boolean }) => {
      const bytes = readAtMost(file, MAX_IMPORT_BYTES + 1);
      await withDb(async ({ db }) => {
        // An operator at the command line has no account: the history shows "system", the audit log "operator".
        const result = await importSubmissions(db, { file: bytes, fileName: path.basename(file), actor: null, dryRun: Boolean(o.dryRun) });
        if (!result.ok) throw new UsageError(importRefusalText(result));
        const organisations = `organisations: ${result.organisationsMatched} known, ${result.organisationsCreated} ${result.dryRun ? "to create" : "created"}`;
        out(
          result.dryRun
            ? `dry run: ${result.rows} rows valid, nothing imported; ${organisations}`
            : `imported ${result.rows} suggestions (pending); ${organisations}`,
        );
      });
    });

  program
    .command("export:submissions")
    .description("export the active consultation's submissions (the organisers' web export, byte for byte)")
    .addOption(new Option("--format <format>").choices(["csv", "json", "xlsx"]).makeOptionMandatory())
    .option("--out <file>", "write to FILE instead of standard output")
    .option("--cluster <slug>", "only this cluster")
    .action(async (o) => {
      await withDb(async ({ db }) => {
        const parsed = await parseSubmissionExportQuery(db, { cluster: o.cluster });
        if (!parsed.ok) throw new UsageError(parsed.error);
        const body = Readable.from(submissionsExport(db, o.format as ExportFormat, parsed.filters));
        if (o.out) {
          const target = path.resolve(o.out);
          fs.mkdirSync(path.dirname(target), { recursive: true });
          await pipeline(body, fs.createWriteStream(target));
          process.stderr.write(`export written to ${target} (${fs.statSync(target).size} bytes)\n`);
        } else {
          await pipeline(body, process.stdout, { end: false });
        }
      });
    });

  return program;
}

async function main() {
  try {
    await buildProgram().parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 1);
    // `export:submissions … | head`: the reader closed the pipe; not a failure.
    if ((error as NodeJS.ErrnoException)?.code === "EPIPE") process.exit(0);
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`error: ${message}\n`);
    process.exit(1);
  }
}

void main();
