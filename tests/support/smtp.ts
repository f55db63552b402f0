// A test SMTP server (the smtp-server package, no TLS, no AUTH): nodemailer
// delivers to it over a real socket, it records every message it accepts
// (envelope and raw data), and it can refuse a step on demand, so the real
// mail path (nodemailer over a socket) is what the tests exercise.
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

export interface ReceivedMessage {
  from: string;
  to: string[];
  /** the DATA as received, dot-unstuffed, CRLF line ends (without the one before the final ".") */
  raw: string;
}

export type SmtpStep = "MAIL" | "RCPT" | "DATA";

export interface FakeSmtp {
  port: number;
  url: string;
  messages: ReceivedMessage[];
  /**
   * A reply such as "451 4.3.0 try again later" refuses the step (MAIL and RCPT
   * get the address in angle brackets; DATA is refused after the message arrived,
   * before it is recorded); null accepts it.
   */
  refuse: (step: SmtpStep, argument: string) => string | null;
  /** wait before answering the end of DATA (widens races between senders) */
  dataDelayMs: number;
  reset(): void;
  /** resolves once `count` messages have arrived (rejects after timeoutMs) */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedMessage[]>;
  close(): Promise<void>;
}

/** The error smtp-server answers with for a reply line such as "451 4.3.0 try again later". */
function replyError(reply: string): Error {
  const m = reply.match(/^(\d{3})[ -]?(.*)$/);
  const error = new Error(m ? m[2] : reply) as Error & { responseCode: number };
  error.responseCode = m ? Number(m[1]) : 550;
  return error;
}

export async function startFakeSmtp(): Promise<FakeSmtp> {
  const arrivals: Array<() => void> = [];
  const state: FakeSmtp = {
    port: 0,
    url: "",
    messages: [],
    refuse: () => null,
    dataDelayMs: 0,
    reset() {
      state.messages.length = 0;
      state.refuse = () => null;
      state.dataDelayMs = 0;
    },
    waitFor(count, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (state.messages.length < count) return false;
          clearTimeout(timer);
          resolve(state.messages);
          return true;
        };
        const timer = setTimeout(() => {
          arrivals.splice(arrivals.indexOf(listener), 1);
          reject(new Error(`expected ${count} messages at the fake SMTP server, got ${state.messages.length}`));
        }, timeoutMs);
        const listener = () => {
          if (check()) arrivals.splice(arrivals.indexOf(listener), 1);
        };
        if (!check()) arrivals.push(listener);
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };

  const server = new SMTPServer({
    name: "fake.smtp.test",
    secure: false,
    disabledCommands: ["AUTH", "STARTTLS"],
    authOptional: true,
    logger: false,
    size: 10_485_760,
    // close() ends open connections at once instead of waiting 30 s for them
    closeTimeout: 1,
    onMailFrom(address, _session, callback) {
      const refused = state.refuse("MAIL", `<${address.address}>`);
      callback(refused ? replyError(refused) : undefined);
    },
    onRcptTo(address, _session, callback) {
      const refused = state.refuse("RCPT", `<${address.address}>`);
      callback(refused ? replyError(refused) : undefined);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const refused = state.refuse("DATA", "");
        if (refused) return callback(replyError(refused));
        const raw = Buffer.concat(chunks).toString("utf8").replace(/\r\n$/, "");
        const envelope = session.envelope;
        const message = {
          from: envelope.mailFrom ? envelope.mailFrom.address : "",
          to: envelope.rcptTo.map((r) => r.address),
          raw,
        };
        const accept = () => {
          state.messages.push(message);
          for (const arrived of [...arrivals]) arrived();
          callback();
        };
        if (state.dataDelayMs > 0) setTimeout(accept, state.dataDelayMs);
        else accept();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  state.port = (server.server.address() as AddressInfo).port;
  state.url = `smtp://127.0.0.1:${state.port}`;
  return state;
}

// ───────────────────────────── reading messages ─────────────────────────────

export interface ParsedMessage {
  /** header lines as received, unfolded (name: raw value) */
  headerLines: string[];
  /** a header's decoded value (RFC 2047 encoded words), or null */
  header(name: string): string | null;
  /** the decoded text body, LF line ends */
  text: string;
}

function decodeEncodedWords(value: string): string {
  // Adjacent encoded words are joined without the space between them (RFC 2047 §6.2).
  return value
    .replace(/(=\?[^?]+\?[BbQq]\?[^?]*\?=)\s+(?==\?)/g, "$1")
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_m, _charset: string, enc: string, text: string) => {
      if (enc.toUpperCase() === "B") return Buffer.from(text, "base64").toString("utf8");
      const bytes = text.replace(/_/g, " ").replace(/=([0-9A-Fa-f]{2})/g, (_x, h: string) => String.fromCharCode(parseInt(h, 16)));
      return Buffer.from(bytes, "latin1").toString("utf8");
    });
}

function decodeQuotedPrintable(body: string): string {
  const bytes = body.replace(/=\r?\n/g, "").replace(/=([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
  return Buffer.from(bytes, "latin1").toString("utf8");
}

export function parseMessage(raw: string): ParsedMessage {
  const split = raw.indexOf("\r\n\r\n");
  const head = split >= 0 ? raw.slice(0, split) : raw;
  const bodyRaw = split >= 0 ? raw.slice(split + 4) : "";
  const headerLines = head.replace(/\r\n[ \t]+/g, " ").split("\r\n");
  const header = (name: string) => {
    const line = headerLines.find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
    return line === undefined ? null : decodeEncodedWords(line.slice(name.length + 1).trim());
  };
  const encoding = (header("Content-Transfer-Encoding") ?? "7bit").toLowerCase();
  // raw was decoded as UTF-8 from the wire; quoted-printable and base64 are ASCII.
  let text: string;
  if (encoding === "base64") text = Buffer.from(bodyRaw.replace(/\s+/g, ""), "base64").toString("utf8");
  else if (encoding === "quoted-printable") text = decodeQuotedPrintable(bodyRaw);
  else text = bodyRaw;
  return { headerLines, header, text: text.replace(/\r\n/g, "\n") };
}
