// The dashboard's SVG charts mirror in Urdu (issue 7): bars grow from the
// right, time runs right to left, the first column is the right-most, and the
// numbers are in the reader's digits.
import { describe, expect, it } from "vitest";
import { barChartGeometry, heatMapGeometry, lineChartGeometry } from "~/models/dashboard-charts.server";

const rows = [
  { label: "A", value: 10, title: "a" },
  { label: "B", value: 5, title: "b" },
];

describe("charts mirror in Urdu", () => {
  it("bars grow left to right in English and right to left in Urdu, from the label side", () => {
    const en = barChartGeometry({ rows, lng: "en" });
    const ur = barChartGeometry({ rows, lng: "ur" });
    // English: every bar starts at the same x (left edge of the plot), labels to its left.
    expect(new Set(en.bars.map((b) => b.x)).size).toBe(1);
    expect(en.labels[0].x).toBeLessThan(en.bars[0].x);
    // Urdu: every bar ends at the same x (right edge of the plot), labels to its right.
    expect(new Set(ur.bars.map((b) => b.x + b.w)).size).toBe(1);
    expect(ur.labels[0].x).toBeGreaterThan(ur.bars[0].x + ur.bars[0].w);
    // The value sits beyond the bar's end, in the reading direction.
    expect(ur.values[1].x).toBeLessThan(ur.bars[1].x);
    expect(ur.values.map((v) => v.text)).toEqual(["۱۰", "۵"]);
    expect(barChartGeometry({ rows, lng: "ur", digits: "western" }).values.map((v) => v.text)).toEqual(["10", "5"]);
  });

  it("time runs right to left in Urdu, with the value axis on the right", () => {
    const days = ["2026-11-01", "2026-11-02", "2026-11-03"];
    const common = { days, values: [1, 2, 3], dayLabel: (d: string) => d.slice(8), title: () => "" };
    const en = lineChartGeometry({ ...common, lng: "en" });
    const ur = lineChartGeometry({ ...common, lng: "ur" });
    expect(en.points[0].x).toBeLessThan(en.points[2].x);
    expect(ur.points[0].x).toBeGreaterThan(ur.points[2].x);
    expect(ur.yTicks[0].x).toBeGreaterThan(ur.plot.x1);
    expect(en.yTicks[0].x).toBeLessThan(en.plot.x0);
    expect(ur.yTicks.map((t) => t.text).join(" ")).toMatch(/[۰-۹]/);
  });

  it("the heat map's first column is the right-most in Urdu, its row labels on the right", () => {
    const params = {
      rows: [{ key: "r", label: "Row" }],
      cols: [
        { key: "c1", label: "One" },
        { key: "c2", label: "Two" },
      ],
      cell: () => ({ value: 12, title: "", href: "#" }),
      legendTitle: "n",
    };
    const en = heatMapGeometry({ ...params, lng: "en" });
    const ur = heatMapGeometry({ ...params, lng: "ur" });
    expect(en.cells[0].x).toBeLessThan(en.cells[1].x);
    expect(ur.cells[0].x).toBeGreaterThan(ur.cells[1].x);
    expect(ur.rowLabels[0].x).toBeGreaterThan(ur.cells[0].x + ur.cells[0].w);
    expect(ur.cells[0].label).toBe("۱۲");
    expect(en.cells[0].label).toBe("12");
  });

  it("the heat map makes room for its longest names and keys each value once", () => {
    const long = "Foreign direct investment in high-tech industries";
    const params = {
      rows: [
        { key: "a", label: "Other" },
        { key: "b", label: long },
      ],
      cols: [
        { key: "it", label: "Information technology" },
        { key: "food", label: "Food processing" },
      ],
      cell: (row: string) => ({ value: row === "a" ? 1 : 0, title: "", href: "#" }),
      legendTitle: "n",
      lng: "en",
    };
    const g = heatMapGeometry(params);
    // The row names end 8 px before the grid, anchored at their end: the longest must fit in front of it.
    expect(g.rowLabels[1].x).toBeGreaterThanOrEqual(long.length * 6.5);
    // Each column is wider than its name at 12 px, so neighbours do not run into each other.
    expect(g.cells[1].x - g.cells[0].x).toBeGreaterThanOrEqual("Information technology".length * 6.5);
    expect(g.legend.map((l) => l.label)).toEqual(["0", "1"]);
  });
});
