package io.churnradar.propensity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code --label}: a basis, a horizon, or both; a misspelled basis is told what is allowed. */
class ChurnDefinitionTest {
    @Test
    void aBasisAHorizonOrBoth() {
        assertThat(ChurnDefinition.parse("60d").horizon()).isEqualTo(Duration.ofDays(60));
        assertThat(ChurnDefinition.parse("inactivity:90d").horizon()).isEqualTo(Duration.ofDays(90));
        assertThat(ChurnDefinition.parse("canceled")).isNotNull();
    }

    @Test
    void aWordThatIsNoBasisListsTheBases() {
        assertThatThrownBy(() -> ChurnDefinition.parse("foo")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("use auto, canceled or inactivity");
        assertThatThrownBy(() -> ChurnDefinition.parse("60x")).hasMessageContaining("is not a duration such as 90d");
    }
}
