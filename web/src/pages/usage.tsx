import { Page } from "../components/page.js";

export function UsagePage() {
  return <Page title="usage">TODO</Page>;
}
