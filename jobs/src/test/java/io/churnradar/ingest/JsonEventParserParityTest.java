package io.churnradar.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A line read token by token ({@link JsonEventParser#parse(String)}, and from its UTF-8 bytes) gives what the whole line read as a tree gives
 * ({@link JsonEventParser#parseTree}): the same event, or the same reason. Every field of every event type is left out,
 * repeated and given every kind of value; lines are cut short and given unknown fields, nested values and more after them.
 */
class JsonEventParserParityTest {
    private static final String[] LINES = {
        "{\"type\":\"login\",\"eventId\":\"e1\",\"accountId\":\"acme\",\"eventTime\":\"2026-03-02T10:15:00Z\",\"userId\":\"u7\"}",
        "{\"type\":\"usage\",\"eventId\":\"e2\",\"accountId\":\"acme\",\"eventTime\":1772446500000,\"feature\":\"api\",\"quantity\":2.5}",
        "{\"type\":\"support_ticket\",\"eventId\":\"e3\",\"accountId\":\"acme\",\"eventTime\":1772446500000,\"ticketId\":\"T-9\","
                + "\"status\":\"CLOSED\",\"priority\":\"URGENT\",\"csat\":2}",
        "{\"type\":\"payment\",\"eventId\":\"e4\",\"accountId\":\"acme\",\"eventTime\":\"2026-03-02T10:15:00.250Z\",\"status\":\"FAILED\","
                + "\"amountMinor\":4900,\"currency\":\"EUR\",\"invoiceId\":\"inv-1\",\"failureCode\":\"card_declined\",\"cardExpiry\":\"2027-01\"}",
        "{\"type\":\"feedback\",\"eventId\":\"e5\",\"accountId\":\"acme\",\"eventTime\":1772446500000,\"survey\":\"NPS\",\"score\":3,"
                + "\"comment\":\"slow \\\"exports\\\" \\u00e9 caf\u00e9 \u65e5\u672c\"}",
        "{\"type\":\"subscription\",\"eventId\":\"e6\",\"accountId\":\"acme\",\"eventTime\":1772446500000,\"action\":\"DOWNGRADED\","
                + "\"plan\":\"basic\",\"mrrMinor\":9900,\"seats\":4,\"renewalDate\":\"2026-04-01\",\"reason\":\"price\",\"doNotContact\":true}",
    };
    private static final String[] VALUES = {"null", "0", "-1", "7", "4.5", "-0.0", "1.5e12", "1e400", "4294967298", "1772446500000",
        "99999999999999999999999", "true", "false", "\"\"", "\" \"", "\"x\"", "\"login\"", "\"OPENED\"", "\"NPS\"", "\"EUR\"",
        "\"2026-03-02T10:15:00Z\"", "\"2027-01\"", "{}", "{\"a\":[1,{\"b\":null}]}", "[]", "[1,\"2\"]"};

    @Test
    void everyVariantOfEveryEventReadsAsTheTreeReadsIt() {
        List<String> lines = new ArrayList<>();
        for (String line : LINES) {
            lines.add(line);
            List<String[]> fields = fields(line);
            for (int i = 0; i < fields.size(); i++) {
                lines.add(without(fields, i));
                for (String v : VALUES) {
                    lines.add(with(fields, i, v));
                    lines.add("{\"" + fields.get(i)[0] + "\":" + v + "," + line.substring(1)); // repeated: the last wins
                }
            }
            lines.add("{\"extra\":{\"type\":\"x\",\"n\":[1,2,{}]}," + line.substring(1));
            lines.add(line.substring(0, line.length() - 1) + ",\"extra\":[[],{}],\"more\":null}");
            lines.add(line + line);
            lines.add(line + " 1");
            lines.add(line + " \"and a string\"");
            lines.add(line + " trailing");
            lines.add(line + "   ");
            lines.add(" \t" + line);
            for (int cut = 0; cut < line.length(); cut++) lines.add(line.substring(0, cut));
        }
        for (String other : new String[] {"", "  ", "[1,2]", "\"login\"", "1", "null", "[", "{", "}", "{}", "{\"type\"}", "{,}",
            "{\"type\":\"login\",}", "{'type':'login'}", "{\"type\":\"login\" \"eventId\":\"e\"}"}) {
            lines.add(other);
        }
        Random random = new Random(7);
        for (int n = 0; n < 2000; n++) {
            String line = LINES[random.nextInt(LINES.length)];
            char[] c = line.toCharArray();
            c[random.nextInt(c.length)] = "{}[]\",:0 -.eE\\tn".charAt(random.nextInt(16));
            lines.add(new String(c));
        }

        for (String line : lines) {
            String tree = treeRead(line);
            assertThat(read(() -> JsonEventParser.parse(line))).as(line).isEqualTo(tree);
            assertThat(read(() -> JsonEventParser.parse(line.getBytes(StandardCharsets.UTF_8)))).as("as bytes: " + line).isEqualTo(tree);
            for (EventType topic : EventType.values()) assertTopicReadsAsTree(line, topic);
        }
    }

    @Test
    void bytesThatAreNotUtf8ReadAsTheJdkDecodesThem() {
        Random random = new Random(11);
        byte[][] broken = {{(byte) 0xC3}, {(byte) 0xFF}, {(byte) 0xE2, (byte) 0x82}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0x80}};
        for (int n = 0; n < 500; n++) {
            byte[] line = LINES[random.nextInt(LINES.length)].getBytes(StandardCharsets.UTF_8);
            byte[] bad = broken[random.nextInt(broken.length)];
            int at = random.nextInt(line.length);
            byte[] b = new byte[line.length + bad.length];
            System.arraycopy(line, 0, b, 0, at);
            System.arraycopy(bad, 0, b, at, bad.length);
            System.arraycopy(line, at, b, at + bad.length, line.length - at);
            String decoded = new String(b, StandardCharsets.UTF_8);
            assertThat(read(() -> JsonEventParser.parse(b))).as(decoded).isEqualTo(treeRead(decoded));
        }
    }

    /** A topic's record: an ASCII object of valid JSON the token reader reads as its tree is read; others it leaves to the tree. */
    private static void assertTopicReadsAsTree(String line, EventType topic) {
        JsonNode n;
        try {
            n = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(line);
        } catch (IOException e) {
            n = null;
        }
        String plain = read(() -> JsonEventParser.parsePlain(line.getBytes(StandardCharsets.UTF_8), topic));
        if (n == null || !n.isObject()) {
            assertThat(plain).as(topic + " " + line).isIn("null", "rejected: not valid JSON: more");
            return;
        }
        JsonNode object = n;
        String tree = read(() -> JsonEventParser.parse(object, topic));
        // Not ASCII: left to the tree.
        if (line.chars().anyMatch(c -> c > 127)) assertThat(plain).as(topic + " " + line).isIn("null", tree);
        else assertThat(plain).as(topic + " " + line).isEqualTo(tree);
    }

    /** The tree's outcome; more after the object is told in its own words, so only that it is not valid JSON must agree. */
    private static String treeRead(String line) {
        String tree = read(() -> JsonEventParser.parseTree(line));
        return tree.startsWith("rejected: not valid JSON: Trailing token") ? "rejected: not valid JSON: more" : tree;
    }

    private interface Read {
        AccountEvent get() throws InvalidEventException;
    }

    private static String read(Read r) {
        try {
            return describe(r.get());
        } catch (InvalidEventException e) {
            String m = e.getMessage();
            return m.matches("not valid JSON: '.*' follows the event object; one event a line") ? "rejected: not valid JSON: more" : "rejected: " + m;
        }
    }

    private static String describe(AccountEvent e) {
        if (e == null) return "null";
        StringBuilder b = new StringBuilder();
        for (Field f : AccountEvent.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers())) continue;
            try {
                b.append(f.getName()).append('=').append(f.get(e)).append(' ');
            } catch (IllegalAccessException ex) {
                throw new AssertionError(ex);
            }
        }
        return b.toString();
    }

    /** The top-level fields of one of the lines above: name and raw value (no commas inside their values). */
    private static List<String[]> fields(String line) {
        List<String[]> out = new ArrayList<>();
        for (String pair : line.substring(1, line.length() - 1).split(",(?=\")")) {
            int colon = pair.indexOf("\":");
            out.add(new String[] {pair.substring(1, colon), pair.substring(colon + 2)});
        }
        return out;
    }

    private static String without(List<String[]> fields, int skip) {
        return with(fields, skip, null);
    }

    private static String with(List<String[]> fields, int at, String value) {
        StringBuilder b = new StringBuilder("{");
        for (int i = 0; i < fields.size(); i++) {
            String v = i == at ? value : fields.get(i)[1];
            if (v == null) continue;
            if (b.length() > 1) b.append(',');
            b.append('"').append(fields.get(i)[0]).append("\":").append(v);
        }
        return b.append('}').toString();
    }
}
