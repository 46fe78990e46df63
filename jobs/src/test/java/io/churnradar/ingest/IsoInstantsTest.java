package io.churnradar.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link IsoInstants} reads every text as {@code Instant.parse(text).toEpochMilli()} does: the same value or the same exception. */
class IsoInstantsTest {
    @Test
    void instantsOfEveryYearAndFractionReadAsTheJdkReadsThem() {
        Random r = new Random(5);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 200_000; i++) {
            long seconds = Math.floorMod(r.nextLong(), 253_402_300_800L + 62_167_219_200L) - 62_167_219_200L; // years 0000..9999
            int nanos = switch (r.nextInt(4)) {
                case 0 -> 0;
                case 1 -> r.nextInt(1000) * 1_000_000;
                case 2 -> r.nextInt(1_000_000) * 1000;
                default -> r.nextInt(1_000_000_000);
            };
            String text = Instant.ofEpochSecond(seconds, nanos).toString();
            texts.add(text);
            // The same instant with a fraction of any length from 1 to 9 digits, trailing zeros included.
            if (r.nextInt(4) == 0) {
                String frac = String.format("%09d", nanos).substring(0, 1 + r.nextInt(9));
                texts.add(text.substring(0, 19) + "." + frac + "Z");
            }
        }
        for (String t : texts) assertReadsAsTheJdk(t);
    }

    @Test
    void everyOtherShapeReadsAsTheJdkReadsIt() {
        List<String> texts = new ArrayList<>(List.of("2026-03-02T10:15:00Z", "2026-03-02t10:15:00z", "2026-03-02T10:15:00+01:00",
                "2026-03-02T10:15:00.Z", "2026-03-02T10:15:00.1234567890Z", "2026-03-02T10:15Z", "2026-03-02 10:15:00Z",
                "2026-02-29T00:00:00Z", "2024-02-29T00:00:00Z", "2000-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2026-04-31T00:00:00Z",
                "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z", "2026-01-00T00:00:00Z", "2026-12-31T24:00:00Z", "2026-12-31T23:60:00Z",
                "2016-12-31T23:59:60Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z", "+10000-01-01T00:00:00Z",
                "-0001-01-01T00:00:00Z", "1969-12-31T23:59:59.999Z", "1970-01-01T00:00:00.0001Z", "", "Z", "2026-03-02T10:15:00ZZ",
                " 2026-03-02T10:15:00Z", "2026-03-02T10:15:00Z ", "2026-3-02T10:15:00Z", "２０２６-03-02T10:15:00Z"));
        Random r = new Random(9);
        String base = "2026-03-02T10:15:00.250Z";
        String chars = "0123456789-:.TZtz+ /a";
        for (int i = 0; i < 20_000; i++) {
            char[] c = base.toCharArray();
            c[r.nextInt(c.length)] = chars.charAt(r.nextInt(chars.length()));
            texts.add(new String(c));
        }
        for (int cut = 0; cut <= base.length(); cut++) texts.add(base.substring(0, cut));
        for (String t : texts) assertReadsAsTheJdk(t);
    }

    private static void assertReadsAsTheJdk(String text) {
        assertThat(outcome(() -> IsoInstants.toEpochMilli(text))).as(text).isEqualTo(outcome(() -> Instant.parse(text).toEpochMilli()));
    }

    private interface Read {
        long get();
    }

    private static String outcome(Read r) {
        try {
            return Long.toString(r.get());
        } catch (RuntimeException e) {
            return e.getClass().getName() + ": " + e.getMessage();
        }
    }
}
