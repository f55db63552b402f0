// Chart geometry for the organiser dashboard, computed on the server with
// d3-scale and d3-shape so the browser gets plain SVG numbers and no d3 code.
// Every chart mirrors in Urdu, as the page does: the label column moves to the
// right, bars grow from the right towards the left, time runs from right to
// left, and the value axis sits on the right (the reading start). Labels are
// right-to-left text anchored at the edge nearest the plot (see charts.tsx).
// Numbers are written by app/lib/format.ts in the reader's digits.
import { scaleBand, scaleLinear } from "d3-scale";
import { line } from "d3-shape";
import { formatNumber, type Digits } from "~/lib/format";

export interface TextMark {
  x: number;
  y: number;
  text: string;
  /** SVG text-anchor, relative to the text's own direction (start = the right edge of Urdu text) */
  anchor?: "start" | "middle" | "end";
}

export interface HeatMapGeometry {
  width: number;
  height: number;
  rtl: boolean;
  cells: Array<{ x: number; y: number; w: number; h: number; fill: string; ink: string; label: string; title: string; href: string }>;
  rowLabels: TextMark[];
  colLabels: TextMark[];
  legend: Array<{ x: number; y: number; w: number; h: number; fill: string; label: string }>;
  legendTitle: TextMark;
}

const LOW = "#eef2f7";
const HIGH = "#1d4e89";

/** Rows × columns of values, coloured by value; `rtl` mirrors the columns and moves the row labels to the right. */
export function heatMapGeometry(params: {
  rows: Array<{ key: string; label: string }>;
  cols: Array<{ key: string; label: string }>;
  cell: (row: string, col: string) => { value: number; title: string; href: string };
  legendTitle: string;
  lng: string;
  digits?: Digits;
}): HeatMapGeometry {
  const rtl = params.lng === "ur";
  const fmt = { lng: params.lng, digits: params.digits ?? "native" };
  // Room for the longest name at the labels' 12 px (about 6.6 px a Latin
  // character; Nastaliq runs wider), so no row name is cut off and no column
  // name runs into its neighbour.
  const charW = rtl ? 7.2 : 6.6;
  const longest = (labels: Array<{ label: string }>) => Math.max(0, ...labels.map((l) => l.label.length));
  const labelW = Math.round(Math.min(420, Math.max(160, longest(params.rows) * charW + 16)));
  const cellW = Math.round(Math.min(200, Math.max(90, longest(params.cols) * charW + 16)));
  const cellH = 30;
  const top = 40;
  const gridW = cellW * params.cols.length;
  const width = labelW + gridW + 10;
  const gridX0 = rtl ? 10 : labelW;
  const x = scaleBand<string>()
    .domain(params.cols.map((c) => c.key))
    .range(rtl ? [gridX0 + gridW, gridX0] : [gridX0, gridX0 + gridW]);
  const y = scaleBand<string>()
    .domain(params.rows.map((r) => r.key))
    .range([top, top + cellH * params.rows.length]);
  const values = params.rows.flatMap((r) => params.cols.map((c) => params.cell(r.key, c.key).value));
  const max = Math.max(1, ...values);
  const colour = scaleLinear<string>().domain([0, max]).range([LOW, HIGH]);
  const cells = params.rows.flatMap((r) =>
    params.cols.map((c) => {
      const v = params.cell(r.key, c.key);
      return {
        x: x(c.key)!,
        y: y(r.key)!,
        w: x.bandwidth() - 2,
        h: y.bandwidth() - 2,
        fill: colour(v.value),
        ink: v.value / max > 0.5 ? "#ffffff" : "#1a1a1a",
        label: formatNumber(fmt, v.value),
        title: v.title,
        href: v.href,
      };
    }),
  );
  const labelEdge = rtl ? gridX0 + gridW + 8 : gridX0 - 8;
  const rowLabels = params.rows.map((r) => ({ x: labelEdge, y: y(r.key)! + y.bandwidth() / 2, text: r.label }));
  const colLabels = params.cols.map((c) => ({ x: x(c.key)! + x.bandwidth() / 2, y: top - 12, text: c.label }));
  const legendY = top + cellH * params.rows.length + 30;
  // Whole numbers only, each once: with a highest count of 1 the key is 0 and 1, not "0, 0, 1, 1, 1".
  const steps = [...new Set([0, 0.25, 0.5, 0.75, 1].map((f) => Math.round(f * max)))];
  const legend = steps.map((v, i) => ({
    x: gridX0 + (rtl ? gridW - (i + 1) * 60 : i * 60),
    y: legendY,
    w: 58,
    h: 14,
    fill: colour(v),
    label: formatNumber(fmt, v),
  }));
  return {
    width,
    height: legendY + 40,
    rtl,
    cells,
    rowLabels,
    colLabels,
    legend,
    legendTitle: { x: rtl ? gridX0 + gridW : gridX0, y: legendY - 8, text: params.legendTitle },
  };
}

