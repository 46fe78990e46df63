package io.churnradar.backtest.results;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/** Lines written by the streaming generator are the text Jackson's trees gave before: the result files keep their bytes. */
class JsonLineTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void writesWhatATreeWrites() {
        String text = "quote \" backslash \\ newline \n tab \t unicode é ✓ control \u0001";
        ObjectNode tree = JSON.createObjectNode();
        tree.put("s", text);
        tree.put("none", (String) null);
        tree.put("i", 42);
        tree.put("boxed", (Integer) null);
        tree.put("d", 75.0);
        tree.put("small", 0.1 + 0.2);
        tree.putObject("o").put("k", "v");
        tree.putArray("a").addObject().put("x", 1.5);
        tree.put("b", false);

        String line = JsonLine.object(n -> {
            n.put("s", text).put("none", (String) null).put("i", 42).put("boxed", (Integer) null).put("d", 75.0).put("small", 0.1 + 0.2);
            n.startObject("o").put("k", "v").endObject();
            n.startArray("a").startObject().put("x", 1.5).endObject().endArray();
            n.put("b", false);
        });

        assertThat(line).isEqualTo(tree.toString());
        // The generator is reused: the next line starts clean, with nothing between the two.
        assertThat(JsonLine.object(n -> n.put("k", 1))).isEqualTo("{\"k\":1}");
    }

    @Test
    void aLineThatFailsHalfWayLeavesTheNextOneWhole() {
        assertThatThrownBy(() -> JsonLine.object(n -> {
            n.put("k", 1);
            throw new IllegalStateException("boom");
        })).hasMessage("boom");
        assertThat(JsonLine.object(n -> n.put("k", 2))).isEqualTo("{\"k\":2}");
    }

    @Test
    void theClosingHealthLineDiffersOnlyInFinal() throws Exception {
        assertThat(HealthJson.asFinal("{\"accountId\":\"a\",\"final\":false}")).isEqualTo("{\"accountId\":\"a\",\"final\":true}");
        assertThatThrownBy(() -> HealthJson.asFinal("{\"final\":true}")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HealthJsonTest.finalFromBytes("{\"final\":true}")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a health change line");
        assertThatThrownBy(() -> HealthJsonTest.finalFromBytes("}")).isInstanceOf(IllegalArgumentException.class);
        assertThat(HealthJsonTest.finalFromBytes("{\"accountId\":\"é\",\"final\":false}")).isEqualTo("{\"accountId\":\"é\",\"final\":true}");
    }
}
