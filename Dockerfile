# The CodeTether gateway (codetether-server) as a container image.
#
#   docker build -t codetether-server .
#   docker run -d --name codetether-server -p 127.0.0.1:8787:8787 \
#     -e CODETETHER_SERVER_API_KEY="$(openssl rand -hex 32)" -v codetether-home:/var/lib/codetether \
#     codetether-server
#
# See "Container" in README.md and apps/server/README.md. apps/server/src/container-entrypoint.test.ts
# runs this file's ENTRYPOINT and HEALTHCHECK commands against the built server, so keep them JSON arrays.

ARG NODE_IMAGE=node:24-bookworm-slim

# ---- build: install with the pinned pnpm and the frozen lockfile, build, deploy the server alone ----
FROM ${NODE_IMAGE} AS build
ENV CI=true COREPACK_ENABLE_DOWNLOAD_PROMPT=0
# corepack provides the pnpm version pinned in package.json's "packageManager".
RUN corepack enable
WORKDIR /repo
# `pnpm fetch` reads only the lockfile, so this layer is reused until the lockfile changes.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
RUN pnpm fetch
COPY . .
RUN pnpm install --frozen-lockfile --offline
# --filter-prod: the server and the workspace packages it runs on (not its test-only devDependencies).
RUN pnpm --filter-prod "@codetether/server..." run build
# pnpm 10 deploys from a shared lockfile only with injected workspace packages; --legacy copies the
# built workspace packages (their `files`) and the production dependencies into /out.
RUN pnpm --filter @codetether/server deploy --prod --legacy /out

# ---- runtime: Node 24 slim, the deployed server, a non-root user ----
FROM ${NODE_IMAGE} AS runtime
# MALLOC_*: one glibc arena and trimming of freed memory, so the native memory a burst of load grew goes
# back to the system once it is over (see "idleMemoryReleaseMs" in apps/server/README.md).
# CODETETHER_SERVER_HOST: every interface of the container (a variable, not a flag, so `--host` given to
# `docker run … codetether-server --host …` or `-e CODETETHER_SERVER_HOST=…` replaces it: a flag given
# twice with different values is an error).
ENV NODE_ENV=production \
    CODETETHER_HOME=/var/lib/codetether \
    CODETETHER_SERVER_HOST=0.0.0.0 \
    CODETETHER_SERVER_PORT=8787 \
    MALLOC_ARENA_MAX=1 \
    MALLOC_TRIM_THRESHOLD_=131072
WORKDIR /app
COPY --from=build /out ./
# The home holds the ChatGPT login (auth.json) and a stored server key; only the `node` user (uid 1000)
# may read it. A new named volume starts as a copy of this folder, ownership and mode included.
RUN mkdir -p /var/lib/codetether && chown node:node /var/lib/codetether && chmod 700 /var/lib/codetether
USER node
VOLUME ["/var/lib/codetether"]
EXPOSE 8787
# No curl in slim images: Node's fetch asks /healthz on the port the gateway listens on.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.CODETETHER_SERVER_PORT || 8787) + '/healthz', { signal: AbortSignal.timeout(4000) }).then((response) => process.exit(response.ok ? 0 : 1), () => process.exit(1))"]
# Listen (on every interface, CODETETHER_SERVER_HOST above) only with a configured key: --require-key
# makes the gateway exit with an explanation when neither CODETETHER_SERVER_API_KEY nor a stored key
# exists, instead of generating one that would only appear in the container's log. Arguments given to
# `docker run … codetether-server <args>` are appended (e.g. --shutdown-grace-ms 5000, or --host).
ENTRYPOINT ["node", "dist/cli.js", "--require-key"]
