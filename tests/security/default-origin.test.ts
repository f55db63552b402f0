// Without ORIGIN configured (a local `npm start`), the address the browser
// used counts as this site: http://127.0.0.1:PORT works like localhost:PORT.
// Another site is still refused.
import { describe, expect, it } from "vitest";
import { GOOD_PASSWORD, makeUser } from "../support/factories";
import { useServer } from "../support/suite";

describe("cross-site check with the default ORIGIN", () => {
  const { t, server } = useServer({ env: { ORIGIN: "" } });

  const signIn = (origin: string, email: string) =>
    fetch(`${server.url}/login`, {
      method: "POST",
      redirect: "manual",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: origin },
      body: new URLSearchParams({ email, password: GOOD_PASSWORD }),
    });

  it("accepts a post whose Origin is the address the browser used", async () => {
    const user = await makeUser(t.db);
    const res = await signIn(server.url, user.email); // http://127.0.0.1:PORT, not the default localhost
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe("/me");
  });

  it("still refuses another site", async () => {
    const user = await makeUser(t.db);
    const res = await signIn("https://evil.example", user.email);
    expect(res.status).toBe(403);
  });

  it("refuses a look-alike that names this host on another port", async () => {
    const user = await makeUser(t.db);
    const res = await signIn(server.url.replace(/:\d+$/, ":1"), user.email);
    expect(res.status).toBe(403);
  });
});
