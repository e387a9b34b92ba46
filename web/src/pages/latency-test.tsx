import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useEffect, useState } from "react";
import { useClientModels } from "../api/queries.js";
import type { LatencyReport, Spread } from "../api/types.js";
import { DataTable } from "../components/data-table.js";
import { ErrorAlert } from "../components/error-alert.js";
import { NumberField, Options, SelectField } from "../components/fields.js";
import { FormFooter } from "../components/form-footer.js";
import { Page } from "../components/page.js";
import { EmptyState } from "../components/states.js";
import { formatMs } from "../format.js";
import { runLatencyTestInBrowser } from "../latency/browser-latency.js";
import { useSession } from "../session/session.js";

const COLUMNS = ["avg", "min", "p50", "p95", "max"] as const satisfies readonly (keyof Spread)[];

function TimesRow({ measure, spread }: { measure: string; spread: Spread }) {
  return (
    <tr>
      <th scope="row">{measure}</th>
      {COLUMNS.map((column) => (
        <td key={column} className="number">
          {formatMs(spread[column])}
        </td>
      ))}
    </tr>
  );
}

function Report({ report }: { report: LatencyReport }) {
  return (
    <>
      <p className="report-summary">
        <strong>
          {report.ok}/{report.requests}
        </strong>{" "}
        requests to <code>{report.model}</code> succeeded
        {report.failed > 0 ? `; ${report.failed} failed` : ""}.
      </p>
      {report.firstError ? (
        <div role="alert" className="alert alert-error">
          First failure: {report.firstError}
        </div>
      ) : null}
      {report.ttftMs && report.totalMs ? (
        <DataTable
          label="Times in milliseconds, over the successful requests"
          caption
          columns={["Measure", ...COLUMNS.map((column) => ({ label: column, numeric: true }))]}
        >
          <TimesRow measure="First token" spread={report.ttftMs} />
          <TimesRow measure="Total" spread={report.totalMs} />
        </DataTable>
      ) : null}
    </>
  );
}

/**
 * Short streaming chat requests through the gateway, timed to the first token and to the end. Admin tokens
 * run it on the server (`POST /admin/api/latency-test`); user tokens, which may call models but not the admin
 * API, run the same requests from the browser.
 */
export function LatencyTestPage() {
  const { me, api } = useSession();
  const canCall = me.role !== "readonly";
  const models = useClientModels(canCall);
  const [model, setModel] = useState("");
  const [requests, setRequests] = useState("5");
  const [concurrency, setConcurrency] = useState("1");

  useEffect(() => {
    if (!model && models.data?.[0]) setModel(models.data[0]);
  }, [model, models.data]);

  const run = useMutation({
    mutationFn: (input: { model: string; requests: number; concurrency: number }) =>
      me.role === "admin"
        ? api.send<LatencyReport>("POST", "/admin/api/latency-test", input)
        : runLatencyTestInBrowser(api, input.model, input.requests, input.concurrency),
  });

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    run.mutate({ model, requests: Number(requests), concurrency: Number(concurrency) });
  };

  return (
    <Page
      title="Latency test"
      intro="Sends short streaming chat requests through the gateway as you, and times each one to its first token and to its end. They count against your limits and budget."
    >
      {!canCall ? (
        <EmptyState>
          Readonly tokens cannot send model requests. Sign in with an admin or user token to run a test.
        </EmptyState>
      ) : (
        <>
          <ErrorAlert error={models.error} />
          <form className="card form section" onSubmit={onSubmit}>
            <div className="form-row three">
              <SelectField
                label="Model"
                required
                value={model}
                disabled={models.isPending}
                onValue={setModel}
              >
                {models.isPending ? <option value="">Loading models…</option> : null}
                {models.data?.length === 0 ? <option value="">No models available</option> : null}
                <Options choices={models.data ?? []} />
              </SelectField>
              <NumberField
                label="Requests"
                min={1}
                max={50}
                required
                value={requests}
                onValue={setRequests}
                hint="1 to 50."
              />
              <NumberField
                label="Concurrency"
                min={1}
                max={10}
                required
                value={concurrency}
                onValue={setConcurrency}
                hint="Requests at once, 1 to 10."
              />
            </div>
            <FormFooter
              submitLabel={run.isPending ? "Running…" : "Run test"}
              submitDisabled={run.isPending || !model}
            />
          </form>
          <section
            className="card report"
            aria-label="Latency report"
            aria-busy={run.isPending}
            aria-live="polite"
          >
            {run.isPending ? (
              <p className="muted">
                Sending {requests} request{requests === "1" ? "" : "s"}, {concurrency} at a time…
              </p>
            ) : run.error ? (
              <ErrorAlert error={run.error} />
            ) : run.data ? (
              <Report report={run.data} />
            ) : (
              <p className="muted">
                Run a test to see the first-token and total times (avg, min, p50, p95, max).
              </p>
            )}
          </section>
        </>
      )}
    </Page>
  );
}
