#!/usr/bin/env bash
# `npm test`: typecheck, build (the CLI and start-up tests run the compiled entry points, the
# browser tests the built web app),
# then every jest suite against local Postgres and Redis. Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-artifacts

npx tsc --noEmit -p tsconfig.json || { echo "0 passed, 1 failed"; exit 1; }
npx tsc -p web/tsconfig.json || { echo "0 passed, 1 failed"; exit 1; }
# The server (nest) and the web app (vite, into dist/web, which the browser tests load).
npm run build --silent || { echo "0 passed, 1 failed"; exit 1; }

node --experimental-vm-modules node_modules/jest/bin/jest.js --maxWorkers=2 --forceExit \
  --json --outputFile=test-artifacts/jest-results.json "$@"
status=$?

node -e '
  const fs = require("node:fs");
  let r;
  try { r = JSON.parse(fs.readFileSync("test-artifacts/jest-results.json", "utf8")); } catch { console.log("0 passed, 1 failed"); process.exit(0); }
  // A suite that failed to load has no test results: count it as one failure.
  const broken = r.testResults.filter((s) => s.status === "failed" && s.assertionResults.length === 0).length;
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests + broken} failed` + (r.numPendingTests ? `, ${r.numPendingTests} skipped` : ""));
'
exit $status
