package io.churnradar.backtest.results;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.alerts.AccountHealth;
import io.churnradar.alerts.HealthComponent;
import io.churnradar.alerts.HealthTier;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** health.jsonl keeps its bytes: the hand-written line is the generator's line, and anything unusual goes to the generator. */
class HealthJsonTest {

    private static AccountHealth health(String account, String ruleVersion, double[] values, long asOf) {
        String[] names = {"usageTrend", "loginRecency", "featureBreadth", "supportBurden", "paymentHealth", "sentiment"};
        double[] weights = {25, 20, 15, 15, 15, 10};
        List<HealthComponent> components = new ArrayList<>();
        double sum = 0;
        for (int i = 0; i < names.length; i++) {
            double contribution = Math.round(values[i] * weights[i]) / 100.0;
            sum += contribution;
            components.add(new HealthComponent(names[i], values[i], weights[i], contribution));
        }
        int score = (int) Math.round(sum);
        HealthTier tier = score >= 75 ? HealthTier.GREEN : score >= 50 ? HealthTier.YELLOW : HealthTier.RED;
        return new AccountHealth(account, score, tier, components, Instant.ofEpochMilli(asOf), ruleVersion, null, null, List.of());
    }

    @Test
    void theHandWrittenLineIsTheGeneratorsLine() throws Exception {
        Random random = new Random(7);
        for (int n = 0; n < 20_000; n++) {
            double[] values = new double[6];
            for (int i = 0; i < 6; i++) {
                // Component values are rounded to 0.1 in the score; a few raw doubles and extremes as well.
                values[i] = switch (random.nextInt(4)) {
                    case 0 -> Math.round(random.nextDouble() * 1000) / 10.0;
                    case 1 -> random.nextDouble() * 100;
                    case 2 -> random.nextBoolean() ? 0.0 : 100.0;
                    default -> random.nextInt(101);
                };
            }
            long asOf = 1_767_225_600_000L + random.nextInt(1_000_000_000) * (long) (1 + random.nextInt(5)) + (random.nextBoolean() ? 0 : 123);
            AccountHealth h = health("acct-" + n, "default-1", values, asOf);
            for (boolean isFinal : new boolean[] {false, true}) {
                String plain = HealthJson.plainLine(h, isFinal);
                assertThat(plain).isNotNull().isEqualTo(HealthJson.generatedLine(h, isFinal));
                assertThat(HealthJson.toJson(h, isFinal)).isEqualTo(plain);
            }
            assertThat(HealthJson.asFinal(HealthJson.toJson(h, false))).isEqualTo(HealthJson.toJson(h, true));
            assertThat(finalFromBytes(HealthJson.toJson(h, false))).isEqualTo(HealthJson.toJson(h, true));
        }
    }

    @Test
    void componentsThatChangeNameOrWeightFromLineToLineAreWrittenAsTheyAre() {
        double[] values = {75, 75, 33.3, 100, 100, 75};
        Random random = new Random(11);
        String[] names = {"usageTrend", "loginRecency", "custom", "quote\"d", "tab\there", "x"};
        double[] weights = {25, 20, 0.0, -0.0, 12.5, 1e7, Double.NaN, Double.POSITIVE_INFINITY};
        for (int n = 0; n < 5_000; n++) {
            AccountHealth h = health("acct-" + n, n % 7 == 0 ? "v\\" + n : "rules-" + (n % 3), values, 86_400_000L * n);
            List<HealthComponent> components = new ArrayList<>(h.getComponents().subList(0, random.nextInt(7)));
            for (int i = 0; i < components.size(); i++) {
                if (random.nextInt(3) > 0) continue;
                // A name equal to the last one but another string, another name, another weight.
                String name = new String(names[random.nextInt(names.length)]);
                components.set(i, new HealthComponent(name, values[i], weights[random.nextInt(weights.length)], 1.5));
            }
            h.setComponents(components);
            String plain = HealthJson.plainLine(h, false);
            assertThat(HealthJson.toJson(h, false)).isEqualTo(HealthJson.generatedLine(h, false));
            if (plain != null) assertThat(plain).isEqualTo(HealthJson.generatedLine(h, false));
        }
    }

    @Test
    void textThatNeedsEscapesOrOddNumbersGoToTheGenerator() {
        double[] values = {75, 75, 33.3, 100, 100, 75};
        for (String account : new String[] {"quote\"d", "back\\slash", "tab\there", "é-account", "line\nbreak"}) {
            AccountHealth h = health(account, "default-1", values, 0L);
            assertThat(HealthJson.plainLine(h, false)).isNull();
            assertThat(HealthJson.toJson(h, false)).isEqualTo(HealthJson.generatedLine(h, false));
        }
        assertThat(HealthJson.plainLine(health("a", "v\"1", values, 0L), false)).isNull();
        assertThat(HealthJson.plainLine(health("a", "v1", new double[] {Double.NaN, 0, 0, 0, 0, 0}, 0L), false)).isNull();
        AccountHealth scored = health("a", "v1", values, 0L);
        scored.setChurnProbability(0.5);
        scored.setChurnScoredAt(Instant.EPOCH);
        assertThat(HealthJson.plainLine(scored, false)).isNull();
        assertThat(HealthJson.toJson(scored, false)).contains("\"churnProbability\":0.5");
    }

    /** The closing line as the merge writes it, from the change line's bytes amid others in a buffer. */
    static String finalFromBytes(String changeLine) throws java.io.IOException {
        byte[] line = changeLine.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] buffer = new byte[line.length + 7];
        System.arraycopy(line, 0, buffer, 3, line.length);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int written = HealthJson.writeAsFinal(buffer, 3, line.length, out);
        assertThat(written).isEqualTo(out.size());
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
}
