# The purification worker (`acsr worker`) as a container image. Not built by the tests; build it
# from the repository root on a machine with internet access:
#
#   docker build -f deploy/worker.Dockerfile -t acsr-worker .
#
# The worker needs no display, no database and no Electron: only Node 22, the project's runtime
# dependencies (TensorFlow.js, sharp, BullMQ, tsx) and the sources under main/ and models/.
FROM node:22-bookworm-slim

ENV NODE_ENV=production \
    ELECTRON_SKIP_BINARY_DOWNLOAD=1 \
    ACSR_CACHE_DIR=/var/cache/acsr

WORKDIR /opt/acsr
COPY package.json package-lock.json ./
# Runtime dependencies only; the optional native TensorFlow bindings are left out so that every
# worker runs the same TensorFlow.js backend as a default workstation (the run record names it).
RUN npm ci --omit=dev --omit=optional --no-audit --no-fund && npm cache clean --force
COPY bin ./bin
COPY main ./main
COPY models ./models

# The model cache is filled (converted and hash-checked) on first use; a non-root user owns it.
RUN useradd --system --uid 10001 --home-dir /opt/acsr acsr && mkdir -p /var/cache/acsr && chown acsr /var/cache/acsr
USER acsr

# SIGTERM lets the current task finish before the process exits (see docs/worker-fleet.md).
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "bin/acsr.mjs", "worker"]
CMD ["--queue", "redis://redis:6379", "--shared", "/shared"]
