// A tiny SMTP server for tests (node:net, no TLS, no AUTH): it speaks enough
// of RFC 5321 for nodemailer to deliver to it, records every message it
// accepts (envelope and raw data), and can refuse commands on demand, so the
// real mail path (nodemailer over a socket) is what the tests exercise.
import net from "node:net";

export interface ReceivedMessage {
  from: string;
  to: string[];
  /** the DATA as received, dot-unstuffed, CRLF line ends */
  raw: string;
}

export type SmtpStep = "MAIL" | "RCPT" | "DATA";

export interface FakeSmtp {
  port: number;
  url: string;
  messages: ReceivedMessage[];
  /** a reply such as "451 4.3.0 try again later" refuses the step; null accepts it */
  refuse: (step: SmtpStep, argument: string) => string | null;
  /** wait before answering the end of DATA (widens races between senders) */
  dataDelayMs: number;
  reset(): void;
  /** resolves once `count` messages have arrived (rejects after timeoutMs) */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedMessage[]>;
  close(): Promise<void>;
}

export async function startFakeSmtp(): Promise<FakeSmtp> {
  const sockets = new Set<net.Socket>();
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
    async waitFor(count, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (state.messages.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} messages at the fake SMTP server, got ${state.messages.length}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return state.messages;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    socket.setEncoding("latin1");
    let buffer = "";
    let inData = false;
    let data: string[] = [];
    let from = "";
    let to: string[] = [];
    const reply = (line: string) => {
      if (!socket.destroyed) socket.write(`${line}\r\n`);
    };
    reply("220 fake.smtp.test ESMTP ready");

    const command = (line: string) => {
      const verb = line.slice(0, 4).toUpperCase();
      const argument = line.slice(line.indexOf(":") + 1).trim();
      switch (verb) {
        case "EHLO":
          socket.write("250-fake.smtp.test\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE 10485760\r\n");
          return;
        case "HELO":
          return reply("250 fake.smtp.test");
        case "MAIL": {
          const refused = state.refuse("MAIL", argument);
          if (refused) return reply(refused);
          from = argument.replace(/^<|>.*$/g, "");
          to = [];
          return reply("250 2.1.0 OK");
        }
        case "RCPT": {
          const refused = state.refuse("RCPT", argument);
          if (refused) return reply(refused);
          to.push(argument.replace(/^<|>.*$/g, ""));
          return reply("250 2.1.5 OK");
        }
        case "DATA": {
          const refused = state.refuse("DATA", "");
          if (refused) return reply(refused);
          inData = true;
          data = [];
          return reply("354 end with <CRLF>.<CRLF>");
        }
        case "RSET":
          from = "";
          to = [];
          return reply("250 2.0.0 OK");
        case "NOOP":
          return reply("250 2.0.0 OK");
        case "QUIT":
          reply("221 2.0.0 bye");
          socket.end();
          return;
        default:
          return reply("502 5.5.2 command not implemented");
      }
    };

    socket.on("data", (chunk: string) => {
      buffer += chunk;
      let at: number;
      while ((at = buffer.indexOf("\r\n")) >= 0) {
        const line = buffer.slice(0, at);
        buffer = buffer.slice(at + 2);
        if (!inData) {
          command(line);
          continue;
        }
        if (line === ".") {
          inData = false;
          const message = { from, to: [...to], raw: Buffer.from(data.join("\r\n"), "latin1").toString("utf8") };
          const accept = () => {
            state.messages.push(message);
            reply("250 2.0.0 queued");
          };
          if (state.dataDelayMs > 0) setTimeout(accept, state.dataDelayMs);
          else accept();
          continue;
        }
        data.push(line.startsWith("..") ? line.slice(1) : line);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  state.port = (server.address() as net.AddressInfo).port;
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