export interface LineChartGeometry {
  width: number;
  height: number;
  rtl: boolean;
  path: string;
  points: Array<{ x: number; y: number; title: string }>;
  xTicks: TextMark[];
  yTicks: TextMark[];
  plot: { x0: number; x1: number; y0: number; y1: number };
}

/** A line over days in reading order (right to left in Urdu), with value ticks on the reading-start side. */
export function lineChartGeometry(params: {
  days: string[];
  values: number[];
  lng: string;
  digits?: Digits;
  dayLabel: (day: string) => string;
  title: (day: string, value: number) => string;
}): LineChartGeometry {
  const rtl = params.lng === "ur";
  const fmt = { lng: params.lng, digits: params.digits ?? "native" };
  const width = 640;
  const height = 220;
  const m = { top: 12, bottom: 30, side: 56, other: 12 };
  const x0 = rtl ? m.other : m.side;
  const x1 = width - (rtl ? m.side : m.other);
  const y0 = height - m.bottom;
  const y1 = m.top;
  const x = scaleLinear()
    .domain([0, Math.max(1, params.days.length - 1)])
    .range(rtl ? [x1, x0] : [x0, x1]);
  const y = scaleLinear()
    .domain([0, Math.max(1, ...params.values)])
    .nice()
    .range([y0, y1]);
  const pts = params.values.map((v, i) => [x(i), y(v)] as [number, number]);
  const path = line()(pts) ?? "";
  const step = Math.max(1, Math.ceil(params.days.length / 6));
  // A label at either end of the axis is anchored so it stays inside the chart.
  const edgeAnchor = (px: number): TextMark["anchor"] => {
    if (px - Math.min(x0, x1) < 30) return rtl ? "end" : "start"; // near the left edge: text runs rightwards
    if (Math.max(x0, x1) - px < 30) return rtl ? "start" : "end"; // near the right edge: text runs leftwards
    return "middle";
  };
  const xTicks = params.days.flatMap((d, i) =>
    i % step === 0 ? [{ x: x(i), y: y0 + 18, text: params.dayLabel(d), anchor: edgeAnchor(x(i)) }] : [],
  );
  const yTicks = y.ticks(4).map((v) => ({ x: rtl ? x1 + 6 : x0 - 6, y: y(v), text: formatNumber(fmt, v) }));
  return {
    width,
    height,
    rtl,
    path,
    points: pts.map(([px, py], i) => ({ x: px, y: py, title: params.title(params.days[i], params.values[i]) })),
    xTicks,
    yTicks,
    plot: { x0, x1, y0, y1 },
  };
}

export interface BarChartGeometry {
  width: number;
  height: number;
  rtl: boolean;
  bars: Array<{ x: number; y: number; w: number; h: number; title: string }>;
  labels: TextMark[];
  values: TextMark[];
}

