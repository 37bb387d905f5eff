# One image, two roles (the command picks): `node dist/api/main.js` (the default) or `node dist/workers/main.js`;
# `node dist/scripts/migrate.js` applies the migrations. See docker-compose.yml and the README's "Deployment".
# Secrets (ADMIN_API_KEY, DATABASE_URL, ...) come from the environment at run time, never from the image.

# --- build: compile TypeScript, generate the Prisma client, prebuild the workflow bundle -------------------------
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No browser download (puppeteer-core never does; this guards a future dependency) and no audit noise.
ENV PUPPETEER_SKIP_DOWNLOAD=true
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json prisma.config.ts ./
COPY prisma ./prisma
# generate needs no schema engine; the CLI only insists the variable points at a file.
RUN PRISMA_SCHEMA_ENGINE_BINARY=/bin/true npx prisma generate
COPY core ./core
COPY lib ./lib
COPY targets ./targets
COPY tenancy ./tenancy
COPY monitoring ./monitoring
COPY workflows ./workflows
COPY activities ./activities
COPY workers ./workers
COPY api ./api
COPY scripts ./scripts
# tsc → dist/, then webpack → dist/workflow-bundle.js (workers load it instead of bundling at start).
RUN npm run build && npm prune --omit=dev

# --- runtime: Debian's Chromium and fonts, tini, an unprivileged user ----------------------------------------------
FROM node:24-bookworm-slim
# DL3008 (pin apt versions): bookworm's archive keeps only the current version of each package, so a pinned one
# stops building at the next Chromium security update; rebuilding the image is how those updates arrive.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      chromium tini ca-certificates \
      fonts-liberation fonts-dejavu-core fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production \
    CHROME_PATH=/usr/bin/chromium \
    PORT=3001 \
    WORKER_METRICS_PORT=9464 \
    WORKER_SDK_METRICS_PORT=9465
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The Web UI's static files (tsc copies only code)
COPY --from=build /app/api/ui/assets ./dist/api/ui/assets
# dist/scripts/migrate.js reads ../prisma/migrations
COPY --from=build /app/prisma ./dist/prisma
# The operator CLI inside the container: `docker compose exec api node scripts/wcag.js stats` (it uses dist/).
COPY --from=build /app/scripts/wcag.js ./scripts/wcag.js
# Unprivileged, so Chromium runs WITH its sandbox (CHROME_SANDBOX=auto): Debian's Chromium sandboxes with user
# namespaces (no setuid helper); see docker-compose.yml's worker for the seccomp setting that takes.
RUN useradd --create-home --uid 10001 --user-group wcag
# Numeric (DL3066): a runtime checking "runAsNonRoot" (Kubernetes) cannot resolve a name to a uid.
USER 10001:10001
EXPOSE 3001 9464
# The API answers /healthz; a worker serves /metrics (compose passes the role: `healthcheck.js worker`).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 CMD ["node", "dist/scripts/healthcheck.js"]
# tini is PID 1: it forwards SIGTERM to Node (graceful drain) and reaps Chromium's orphaned children.
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/api/main.js"]
