// The signed-in page template (server/page-template.ts, ADR 0036) against the
// two writers it imitates: React's server renderer (text and attributes) and
// Remix's hydration stream (turbo-stream's encoding inside a <script>). The
// route test (tests/routes/page-cache.test.ts) checks whole pages.
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { encode } from "turbo-stream";
import { describe, expect, it } from "vitest";
import { READER_PART_PLACEHOLDER, type ReaderPart } from "~/lib/page-cache";
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

/** A reader's own list as the page writes it: cards (markup React wrote) and the loader data's string. */
function readerList(titles: string[]): ReaderPart {
  return {
    html: titles.map((title) => renderToStaticMarkup(createElement("li", { className: "card" }, title))).join(""),
    data: JSON.stringify(titles.map((title, i) => ({ id: i + 1, title }))),
  };
}

/**
 * A page as Remix and React write it: the values in markup and in the hydration data. With `list`, a
 * reader's own list (ADR 0041): the template's is READER_PART_PLACEHOLDER as the list's text and data.
 */
async function page(values: TemplateValues, nonce: string, list?: ReaderPart | "placeholder"): Promise<string> {
  const listHtml = list === "placeholder" ? READER_PART_PLACEHOLDER : list?.html;
  const markup = renderToStaticMarkup(
    createElement(
      "main",
      null,
      createElement("p", { title: values.displayName }, values.displayName),
      createElement("bdi", null, values.email),
      list ? createElement("ol", { className: "card-list", dangerouslySetInnerHTML: { __html: listHtml } }) : null,
      createElement("script", { nonce, dangerouslySetInnerHTML: { __html: "window.x=1" } }),
    ),
  );
  const chunk = await streamText({
    root: { locale: "ur", user: { id: values.id, displayName: values.displayName, role: "stakeholder" }, unconfirmedEmail: values.email },
    "routes/cluster": {
      title: "Leather",
      total: 17104,
      ...(list ? { list: list === "placeholder" ? READER_PART_PLACEHOLDER : list.data } : {}),
    },
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

  it("fills in each reader's own list, markup and data, beside their values (ADR 0041)", async () => {
    const n = "N0nce+/=";
    const template = makeTemplate(await page(PLACEHOLDER, n, "placeholder"), n);
    expect(template?.readerPart).toBe(true);
    const lists = [
      readerList(["Bonded warehouses", "Export credit"]),
      readerList([`O'Brien & "Sons" <b>tanning</b>`, "</script><script>alert(1)</script>", "شاہد علی\u2028 🙂 back\\slash"]),
      readerList([]),
    ];
    for (const [i, person] of PEOPLE.entries()) {
      const list = lists[i % lists.length];
      expect(fillTemplate(template!, "other+nonce", { ...person, part: list })).toBe(await page(person, "other+nonce", list));
    }
    // A template with a reader part is never filled in without one; one without a part takes none.
    expect(() => fillTemplate(template!, n, PEOPLE[0])).toThrow();
    expect(makeTemplate(await page(PLACEHOLDER, n), n)?.readerPart).toBe(false);
  });

  it("refuses a reader part that is not a whole element's text and a whole data string, once each", async () => {
    const n = "Q2xvc2VkK25vbmNl/w==";
    const whole = await page(PLACEHOLDER, n, "placeholder");
    expect(makeTemplate(whole, n)).not.toBeNull();
    const html = `<ol class="card-list">${READER_PART_PLACEHOLDER}</ol>`;
    // Inside a longer text, or a longer string of the data.
    expect(makeTemplate(whole.replace(html, `<ol class="card-list">Cards: ${READER_PART_PLACEHOLDER}</ol>`), n)).toBeNull();
    expect(makeTemplate(whole.replace(`\\"${READER_PART_PLACEHOLDER}\\"`, `\\"[${READER_PART_PLACEHOLDER}]\\"`), n)).toBeNull();
    // In the markup only (the data a real list), or twice in the markup.
    expect(makeTemplate(whole.replace(`\\"${READER_PART_PLACEHOLDER}\\"`, '\\"[]\\"'), n)).toBeNull();
    expect(makeTemplate(whole.replace(html, html + html), n)).toBeNull();
  });
});
