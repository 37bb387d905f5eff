# One image, two roles: `node dist/api/main.js` or `node dist/workers/main.js`.
# The production hardening (HEALTHCHECK, metrics, memory limits) is tracked in the operations issue.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# generate needs no schema engine; the CLI only insists the variable points at a file.
RUN PRISMA_SCHEMA_ENGINE_BINARY=/bin/true npx prisma generate && npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium fonts-liberation fonts-noto-color-emoji tini ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production CHROME_PATH=/usr/bin/chromium
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# dist/scripts/migrate.js reads ../prisma/migrations
COPY --from=build /app/prisma ./dist/prisma
RUN useradd --create-home --uid 10001 wcag
USER wcag
# tini reaps Chromium's orphaned children
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/api/main.js"]
