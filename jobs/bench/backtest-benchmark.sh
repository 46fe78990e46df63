#!/usr/bin/env bash
# Kept for old habits: the benchmark is now ./churn-radar bench (README, "Benchmark"), which measures the
# backtest beside a parse-only ceiling, plain Flink SQL and the streaming detection on the same input.
# Usage: jobs/bench/backtest-benchmark.sh [events=1000000] [accounts=10000] [parallelism=2] [more bench options]
set -euo pipefail
cd "$(dirname "$0")/../.."
events="${1:-1000000}"
accounts="${2:-10000}"
parallelism="${3:-2}"
shift $(( $# < 3 ? $# : 3 ))
exec ./churn-radar bench --events-count "$events" --accounts "$accounts" --parallelism "$parallelism" "$@"
