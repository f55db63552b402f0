// Making text safe for an email: header values never carry a line break (no
// header injection through a suggestion's title or a name), bodies carry no
// control characters but line breaks and tabs, and addresses are plain
// `local@domain` with nothing a mail header could misread (no spaces, commas,
// angle brackets, quotes). Used when a message is written to the outbox and
// again when it is sent.

// C0 and C1 controls (CR, LF, NUL included), DEL, and the Unicode line and
// paragraph separators, which some mail software treats as line breaks.
const HEADER_UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const BODY_UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** A one-line header value: controls become spaces, spaces collapse, at most `max` characters. */
export function headerText(value: string, max = 250): string {
  const line = value.replace(HEADER_UNSAFE, " ").replace(/\s+/g, " ").trim();
  const chars = Array.from(line);
  return chars.length > max ? `${chars.slice(0, max - 1).join("")}…` : line;
}

/** A plain-text body: LF line ends (the mailer writes CRLF), no control characters but LF and tab. */
export function bodyText(value: string): string {
  return value
    .replace(/\r\n?/g, "\n")
    .replace(/[\u2028\u2029]/g, "\n")
    .replace(BODY_UNSAFE, "");
}

// The dot-atom form of RFC 5322 (ASCII), and a domain of labels: what
// registration accepts in practice, without anything a header could misread.
const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** The address if it is a plain, safe `local@domain` (≤ 254 characters), else null. */
export function safeEmailAddress(value: string | null | undefined): string | null {
  if (!value) return null;
  const address = value.trim();
  if (address.length > 254) return null;
  const at = address.lastIndexOf("@");
  if (at <= 0 || at > 64) return null;
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (!LOCAL.test(local)) return null;
  if (!DOMAIN.test(domain) && domain !== "localhost") return null;
  return address;
}

/** An error message fit to store and show: one line, no controls, at most 500 characters. */
export function errorText(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return headerText(message, 500) || "unknown error";
}

export interface SmtpTarget {
  /** the SMTP URL as nodemailer takes it (without our `from` parameter) */
  url: string;
  /** the From address: `from=` in SMTP_URL's query, or null (the caller picks a default) */
  from: string | null;
}

/**
 * SMTP_URL may carry the sender address as a query parameter
 * (`smtps://user:pass@mail.example.pk:465?from=consult@example.pk`): the
 * contract (docs/contract.md) names one variable for email. Throws when
 * `from` is not a plain address.
 */
export function parseSmtpUrl(smtpUrl: string): SmtpTarget {
  const url = new URL(smtpUrl);
  const fromParam = url.searchParams.get("from");
  url.searchParams.delete("from");
  let from: string | null = null;
  if (fromParam !== null) {
    from = safeEmailAddress(fromParam);
    if (!from) throw new Error("the from= address is not a plain address like consult@example.pk");
  }
  return { url: url.toString(), from };
}

/** The From address when SMTP_URL names none: no-reply at the public origin's host. */
export function defaultFromAddress(origin: string): string {
  const host = new URL(origin).hostname;
  const domain = /^[\d.]+$/.test(host) || host.startsWith("[") ? "localhost" : host;
  return safeEmailAddress(`no-reply@${domain}`) ?? "no-reply@localhost";
}
