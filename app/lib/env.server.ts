// The one place configuration is read: process.env parsed by a single zod
// schema at start. A bad value stops the start with a message naming the
// variable; nothing else in the app reads process.env.
import { isIP } from "node:net";
import { z } from "zod";
import { redactUrl } from "../../db/client";
import { parseSmtpUrl } from "./mail-text.server";
import { RULE_NUMBERS } from "./rules";

/** Express's named address ranges ("trust proxy" accepts them in a list). */
const PROXY_RANGE_NAMES = new Set(["loopback", "linklocal", "uniquelocal"]);

/** One proxy address, CIDR range (203.0.113.0/24, 2001:db8::/32) or named range. */
function isProxyAddress(entry: string): boolean {
  if (PROXY_RANGE_NAMES.has(entry)) return true;
  const [address, prefix, ...rest] = entry.split("/");
  const kind = isIP(address);
  if (!kind || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (kind === 4 ? 32 : 128);
}

/**
 * Which proxies in front of the app are believed about the client's address
 * (X-Forwarded-For), as Express's "trust proxy" takes it (ADR 0020):
 * - unset, 0, false, no, off: none; the client is the socket's peer;
 * - a hop count 1 to 10: that many proxies (nginx alone: 1; a CDN and nginx: 2);
 * - a comma-separated list of proxy addresses, CIDR ranges or the names
 *   loopback, linklocal, uniquelocal: exactly those are proxies.
 * `true` (trust every hop) is refused: with it a client chooses its own
 * address by sending X-Forwarded-For.
 */
const TrustProxySchema = z.string().transform((raw, ctx): false | number | string[] => {
  const v = raw.trim().toLowerCase();
  if (["", "0", "false", "no", "off"].includes(v)) return false;
  if (["true", "yes", "on"].includes(v)) {
    ctx.addIssue({
      code: "custom",
      message:
        '"true" would trust every hop, so any client could choose its own address by sending X-Forwarded-For; ' +
        "set the number of proxies in front of the app (1 for nginx alone, 2 for a CDN in front of nginx) or a comma-separated list of their addresses/CIDR ranges",
    });
    return z.NEVER;
  }
  if (/^\d+$/.test(v)) {
    const hops = Number(v);
    if (hops >= 1 && hops <= 10) return hops;
    ctx.addIssue({ code: "custom", message: "a hop count must be between 1 and 10 (the number of proxies in front of the app)" });
    return z.NEVER;
  }
  const entries = raw.split(",").map((e) => e.trim());
  const bad = entries.filter((e) => !isProxyAddress(e));
  if (bad.length > 0) {
    ctx.addIssue({
      code: "custom",
      message: `must be false, a hop count (1, 2 …) or a comma-separated list of proxy addresses or CIDR ranges; not an address: ${bad.map((b) => `"${b}"`).join(", ")}`,
    });
    return z.NEVER;
  }
  return entries;
});

function smtpUrlParses(value: string): boolean {
  try {
    parseSmtpUrl(value);
    return true;
  } catch {
    return false;
  }
}

const EnvSchema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    DATABASE_URL: z
      .string()
      .min(1)
      .refine(
        (v) => /^postgres(ql)?:\/\/[^\s]+$/i.test(v) || !/^[a-z][a-z0-9+.-]*:\/\//i.test(v) || v.startsWith("file://"),
        "must be a file path, a file: URL or a postgres:// URL",
      )
      .default("./data/mashwara.sqlite"),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().min(1).default("0.0.0.0"),
    /** Worker processes serving requests (node:cluster); 1 = the server runs in one process. */
    WEB_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
    ORIGIN: z
      .string()
      .url()
      .refine((v) => /^https?:\/\//.test(v), "must start with http:// or https://")
      .transform((v) => new URL(v).origin)
      .optional(),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    SMTP_URL: z
      .string()
      .refine((v) => v === "" || /^smtps?:\/\/[^\s]+$/.test(v), { message: "must be an smtp:// or smtps:// URL", abort: true })
      .refine((v) => v === "" || smtpUrlParses(v), "must be a valid URL; a from= parameter must be a plain address like consult@example.pk")
      .optional()
      .transform((v) => (v ? v : undefined)),
    TRUST_PROXY: TrustProxySchema.default(false),
    ADMIN_EMAIL: z.string().email().optional(),
    ADMIN_PASSWORD: z.string().min(RULE_NUMBERS.passwordMin).max(RULE_NUMBERS.passwordMax).optional(),
    /**
     * Sign-in rate limits (failures per 15 minutes); tests and load benches lower or raise them.
     * PER_ACCOUNT counts per account AND client address (the owner elsewhere still signs in);
     * PER_ACCOUNT_TOTAL is the ceiling per account over all addresses (default 10 × PER_ACCOUNT).
     */
    LOGIN_FAILURES_PER_ACCOUNT: z.coerce.number().int().min(1).default(10),
    LOGIN_FAILURES_PER_ACCOUNT_TOTAL: z.coerce.number().int().min(1).optional(),
    LOGIN_FAILURES_PER_IP: z.coerce.number().int().min(1).default(50),
    REGISTRATIONS_PER_IP: z.coerce.number().int().min(1).default(20),
    /**
     * Two-factor sign-in for moderators, organisers and admins (ADR 0026): "required" (they enrol at
     * their first sign-in and no staff page opens before they have) or "optional" (they choose, as
     * stakeholders always do). Tests set "optional" unless a test is about two-factor.
     */
    STAFF_TWO_FACTOR: z.enum(["required", "optional"]).default("required"),
    /** How long a page kept for readers who are not signed in may be served again while the database has not changed (server/page-cache.ts); 0 turns the page cache off. */
    PAGE_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(10),
    /** How often each server process looks for queued notification emails to send (server/outbox-sender.ts); tests shorten it. */
    OUTBOX_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(5_000),
    /**
     * Tests only: a file holding a shift in milliseconds of the time the rate limiter and the dashboard
     * snapshot read (app/lib/clock.server.ts reads it from the environment; declared here so it is documented).
     */
    TEST_CLOCK_FILE: z.string().min(1).optional(),
  })
  .superRefine((env, ctx) => {
    if (Boolean(env.ADMIN_EMAIL) !== Boolean(env.ADMIN_PASSWORD)) {
      ctx.addIssue({
        code: "custom",
        path: [env.ADMIN_EMAIL ? "ADMIN_PASSWORD" : "ADMIN_EMAIL"],
        message: "ADMIN_EMAIL and ADMIN_PASSWORD must be set together",
      });
    }
  });

