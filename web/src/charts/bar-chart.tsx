import { formatTick } from "../format.js";

export interface ChartPoint {
  /** The bucket's start. */
  at: Date;
  /** The bar's height; `stack`, when given, is drawn on top of it in the second colour. */
  value: number;
  stack?: number;
}

export interface BarChartProps {
  /** The chart's accessible name ("Requests over time"). */
  label: string;
  points: ChartPoint[];
  bucket: "hour" | "day";
  /** How a value reads in the tooltips and the description. */
  format: (value: number) => string;
  /** Names of the two stacked series, for the legend. */
  series?: [string, string];
  /** Written before the axis' numbers ("$"). */
  unit?: string;
  /** Counts of whole things (requests, tokens): the axis has no halves (0.5 requests, 2.5 tokens). */
  counts?: boolean;
}

// A fixed coordinate system scaled by CSS: the chart keeps its shape (and its height while loading).
const WIDTH = 360;
const HEIGHT = 150;
const RIGHT = 6;
const TOP = 8;
const BOTTOM = 20;

function bucketLabel(at: Date, bucket: "hour" | "day"): string {
  return bucket === "hour"
    ? at.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" })
    : at.toLocaleDateString(undefined, { month: "short", day: "numeric", timeZone: "UTC" });
}

/** A round maximum for the axis (1, 2 or 5 times a power of ten) at or above the data's. */
function niceMax(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

/**
 * Bars over time, drawn as SVG by hand: a few dozen rectangles need no charting library, and nothing here
 * sets inline styles (the admin CSP allows the console's own stylesheet only). Each bar has a tooltip; the
 * chart's description says the total and the peak for screen readers.
 */
export function BarChart({
  label,
  points,
  bucket,
  format,
  series,
  unit = "",
  counts = false,
}: BarChartProps) {
  const totals = points.map((point) => point.value + (point.stack ?? 0));
  const max = niceMax(Math.max(0, ...totals));
  const ticks = counts && !Number.isInteger(max / 2) ? [0, max] : [0, max / 2, max];
  const tickLabels = ticks.map((tick) => (tick === 0 ? "0" : `${unit}${formatTick(tick)}`));
  // Room for the longest tick label (about 5.5 units a character at the axis' font size).
  const left = Math.max(24, Math.ceil(Math.max(...tickLabels.map((label) => label.length)) * 5.6) + 8);
  const plotWidth = WIDTH - left - RIGHT;
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const slot = points.length > 0 ? plotWidth / points.length : plotWidth;
  const barWidth = Math.max(1, slot * 0.72);
  const y = (value: number) => TOP + plotHeight - (value / max) * plotHeight;
  const total = totals.reduce((sum, value) => sum + value, 0);
  const peakIndex = totals.indexOf(Math.max(...totals));
  const peak = points[peakIndex];
  const description =
    points.length === 0
      ? "No data."
      : `Total ${format(total)}${peak && totals[peakIndex]! > 0 ? `; highest ${format(totals[peakIndex]!)} at ${bucketLabel(peak.at, bucket)}` : ""}.`;
  const last = points.length - 1;
  const labelled =
    points.length > 0
      ? ([
          { key: "first", index: 0, anchor: "start" },
          { key: "middle", index: Math.floor(last / 2), anchor: "middle" },
          { key: "last", index: last, anchor: "end" },
        ] as const)
      : [];

  return (
    <figure className="chart-figure">
      <svg className="chart" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={label}>
        <desc>{description}</desc>
        {ticks.map((tick, index) => (
          <g key={tickLabels[index]}>
            <line className="grid-line" x1={left} x2={WIDTH - RIGHT} y1={y(tick)} y2={y(tick)} />
            <text className="axis-label" x={left - 4} y={y(tick) + 3} textAnchor="end">
              {tickLabels[index]}
            </text>
          </g>
        ))}
        {points.map((point, index) => {
          const x = left + index * slot + (slot - barWidth) / 2;
          const base = y(point.value);
          const stacked = point.stack ?? 0;
          const when = bucketLabel(point.at, bucket);
          return (
            <g key={point.at.toISOString()}>
              <rect className="bar" x={x} width={barWidth} y={base} height={TOP + plotHeight - base}>
                <title>{`${when}: ${format(point.value)}${series ? ` ${series[0]}` : ""}`}</title>
              </rect>
              {stacked > 0 ? (
                <rect
                  className="bar bar-secondary"
                  x={x}
                  width={barWidth}
                  y={y(point.value + stacked)}
                  height={base - y(point.value + stacked)}
                >
                  <title>{`${when}: ${format(stacked)}${series ? ` ${series[1]}` : ""}`}</title>
                </rect>
              ) : null}
            </g>
          );
        })}
        {labelled.map(({ key, index, anchor }) => (
          <text
            key={key}
            className="axis-label"
            x={anchor === "start" ? left : anchor === "end" ? WIDTH - RIGHT : left + index * slot + slot / 2}
            y={HEIGHT - 6}
            textAnchor={anchor}
          >
            {points[index] ? bucketLabel(points[index].at, bucket) : ""}
          </text>
        ))}
      </svg>
      {series ? (
        <figcaption className="chart-legend">
          <span>
            <span className="legend-swatch" aria-hidden="true" />
            {series[0]}
          </span>
          <span>
            <span className="legend-swatch secondary" aria-hidden="true" />
            {series[1]}
          </span>
        </figcaption>
      ) : null}
    </figure>
  );
}
