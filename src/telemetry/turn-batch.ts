import type { DestinationStream } from "pino";

/** What the batch needs of its sink: pino's SonicBoom destination in `contentMode: "buffer"`. */
export interface FlushableSink {
  write(chunk: Buffer): void;
  flushSync(): void;
}

const open = new Set<TurnBatch>();
let exitHookInstalled = false;

/**
 * Log lines gathered for one event-loop turn (or up to `maxBytes`) and handed to the sink as one
 * Buffer. In string mode SonicBoom measures the UTF-8 length of its whole pending buffer on every
 * `write` and turns each written chunk back into a Buffer afterwards, so under load each ~200-byte
 * request line cost as much as the rest of the request path; encoded once per turn, in buffer mode,
 * that cost goes. Lines still gathered when the process exits are written then.
 */
export class TurnBatch implements DestinationStream {
  private lines: string[] = [];
  private bytes = 0;
  private scheduled = false;
  private readonly forwardSoon = () => this.forward();

  constructor(
    private readonly sink: FlushableSink,
    private readonly maxBytes = 64 * 1024,
  ) {
    open.add(this);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on("exit", () => {
        for (const batch of open) batch.flushSync();
      });
    }
  }

  write(line: string): void {
    this.lines.push(line);
    this.bytes += line.length;
    if (this.bytes >= this.maxBytes) this.forward();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.forwardSoon);
    }
  }

  /** Hands the gathered lines to the sink. */
  forward(): void {
    this.scheduled = false;
    if (this.lines.length === 0) return;
    const chunk = this.lines.length === 1 ? (this.lines[0] as string) : this.lines.join("");
    this.lines = [];
    this.bytes = 0;
    this.sink.write(Buffer.from(chunk, "utf8"));
  }

  /** Everything gathered, written before returning (process exit, fatal errors). */
  flushSync(): void {
    this.forward();
    try {
      this.sink.flushSync();
    } catch {
      // A sink that is closed or mid-write at exit: what it holds is lost either way.
    }
  }

  /** Stops batching (tests and closed loggers); gathered lines are written first. */
  close(): void {
    this.flushSync();
    open.delete(this);
  }
}
