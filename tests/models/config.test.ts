// Configuration (docs/contract.md, "Set-up and run" and "Environment"): one parse of the environment;
// invalid configuration stops the start with a message naming the variable.
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "~/lib/env.server";

/** The ConfigError thrown for `env` (fails the test when nothing is thrown). */
function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    parseConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`parseConfig accepted ${JSON.stringify(env)}`);
}

describe("parseConfig: defaults", () => {
  it("starts with no environment at all", () => {
    const c = parseConfig({});
    expect(c.PORT).toBe(3000);
    expect(c.HOST).toBe("0.0.0.0");
    expect(c.DATABASE_URL).toBe("./data/mashwara.sqlite");
    expect(c.ORIGIN).toBe("http://localhost:3000");
    expect(c.NODE_ENV).toBe("development");
    expect(c.LOG_LEVEL).toBe("info");
    expect(c.TRUST_PROXY).toBe(false);
    expect(c.secureCookies).toBe(false);
    expect(c.SMTP_URL).toBeUndefined();
    expect(c.ADMIN_EMAIL).toBeUndefined();
    expect(c.ADMIN_PASSWORD).toBeUndefined();
  });

  it("treats empty strings as unset", () => {
    const c = parseConfig({ PORT: "", DATABASE_URL: "", ORIGIN: "", LOG_LEVEL: "", TRUST_PROXY: "", SMTP_URL: "" });
    expect(c.PORT).toBe(3000);
    expect(c.DATABASE_URL).toBe("./data/mashwara.sqlite");
    expect(c.ORIGIN).toBe("http://localhost:3000");
    expect(c.LOG_LEVEL).toBe("info");
    expect(c.TRUST_PROXY).toBe(false);
    expect(c.SMTP_URL).toBeUndefined();
  });

  it("derives the default ORIGIN from PORT", () => {
    const c = parseConfig({ PORT: "8080" });
    expect(c.PORT).toBe(8080);
    expect(c.ORIGIN).toBe("http://localhost:8080");
    expect(c.secureCookies).toBe(false);
  });

  it("reads the sign-in rate limit settings with their defaults", () => {
    const d = parseConfig({});
    expect([d.LOGIN_FAILURES_PER_ACCOUNT, d.LOGIN_FAILURES_PER_IP, d.REGISTRATIONS_PER_IP]).toEqual([10, 50, 20]);
    const c = parseConfig({ LOGIN_FAILURES_PER_ACCOUNT: "3", LOGIN_FAILURES_PER_IP: "7", REGISTRATIONS_PER_IP: "1000" });
    expect([c.LOGIN_FAILURES_PER_ACCOUNT, c.LOGIN_FAILURES_PER_IP, c.REGISTRATIONS_PER_IP]).toEqual([3, 7, 1000]);
    expect(configError({ LOGIN_FAILURES_PER_ACCOUNT: "0" }).message).toContain("LOGIN_FAILURES_PER_ACCOUNT");
  });

  it("the sign-in ceiling per account over all addresses: 10 × the per account-and-address limit unless set", () => {
    expect(parseConfig({}).LOGIN_FAILURES_PER_ACCOUNT_TOTAL).toBe(100);
    expect(parseConfig({ LOGIN_FAILURES_PER_ACCOUNT: "4" }).LOGIN_FAILURES_PER_ACCOUNT_TOTAL).toBe(40);
    expect(parseConfig({ LOGIN_FAILURES_PER_ACCOUNT: "4", LOGIN_FAILURES_PER_ACCOUNT_TOTAL: "6" }).LOGIN_FAILURES_PER_ACCOUNT_TOTAL).toBe(
      6,
    );
    expect(configError({ LOGIN_FAILURES_PER_ACCOUNT_TOTAL: "0" }).message).toContain("LOGIN_FAILURES_PER_ACCOUNT_TOTAL");
  });
});

