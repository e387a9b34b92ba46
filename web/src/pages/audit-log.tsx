import { Page } from "../components/page.js";

export function AuditLogPage() {
  return <Page title="audit-log">TODO</Page>;
}
