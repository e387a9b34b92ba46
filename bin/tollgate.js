#!/usr/bin/env node
// The `tollgate` command: the CLI on a Node.js it supports (see node-runtime.js).
import { runScript } from "./node-runtime.js";

await runScript(new URL("../dist/cli/main.js", import.meta.url), process.argv.slice(2));
