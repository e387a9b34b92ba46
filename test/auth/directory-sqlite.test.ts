import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore } from "../../src/store/index.js";
import { describeDirectoryConformance } from "./directory-conformance.js";

describeDirectoryConformance("SQLite", async () => {
  const directory = await mkdtemp(join(tmpdir(), "tollgate-directory-"));
  const url = `sqlite:${join(directory, "tollgate.db")}`;
  const first = await openStore(url);
  await first.migrate();
  await first.close();
  return {
    open: () => openStore(url),
    cleanup: () => rm(directory, { recursive: true, force: true }),
  };
});
