#!/bin/sh
# The image's entry points (Dockerfile ENTRYPOINT): each runs a file the build produced, never a build.
# Run from the project folder (WORKDIR /app in the image; the repository root on a developer's machine).
set -eu

usage() {
  cat <<'USAGE'
credit-partner <command> [args]
  api          the HTTP API on PORT (with a worker in the same process unless RUN_WORKER=false)
  worker       a worker and outbox relay alone
  migrate      create the database if missing and apply pending migrations, then exit
  partners     the partner command line (partners list, add, suspend, activate, rotate-key)
  keys         the key-set command line (keys generate, ensure, rotate, export-public)
  adapters     the adapter command line (adapters verify [module]: the conformance kit; adapters ports)
  healthcheck  exit 0 when /healthz on PORT answers 200 (the image's HEALTHCHECK)
USAGE
}

command="${1:-api}"
if [ "$#" -gt 0 ]; then shift; fi
case "$command" in
  api) exec node dist/src/main.js "$@" ;;
  worker) exec node dist/src/worker-main.js "$@" ;;
  migrate) exec node dist/src/migrate-main.js "$@" ;;
  partners) exec node dist/src/partners-main.js "$@" ;;
  keys) exec node dist/src/keys-main.js "$@" ;;
  adapters) exec node dist/src/adapters-main.js "$@" ;;
  healthcheck)
    exec node -e "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/healthz', { signal: AbortSignal.timeout(2500) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))" ;;
  help | --help | -h) usage ;;
  *)
    echo "credit-partner: unknown command \"$command\"" >&2
    usage >&2
    exit 64 ;;
esac