/** Horizontal bars growing in reading direction (leftwards in Urdu) from the labels on the reading-start side. */
export function barChartGeometry(params: {
  rows: Array<{ label: string; value: number; title: string }>;
  lng: string;
  digits?: Digits;
}): BarChartGeometry {
  const rtl = params.lng === "ur";
  const fmt = { lng: params.lng, digits: params.digits ?? "native" };
  const labelW = 170;
  const plotW = 330;
  const valueW = 70;
  const barH = 24;
  const width = labelW + plotW + valueW;
  const plotX0 = rtl ? valueW : labelW;
  const x = scaleLinear()
    .domain([0, Math.max(1, ...params.rows.map((r) => r.value))])
    .range([0, plotW]);
  const y = scaleBand<number>()
    .domain(params.rows.map((_, i) => i))
    .range([0, barH * params.rows.length])
    .padding(0.2);
  return {
    width,
    height: barH * params.rows.length + 4,
    rtl,
    bars: params.rows.map((r, i) => ({
      x: rtl ? plotX0 + plotW - x(r.value) : plotX0,
      y: y(i)!,
      w: x(r.value),
      h: y.bandwidth(),
      title: r.title,
    })),
    labels: params.rows.map((r, i) => ({ x: rtl ? plotX0 + plotW + 8 : labelW - 8, y: y(i)! + y.bandwidth() / 2, text: r.label })),
    values: params.rows.map((r, i) => ({
      x: rtl ? plotX0 + plotW - x(r.value) - 6 : plotX0 + x(r.value) + 6,
      y: y(i)! + y.bandwidth() / 2,
      text: formatNumber(fmt, r.value),
    })),
  };
}

export interface SplitBarGeometry {
  width: number;
  height: number;
  rtl: boolean;
  /** per row: the covered part, then the rest, each with its title (a tooltip) */
  rows: Array<{ part: { x: number; w: number }; rest: { x: number; w: number }; y: number; h: number; title: string }>;
  labels: TextMark[];
  values: TextMark[];
  legend: Array<{ x: number; y: number; w: number; h: number; className: string; text: TextMark }>;
}

/**
 * Horizontal 100 % bars split in two (issue 19: covered vs not covered), one
 * per row, growing in reading direction from the labels; the value is the
 * covered share as a percentage. A legend names the two parts.
 */
export function splitBarGeometry(params: {
  rows: Array<{ label: string; part: number; total: number; title: string }>;
  partLabel: string;
  restLabel: string;
  lng: string;
  digits?: Digits;
}): SplitBarGeometry {
  const rtl = params.lng === "ur";
  const fmt = { lng: params.lng, digits: params.digits ?? "native" };
  const labelW = 170;
  const plotW = 330;
  const valueW = 70;
  const barH = 24;
  const legendH = 28;
  const width = labelW + plotW + valueW;
  const plotX0 = rtl ? valueW : labelW;
  const y = scaleBand<number>()
    .domain(params.rows.map((_, i) => i))
    .range([0, barH * params.rows.length])
    .padding(0.2);
  const share = (r: { part: number; total: number }) => (r.total > 0 ? r.part / r.total : 0);
  const legendY = barH * params.rows.length + 8;
  const legendItem = (i: number, className: string, text: string) => {
    const x = rtl ? plotX0 + plotW - 12 - i * 140 : plotX0 + i * 140;
    return {
      x,
      y: legendY,
      w: 12,
      h: 12,
      className,
      text: { x: rtl ? x - 6 : x + 18, y: legendY + 6, text },
    };
  };
  return {
    width,
    height: legendY + legendH,
    rtl,
    rows: params.rows.map((r, i) => {
      const partW = Math.round(share(r) * plotW);
      const restW = r.total > 0 ? plotW - partW : 0;
      return {
        part: { x: rtl ? plotX0 + plotW - partW : plotX0, w: partW },
        rest: { x: rtl ? plotX0 : plotX0 + partW, w: restW },
        y: y(i)!,
        h: y.bandwidth(),
        title: r.title,
      };
    }),
    labels: params.rows.map((r, i) => ({ x: rtl ? plotX0 + plotW + 8 : labelW - 8, y: y(i)! + y.bandwidth() / 2, text: r.label })),
    values: params.rows.map((r, i) => ({
      x: rtl ? plotX0 - 6 : plotX0 + plotW + 6,
      y: y(i)! + y.bandwidth() / 2,
      text: `${formatNumber(fmt, Math.round(share(r) * 100))}%`,
    })),
    legend: [legendItem(0, "chart__bar", params.partLabel), legendItem(1, "chart__bar chart__bar--rest", params.restLabel)],
  };
}
