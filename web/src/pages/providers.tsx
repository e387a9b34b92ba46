import { Page } from "../components/page.js";

export function ProvidersPage() {
  return <Page title="providers">TODO</Page>;
}
