# Tollgate's container image: `docker build -t tollgate .` (README "Deploy").
# Four stages on the same Node 24 base: the production dependencies, the build, Debian's tini, and the runtime that
# gets only what `tollgate serve` needs (no compiler, no dev dependencies, no npm run at start).

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

# tini, the runtime's PID 1 (below), from Debian: copied alone, so the runtime has no apt lists and runs nothing.
FROM node:24-bookworm-slim AS init
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*

FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    TOLLGATE_CONFIG=/etc/tollgate/tollgate.jsonc
WORKDIR /app
COPY --from=deps /app/node_modules/ node_modules/
COPY --from=build /app/dist/ dist/
COPY package.json ./
COPY bin/ bin/
COPY schema/ schema/
COPY --from=init /usr/bin/tini /usr/bin/tini
# The image's `node` user, by number so that Kubernetes' runAsNonRoot can verify it. Everything above stays
# root-owned and so read-only to the gateway; it writes nothing but its logs (stdout) with a Postgres store.
USER 1000:1000
EXPOSE 8080
# No curl in a slim image: Node's fetch asks the process itself, on 8080 unless TOLLGATE_HEALTHCHECK_PORT says
# otherwise (set it with server.port or --port; deploy/compose.yaml's replicas ask the same way).
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.TOLLGATE_HEALTHCHECK_PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# tini is PID 1 and passes SIGTERM on to Node. Node as PID 1 would ignore it until its own handler is installed,
# after start-up (migrations included): a `docker stop` then waited out the whole grace period before SIGKILL.
# Once started, SIGTERM starts the drain (server.shutdownTimeout). bin/tollgate.js runs the CLI in Node's process on
# Node 24: nothing is downloaded at start.
ENTRYPOINT ["/usr/bin/tini", "--", "node", "bin/tollgate.js", "serve"]
# Inside a container the listener must face the network; arguments given to `docker run` replace this.
CMD ["--host", "0.0.0.0"]
