import { Page } from "../components/page.js";

export function ActorsPage() {
  return <Page title="actors">TODO</Page>;
}
