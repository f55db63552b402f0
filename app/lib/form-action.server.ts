// The one way a form action is written (docs/developers.md, "A form action"):
//
//   guard → parseForm(request, Schema) → model call →
//     redirect | submission.reply() | refuse(reason, REFUSALS, …)
//
// Every answer that is not a redirect or a success is a conform
// `SubmissionResult` (what `useForm({ lastResult })` reads), so the view shows
// field errors next to the fields and form-level messages in the error
// summary the same way on every page. A refusal by a rule adds `refusal`
// (reason, message, when, the way back) for the pages that show a whole
// refusal notice (an action-only address posted to without JavaScript).
import { parseWithZod } from "@conform-to/zod/v4";
import type { Submission, SubmissionResult } from "@conform-to/react";
import { data } from "@remix-run/node";
import type { z } from "zod";
import { readForm } from "./http.server";
import type { ActionReply, RefusalNotice, RefusalTable } from "./refusal";

export type { ActionReply, RefusalNotice } from "./refusal";

/**
 * The request's form, parsed by the route's one schema. A body that is not a
 * form is a 415/400 (thrown by `readForm`); a form the schema refuses is a
 * submission with `status !== "success"` whose `reply()` carries the errors.
 * `disableAutoCoercion`: keep an emptied field as "" (conform otherwise reads
 * it as left out), for a form where the two mean different things.
 */
export async function parseForm<Schema extends z.ZodType>(
  request: Request,
  schema: Schema,
  options: { disableAutoCoercion?: boolean } = {},
) {
  const form = await readForm(request);
  return parseWithZod(form, { schema, disableAutoCoercion: options.disableAutoCoercion });
}

/**
 * A submission that did not parse, or whose values a model refused field by
 * field (`fieldErrors`, i18n keys by field name): its errors, 400.
 */
export function invalid<Extra extends object = Record<never, never>>(
  submission: Submission<unknown>,
  options: { fieldErrors?: Record<string, string[]>; hideFields?: string[]; extra?: Extra } = {},
) {
  const reply = submission.reply({ fieldErrors: options.fieldErrors, hideFields: options.hideFields });
  return data<ActionReply & Extra>({ ...reply, ...(options.extra as Extra) }, { status: 400 });
}

export interface RefuseOptions {
  /** the parsed submission, so the form keeps what was typed */
  submission?: Submission<unknown>;
  /** the i18n key to show; default `refusal.<reason>` */
  message?: string;
  /** put the message on this field instead of the whole form */
  field?: string;
  at?: string;
  back?: string;
  headers?: HeadersInit;
  hideFields?: string[];
}

/** What the page needs beside the reply to show itself again (a lookup list, an import's problems). */
export interface WithExtra<Extra extends object> {
  extra?: Extra;
}

/**
 * Answer a refusal by a rule. The status comes from the table that stands
 * next to the reasons in the model (`defineRefusals`), never from a guess here.
 */
export function refuse<R extends string, Extra extends object = Record<never, never>>(
  reason: R,
  table: RefusalTable<R>,
  options: RefuseOptions & WithExtra<Extra> = {},
) {
  const message = options.message ?? `refusal.${reason}`;
  const errors = options.field ? { fieldErrors: { [options.field]: [message] } } : { formErrors: [message] };
  const result: SubmissionResult<string[]> = options.submission
    ? options.submission.reply({ ...errors, hideFields: options.hideFields })
    : { status: "error", error: options.field ? { [options.field]: [message] } : { "": [message] } };
  const refusal: RefusalNotice = { reason, message, at: options.at, back: options.back };
  return data<ActionReply & Extra>(
    { ...result, refusal, ...(options.extra as Extra) },
    { status: table[reason], headers: options.headers },
  );
}
