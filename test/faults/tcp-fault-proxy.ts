import { type AddressInfo, connect, createServer, type Server, type Socket } from "node:net";

/**
 * What the proxy does with connections:
 * - `pass`: forwards bytes both ways, as if it were not there;
 * - `refuse`: resets new connections at once (a server that is down); open ones keep working unless
 *   `resetAll()` is called too (a restart is `setMode("refuse")`, `resetAll()`, later `setMode("pass")`);
 * - `blackhole`: accepts and reads, forwards nothing either way, on new and open connections (packets
 *   silently dropped, as behind a partition: the peer's writes succeed and its reads wait for ever).
 */
export type FaultMode = "pass" | "refuse" | "blackhole";

interface Pair {
  client: Socket;
  upstream: Socket;
}

/**
 * A TCP proxy for fault tests: listens on a free port on 127.0.0.1 and forwards to a target (Postgres, Redis,
 * an upstream), misbehaving on demand. Switch modes while traffic runs and the process under test sees what
 * an outage, a restart or a silent network partition looks like, without touching the real server.
 *
 * ```ts
 * const proxy = new TcpFaultProxy(new URL("postgres://127.0.0.1:5432/test"));
 * const through = new URL(base); through.host = await proxy.start();   // "127.0.0.1:<port>"
 * proxy.setMode("blackhole");            // queries hang from here on
 * proxy.setMode("refuse"); proxy.resetAll();   // the server "restarts"
 * proxy.setMode("pass");
 * await proxy.close();
 * ```
 */
export class TcpFaultProxy {
  #mode: FaultMode;
  #accepted = 0;
  readonly #pairs = new Set<Pair>();
  readonly #server: Server;
  readonly #target: { host: string; port: number };
  #port: number | undefined;

  /** `target`: a URL (its hostname and port; the port must be explicit) or `{hostname, port}`. */
  constructor(target: { hostname: string; port: string | number }, mode: FaultMode = "pass") {
    const port = Number(target.port);
    if (!Number.isInteger(port) || port <= 0) {
      throw new Error(`TcpFaultProxy: the target needs an explicit port, got \`${target.port}\``);
    }
    // A URL's hostname keeps an IPv6 address in brackets; net.connect wants it bare.
    this.#target = { host: target.hostname.replace(/^\[(.*)\]$/, "$1"), port };
    this.#mode = mode;
    this.#server = createServer((client) => this.#accept(client));
  }

  /** Listens on a free port of 127.0.0.1; resolves with `host:port`, to put in a URL in place of the target's. */
  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, "127.0.0.1", resolve));
    this.#port = (this.#server.address() as AddressInfo).port;
    return this.address;
  }

  get port(): number {
    if (this.#port === undefined) throw new Error("TcpFaultProxy: call start() first");
    return this.#port;
  }

  /** `127.0.0.1:<port>`. */
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  get mode(): FaultMode {
    return this.#mode;
  }

  /** Connections accepted so far, refused ones included (a test can see that a client reconnected). */
  get accepted(): number {
    return this.#accepted;
  }

  /** Connections currently open through the proxy. */
  get open(): number {
    return this.#pairs.size;
  }

  /** Takes effect at once: `blackhole` stops forwarding on open connections too, `pass` resumes it. */
  setMode(mode: FaultMode): void {
    this.#mode = mode;
  }

  /** Resets every open connection (both sides see ECONNRESET / a closed socket), as a server crash does. */
  resetAll(): void {
    for (const pair of this.#pairs) {
      pair.client.resetAndDestroy();
      pair.upstream.destroy();
    }
    this.#pairs.clear();
  }

  async close(): Promise<void> {
    for (const pair of this.#pairs) {
      pair.client.destroy();
      pair.upstream.destroy();
    }
    this.#pairs.clear();
    if (this.#port === undefined) return;
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: Socket): void {
    this.#accepted++;
    client.on("error", () => {});
    if (this.#mode === "refuse") {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(this.#target.port, this.#target.host);
    upstream.on("error", () => client.destroy());
    const pair: Pair = { client, upstream };
    this.#pairs.add(pair);
    const forget = () => {
      this.#pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on("close", forget);
    upstream.on("close", forget);
    // Bytes read while not passing are dropped, never replayed: a protocol stream resumed mid-way would be
    // garbage, and a real partition loses them too.
    client.on("data", (chunk: Buffer) => {
      if (this.#mode === "pass") upstream.write(chunk);
    });
    upstream.on("data", (chunk: Buffer) => {
      if (this.#mode === "pass") client.write(chunk);
    });
  }
}
