# syntax=docker/dockerfile:1
# One image for the API, the worker and the migrations; docker-compose.yml picks the command.
# The admin UI is built with Vite (a dev dependency) in its own stage; only dist/ui is kept.
FROM node:20-bookworm-slim AS ui
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --no-audit --no-fund
COPY ui ./ui
RUN npm run build:ui

FROM node:20-bookworm-slim

WORKDIR /app
ENV NODE_ENV=production \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false

# Dependencies first, so a code change does not reinstall them. `npm install` rather than `npm ci`:
# the lockfile lacks macOS/Windows builds of platform-specific optional packages, which `npm ci`
# refuses (see .ci/run); the versions installed are still the locked ones.
COPY package.json package-lock.json ./
RUN npm install --omit=dev && npm cache clean --force

COPY . .
COPY --from=ui /app/dist/ui ./dist/ui

USER node
# TypeScript runs through tsx (a runtime dependency), as with `npm run api` / `npm run worker`.
CMD ["npx", "tsx", "api/main.ts"]
