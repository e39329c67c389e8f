#!/usr/bin/env bash
# The kill -9 crash test at length: at least KILLS SIGKILLs while at least EVENTS events stream through a filter, a
# stream–table join, a windowed aggregation, a repartitioned GROUP BY and an aggregation over a table; every output is
# then compared with the same SQL over the input. Prints the kills, events and mismatches (the test fails on any).
#   scripts/crash-test.sh [KILLS] [EVENTS]     (defaults: 10 kills, 1,000,000 events)
set -euo pipefail
cd "$(dirname "$0")/.."
export STREAMSQL_CRASH_KILLS="${1:-10}"
export STREAMSQL_CRASH_EVENTS="${2:-1000000}"
dotnet build tests/StreamSql.EndToEnd.Tests -v quiet
dotnet test tests/StreamSql.EndToEnd.Tests --no-build --filter "FullyQualifiedName~CrashRecoveryTests" --logger "console;verbosity=detailed" \
  | grep -E -A25 "crash test:|Passed!|Failed!|Error Message" || true
