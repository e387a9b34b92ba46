import type { FastifyInstance } from "fastify";

/**
 * The admin API and, later, the web console under `/admin/`: answers hold tokens (once, at creation) and the
 * metadata of secrets, so nothing may cache them, sniff them into another type, frame them or leak the URL onward.
 * The CSP suits the console to come (its own scripts and styles only) and is a no-op for JSON.
 */
export const ADMIN_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "x-content-type-options": "nosniff",
  "cache-control": "no-store",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
};

const ADMIN_PREFIX = "/admin/";

/** Adds the headers to every answer under `/admin/` (errors and 404s included); other routes are untouched. */
export function registerAdminSecurityHeaders(app: FastifyInstance): void {
  app.addHook("onRequest", (request, reply, done) => {
    if (request.url.startsWith(ADMIN_PREFIX) || request.url === "/admin")
      reply.headers(ADMIN_SECURITY_HEADERS);
    done();
  });
}
