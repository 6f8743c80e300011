# syntax=docker/dockerfile:1
# credit-partner image. Three stages: build (all dependencies, generate, compile), production dependencies only,
# and the final image: the compiled code (dist/), production node_modules and the files read at run time, run
# as the unprivileged `node` user. PostgreSQL and Redis are external (DATABASE_URL, REDIS_URL); keys live at
# KEYS_DIR and uploaded documents at DOCUMENTS_DIR, each on its own volume. With KEY_PROVIDER=pkcs11 the signing
# and decryption keys are in the bank's HSM: mount its vendor's PKCS#11 library (and the client configuration it
# reads) into the container and name it in PKCS11_MODULE; the image ships no HSM client.
#
# Entry points (`docker run IMAGE <name> [args]`, see scripts/docker-entrypoint.sh), each running a built file:
#   api (default)  the HTTP API (and a worker in the same process unless RUN_WORKER=false)
#   worker         a worker and outbox relay alone
#   migrate        creates the database if missing and applies pending migrations, then exits
#   partners       the partner command line        keys      the key-set command line (keys ensure: generate once)
#   adapters       the adapter command line: `adapters verify [module]` runs the conformance kit
# test/unit/image.test.ts proves every COPY source exists in a clean checkout or the build stage, and every entry
# point names a file the build produces.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Install scripts are not run (npm 11 does not run them unless allowed, npm 10 is told so): Prisma's engines are
# not downloaded; generation is WebAssembly (scripts/generate.js).
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json tsoa.gpay.json tsoa.sandbox.json prisma.config.ts ./
COPY scripts/generate.js ./scripts/generate.js
COPY prisma ./prisma
COPY src ./src
RUN npm run build

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# pkcs11js (the PKCS#11 binding of KEY_PROVIDER=pkcs11) is a native addon: node-gyp compiles it here, against the
# image's own Node headers (nothing downloaded), with build tools that stay in this stage. No other install script runs.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm_config_nodedir=/usr/local npm rebuild pkcs11js \
 && npm cache clean --force \
 && rm -rf /var/lib/apt/lists/*

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    APP_ENV=production \
    PORT=8080 \
    KEYS_DIR=/var/lib/credit-partner/keys \
    DOCUMENTS_DIR=/var/lib/credit-partner/documents
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# projectRoot() (src/lib/paths.ts) is the folder holding package.json; the files below are read from it at run time.
COPY package.json ./
COPY prisma/migrations ./prisma/migrations
COPY public ./public
COPY src/protocols/borrower/views ./src/protocols/borrower/views
COPY scripts/docker-entrypoint.sh /usr/local/bin/credit-partner
# The volumes' mount points, owned by the user the processes run as (a new named volume takes this ownership).
RUN mkdir -p /var/lib/credit-partner/keys /var/lib/credit-partner/documents \
 && chown -R node:node /var/lib/credit-partner \
 && chmod 700 /var/lib/credit-partner/keys /var/lib/credit-partner/documents
USER node
EXPOSE 8080 9464
# Alive, not ready: /healthz asks no dependency. Readiness (/readyz) is for the load balancer.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 CMD ["credit-partner", "healthcheck"]
ENTRYPOINT ["credit-partner"]
CMD ["api"]
