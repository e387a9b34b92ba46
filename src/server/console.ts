import { existsSync } from "node:fs";
import { join, sep } from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply } from "fastify";

/**
 * The web console (web/, built by `npm run build` into dist/web) at `/admin/`. The admin security headers
 * (security-headers.ts) apply to every answer here: index.html keeps their `no-store`; the hashed files under
 * assets/ never change under one name, so they may be cached for a year. The console routes by the URL's hash
 * (`/admin/#/providers`), so no client path needs a fallback: an unknown path is the gateway's JSON 404, as
 * is an unknown `/admin/api/…` route (the API's own routes are more specific than the files' wildcard).
 */

/** dist/web beside the compiled server: the same path from src/server (tests) and dist/server (the build). */
export const BUILT_CONSOLE = fileURLToPath(new URL("../../dist/web/", import.meta.url));

const IMMUTABLE = "public, max-age=31536000, immutable";

export interface ConsoleOptions {
  /** The built console; `BUILT_CONSOLE` by default. */
  root?: string;
}

export function registerConsole(app: FastifyInstance, options: ConsoleOptions = {}): void {
  const root = options.root ?? BUILT_CONSOLE;
  // Checked once at start: a console built later is served after a restart.
  if (!existsSync(join(root, "index.html"))) {
    app.get("/admin", (_request, reply) => notBuilt(reply));
    app.get("/admin/*", (request, reply) =>
      request.url.startsWith("/admin/api/") ? reply.callNotFound() : notBuilt(reply),
    );
    return;
  }
  const assets = `${sep}assets${sep}`;
  app.register(fastifyStatic, {
    root,
    prefix: "/admin/",
    // Cache headers are ours: the security headers' no-store unless the file is a hashed asset.
    cacheControl: false,
    dotfiles: "ignore",
    index: ["index.html"],
    setHeaders: (reply, path) => {
      if (path.includes(assets)) reply.header("cache-control", IMMUTABLE);
    },
  });
  // `/admin` without the slash: the router ignores trailing slashes, so this route answers both.
  app.get("/admin", (_request, reply) => reply.sendFile("index.html", root));
}

function notBuilt(reply: FastifyReply) {
  return reply
    .code(503)
    .type("text/plain; charset=utf-8")
    .send("The Tollgate web console is not built. Run `npm run build` and restart the gateway.\n");
}
