#!/usr/bin/env bash
# Runs every test of the gateway: unit tests and integration tests (a real Kestrel gateway over
# loopback against scripted fake upstreams). Needs only the .NET SDK (see global.json).
set -euo pipefail
cd "$(dirname "$0")"

dotnet --version >/dev/null 2>&1 || { echo "The .NET SDK is required: https://dotnet.microsoft.com/download" >&2; exit 1; }

dotnet build Gateway.Local.slnf -c Debug -nologo -clp:NoSummary
dotnet test Gateway.Local.slnf -c Debug --no-build -nologo "$@"
