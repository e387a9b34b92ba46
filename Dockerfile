# Tollgate's container image: `docker build -t tollgate .` (README "Deploy").
# Three stages on the same Node 24 base: the production dependencies, the build, and the runtime that gets only
# what `tollgate serve` needs (no compiler, no dev dependencies, no npm run at start).

# Production dependencies alone, so this layer changes only with the lockfile. No install script is needed
# (none of the runtime dependencies has one, and `prepare` only checks the Node version).
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# The server (tsc into dist/) and the web console (vite into dist/web).
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# `npm ci` runs the `prepare` script, bin/node-runtime.js: on Node 24 it only confirms the version.
COPY bin/ bin/
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY schema/ schema/
COPY src/ src/
COPY web/ web/
RUN npm run build

FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    TOLLGATE_CONFIG=/etc/tollgate/tollgate.jsonc
WORKDIR /app
COPY --from=deps /app/node_modules/ node_modules/
COPY --from=build /app/dist/ dist/
COPY package.json ./
COPY bin/ bin/
COPY schema/ schema/
# The image's `node` user, by number so that Kubernetes' runAsNonRoot can verify it. Everything above stays
# root-owned and so read-only to the gateway; it writes nothing but its logs (stdout) with a Postgres store.
USER 1000:1000
EXPOSE 8080
# No curl in a slim image: Node's fetch asks the process itself.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Exec form: Node is PID 1's only process, so SIGTERM reaches it and starts the drain (server.shutdownTimeout).
# bin/tollgate.js runs the CLI in this process on Node 24: nothing is downloaded at start.
ENTRYPOINT ["node", "bin/tollgate.js", "serve"]
# Inside a container the listener must face the network; arguments given to `docker run` replace this.
CMD ["--host", "0.0.0.0"]
