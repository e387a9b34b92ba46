// The baseline: the least a Node reverse proxy for LLM traffic can do. node:http in, an undici Pool with
// keep-alive out; it parses the request JSON and a non-streaming response's JSON (as any gateway must to
// read the model and the usage) and nothing else, and relays streams chunk by chunk with backpressure.
// Runs as its own process; only imports node built-ins and undici.
import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { Pool } from "undici";

function arg(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index > 0 ? process.argv[index + 1] : undefined;
}

const upstream = arg("--upstream") ?? "http://127.0.0.1:9";
// No connection cap: 5,000 held streams need 5,000 upstream sockets, as in the gateway.
const pool = new Pool(upstream, { pipelining: 1, keepAliveTimeout: 30_000, keepAliveMaxTimeout: 60_000 });

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

function fail(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify({ error: { message } }));
}

async function proxy(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const raw = await readBody(req);
  try {
    JSON.parse(raw.toString("utf8"));
  } catch {
    fail(res, 400, "invalid JSON");
    return;
  }
  const abort = new AbortController();
  res.on("close", () => {
    if (!res.writableFinished) abort.abort();
  });
  const headers: Record<string, string> = { "content-type": "application/json" };
  const auth = req.headers.authorization;
  if (auth) headers.authorization = auth;
  const upstreamRes = await pool.request({
    method: "POST",
    path: req.url ?? "/",
    headers,
    body: raw,
    signal: abort.signal,
  });
  const contentType = String(upstreamRes.headers["content-type"] ?? "application/json");
  if (contentType.startsWith("text/event-stream")) {
    res.writeHead(upstreamRes.statusCode, { "content-type": contentType, "cache-control": "no-cache" });
    for await (const chunk of upstreamRes.body) {
      if (!res.write(chunk)) await once(res, "drain");
    }
    res.end();
    return;
  }
  const text = await upstreamRes.body.text();
  try {
    JSON.parse(text);
  } catch {
    fail(res, 502, "upstream sent invalid JSON");
    return;
  }
  const payload = Buffer.from(text);
  res.writeHead(upstreamRes.statusCode, { "content-type": contentType, "content-length": payload.length });
  res.end(payload);
}

const server = createServer((req, res) => {
  if (req.method === "GET" && req.url === "/healthz") {
    res.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok"}');
    return;
  }
  if (req.method !== "POST") {
    fail(res, 404, "bare proxy: no route");
    return;
  }
  proxy(req, res).catch((error: unknown) => {
    if ((error as { name?: string }).name === "AbortError") return;
    fail(res, 502, error instanceof Error ? error.message : String(error));
  });
});
server.keepAliveTimeout = 65_000;
server.headersTimeout = 70_000;
server.requestTimeout = 0;

server.listen(Number(arg("--port") ?? 0), "127.0.0.1", 4096, () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  if (process.send) process.send({ type: "ready", port });
  else process.stdout.write(`bare proxy listening on http://127.0.0.1:${port} -> ${upstream}\n`);
});
