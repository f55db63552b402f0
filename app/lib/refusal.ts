// Refusals: the reasons a model gives for not doing something, the HTTP status
// each one answers with, and the one shape an action's answer has. Plain data
// and types, safe in the browser bundle (views read `ActionReply`).
import type { SubmissionResult } from "@conform-to/react";

/** The statuses a refusal may answer with (a refusal is never a 5xx). */
export type RefusalStatus = 400 | 403 | 404 | 409 | 410 | 413 | 415 | 422 | 429;

/** reason → status, written next to the reasons in the model that gives them. */
export type RefusalTable<R extends string> = Readonly<Record<R, RefusalStatus>>;

/**
 * A model's table of refusals: `export const SUPPORT_REFUSALS = defineRefusals({ windowClosed: 409, … })`,
 * and its result type takes its reasons from `keyof typeof SUPPORT_REFUSALS`.
 */
export function defineRefusals<const T extends Record<string, RefusalStatus>>(table: T): T {
  return table;
}

/** A refusal as the refusal notice shows it. `message` is an i18n key ("key|n" for a count). */
export interface RefusalNotice {
  reason: string;
  message: string;
  /** a time the message refers to (a window that opens or closed) */
  at?: string;
  /** where "back" leads */
  back?: string;
}

/** What an action answers with when it does not redirect: one shape everywhere. */
export type ActionReply = SubmissionResult<string[]> & { refusal?: RefusalNotice };

/** The form-level messages of an action's answer (for the error summary). */
export function formErrorsOf(reply: ActionReply | undefined | null): string[] {
  return reply?.error?.[""] ?? [];
}

/** The action's answer when it is one (and not a success payload of the same route). */
export function actionReply(value: unknown): ActionReply | undefined {
  return value && typeof value === "object" && ("error" in value || "refusal" in value || "initialValue" in value)
    ? (value as ActionReply)
    : undefined;
}
