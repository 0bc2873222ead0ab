# One image for every service; the subcommand picks it: `onlinetime edge|sessions|responder|...`.
# Node 20, as pinned in .nvmrc and package.json engines.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.base.json tsconfig.build.json ./
COPY scripts ./scripts
COPY packages ./packages
COPY services ./services
# Full install (TypeScript is a dev dependency), compile every workspace to dist/.
RUN npm ci --no-audit --no-fund --ignore-scripts && npm run build

FROM node:20-bookworm-slim AS production-deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY --from=build /app/packages ./packages
COPY --from=build /app/services ./services
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=production-deps --chown=node:node /app /app
USER node
EXPOSE 5222 9100
# node runs the entry point directly (no npm, no shell) so SIGTERM reaches the process.
# A larger young generation: every IQ allocates short-lived objects (Kafka records, JSON, XML), and
# with the default 16 MiB semi-space the scavenger took ~20 % of the responder's CPU (BENCHMARKS.md).
ENTRYPOINT ["node", "--max-semi-space-size=32", "services/cli/bin/onlinetime.js"]
CMD ["--help"]
