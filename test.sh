#!/usr/bin/env bash
# Runs every test project of DaprChat.sln and ends with "N passed, M failed" summed over all of them.
# Needs redis-server and chromium (Debian: apt-get install redis-server chromium); the tests start their own Redis on free ports.
set -uo pipefail
cd "$(dirname "$0")"
results="${TEST_RESULTS_DIR:-$(mktemp -d)}"
mkdir -p "$results"
# Browser tests put their screenshots in "$results/screenshots".
export TEST_RESULTS_DIR="$results"
# Build the whole solution first: some tests start apps (notify, summarize) that no test project references.
if dotnet build DaprChat.sln; then
  dotnet test DaprChat.sln --no-build --logger "trx" --results-directory "$results" "$@"
  status=$?
else
  status=1
fi
passed=0
failed=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "the test run failed outside any single test (build error, crash or missing test host): counted as 1 failure"
  failed=1
fi
echo "test results and screenshots: $results"
echo "$passed passed, $failed failed"
exit "$status"
