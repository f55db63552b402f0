// Starts the real, built server (server/index.ts in production mode) as a
// child process on a free port with its own database, and stops it.
import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";

const ROOT = path.resolve(__dirname, "../..");

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface RunningServer {
  url: string;
  port: number;
  process: ChildProcess;
  /** everything the server printed so far (stdout and stderr) */
  output(): string;
  /** stops it (SIGTERM) and resolves with its exit code */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface SpawnedServer extends RunningServer {
  /** resolves with the exit code once the process has ended */
  exited: Promise<number | null>;
  /** resolves once /healthz answers 200; rejects if the process exits first or after `timeoutMs` */
  waitReady(timeoutMs?: number): Promise<void>;
}

export interface ServerOptions {
  databaseUrl: string;
  env?: Record<string, string>;
  /** its own process group (with WEB_CONCURRENCY > 1, `process.kill(-pid, …)` reaches the workers too) */
  detached?: boolean;
}

/** Spawns the server without waiting for it (for tests of start-up failures and of concurrent starts). */
export async function spawnServer(options: ServerOptions): Promise<SpawnedServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ["--import", "tsx", "server/index.ts"], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      NODE_ENV: "production",
      PORT: String(port),
      HOST: "127.0.0.1",
      ORIGIN: url,
      DATABASE_URL: options.databaseUrl,
      LOG_LEVEL: "info",
      // Staff in tests sign in with a password alone unless a test is about two-factor
      // (tests/routes/two-factor.test.ts, tests/e2e/two-factor-journey.test.ts set "required"):
      // a TOTP code is accepted once per 30-second step, and the suites sign staff in many times.
      STAFF_TWO_FACTOR: "optional",
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: options.detached ?? false,
  });
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));

  const waitReady = async (timeoutMs = 60_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode} before it was ready:\n${output}`);
      try {
        const res = await fetch(`${url}/healthz`);
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new Error(`server did not become ready in ${timeoutMs / 1000} s:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  return {
    url,
    port,
    process: child,
    output: () => output,
    exited,
    waitReady,
    stop: async (signal = "SIGTERM") => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const server = await spawnServer(options);
  await server.waitReady();
  return server;
}
