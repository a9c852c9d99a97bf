#!/usr/bin/env bash
# Runs every test of the gateway: unit tests and integration tests (a real Kestrel gateway over
# loopback against scripted fake upstreams, and Azurite — the real Table Storage emulator — for state).
# Needs the .NET SDK (see global.json) and Node.js with npm (Azurite is installed from tests/package-lock.json).
set -euo pipefail
cd "$(dirname "$0")"

dotnet --version >/dev/null 2>&1 || { echo "The .NET SDK is required: https://dotnet.microsoft.com/download" >&2; exit 1; }
npm --version >/dev/null 2>&1 || { echo "Node.js and npm are required (for Azurite): https://nodejs.org" >&2; exit 1; }

# Azurite, pinned; reinstalled only when the lock file changed.
if [ ! -f tests/node_modules/.package-lock.json ] || ! cmp -s tests/package-lock.json tests/node_modules/.gateway-lock; then
  npm ci --prefix tests --no-audit --no-fund --loglevel=error
  cp tests/package-lock.json tests/node_modules/.gateway-lock
fi

dotnet build Gateway.sln -c Debug -nologo -clp:NoSummary
dotnet test Gateway.sln -c Debug --no-build -nologo "$@"
