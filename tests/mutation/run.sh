#!/usr/bin/env bash
# Mutation testing of the core folders with Stryker.NET 5.1.0 (not part of CI: a run takes hours on a
# small machine). Each folder is a separate Stryker run, mutating only src/Core/<Folder>/ and running the
# unit and integration test projects together against every mutant; a run that is stopped still leaves
# the reports of the folders it finished. Reports (HTML and JSON) go to tests/mutation/output/<Folder>/
# (git-ignored); the score of every folder with a report is printed at the end.
#
#   tests/mutation/run.sh                      Routing, Streaming, Protocols and Auth
#   tests/mutation/run.sh Routing Auth         only these folders
#   tests/mutation/run.sh Protocols/OpenAIChat a subfolder (its report is output/Protocols_OpenAIChat)
#   tests/mutation/run.sh Protocols/OpenAIResponses/ResponsesCompaction.cs   one file (report output/Protocols_OpenAIResponses_ResponsesCompaction.cs)
#   tests/mutation/run.sh --summary            print the scores of the reports already there
#   STRYKER_ARGS="--concurrency 2" tests/mutation/run.sh Routing   extra Stryker options
#   MUTATION_UNIT_ONLY=1 tests/mutation/run.sh Protocols   the unit tests alone (minutes instead of hours; the
#                                              score is a lower bound of the unit + integration score, as
#                                              integration tests can only kill more); reports go to output/<Folder>-unit
#
# Progress is printed as one character per mutant (Stryker's Dots reporter: . killed, S survived, T timeout).
#
# Needs what ./test.sh needs (the .NET SDK, Node.js with npm for Azurite) and a built solution is not
# required: Stryker builds the test projects itself.
set -euo pipefail
cd "$(dirname "$0")"

if [ "${1:-}" = "--summary" ]; then
  shift
  exec node summary.mjs output "$@"
fi

# Azurite for the integration tests' state stores, as ./test.sh installs it.
if [ ! -f ../node_modules/.package-lock.json ] || ! cmp -s ../package-lock.json ../node_modules/.gateway-lock; then
  npm ci --prefix .. --no-audit --no-fund --loglevel=error
  cp ../package-lock.json ../node_modules/.gateway-lock
fi

# dotnet-stryker 5.1.0 as a local tool (.config/dotnet-tools.json here), installed when missing.
dotnet tool restore >/dev/null

folders=("$@")
if [ ${#folders[@]} -eq 0 ]; then
  folders=(Routing Streaming Protocols Auth)
fi

for folder in "${folders[@]}"; do
  folder="${folder%/}"
  if [ -d "../../src/Core/$folder" ]; then
    pattern="**/$folder/**/*.cs"
  elif [ -f "../../src/Core/$folder" ]; then
    # One file: the pattern is its path alone (STRYKER_ARGS' --mutate would add to the folder's, not narrow it).
    pattern="**/$folder"
  else
    echo "src/Core/$folder does not exist" >&2
    exit 1
  fi

  name="${folder//\//_}"
  config=stryker-config.json
  if [ "${MUTATION_UNIT_ONLY:-0}" = 1 ]; then
    name="$name-unit"
    # Beside the checked-in config (Stryker resolves its relative paths from the working directory); git-ignored.
    config=stryker-config.unit.json
    node -e 'const c = require("./stryker-config.json"); c["stryker-config"]["test-projects"] = ["../Gateway.Core.Tests/Gateway.Core.Tests.csproj"]; process.stdout.write(JSON.stringify(c, null, 2));' > "$config"
  fi
  rm -rf "output/$name"
  echo "== $folder: $(date -u +%H:%M:%S) UTC"
  # shellcheck disable=SC2086 # STRYKER_ARGS is a list of options
  dotnet stryker --config-file "$config" --mutate "$pattern" --output "output/$name" ${STRYKER_ARGS:-}
  echo "== $folder: done $(date -u +%H:%M:%S) UTC"
done

node summary.mjs output
