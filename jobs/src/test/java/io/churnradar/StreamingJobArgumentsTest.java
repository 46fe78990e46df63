package io.churnradar;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.churnradar.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code flink run} of the job refuses before it builds anything: each error names the file, the key and what is allowed. */
class StreamingJobArgumentsTest {

    @Test
    void aDeduplicationWindowLongerThanTheStateTtlNamesTheRulesFileAndTheConfigFile(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("job.yaml"), "state:\n  ttl: 30d\n");
        Path rules = Files.writeString(dir.resolve("rules.yaml"), "version: long-window\ndedup:\n  windowDays: 31\n");
        assertThatThrownBy(() -> StreamingJob.main(new String[] {"--config", config.toString(), "--rules", rules.toString()}))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(rules + ": 1 problem")
                .hasMessageContaining("dedup.windowDays: 31 days is longer than state.ttl (30d, in " + config + ")")
                .hasMessageContaining("allowed: 1 to 30 with this state.ttl, or a state.ttl of at least 31d");
    }

    @Test
    void theDefaultTtlIsNamedAsTheDefault(@TempDir Path dir) throws Exception {
        Path rules = Files.writeString(dir.resolve("rules.yaml"), "version: long-window\ndedup:\n  windowDays: 120\n");
        assertThatThrownBy(() -> StreamingJob.main(new String[] {"--rules", rules.toString()}))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("dedup.windowDays: 120 days is longer than state.ttl (90d, the default)");
    }

    @Test
    void anUnknownArgumentSaysWhatIsAllowed() {
        assertThatThrownBy(() -> StreamingJob.main(new String[] {"--rulez", "x"}))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown argument '--rulez'; allowed: --config FILE, --rules FILE");
    }
}
