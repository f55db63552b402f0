// Finding 1 of issue 13: safeRedirectPath only lets a target through when the
// WHATWG URL parser (what a browser uses) resolves it to this site, and it hands
// back the normalised path, so what the browser gets is what was checked.
import { describe, expect, it } from "vitest";
import { safeRedirectPath } from "~/auth/guards.server";
import { REDIRECT_BYPASSES, REDIRECT_LOCAL, redirectProblem } from "../support/redirect-bypasses";

const ORIGINS = ["https://consult.example.pk", "http://localhost:3000", "http://127.0.0.1:41234"];

describe("safeRedirectPath", () => {
  for (const origin of ORIGINS) {
    it.each(REDIRECT_BYPASSES.map((b) => [JSON.stringify(b), b]))(`on ${origin}: %s stays on the site`, (_label, bypass) => {
      const out = safeRedirectPath(bypass, origin, "/me");
      expect(redirectProblem(out, `${origin}/login`), `safeRedirectPath(${JSON.stringify(bypass)}) = ${JSON.stringify(out)}`).toBeNull();
      expect(out.startsWith("/") && !out.startsWith("//")).toBe(true);
      // Already normalised: a browser resolving it gets exactly this path.
      const url = new URL(out, origin);
      expect(url.pathname + url.search + url.hash).toBe(out);
    });

    it(`on ${origin}: local paths keep working, normalised`, () => {
      for (const [to, expected] of REDIRECT_LOCAL) expect(safeRedirectPath(to, origin, "/me"), to).toBe(expected);
    });
  }

  it("anything but a string is the fallback", () => {
    for (const to of [undefined, null, 42, ["/me"], { toString: () => "/me" }])
      expect(safeRedirectPath(to, "http://localhost:3000", "/x")).toBe("/x");
  });

  it("a target that resolves to the site's own origin, written out in full, is not taken (only paths are)", () => {
    expect(safeRedirectPath("https://consult.example.pk/me", "https://consult.example.pk", "/")).toBe("/");
  });
});
