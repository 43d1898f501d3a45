# One image for the API, the worker and the migrations; the command picks which one runs:
#   node dist/main.js                  API (default)
#   node dist/worker.js                render and webhook worker
#   node dist/database/migrate.main.js migrations (one-shot; takes an advisory lock)
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
# Fonts the renderer falls back to (Latin, Arabic, Hebrew, CJK, colour emoji); tini as PID 1
# forwards SIGTERM to node and reaps child processes; ffmpeg encodes videos.
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji ffmpeg tini \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
RUN mkdir -p /app/var && chown node:node /app/var
USER node
EXPOSE 3000
# Liveness only (no dependencies): readiness is /readyz, checked by the orchestrator.
HEALTHCHECK --interval=10s --timeout=3s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/main.js"]
