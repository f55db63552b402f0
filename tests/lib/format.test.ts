// One module formats every number and date people see (issue 7): Urdu digits
// (arabext) on Urdu pages unless Western digits were chosen, Western digits
// on English pages, identifiers as written, user text isolated in Urdu sentences.
import { describe, expect, it } from "vitest";
import { formatDate, formatNumber, interpolationFormat, intlLocale } from "~/lib/format";

describe("app/lib/format", () => {
  it("picks the Intl locale from the language and the digits", () => {
    expect(intlLocale({ lng: "ur", digits: "native" })).toBe("ur-PK-u-nu-arabext");
    expect(intlLocale({ lng: "ur", digits: "western" })).toBe("ur-PK-u-nu-latn");
    expect(intlLocale({ lng: "en", digits: "native" })).toBe("en-GB");
  });

  it("writes numbers with the language's digits and grouping", () => {
    expect(formatNumber({ lng: "ur", digits: "native" }, 1234567)).toBe("۱٬۲۳۴٬۵۶۷");
    expect(formatNumber({ lng: "ur", digits: "western" }, 1234567)).toBe("1,234,567");
    expect(formatNumber({ lng: "en", digits: "native" }, 1234567)).toBe("1,234,567");
  });

  it("writes dates in Pakistan time, 24-hour, without a Latin AM/PM in Urdu", () => {
    const iso = "2026-11-29T19:05:00Z"; // 00:05 on the 30th in Karachi
    expect(formatDate({ lng: "ur", digits: "native" }, iso)).toBe("۳۰ نومبر، ۲۰۲۶");
    const withTime = formatDate({ lng: "ur", digits: "native" }, iso, "longWithTime");
    expect(withTime).toContain("۰۰:۰۵");
    expect(withTime).not.toMatch(/[AP]M|[0-9]/);
    expect(formatDate({ lng: "en", digits: "native" }, iso)).toBe("30 November 2026");
    expect(formatDate({ lng: "en", digits: "native" }, "not a date")).toBe("not a date");
  });

  it("formats the numbers a translation interpolates; identifiers stay as written; Urdu isolates user text", () => {
    const f = interpolationFormat("native");
    expect(f(1200, undefined, "ur", { interpolationkey: "count" })).toBe("۱٬۲۰۰");
    expect(f(1200, undefined, "en", { interpolationkey: "count" })).toBe("1,200");
    expect(f(1200, undefined, "ur", { interpolationkey: "id" })).toBe("1200");
    expect(f(7, undefined, "ur", { interpolationkey: "submissionId" })).toBe("7");
    expect(f("Duty drawback", undefined, "ur", { interpolationkey: "title" })).toBe("\u2068Duty drawback\u2069");
    expect(f("Duty drawback", undefined, "en", { interpolationkey: "title" })).toBe("Duty drawback");
    expect(f("leather", undefined, "ur", { interpolationkey: "status" })).toBe("leather");
    expect(interpolationFormat("western")(1200, undefined, "ur", { interpolationkey: "count" })).toBe("1,200");
  });
});
