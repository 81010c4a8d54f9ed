# syntax=docker/dockerfile:1
# Threadline in a container. See README.md, "Docker":
#   docker build -t threadline .
#   docker run -d --name threadline --env-file .env -v threadline-data:/data -p 3000:3000 threadline
#
# tests/e2e/production.test.ts reads this file and runs its build steps and its CMD outside Docker,
# so keep to the forms it understands: one command per RUN, COPY of project paths (or --from=build
# paths under /app), exec-form (JSON) CMD and HEALTHCHECK.

# ── build: install everything, compile to dist/, then drop the devDependencies ──────────────
FROM node:24-slim AS build
WORKDIR /app
# The lockfile first, so a change in the sources does not reinstall the dependencies.
# --ignore-scripts: the project's own `prepare` (the build) cannot run before the sources are
# here, and no dependency needs an install script (better-sqlite3 ships prebuilt binaries).
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY adapters ./adapters
COPY manifest.yml ./
RUN npm run build
RUN npm prune --omit=dev --no-audit --no-fund

# ── runtime: the compiled service and its production dependencies, as the non-root node user ─
FROM node:24-slim
ENV NODE_ENV=production DATA_DIR=/data PORT=3000
# Memory, measured by bench/memory.ts (bench/README.md, "Memory"), at no measurable CPU cost:
# - V8's young generation capped at 2 × 16 MB (on a large host V8 lets it grow to 2 × 64 MB under
#   load, and keeps it);
# - V8's heap capped at 1 GB, ten times what Threadline holds: below 1 GB V8 lets its old
#   generation fill with less garbage before it collects (a 10,000-message burst peaked at 285 MB of
#   RSS instead of 445); on a host or container with less memory, set NODE_OPTIONS lower;
# - blocks of 32 KiB or more from the C allocator's own mappings, returned when freed (loading the
#   language database otherwise leaves about 60 MB of freed parser memory behind).
ENV NODE_OPTIONS="--max-semi-space-size=16 --max-old-space-size=1024" MALLOC_MMAP_THRESHOLD_=32768
WORKDIR /app
# Owned by root and read-only to the service; only /data is writable by it.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# threadline doctor compares the token's scopes with the ones the manifest asks for.
COPY --from=build /app/manifest.yml ./manifest.yml
RUN mkdir -p /data && chown node:node /data
USER node
# The embedded store (DATA_DIR/threadline.db): mount a named volume here to keep it.
VOLUME /data
EXPOSE 3000
# node itself does the request (the slim image has no curl). /healthz answers 503 when the store is
# unreachable or a platform failed to start.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
# Exec form, without npm or a shell in between: node is PID 1 and receives `docker stop`'s SIGTERM
# itself. src/main.ts handles SIGTERM and SIGINT (drains, closes the store, logs `threadline
# stopped`, exits 0), which is all an init such as tini or `docker run --init` would add for a
# process that starts no children: Threadline spawns none, so there are no zombies to reap.
CMD ["node", "dist/src/main.js"]
