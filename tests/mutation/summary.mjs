// Prints the mutation score of each Stryker JSON report under the given folder (tests/mutation/output):
// one line per report, then per file with --files, and every surviving mutant with --survivors.
// Score = (killed + timeout) / (killed + timeout + survived + no coverage); compile errors and ignored
// mutants are not counted, as in Stryker's own report.
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { join } from "node:path";

const [root = "output", ...flags] = process.argv.slice(2);
const showFiles = flags.includes("--files");
const showSurvivors = flags.includes("--survivors");

const undetected = new Set(["Survived", "NoCoverage"]);

function tally(mutants) {
  const t = { killed: 0, survived: 0, noCoverage: 0, timeout: 0, compileError: 0, ignored: 0 };
  for (const m of mutants) {
    if (m.status === "Killed") t.killed++;
    else if (m.status === "Timeout") t.timeout++;
    else if (m.status === "Survived") t.survived++;
    else if (m.status === "NoCoverage") t.noCoverage++;
    else if (m.status === "CompileError") t.compileError++;
    else t.ignored++;
  }
  const found = t.killed + t.timeout;
  const valid = found + t.survived + t.noCoverage;
  t.score = valid === 0 ? NaN : (100 * found) / valid;
  return t;
}

function line(name, t) {
  const score = Number.isNaN(t.score) ? "   n/a" : `${t.score.toFixed(2).padStart(6)} %`;
  return `${name.padEnd(44)} ${score}  killed ${t.killed}, timeout ${t.timeout}, survived ${t.survived}, no coverage ${t.noCoverage}, compile error ${t.compileError}`;
}

if (!existsSync(root)) {
  console.error(`no reports under ${root}`);
  process.exit(1);
}

for (const name of readdirSync(root).sort()) {
  const path = join(root, name, "reports", "mutation-report.json");
  if (!existsSync(path)) {
    console.log(`${name.padEnd(44)} (no report: unfinished run)`);
    continue;
  }

  const report = JSON.parse(readFileSync(path, "utf8"));
  const files = Object.entries(report.files)
    .map(([file, data]) => [file, data.mutants.filter((m) => m.status !== "Ignored")])
    .filter(([, mutants]) => mutants.length > 0);
  console.log(line(name, tally(files.flatMap(([, mutants]) => mutants))));
  for (const [file, mutants] of files) {
    const shortName = file.replace(/^.*\/src\/Core\//, "");
    if (showFiles) {
      console.log("  " + line(shortName, tally(mutants)));
    }

    if (showSurvivors) {
      for (const m of mutants.filter((m) => undetected.has(m.status))) {
        const replacement = String(m.replacement ?? "").replace(/\s+/g, " ").slice(0, 100);
        console.log(`    ${shortName}:${m.location.start.line} ${m.status} ${m.mutatorName}: ${replacement}`);
      }
    }
  }
}
