import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import {
  type AddressInfo,
  createServer as createTcpServer,
  type Socket,
  type Server as TcpServer,
} from "node:net";

/** A local HTTP server standing in for a provider: counts requests and connections. */
export interface MockProvider {
  url: string;
  server: Server;
  requests: number;
  connections: number;
  /** Request bodies received, in order. */
  bodies: string[];
  close(): Promise<void>;
}

export type MockHandler = (
  request: IncomingMessage,
  response: ServerResponse,
  body: string,
) => void | Promise<void>;

export async function startMockProvider(
  handler: MockHandler,
  path = "/v1/chat/completions",
): Promise<MockProvider> {
  const server = createServer();
  const mock: MockProvider = {
    url: "",
    server,
    requests: 0,
    connections: 0,
    bodies: [],
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  server.on("connection", () => {
    mock.connections++;
  });
  server.on("request", (request: IncomingMessage, response: ServerResponse) => {
    mock.requests++;
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      mock.bodies.push(body);
      void handler(request, response, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  mock.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
  return mock;
}

/** A URL on 127.0.0.1 where nothing listens (connection refused). */
export async function refusedUrl(path = "/v1/chat/completions"): Promise<string> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}${path}`;
}

/**
 * A TCP server that accepts connections and never says a word. Used with an https:// URL, the TLS
 * handshake never completes, so undici's connect timeout (which covers TCP + TLS) fires — a real
 * connect timeout on loopback, without non-routable addresses.
 */
export async function startSilentTcpServer(): Promise<{
  port: number;
  sockets: Socket[];
  close(): Promise<void>;
}> {
  const sockets: Socket[] = [];
  const server: TcpServer = createTcpServer((socket) => {
    sockets.push(socket);
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    sockets,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export function json(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

export function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

/** Resolves with the rejection of `promise`; fails when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}
