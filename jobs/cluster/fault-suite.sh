#!/usr/bin/env bash
# The fault suite on a real standalone Flink session cluster (README, "Fault suite"; docs/operations.md):
#   jobs/cluster/fault-suite.sh [--scenario crash|upgrade|rescale|outage|all] [--events N] [--outage SECONDS]
# Builds the shaded job jar and the suite (jobs' test sources, io.churnradar.cluster.FaultSuite), then runs it:
# a JobManager and two TaskManagers (StandaloneSessionClusterEntrypoint, TaskManagerRunner) and a KRaft broker,
# each its own JVM from the Maven classpath, no flink-dist. Exits non-zero on any difference from the backtest.
# MVN_ARGS (e.g. "-o") goes to every mvn call.
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -B -q ${MVN_ARGS:-} -pl schemas,jobs -DskipTests package dependency:build-classpath \
    -Dmdep.outputFile=target/cluster/test.classpath -Dmdep.includeScope=test
cp="jobs/target/test-classes:jobs/target/classes:$(cat jobs/target/cluster/test.classpath)"
exec java -Xmx2g --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED \
    -cp "$cp" io.churnradar.cluster.FaultSuite "$@"
