// The one rule for ids from outside (app/lib/row-id.ts) and the schemas that use it.
import { describe, expect, it } from "vitest";
import { AdminUserActionSchema } from "~/lib/admin-schemas.server";
import { NotificationActionSchema } from "~/lib/notification-schemas.server";
import { BulkDecisionSchema, DecisionSchema } from "~/lib/moderation-schemas.server";
import { AuditQuerySchema } from "~/lib/query-schemas.server";
import { SourceNumberSchema } from "~/lib/recommendation-schemas.server";
import { OptionalRowId, ROW_ID_MAX, RowId, rowId, toRowId } from "~/lib/row-id";
import { CommentFormSchema, ReportFormSchema } from "~/lib/schemas";
import { decodeCursor, encodeCursor } from "~/models/open-data.server";

const GOOD = ["1", "42", "2147483647"];
const BAD = [
  "",
  "0",
  "01",
  "-1",
  "+1",
  " 1",
  "1 ",
  "1.0",
  "1e3",
  "0x10",
  "2147483648",
  "99999999999",
  "9223372036854775808",
  "١٢",
  "1\u0000",
];

describe("RowId", () => {
  it("takes digits from 1 to 2³¹−1 and nothing else", () => {
    expect(ROW_ID_MAX).toBe(2 ** 31 - 1);
    for (const v of GOOD) {
      expect(toRowId(v)).toBe(Number(v));
      expect(RowId.parse(v)).toBe(Number(v));
    }
    for (const v of BAD) {
      expect(toRowId(v), JSON.stringify(v)).toBeNull();
      expect(RowId.safeParse(v).success, JSON.stringify(v)).toBe(false);
    }
    expect(toRowId(undefined)).toBeNull();
    expect(toRowId(12)).toBeNull();
  });

  it("carries the field's own message", () => {
    const r = rowId("moderation.merge.intoRequired").safeParse("2147483648");
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.message)).toEqual(["moderation.merge.intoRequired"]);
  });

  it("an optional id may be absent or empty, never too large", () => {
    expect(OptionalRowId.parse(undefined)).toBeUndefined();
    expect(OptionalRowId.parse("")).toBeUndefined();
    expect(OptionalRowId.parse("7")).toBe(7);
    expect(OptionalRowId.safeParse("2147483648").success).toBe(false);
  });

  it("every id field of the forms, queries and the API cursor follows it", () => {
    for (const bad of ["2147483648", "9223372036854775808"]) {
      expect(CommentFormSchema.safeParse({ body: "x", parentId: bad }).success).toBe(false);
      expect(CommentFormSchema.safeParse({ intent: "edit", body: "x", commentId: bad }).success).toBe(false);
      expect(ReportFormSchema.safeParse({ reason: "spam", commentId: bad }).success).toBe(false);
      expect(BulkDecisionSchema.safeParse({ intent: "approve", id: [bad], category: [] }).success).toBe(false);
      expect(DecisionSchema.safeParse({ intent: "merge", into: bad }).success).toBe(false);
      expect(NotificationActionSchema.safeParse({ intent: "read", id: bad }).success).toBe(false);
      expect(AdminUserActionSchema.safeParse({ intent: "disable", userId: bad }).success).toBe(false);
      expect(SourceNumberSchema.safeParse(`#${bad}`).success).toBe(false);
      expect(AuditQuerySchema.parse({ actor: bad }).actor).toBeUndefined();
      expect(decodeCursor(Buffer.from(bad).toString("base64url"))).toBeNull();
    }
    expect(CommentFormSchema.parse({ body: "x", parentId: "2147483647" }).parentId).toBe(2147483647);
    expect(SourceNumberSchema.parse(" #12 ")).toBe(12);
    expect(AuditQuerySchema.parse({ actor: "12" }).actor).toEqual({ id: 12 });
    expect(AuditQuerySchema.parse({ actor: "a@b.pk" }).actor).toEqual({ email: "a@b.pk" });
    expect(decodeCursor(encodeCursor(2147483647))).toBe(2147483647);
  });
});
