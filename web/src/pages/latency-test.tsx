import { Page } from "../components/page.js";

export function LatencyTestPage() {
  return <Page title="latency-test">TODO</Page>;
}
