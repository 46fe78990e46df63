package io.churnradar.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The short fault suite in {@code mvn verify}: on a real standalone cluster (JobManager and two TaskManagers
 * in their own JVMs, the shaded job jar submitted through REST) and a broker in its own JVM, a TaskManager is
 * killed with kill -9 mid-stream and replaced, and a job is stopped with a savepoint and resubmitted from it
 * with a changed rules version; each time the alerts (health score and tier included), the commands and the
 * health updates a read_committed consumer sees must be exactly the backtest's: nothing lost, nothing twice, nothing different. The long suite (all four scenarios, more events) is
 * jobs/cluster/fault-suite.sh.
 *
 * <p>It needs the shaded job jar, built in the package phase: the pom runs it in the integration-test phase
 * only (execution {@code fault-suite}, which sets {@code churnradar.faultSuite}).
 */
class ClusterFaultSuiteTest {
    @Test
    void crashAndUpgradeLoseNothingAndRepeatNothing() throws Exception {
        assumeTrue(Boolean.getBoolean("churnradar.faultSuite"), "runs after the job jar is packaged (integration-test phase)");
        ByteArrayOutputStream report = new ByteArrayOutputStream();
        List<FaultSuite.Result> results;
        try (PrintStream out = new PrintStream(report, true, StandardCharsets.UTF_8)) {
            results = FaultSuite.run(new FaultSuite.Options(List.of("crash", "upgrade"), 1_500, Duration.ofSeconds(30)), out);
        } finally {
            System.out.print(report.toString(StandardCharsets.UTF_8)); // the figures, in the build's output
        }
        assertThat(results).extracting(FaultSuite.Result::scenario).containsExactly("crash", "upgrade");
        for (FaultSuite.Result r : results) {
            String context = r.scenario() + "\n" + report.toString(StandardCharsets.UTF_8);
            assertThat(r.problems()).as(context).isEmpty();
            assertThat(r.alerts().expected()).as("the history plants alerts (%s)", r.scenario()).isPositive();
            assertThat(r.commands().expected()).as("the history plants commands (%s)", r.scenario()).isPositive();
            assertThat(r.alerts().clean()).as("alerts: %s", context).isTrue();
            assertThat(r.commands().clean()).as("commands: %s", context).isTrue();
            assertThat(r.health().expected()).as("the history moves health scores (%s)", r.scenario()).isPositive();
            assertThat(r.health().clean()).as("health updates: %s", context).isTrue();
            assertThat(r.deadLettersSeen()).as("dead letters: %s", context).isEqualTo(r.deadLettersExpected());
        }
    }
}
