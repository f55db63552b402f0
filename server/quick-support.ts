// The Support and Withdraw buttons' posts, answered without Remix (ADR 0038;
// issue 17: "500 supports a second at 10 connections"). On the last day of a
// consultation most writes are a signed-in person pressing Support or
// Withdraw; Remix's request, route matching, form parsing and action cost
// about a quarter of a support's CPU. This handler sits after the whole
// pipeline in front of Remix (request log, nonce, security headers,
// compression, body cap, session read, cross-site check), so a support still
// has all of those; it replaces only Remix's part, and only for the button's
// two shapes:
//
//   POST /submissions/<id>/support       intent=support|withdraw            (no JavaScript: a 303 back)
//   POST /submissions/<id>/support.data  intent=…, inline=1 (either order)  (the button's fetcher: the new count)
//
// with no query string, from a signed-in person the guard helper lets act
// (actingUser) whose address is confirmed, and only when the model says yes.
// The answer is the route's action's (app/routes/submission.support.tsx): the
// 303 to the suggestion, or the fetcher's `{ ok, supported, supporters }` in
// Remix's own encoding (turbo-stream, pinned to the version Remix uses).
//
// Anything else goes to Remix as usual: another address shape, another field,
// an invalid intent, an unconfirmed address, staff who must enrol first. A
// refusal of the model (the window, the budget, the rate limit, no such
// suggestion) goes to Remix too, with the body read here and the model's
// answer (so the attempt is counted once and nothing is written twice), and
// the route's action renders it as it would have (supportChangeFor).
// tests/routes/quick-support.test.ts holds every answer against the action's.
import type { NextFunction, Request, Response } from "express";
import { encode } from "turbo-stream";
import { actingUser } from "~/auth/guards.server";
import { toRowId } from "~/lib/row-id";
import { participantRefusal } from "~/models/consultation.server";
import { changeSupport, type SupportChange } from "~/models/support.server";
import { restrictUntilEnrolled } from "~/models/two-factor.server";
import type { Services } from "./services";

const SUPPORT_PATH = /^\/submissions\/([1-9][0-9]{0,15})\/support(\.data)?$/;
/** The longest form is `inline=1&intent=withdraw` (24 bytes): anything much longer is not the button's. */
const MAX_BODY = 256;
const FORM_TYPE = "application/x-www-form-urlencoded";

/** What the quick path hands on to Remix with a request it does not answer (res.locals). */
export type QuickSupportLocals = {
  /** the request body, read here (Remix's request is made from it) */
  body?: Buffer;
  /** the model's answer to this request, when it was asked (the route's action uses it instead of asking again) */
  supportChange?: SupportChange;
};

function readBody(req: Request): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (result: Buffer | null) => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("aborted", onError);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      chunks.push(chunk);
    };
    const onEnd = () => done(size > MAX_BODY ? null : Buffer.concat(chunks, size));
    const onError = () => done(null);
    req.on("data", onData);
    req.once("end", onEnd);
    req.once("error", onError);
    req.once("aborted", onError);
  });
}

/** The button's form: exactly `intent` (support or withdraw) and, from the fetcher, `inline=1`; else null. */
function buttonForm(body: Buffer): { intent: "support" | "withdraw"; inline: boolean } | null {
  let intent: "support" | "withdraw" | null = null;
  let inline = false;
  for (const [name, value] of new URLSearchParams(body.toString("utf8"))) {
    if (name === "intent" && intent === null && (value === "support" || value === "withdraw")) intent = value;
    else if (name === "inline" && value === "1" && !inline) inline = true;
    else return null;
  }
  return intent === null ? null : { intent, inline };
}

/** The fetcher's answer as Remix's single fetch encodes an action's data (`{ data }`, turbo-stream). */
async function remixData(value: unknown): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of encode({ data: value }) as unknown as AsyncIterable<Uint8Array>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

export function quickSupport({ services }: { services: Pick<Services, "db" | "config"> }) {
  return async (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== "POST") return next();
    const match = SUPPORT_PATH.exec(req.originalUrl);
    if (!match) return next();
    const user = actingUser(restrictUntilEnrolled(res.locals.user ?? null, services.config.STAFF_TWO_FACTOR));
    if (!user || participantRefusal(user)) return next();
    const type = (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
    const length = Number(req.headers["content-length"]);
    if (type !== FORM_TYPE || !(length > 0 && length <= MAX_BODY)) return next();
    const submissionId = toRowId(match[1]);
    if (submissionId === null) return next();
    try {
      const body = await readBody(req);
      if (body === null) {
        // The client went away mid-body, or sent more than it said: nothing to answer.
        res.status(400).end();
        return;
      }
      const locals = res.locals as QuickSupportLocals;
      locals.body = body;
      const form = buttonForm(body);
      // The fetcher's form to the data address, the plain form to the page's.
      const enhanced = match[2] === ".data";
      if (form === null || form.inline !== enhanced) return next();
      const request = { intent: form.intent, submissionId, userId: user.id };
      const change = await changeSupport(services.db, request);
      if (change.limited || !change.result.ok) {
        locals.supportChange = { ...change, request };
        return next();
      }
      if (enhanced) {
        const answer = await remixData({ ok: true, supported: form.intent === "support", supporters: change.result.supporters });
        res.status(200).setHeader("X-Remix-Response", "yes");
        res.setHeader("Content-Type", "text/x-script; charset=utf-8");
        res.end(answer);
        return;
      }
      res.status(303).setHeader("Location", `/submissions/${submissionId}#support`);
      res.end();
    } catch (error) {
      next(error);
    }
  };
}
