#!/usr/bin/env bash
# Prints the backtest's throughput on a generated history and the size of one account's state.
# Usage: jobs/bench/backtest-benchmark.sh [events=1000000] [accounts=10000] [parallelism=2]
set -euo pipefail
cd "$(dirname "$0")/../.."
# One reactor build: the schemas module resolves from the reactor, never from ~/.m2 (nothing is installed).
mvn -q -B -pl schemas,jobs test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$PWD/jobs/target/bench.classpath"
exec java -Xmx4g -cp "jobs/target/test-classes:jobs/target/classes:schemas/target/classes:$(cat jobs/target/bench.classpath)" \
  io.churnradar.bench.BacktestBenchmark "$@"
