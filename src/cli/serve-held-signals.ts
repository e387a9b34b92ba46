type StopSignal = "SIGTERM" | "SIGINT";

/** What reached a worker before its handlers were installed. */
export interface HeldSignals {
  stop?: StopSignal;
  reload: boolean;
}

let held: HeldSignals | undefined;
const holdStop = (signal: StopSignal) => {
  if (held) held.stop ??= signal;
};
const holdReload = () => {
  if (held) held.reload = true;
};

/**
 * A worker of `serve --workers N`, first thing: SIGTERM, SIGINT (a terminal's Ctrl-C reaches every process of
 * the group) and SIGHUP are held until its handlers take over, instead of killing it while it starts (which
 * its primary would count as a crash).
 */
export function holdSignals(): void {
  if (held) return;
  held = { reload: false };
  process.on("SIGTERM", holdStop);
  process.on("SIGINT", holdStop);
  process.on("SIGHUP", holdReload);
}

/** What arrived while held, and no longer held. Install the handlers that take over first: no signal gets between. */
export function releaseHeldSignals(): HeldSignals {
  const released = held ?? { reload: false };
  held = undefined;
  process.off("SIGTERM", holdStop);
  process.off("SIGINT", holdStop);
  process.off("SIGHUP", holdReload);
  return released;
}
