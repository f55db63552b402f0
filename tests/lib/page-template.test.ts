// The signed-in page template (server/page-template.ts, ADR 0036) against the
// two writers it imitates: React's server renderer (text and attributes) and
// Remix's hydration stream (turbo-stream's encoding inside a <script>). The
// route test (tests/routes/page-cache.test.ts) checks whole pages.
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { encode } from "turbo-stream";
import { describe, expect, it } from "vitest";
import { PLACEHOLDER, fillTemplate, makeTemplate, type TemplateValues } from "../../server/page-template";

// What @remix-run/react writes for each chunk of the stream (single-fetch.js, markup.js).
const escapeForScript = (html: string) =>
  html.replace(
    /[&><\u2028\u2029]/g,
    (c) => ({ "&": "\\u0026", ">": "\\u003e", "<": "\\u003c", "\u2028": "\\u2028", "\u2029": "\\u2029" })[c]!,
  );

async function streamText(value: unknown): Promise<string> {
  const reader = encode(value).getReader();
  const decoder = new TextDecoder();
  let text = "";
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    text += typeof r.value === "string" ? r.value : decoder.decode(r.value as Uint8Array, { stream: true });
  }
  return text;
}

/** A page as Remix and React write it: the values in markup and in the hydration data. */
async function page(values: TemplateValues, nonce: string): Promise<string> {
  const markup = renderToStaticMarkup(
    createElement(
      "main",
      null,
      createElement("p", { title: values.displayName }, values.displayName),
      createElement("bdi", null, values.email),
      createElement("script", { nonce, dangerouslySetInnerHTML: { __html: "window.x=1" } }),
    ),
  );
  const chunk = await streamText({
    root: { locale: "ur", user: { id: values.id, displayName: values.displayName, role: "stakeholder" }, unconfirmedEmail: values.email },
    "routes/cluster": { title: "Leather", total: 17104 },
  });
  const script = `<script nonce="${nonce}">window.__remixContext.streamController.enqueue(${escapeForScript(JSON.stringify(chunk))});</script>`;
  return `<!DOCTYPE html><html>${markup}${script}</html>`;
}

const PEOPLE: TemplateValues[] = [
  { id: 7, displayName: "Plain Name", email: "plain@example.pk" },
  { id: 123456, displayName: `O'Brien & "Sons" <b>bold</b>`, email: "o'brien+x@example.pk" },
  { id: 42, displayName: "شاہد علی", email: "شاہد@example.pk" },
  { id: 9, displayName: "</script><script>alert(1)</script>", email: "a&b@example.pk" },
  { id: 10, displayName: 'back\\slash \\u0026 "quoted" \u2028line\u2029para 🙂\ttab', email: "x@example.pk" },
];

describe("signed-in page template", () => {
  it("fills in each person's values exactly as a render for them writes them", async () => {
    const template = makeTemplate(await page(PLACEHOLDER, "N0nce+/="), "N0nce+/=");
    expect(template).not.toBeNull();
    for (const person of PEOPLE) {
      expect(fillTemplate(template!, "other+nonce", person)).toBe(await page(person, "other+nonce"));
    }
  });

  it("refuses a page where a placeholder is not a whole value it can fill in", async () => {
    const n = "Q2xvc2VkK25vbmNl/w==";
    const whole = await page(PLACEHOLDER, n);
    expect(makeTemplate(whole, n)).not.toBeNull();
    // The stand-in's name inside a longer string of the hydration data (e.g. a greeting built on the server).
    const inside = whole.replace('\\"zqxPlaceholderNameQxz\\"', '\\"Hello zqxPlaceholderNameQxz\\"');
    expect(makeTemplate(inside, n)).toBeNull();
    // The stand-in's id written for people: in markup, grouped, or in Urdu digits.
    const id = String(Math.abs(PLACEHOLDER.id));
    expect(makeTemplate(whole.replace("<main>", `<main><span>${PLACEHOLDER.id}</span>`), n)).toBeNull();
    expect(makeTemplate(whole.replace("<main>", `<main>${Number(id).toLocaleString("en")}`), n)).toBeNull();
    const urdu = id.replace(/\d/g, (d) => String.fromCharCode(0x06f0 + Number(d)));
    expect(makeTemplate(whole.replace("<main>", `<main>${urdu}`), n)).toBeNull();
  });
});
