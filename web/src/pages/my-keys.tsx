import { Page } from "../components/page.js";

export function MyKeysPage() {
  return <Page title="my-keys">TODO</Page>;
}