describe("parseConfig: ORIGIN and secure cookies", () => {
  it("an https ORIGIN turns on secure cookies, reduced to its origin", () => {
    const c = parseConfig({ ORIGIN: "https://consult.example.pk/some/path?x=1" });
    expect(c.ORIGIN).toBe("https://consult.example.pk");
    expect(c.secureCookies).toBe(true);
  });

  it("an http ORIGIN keeps secure cookies off", () => {
    const c = parseConfig({ ORIGIN: "http://10.0.0.5:8080/" });
    expect(c.ORIGIN).toBe("http://10.0.0.5:8080");
    expect(c.secureCookies).toBe(false);
  });

  it.each(["not a url", "consult.example.pk", "ftp://consult.example.pk", "javascript:alert(1)"])(
    "refuses ORIGIN=%s and names ORIGIN",
    (origin) => {
      const e = configError({ ORIGIN: origin });
      expect(e.message).toContain("ORIGIN");
      expect(e.problems.some((p) => p.startsWith("ORIGIN:"))).toBe(true);
    },
  );
});

describe("parseConfig: invalid values name the variable", () => {
  it.each(["abc", "70000", "-1", "3000.5"])("refuses PORT=%s", (port) => {
    const e = configError({ PORT: port });
    expect(e.message).toContain("PORT");
    expect(e.problems).toHaveLength(1);
    expect(e.problems[0]).toMatch(/^PORT:/);
    expect(e.problems[0]).toContain(`"${port}"`);
  });

  it.each(["mysql://x", "mysql://user@db.example/mashwara", "http://db.example/x", "sqlite://data.db"])(
    "refuses DATABASE_URL=%s",
    (url) => {
      const e = configError({ DATABASE_URL: url });
      expect(e.message).toContain("DATABASE_URL");
      expect(e.problems[0]).toMatch(/^DATABASE_URL:/);
    },
  );

  it.each([
    "./data/mashwara.sqlite",
    "/var/lib/mashwara/db.sqlite",
    "file:./data/x.sqlite",
    "file:///var/lib/mashwara/x.sqlite",
    "postgres://u:p@localhost:5432/mashwara",
    "postgresql://u@db.internal/mashwara",
  ])("accepts DATABASE_URL=%s", (url) => {
    expect(parseConfig({ DATABASE_URL: url }).DATABASE_URL).toBe(url);
  });

  // Like ADMIN_PASSWORD and SMTP_URL, a refused DATABASE_URL's password must
  // not reach the start-up log. env.server.ts parseConfig prints the raw value.
  it("does not print the password of a refused DATABASE_URL", () => {
    const e = configError({ DATABASE_URL: "mysql://mashwara:hunter2-secret@db.internal/mashwara" });
    expect(e.message).toContain("DATABASE_URL");
    expect(e.message).not.toContain("hunter2-secret");
  });

  it("refuses an unknown LOG_LEVEL", () => {
    const e = configError({ LOG_LEVEL: "loud" });
    expect(e.message).toContain("LOG_LEVEL");
    expect(parseConfig({ LOG_LEVEL: "debug" }).LOG_LEVEL).toBe("debug");
  });

  it("refuses an unknown NODE_ENV", () => {
    expect(configError({ NODE_ENV: "staging" }).message).toContain("NODE_ENV");
  });

  it("refuses an SMTP_URL that is not smtp(s):// and does not print it", () => {
    const e = configError({ SMTP_URL: "http://user:secret@mail.example" });
    expect(e.message).toContain("SMTP_URL");
    expect(e.message).not.toContain("secret");
    expect(parseConfig({ SMTP_URL: "smtps://u:p@mail.example:465" }).SMTP_URL).toBe("smtps://u:p@mail.example:465");
  });

  it("refuses ADMIN_EMAIL without ADMIN_PASSWORD, and the reverse", () => {
    const a = configError({ ADMIN_EMAIL: "admin@example.pk" });
    expect(a.message).toContain("ADMIN_PASSWORD");
    const b = configError({ ADMIN_PASSWORD: "a long admin passphrase" });
    expect(b.message).toContain("ADMIN_EMAIL");
    const c = parseConfig({ ADMIN_EMAIL: "admin@example.pk", ADMIN_PASSWORD: "a long admin passphrase" });
    expect(c.ADMIN_EMAIL).toBe("admin@example.pk");
  });

  it("refuses a bad ADMIN_EMAIL and a short ADMIN_PASSWORD without printing the password", () => {
    expect(configError({ ADMIN_EMAIL: "not-an-email", ADMIN_PASSWORD: "a long admin passphrase" }).message).toContain("ADMIN_EMAIL");
    const e = configError({ ADMIN_EMAIL: "admin@example.pk", ADMIN_PASSWORD: "s3cr" });
    expect(e.message).toContain("ADMIN_PASSWORD");
    expect(e.message).not.toContain("s3cr");
  });

  it("reports every bad variable at once", () => {
    const e = configError({ PORT: "x", LOG_LEVEL: "loud", DATABASE_URL: "mysql://x" });
    expect(e.problems).toHaveLength(3);
    for (const name of ["PORT", "LOG_LEVEL", "DATABASE_URL"]) expect(e.message).toContain(name);
    expect(e.name).toBe("ConfigError");
  });
});

