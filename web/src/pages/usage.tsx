import { useState } from "react";
import { messageOf } from "../api/api-error.js";
import { KEYS, useApiQuery } from "../api/queries.js";
import type { UsageAnswer, UsageEvent, UsageRow } from "../api/types.js";
import { BarChart, type BarChartProps } from "../charts/bar-chart.js";
import { type Bucket, fillBuckets, rangeOf } from "../charts/time-buckets.js";
import { type ColumnSpec, DataTable } from "../components/data-table.js";
import { ErrorAlert } from "../components/error-alert.js";
import { Options, SelectField } from "../components/fields.js";
import { ListTable } from "../components/list-states.js";
import { Page } from "../components/page.js";
import { TableSkeleton } from "../components/states.js";
import { formatDateTime, formatInteger, formatMs, formatTokens, formatUsd } from "../format.js";
import { useSession } from "../session/session.js";
import { rollUp } from "../usage/rollup.js";

const RANGES = {
  "24h": { label: "Last 24 hours", count: 24, bucket: "hour" },
  "7d": { label: "Last 7 days", count: 7, bucket: "day" },
  "30d": { label: "Last 30 days", count: 30, bucket: "day" },
} as const satisfies Record<string, { label: string; count: number; bucket: Bucket }>;
type RangeName = keyof typeof RANGES;

const TOP = 8;

const FIGURE_COLUMNS = ["Requests", "Tokens", "Cost"].map((label) => ({ label, numeric: true }));
const EVENT_COLUMNS: ColumnSpec[] = [
  "Time",
  "Actor",
  "Model",
  "Status",
  { label: "Tokens in / out", numeric: true },
  { label: "Cost", numeric: true },
  { label: "Latency", numeric: true },
];

const tokensOf = (row: UsageRow) => row.inputTokens + row.outputTokens;

/** The groups that cost most (then by requests), as many as fit a glance. */
function top(rows: UsageRow[] | undefined): UsageRow[] {
  return [...(rows ?? [])].sort((a, b) => b.costUsd - a.costUsd || b.requests - a.requests).slice(0, TOP);
}

function TopTable({
  caption,
  groupKey,
  heading,
  rows,
}: {
  caption: string;
  groupKey: string;
  heading: string;
  rows: UsageRow[] | undefined;
}) {
  if (!rows) return <TableSkeleton rows={5} label={`Loading ${caption.toLowerCase()}…`} />;
  return (
    <DataTable label={caption} caption columns={[heading, ...FIGURE_COLUMNS]}>
      {rows.length === 0 ? (
        <tr>
          <td colSpan={4} className="muted">
            No requests in this range.
          </td>
        </tr>
      ) : (
        rows.map((row) => (
          <tr key={String(row[groupKey])}>
            <th scope="row" className="cell-wrap">
              {row[groupKey] ?? <span className="muted">(none)</span>}
            </th>
            <td className="number">{formatInteger(row.requests)}</td>
            <td className="number">{formatTokens(tokensOf(row))}</td>
            <td className="number">{formatUsd(row.costUsd)}</td>
          </tr>
        ))
      )}
    </DataTable>
  );
}

function Stat({ label, value }: { label: string; value: string | undefined }) {
  return (
    <div className="stat">
      <p className="stat-label">{label}</p>
      <p className="stat-value">{value ?? "\u00a0"}</p>
    </div>
  );
}

/** A chart under its title; its accessible name is the title "over time". */
function ChartCard({ title, ...chart }: { title: string } & Omit<BarChartProps, "label">) {
  return (
    <div className="card chart-card">
      <h3>{title}</h3>
      <BarChart label={`${title} over time`} {...chart} />
    </div>
  );
}

