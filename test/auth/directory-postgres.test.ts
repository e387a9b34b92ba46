import { openStore } from "../../src/store/index.js";
import { dropSchemas, postgresUrl, randomSchemaName, withSchema } from "../store/postgres.js";
import { describeDirectoryConformance } from "./directory-conformance.js";

describeDirectoryConformance("Postgres", async () => {
  const schema = randomSchemaName();
  const url = withSchema(await postgresUrl(), schema);
  const first = await openStore(url);
  await first.migrate();
  await first.close();
  return { open: () => openStore(url), cleanup: () => dropSchemas([schema]) };
});
