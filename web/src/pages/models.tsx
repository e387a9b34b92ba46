import { Page } from "../components/page.js";

export function ModelsPage() {
  return <Page title="models">TODO</Page>;
}
