#!/usr/bin/env bash
# Runs every test of the gateway: unit tests and integration tests (a real Kestrel gateway over
# loopback against scripted fake upstreams, and Azurite — the real Table Storage emulator — for state).
# Needs the .NET SDK (see global.json) and Node.js with npm (Azurite is installed from tests/package-lock.json);
# chromium, clang and zlib's headers (for the Native AOT executable) are installed with apt when missing.
set -euo pipefail
cd "$(dirname "$0")"

dotnet --version >/dev/null 2>&1 || { echo "The .NET SDK is required: https://dotnet.microsoft.com/download" >&2; exit 1; }
npm --version >/dev/null 2>&1 || { echo "Node.js and npm are required (for Azurite): https://nodejs.org" >&2; exit 1; }

# Azurite, pinned; reinstalled only when the lock file changed.
if [ ! -f tests/node_modules/.package-lock.json ] || ! cmp -s tests/package-lock.json tests/node_modules/.gateway-lock; then
  npm ci --prefix tests --no-audit --no-fund --loglevel=error
  cp tests/package-lock.json tests/node_modules/.gateway-lock
fi

# Chromium for the admin page's browser test (Playwright drives Debian's chromium by its path; Playwright's
# own browser download is not reachable). Installed with apt when missing; elsewhere that test says what is missing.
if ! command -v chromium >/dev/null 2>&1 && [ -z "${GATEWAY_CHROMIUM:-}" ]; then
  if command -v apt-get >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
    $sudo apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
  else
    echo "chromium not found and no apt-get: the admin page's browser test will fail (set GATEWAY_CHROMIUM to a Chromium binary)" >&2
  fi
fi

# The Native AOT executable the README offers (scripts/publish-aot.sh installs clang and zlib with apt when
# missing); the integration tests run it as its own process (NativeAotTests).
if [ -z "${GATEWAY_AOT_BINARY:-}" ]; then
  scripts/publish-aot.sh artifacts/aot
  export GATEWAY_AOT_BINARY="$PWD/artifacts/aot/Gateway.Server"
fi

dotnet build Gateway.sln -c Debug -nologo -clp:NoSummary
dotnet test Gateway.sln -c Debug --no-build -nologo "$@"
