# Image of the worker and the gateway for docker-compose.yml (not built by the test suite: no Docker engine there).
FROM node:20-bookworm-slim
WORKDIR /app
# Two malloc arenas instead of one per thread: about 100 MiB less resident memory in the worker (README "Performance").
ENV MALLOC_ARENA_MAX=2
ENV PRISMA_SCHEMA_ENGINE_BINARY=/usr/local/bin/node PRISMA_QUERY_ENGINE_LIBRARY=/usr/local/bin/node CHECKPOINT_DISABLE=1
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
RUN DATABASE_URL=postgresql://localhost/unused node node_modules/prisma/build/index.js generate
USER node