export function UsagePage() {
  const { api } = useSession();
  const [rangeName, setRangeName] = useState<RangeName>("24h");
  const range = RANGES[rangeName];
  const [span, setSpan] = useState(() => rangeOf(range.count, range.bucket));
  const [downloadError, setDownloadError] = useState<string>();
  const [downloading, setDownloading] = useState(false);
  const { from, to } = span;

  // One answer for the charts and both top lists (see rollUp), per bucket, actor and model: the CSV's rows too.
  const groupBy = `${range.bucket},actor,model`;
  const usage = useApiQuery([...KEYS.usage, groupBy, from, to], (api) =>
    api.get<UsageAnswer>("/admin/api/usage", { groupBy, from, to }),
  );
  const rows = usage.data?.rows;
  const series = rows ? rollUp(rows, range.bucket) : undefined;
  const actors = rows ? rollUp(rows, "actor") : undefined;
  const models = rows ? rollUp(rows, "model") : undefined;
  const events = useApiQuery([...KEYS.usage, "events", from, to], (api) =>
    api.get<{ events: UsageEvent[] }>("/admin/api/usage/events", { from, to, limit: 20 }),
  );

  const choose = (name: RangeName) => {
    setRangeName(name);
    setSpan(rangeOf(RANGES[name].count, RANGES[name].bucket));
  };

  const buckets = series ? fillBuckets(series, range.bucket, from, to) : [];
  /** The range's total of a field, formatted; undefined until the answer is in. */
  const total = (field: "requests" | "errors" | "costUsd" | "tokens", format: (value: number) => string) =>
    series && format(series.reduce((sum, row) => sum + (field === "tokens" ? tokensOf(row) : row[field]), 0));

  // A CSV of the range per bucket, actor and model, fetched with the token (a plain link could not send it).
  const download = async () => {
    setDownloading(true);
    setDownloadError(undefined);
    try {
      const blob = await api.blob("/admin/api/usage", {
        format: "csv",
        groupBy,
        from,
        to,
      });
      const url = URL.createObjectURL(blob);
      const link = document.createElement("a");
      link.href = url;
      link.download = `tollgate-usage-${from.slice(0, 10)}-to-${to.slice(0, 10)}.csv`;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (error) {
      setDownloadError(messageOf(error));
    } finally {
      setDownloading(false);
    }
  };

  const error = usage.error ?? events.error;

  return (
    <Page
      title="Usage"
      intro="Requests, tokens and cost through the gateway, over time and by who and what used them."
      actions={
        <div className="toolbar">
          <SelectField label="Range" value={rangeName} onValue={(value) => choose(value as RangeName)}>
            <Options choices={Object.entries(RANGES).map(([value, { label }]) => ({ value, label }))} />
          </SelectField>
          <button
            type="button"
            className="button"
            onClick={() => setSpan(rangeOf(range.count, range.bucket))}
          >
            Refresh
          </button>
          <button type="button" className="button" onClick={download} disabled={downloading}>
            Download CSV
          </button>
        </div>
      }
    >
      <ErrorAlert error={error ?? downloadError} />
      <div className="stats">
        <Stat label="Requests" value={total("requests", formatInteger)} />
        <Stat label="Errors" value={total("errors", formatInteger)} />
        <Stat label="Tokens" value={total("tokens", formatTokens)} />
        <Stat label="Cost" value={total("costUsd", formatUsd)} />
      </div>
      <div className="grid-3 section">
        <ChartCard
          title="Requests"
          counts
          bucket={range.bucket}
          format={formatInteger}
          points={buckets.map((entry) => ({ at: entry.at, value: entry.row?.requests ?? 0 }))}
        />
        <ChartCard
          title="Tokens"
          counts
          bucket={range.bucket}
          format={formatTokens}
          series={["input", "output"]}
          points={buckets.map((entry) => ({
            at: entry.at,
            value: entry.row?.inputTokens ?? 0,
            stack: entry.row?.outputTokens ?? 0,
          }))}
        />
        <ChartCard
          title="Cost"
          unit="$"
          bucket={range.bucket}
          format={formatUsd}
          points={buckets.map((entry) => ({ at: entry.at, value: entry.row?.costUsd ?? 0 }))}
        />
      </div>
      <div className="grid-2 section">
        <TopTable
          caption="Top actors"
          heading="Actor"
          groupKey="actor"
          rows={actors ? top(actors) : undefined}
        />
        <TopTable
          caption="Top models"
          heading="Model"
          groupKey="model"
          rows={models ? top(models) : undefined}
        />
      </div>
      <div className="section">
        <ListTable
          items={events.data?.events}
          pending={events.isPending}
          loading={{ rows: 5, label: "Loading recent requests…" }}
          empty="No requests in this range yet."
          label="Recent requests"
          caption
          columns={EVENT_COLUMNS}
          row={(event) => (
            <tr key={event.requestId}>
              <td>{formatDateTime(event.time)}</td>
              <td>{event.actorId ?? "—"}</td>
              <td className="cell-wrap mono">{event.modelRef ?? "—"}</td>
              <td>
                {event.status}
                {event.errorCode ? <span className="cell-sub">{event.errorCode}</span> : null}
              </td>
              <td className="number">
                {formatTokens(event.inputTokens)} / {formatTokens(event.outputTokens)}
              </td>
              <td className="number">{formatUsd(event.costUsd)}</td>
              <td className="number">{formatMs(event.latencyMs)}</td>
            </tr>
          )}
        />
      </div>
    </Page>
  );
}
