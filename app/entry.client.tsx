import { RemixBrowser } from "@remix-run/react";
import i18next from "i18next";
import resourcesToBackend from "i18next-resources-to-backend";
import { startTransition, StrictMode } from "react";
import { hydrateRoot } from "react-dom/client";
import { I18nextProvider, initReactI18next } from "react-i18next";
import { interpolationFormat, isDigits } from "./lib/format";
import { i18nConfig } from "./lib/i18n";

async function hydrate() {
  const digits = document.documentElement.dataset.digits;
  await i18next
    .use(initReactI18next)
    // Only the page's language is fetched, as its own hashed, cacheable chunk.
    .use(resourcesToBackend((lng: string) => import(`./locales/${lng}.json`)))
    .init({
      ...i18nConfig,
      // Numbers in translations in the reader's digits, as the server wrote them.
      interpolation: { ...i18nConfig.interpolation, format: interpolationFormat(isDigits(digits) ? digits : "native"), alwaysFormat: true },
      lng: document.documentElement.lang || "en",
    });

  startTransition(() => {
    hydrateRoot(
      document,
      <I18nextProvider i18n={i18next}>
        <StrictMode>
          <RemixBrowser />
        </StrictMode>
      </I18nextProvider>,
    );
  });
}

void hydrate();
