// Server-rendered SVG charts for the organiser dashboard. Each takes geometry
// computed in the loader (app/models/dashboard-charts.server.ts), so no chart
// library reaches the browser. Every chart has a <title> and <desc> and sits
// beside a data table, its text alternative.
import type { ReactNode } from "react";
import type { BarChartGeometry, HeatMapGeometry, LineChartGeometry, SplitBarGeometry } from "~/models/dashboard-charts.server";

interface Labelled {
  id: string;
  title: string;
  desc: string;
}

const textDir = (rtl: boolean) => (rtl ? "rtl" : "ltr");

/** The labelled frame of every chart: an image named by its title and described by its desc (read without JavaScript). */
function ChartFrame({
  className,
  id,
  title,
  desc,
  g,
  role = "img",
  children,
}: Labelled & { className: string; g: { width: number; height: number }; role?: "img" | "group"; children: ReactNode }) {
  return (
    <svg
      className={className}
      viewBox={`0 0 ${g.width} ${g.height}`}
      width={g.width}
      height={g.height}
      role={role}
      aria-labelledby={`${id}-t ${id}-d`}
    >
      <title id={`${id}-t`}>{title}</title>
      <desc id={`${id}-d`}>{desc}</desc>
      {children}
    </svg>
  );
}

export function HeatMap({ id, title, desc, g }: Labelled & { g: HeatMapGeometry }) {
  return (
    // A group, not an img: its cells are links (an img may not hold anything focusable), each named by its title.
    <ChartFrame className="chart chart--heatmap" id={id} title={title} desc={desc} g={g} role="group">
      {g.colLabels.map((l, i) => (
        <text key={`c${i}`} x={l.x} y={l.y} textAnchor="middle" direction={textDir(g.rtl)} className="chart__label">
          {l.text}
        </text>
      ))}
      {g.rowLabels.map((l, i) => (
        <text key={`r${i}`} x={l.x} y={l.y} dy="0.35em" textAnchor="end" direction={textDir(g.rtl)} className="chart__label">
          {l.text}
        </text>
      ))}
      {g.cells.map((c, i) => (
        <a key={i} href={c.href} aria-label={c.title}>
          <rect x={c.x} y={c.y} width={c.w} height={c.h} fill={c.fill}>
            <title>{c.title}</title>
          </rect>
          <text
            x={c.x + c.w / 2}
            y={c.y + c.h / 2}
            dy="0.35em"
            textAnchor="middle"
            fill={c.ink}
            className="chart__cell-value"
            aria-hidden="true"
          >
            {c.label}
          </text>
        </a>
      ))}
      <text x={g.legendTitle.x} y={g.legendTitle.y} textAnchor="start" direction={textDir(g.rtl)} className="chart__label">
        {g.legendTitle.text}
      </text>
      {g.legend.map((l, i) => (
        <g key={`l${i}`}>
          <rect x={l.x} y={l.y} width={l.w} height={l.h} fill={l.fill} stroke="#8a8a8a" />
          <text x={l.x + l.w / 2} y={l.y + l.h + 14} textAnchor="middle" className="chart__value">
            {l.label}
          </text>
        </g>
      ))}
    </ChartFrame>
  );
}

export function LineChart({ id, title, desc, g }: Labelled & { g: LineChartGeometry }) {
  return (
    <ChartFrame className="chart chart--line" id={id} title={title} desc={desc} g={g}>
      <line x1={g.plot.x0} x2={g.plot.x1} y1={g.plot.y0} y2={g.plot.y0} className="chart__axis" />
      {g.yTicks.map((tk, i) => (
        <g key={`y${i}`}>
          <line x1={g.plot.x0} x2={g.plot.x1} y1={tk.y} y2={tk.y} className="chart__grid" />
          <text x={tk.x} y={tk.y} dy="0.35em" textAnchor={g.rtl ? "start" : "end"} direction="ltr" className="chart__value">
            {tk.text}
          </text>
        </g>
      ))}
      {g.xTicks.map((tk, i) => (
        <text key={`x${i}`} x={tk.x} y={tk.y} textAnchor={tk.anchor ?? "middle"} direction={textDir(g.rtl)} className="chart__value">
          {tk.text}
        </text>
      ))}
      <path d={g.path} className="chart__line" fill="none" />
      {g.points.map((p, i) => (
        <circle key={i} cx={p.x} cy={p.y} r={2.5} className="chart__point">
          <title>{p.title}</title>
        </circle>
      ))}
    </ChartFrame>
  );
}

export function BarChart({ id, title, desc, g }: Labelled & { g: BarChartGeometry }) {
  return (
    <ChartFrame className="chart chart--bars" id={id} title={title} desc={desc} g={g}>
      {g.bars.map((b, i) => (
        <g key={i}>
          <rect x={b.x} y={b.y} width={Math.max(b.w, 1)} height={b.h} className="chart__bar">
            <title>{b.title}</title>
          </rect>
          <text x={g.labels[i].x} y={g.labels[i].y} dy="0.35em" textAnchor="end" direction={textDir(g.rtl)} className="chart__label">
            {g.labels[i].text}
          </text>
          <text
            x={g.values[i].x}
            y={g.values[i].y}
            dy="0.35em"
            textAnchor={g.rtl ? "end" : "start"}
            direction="ltr"
            className="chart__value"
          >
            {g.values[i].text}
          </text>
        </g>
      ))}
    </ChartFrame>
  );
}

/** 100 % bars in two parts (covered, not covered) with a legend: the coverage page (issue 19). */
export function SplitBarChart({ id, title, desc, g }: Labelled & { g: SplitBarGeometry }) {
  return (
    <ChartFrame className="chart chart--bars" id={id} title={title} desc={desc} g={g}>
      {g.rows.map((r, i) => (
        <g key={i}>
          <title>{r.title}</title>
          <rect x={r.part.x} y={r.y} width={r.part.w} height={r.h} className="chart__bar" />
          <rect x={r.rest.x} y={r.y} width={r.rest.w} height={r.h} className="chart__bar chart__bar--rest" />
          <text x={g.labels[i].x} y={g.labels[i].y} dy="0.35em" textAnchor="end" direction={textDir(g.rtl)} className="chart__label">
            {g.labels[i].text}
          </text>
          <text
            x={g.values[i].x}
            y={g.values[i].y}
            dy="0.35em"
            textAnchor={g.rtl ? "end" : "start"}
            direction="ltr"
            className="chart__value"
          >
            {g.values[i].text}
          </text>
        </g>
      ))}
      {g.legend.map((l, i) => (
        <g key={`l${i}`}>
          <rect x={l.x} y={l.y} width={l.w} height={l.h} className={l.className} />
          <text x={l.text.x} y={l.text.y} dy="0.35em" textAnchor="start" direction={textDir(g.rtl)} className="chart__label">
            {l.text.text}
          </text>
        </g>
      ))}
    </ChartFrame>
  );
}
