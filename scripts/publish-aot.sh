#!/usr/bin/env bash
# Publishes the Server as a Native AOT executable: artifacts/aot/Gateway.Server (or the folder given as the
# first argument), one file that needs no .NET runtime on the box, starts in tens of milliseconds and idles
# in about half the memory of `dotnet Gateway.Server.dll` (README, "Native AOT").
# Needs the .NET SDK and clang with zlib's headers; on Debian/Ubuntu they are installed here when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-artifacts/aot}"

if ! command -v clang >/dev/null 2>&1 || [ ! -f /usr/include/zlib.h ]; then
  # As root, or through sudo when it needs no password (-n: never wait at a prompt, e.g. under dotnet test).
  if [ "$(id -u)" -eq 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo -n"; else sudo="none"; fi
  if command -v apt-get >/dev/null 2>&1 && [ "$sudo" != none ] \
      && $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang zlib1g-dev; then
    :
  else
    echo "Native AOT needs clang and zlib's headers: apt-get install clang zlib1g-dev (as root), then run this again" >&2
    exit 1
  fi
fi

case "$(uname -m)" in
  x86_64) rid=linux-x64 ;;
  aarch64 | arm64) rid=linux-arm64 ;;
  *) echo "no Native AOT runtime identifier for $(uname -m)" >&2; exit 1 ;;
esac

dotnet publish src/Server -c Release -r "$rid" -p:PublishAot=true -o "$out" -nologo -clp:NoSummary
echo "published $out/Gateway.Server"