export type Config = Omit<z.output<typeof EnvSchema>, "LOGIN_FAILURES_PER_ACCOUNT_TOTAL"> & {
  ORIGIN: string;
  LOGIN_FAILURES_PER_ACCOUNT_TOTAL: number;
  /** false when ORIGIN was not set and defaults to http://localhost:PORT */
  originConfigured: boolean;
  secureCookies: boolean;
};

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Parses an environment (process.env by default) into the app's configuration. */
export function parseConfig(source: Record<string, string | undefined> = process.env): Config {
  // Empty strings count as unset, so `PORT= npm start` behaves like no PORT.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  // Operators read these in English: zod's own messages, not the app's i18n keys
  // (lib/zod-setup.ts makes keys the default for everything users see).
  const result = EnvSchema.safeParse(cleaned, { error: z.locales.en().localeError });
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((i) => {
        const name = String(i.path[0] ?? "environment");
        const value = cleaned[name];
        const shown =
          name.includes("PASSWORD") || name === "SMTP_URL" || value === undefined
            ? ""
            : ` (got "${name === "DATABASE_URL" ? redactUrl(value) : value}")`;
        return `${name}: ${i.message}${shown}`;
      }),
    );
  }
  const env = result.data;
  const origin = env.ORIGIN ?? `http://localhost:${env.PORT}`;
  return {
    ...env,
    ORIGIN: origin,
    originConfigured: Boolean(env.ORIGIN),
    secureCookies: origin.startsWith("https://"),
    LOGIN_FAILURES_PER_ACCOUNT_TOTAL: env.LOGIN_FAILURES_PER_ACCOUNT_TOTAL ?? 10 * env.LOGIN_FAILURES_PER_ACCOUNT,
  };
}
