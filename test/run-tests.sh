#!/usr/bin/env bash
# `npm test`: typecheck, build (the CLI and start-up tests run the compiled entry points, the
# browser tests the built web app), the image rehearsal, then every jest suite against local
# Postgres and Redis. Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-artifacts

npx tsc --noEmit -p tsconfig.json || { echo "0 passed, 1 failed"; exit 1; }
npx tsc -p web/tsconfig.json || { echo "0 passed, 1 failed"; exit 1; }
# The server (nest) and the web app (vite, into dist/web, which the browser tests load).
npm run build --silent || { echo "0 passed, 1 failed"; exit 1; }

# The image, rehearsed without a container runtime (deploy/rehearse-image.mjs): its build from the
# files the Dockerfile copies, then every role started from the pruned runtime. Alone, before the
# suites, so its npm ci and build do not compete with timing-sensitive tests; counted as one test.
# A run limited to some suites (`npm test -- <paths>`) skips it.
rehearsal=skipped
if [ "$#" -eq 0 ]; then
  node deploy/rehearse-image.mjs > test-artifacts/image-rehearsal.json 2> test-artifacts/image-rehearsal.log
  rehearsal=$?
  if [ "$rehearsal" -ne 0 ]; then echo "image rehearsal FAILED: see test-artifacts/image-rehearsal.{json,log}"; tail -20 test-artifacts/image-rehearsal.log; fi
fi

node --experimental-vm-modules node_modules/jest/bin/jest.js --maxWorkers=2 --forceExit \
  --json --outputFile=test-artifacts/jest-results.json "$@"
status=$?

REHEARSAL=$rehearsal node -e '
  const fs = require("node:fs");
  const image = process.env.REHEARSAL === "skipped" ? [0, 0] : process.env.REHEARSAL === "0" ? [1, 0] : [0, 1];
  let r;
  try { r = JSON.parse(fs.readFileSync("test-artifacts/jest-results.json", "utf8")); } catch { console.log(`${image[0]} passed, ${image[1] + 1} failed`); process.exit(0); }
  // A suite that failed to load has no test results: count it as one failure.
  const broken = r.testResults.filter((s) => s.status === "failed" && s.assertionResults.length === 0).length;
  console.log(`${r.numPassedTests + image[0]} passed, ${r.numFailedTests + broken + image[1]} failed` + (r.numPendingTests ? `, ${r.numPendingTests} skipped` : ""));
'
[ "$rehearsal" = 0 ] || [ "$rehearsal" = skipped ] || exit 1
exit $status
