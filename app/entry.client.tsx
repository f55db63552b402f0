import { RemixBrowser } from "@remix-run/react";
import { startTransition, StrictMode } from "react";
import { hydrateRoot } from "react-dom/client";
import { interpolationFormat, isDigits } from "./lib/format";
import { i18nConfig } from "./lib/i18n";
import { createLiteI18n, type Flat } from "./lib/i18n-lite";
import { I18nextProvider } from "./lib/react-i18n-lite";

const PAGE_STRINGS_ID = "i18n-page";

function whenParsed(): Promise<void> {
  return document.readyState === "loading"
    ? new Promise((r) => document.addEventListener("DOMContentLoaded", () => r(), { once: true }))
    : Promise.resolve();
}

/** After the browser has painted the server's HTML (or 100 ms, for a tab in the background, where frames wait). */
function afterFirstPaint(): Promise<void> {
  return new Promise((r) => {
    const timer = setTimeout(r, 100);
    requestAnimationFrame(() => setTimeout(() => (clearTimeout(timer), r()), 0));
  });
}

/** An English page asks for the Nastaliq font once it has loaded (app/styles/app.css: html.nastaliq). */
function nastaliqOnceLoaded(): void {
  const ask = () => document.documentElement.classList.add("nastaliq");
  if (document.readyState === "complete") ask();
  else addEventListener("load", ask, { once: true });
}

async function hydrate() {
  // The strings the server render used arrive at the end of the document (app/lib/i18n-page.server.ts).
  await whenParsed();
  // The page is readable as soon as its HTML is: hydrating first would hold the first paint back on a slow phone.
  await afterFirstPaint();
  const script = document.getElementById(PAGE_STRINGS_ID);
  const page = script ? (JSON.parse(script.textContent || "{}") as { lng?: string; strings?: Flat }) : {};
  // React did not render it: out of the DOM before hydration.
  script?.remove();
  const i18n = createLiteI18n({
    lng: page.lng || document.documentElement.lang || "en",
    strings: page.strings ?? {},
    complete: !script,
    // The whole file, its own hashed and cacheable chunk, only when the page needs more than it came with.
    load: (lng) => import(`./locales/${lng}.json`).then((m: { default: Record<string, unknown> }) => m.default),
    // Numbers in translations in the reader's digits, as the server wrote them.
    defaults: i18nConfig.interpolation.defaultVariables,
    format: interpolationFormat(isDigits(document.documentElement.dataset.digits) ? document.documentElement.dataset.digits : "native"),
  });
  if (!script) await i18n.loadAll();

  // Anything that may show new text — the first interaction, a navigation, a fetcher — fetches the rest first.
  const loadAll = () => void i18n.loadAll().catch(() => undefined);
  for (const type of ["pointerdown", "keydown", "touchstart", "focusin", "popstate"])
    addEventListener(type, loadAll, { once: true, passive: true, capture: true });

  startTransition(() => {
    hydrateRoot(
      document,
      <I18nextProvider i18n={i18n}>
        <StrictMode>
          <RemixBrowser />
        </StrictMode>
      </I18nextProvider>,
    );
  });
}

nastaliqOnceLoaded();
void hydrate();