describe("parseConfig: TRUST_PROXY (ADR 0020)", () => {
  it.each(["0", "false", "no", "off", "FALSE"])("TRUST_PROXY=%s trusts no proxy (the socket address)", (v) => {
    expect(parseConfig({ TRUST_PROXY: v }).TRUST_PROXY).toBe(false);
  });

  it("unset or empty trusts no proxy", () => {
    expect(parseConfig({}).TRUST_PROXY).toBe(false);
    expect(parseConfig({ TRUST_PROXY: "" }).TRUST_PROXY).toBe(false);
  });

  it.each([
    ["1", 1],
    ["2", 2],
    ["10", 10],
  ])("TRUST_PROXY=%s is a hop count", (v, hops) => {
    expect(parseConfig({ TRUST_PROXY: v }).TRUST_PROXY).toBe(hops);
  });

  it("a comma-separated list of addresses, CIDR ranges and named ranges", () => {
    expect(parseConfig({ TRUST_PROXY: "10.0.0.5" }).TRUST_PROXY).toEqual(["10.0.0.5"]);
    expect(parseConfig({ TRUST_PROXY: "loopback, 173.245.48.0/20,2400:cb00::/32 ,::1" }).TRUST_PROXY).toEqual([
      "loopback",
      "173.245.48.0/20",
      "2400:cb00::/32",
      "::1",
    ]);
  });

  it.each(["true", "yes", "on", "TRUE"])("TRUST_PROXY=%s (every hop) is refused with what to set instead", (v) => {
    const message = configError({ TRUST_PROXY: v }).message;
    expect(message).toContain("TRUST_PROXY");
    expect(message).toContain("every hop");
    expect(message).toContain("1 for nginx alone");
  });

  it.each(["11", "999"])("TRUST_PROXY=%s is too many hops", (v) => {
    expect(configError({ TRUST_PROXY: v }).message).toMatch(/TRUST_PROXY: a hop count must be between 1 and 10/);
  });

  it.each(["maybe", "enabled", "10.0.0.300", "10.0.0.0/33", "::1/129", "10.0.0.1,", "10.0.0.0/8/8", "-1"])(
    "TRUST_PROXY=%s is refused and named",
    (v) => {
      expect(configError({ TRUST_PROXY: v }).message).toMatch(/TRUST_PROXY: must be false, a hop count .* not an address/);
    },
  );
});

describe("parseConfig: reads only what it is given", () => {
  it("ignores unrelated variables and does not read process.env when given a source", () => {
    const before = process.env.PORT;
    process.env.PORT = "not-a-port";
    try {
      const c = parseConfig({ PATH: "/usr/bin", HOME: "/root", PORT: "4000" });
      expect(c.PORT).toBe(4000);
      expect(c).not.toHaveProperty("PATH");
    } finally {
      if (before === undefined) delete process.env.PORT;
      else process.env.PORT = before;
    }
  });
});
