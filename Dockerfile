# driftline worker image. Multi-stage: the build stage compiles TypeScript with the dev dependencies;
# the runtime stage holds only production dependencies, the compiled dist/, the SQL migrations and a
# system ffmpeg (libx264) for the animation. Runs as the unprivileged user `driftline`.
#
#   docker build -t driftline .
#   docker run --rm -e REDIS_URL=... -e DATABASE_URL=... -e S3_ENDPOINT=... -e S3_ACCESS_KEY=... -e S3_SECRET_KEY=... driftline   # a worker
#   mkdir -p out && docker run --rm -u "$(id -u):$(id -g)" -v "$PWD/out:/out" driftline run examples/mission.json --out /out  # one local mission
#
# `-u "$(id -u):$(id -g)"` runs as you, so the bind-mounted out/ is writable and the products are
# yours; without a mount, /out belongs to the image's user and `docker cp` fetches it.

# Debian bookworm: glibc for @napi-rs/canvas's prebuilt binary, and the same ffmpeg as the CI machine.
# Node 22 (the code targets Node >= 20): the AWS SDK releases after January 2027 need Node 22.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# The map page's source; postbuild bundles it into dist/web (scripts/build-web.mjs).
COPY web ./web
# postbuild (scripts/copy-assets.mjs) copies the queue's Lua scripts into dist/.
COPY scripts ./scripts
RUN npm run build && npm prune --omit=dev

FROM node:22-bookworm-slim AS runtime
# ffmpeg and a font for products/animation.mp4; tini forwards SIGTERM so a worker drains its missions on `docker stop`.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ffmpeg fonts-dejavu-core tini \
    && rm -rf /var/lib/apt/lists/*
# METRICS_HOST 0.0.0.0: the container's own network namespace is the boundary, and Prometheus on the
# compose network must reach /metrics (the port is not published unless you publish it).
ENV NODE_ENV=production \
    FFMPEG_PATH=/usr/bin/ffmpeg \
    WORK_DIR=/tmp/driftline \
    FORCING_CACHE_DIR=/tmp/driftline-forcing-cache \
    METRICS_HOST=0.0.0.0 \
    METRICS_PORT=9464
# glibc's allocator kept the memory a mission freed in its arenas: a worker's anonymous memory stayed
# ~100 MB above idle after its missions. Two arenas and a 128 KiB trim threshold hand it back
# (bench/worker.bench.mjs, which starts its worker with these and the entrypoint's node flags: 60 s
# after 5 missions RSS 165 MB against 119 idle, 222-236 MB without them).
ENV MALLOC_ARENA_MAX=2 \
    MALLOC_TRIM_THRESHOLD_=131072
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The coastline's tile file, built by `npm run build` (src/land/tile-cache.ts): /app is not writable here.
COPY --from=build /app/.cache/land ./.cache/land
COPY package.json ./
COPY sql ./sql
COPY examples ./examples
# Scratch directories writable by any user (sticky, like /tmp), so `docker run -u UID:GID` works too;
# /out, for `driftline run --out /out`, belongs to the image's user.
RUN groupadd --system driftline && useradd --system --gid driftline --home-dir /app driftline \
    && mkdir -p /tmp/driftline /tmp/driftline-forcing-cache /out \
    && chmod 1777 /tmp/driftline /tmp/driftline-forcing-cache \
    && chown driftline:driftline /out
USER driftline
# 9464: a worker's /healthz and /metrics; 8080: `driftline serve` (API and map page).
EXPOSE 9464 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.METRICS_PORT||9464)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Docker's default stop timeout is 10 s; compose sets stop_grace_period to SHUTDOWN_GRACE_SECONDS + margin.
STOPSIGNAL SIGTERM
# --expose-gc: a worker runs one full collection once its last mission in flight is done
# (src/worker/idle-gc.ts), so the mission's buffers are freed at once instead of whenever V8 next collects.
ENTRYPOINT ["/usr/bin/tini", "--", "node", "--expose-gc", "dist/cli/main.js"]
CMD ["worker"]
