// A small HTTP client for route tests: real requests to the running server,
// a cookie jar, no redirect following (tests look at the 3xx themselves), and
// the same-origin headers a browser sends with a form post.
export interface HttpResponse {
  status: number;
  headers: Headers;
  text: string;
  location: string | null;
}

export class Client {
  readonly cookies = new Map<string, string>();

  constructor(readonly baseUrl: string) {}

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  private remember(headers: Headers) {
    for (const line of headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age=0/i.test(a)) || value === "";
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async request(path: string, init: RequestInit = {}): Promise<HttpResponse> {
    const headers = new Headers(init.headers);
    if (this.cookies.size && !headers.has("Cookie")) headers.set("Cookie", this.cookieHeader());
    const res = await fetch(this.baseUrl + path, { ...init, headers, redirect: "manual" });
    this.remember(res.headers);
    return { status: res.status, headers: res.headers, text: await res.text(), location: res.headers.get("Location") };
  }

  get(path: string, headers: Record<string, string> = {}) {
    return this.request(path, { headers });
  }

  /** A form post as a browser on this site sends it (Origin = the site). */
  post(path: string, form: Record<string, string | string[]> = {}, headers: Record<string, string> = {}) {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(form)) for (const one of Array.isArray(v) ? v : [v]) body.append(k, one);
    return this.request(path, {
      method: "POST",
      body,
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: this.baseUrl, ...headers },
    });
  }

  /** A multipart form post (a file upload) as a browser on this site sends it. */
  async postMultipart(path: string, form: FormData, headers: Record<string, string> = {}) {
    // Encoded up front so the request has a Content-Length: the server refuses a body without one.
    const encoded = new Request(this.baseUrl, { method: "POST", body: form });
    return this.request(path, {
      method: "POST",
      body: Buffer.from(await encoded.arrayBuffer()),
      headers: { "Content-Type": encoded.headers.get("Content-Type")!, Origin: this.baseUrl, ...headers },
    });
  }
}

/** The value of an input named `name` in an HTML page, or null. */
export function inputValue(html: string, name: string): string | null {
  const tag = html.match(new RegExp(`<input[^>]*name="${name}"[^>]*>`));
  if (!tag) return null;
  const value = tag[0].match(/value="([^"]*)"/);
  return value ? decodeEntities(value[1]) : "";
}

export function decodeEntities(s: string): string {
  return s
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

/** The session cookie names: plain over http, `__Host-` prefixed when the public origin is https. */
export const SESSION_COOKIE = "mashwara_session";
export const SECURE_SESSION_COOKIE = "__Host-mashwara_session";

/** The Set-Cookie line a response sent for cookie `name`, or null. */
export function setCookieLine(headers: Headers, name: string): string | null {
  return headers.getSetCookie().find((line) => line.split("=")[0].trim() === name) ?? null;
}

/** The visible text of an HTML page: tags and comments removed, entities decoded, spaces collapsed. */
export function pageText(html: string): string {
  return decodeEntities(
    html
      .replace(/<script[\s\S]*?<\/script>/gi, " ")
      .replace(/<!--[\s\S]*?-->/g, "")
      .replace(/<[^>]+>/g, " "),
  )
    .replace(/\s+/g, " ")
    .trim();
}

/** Signs in through the real form; the client keeps the session cookie. */
export function signIn(client: Client, email: string, password: string, extra: Record<string, string> = {}) {
  return client.post("/login", { email, password, ...extra });
}

/** A new client signed in through POST /login (throws if sign-in is refused). */
export async function signedIn(baseUrl: string, user: { email: string; password: string }): Promise<Client> {
  const client = new Client(baseUrl);
  const res = await signIn(client, user.email, user.password);
  if (res.status !== 302 && res.status !== 303) throw new Error(`sign-in of ${user.email} answered ${res.status}`);
  return client;
}

/** The HTML of the <form id="…"> in a page (so a field is not confused with the header's language form), or "". */
export function formHtml(html: string, id: string): string {
  return html.match(new RegExp(`<form[^>]*\\sid="${id}"[\\s\\S]*?</form>`))?.[0] ?? "";
}
