package io.churnradar.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.churnradar.alerts.DeadLetter;
import io.churnradar.events.UsageEvent;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.ingest.AvroEvents;
import io.churnradar.ingest.EventType;
import io.churnradar.ingest.Ingested;
import io.churnradar.ingest.InvalidEventException;
import io.churnradar.ingest.JsonEventParser;
import io.churnradar.ingest.KafkaEventDeserializer;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** The defence against hostile input, piece by piece; the end-to-end tests run it on both paths. */
class HostileInputGuardTest {
    private static final Instant NOW = Instant.parse("2026-04-10T12:00:00Z");
    private static final Duration WEEK = Duration.ofDays(7);

    private static AccountEvent login(String id, Instant t) {
        return AccountEvent.login(id, "acct-1", t.toEpochMilli());
    }

    @Test
    void streamingRejectsEventsAheadOfTheWallClockAndNeverCountsThemAsReached() {
        EventTimeGuard g = EventTimeGuard.againstClock(Duration.ofHours(1), WEEK, Clock.fixed(NOW, ZoneOffset.UTC));
        assertThat(g.check(login("a", NOW.plus(Duration.ofMinutes(59))), "p0")).isNull();
        assertThat(g.check(login("b", Instant.parse("2099-01-01T00:00:00Z")), "p0"))
                .isEqualTo("eventTime 2099-01-01T00:00:00Z is more than 1h ahead of now (2026-04-10T12:00:00Z; eventTime.maxAheadOfNow)");
        // The rejected event did not become the time reached: an event a day earlier is still in time.
        assertThat(g.check(login("c", NOW.minus(Duration.ofDays(1))), "p0")).isNull();
    }

    @Test
    void anEventFurtherThanTheDedupWindowBehindItsPartitionIsTooLateToDeduplicate() {
        EventTimeGuard g = EventTimeGuard.againstClock(Duration.ofHours(1), WEEK, Clock.fixed(NOW, ZoneOffset.UTC));
        Instant reached = NOW.minus(Duration.ofDays(1));
        assertThat(g.check(login("a", reached), "p0")).isNull();
        assertThat(g.check(login("b", reached.minus(WEEK)), "p0")).as("exactly the window behind").isNull();
        assertThat(g.check(login("c", reached.minus(WEEK).minusMillis(1)), "p0"))
                .startsWith("too late to de-duplicate: eventTime 2026-04-02T11:59:59.999Z is more than 7d (dedup.windowDays) behind"
                        + " the event time reached (2026-04-09T12:00:00Z)");
        // Another partition is judged on its own: it may legitimately be behind.
        assertThat(g.check(login("d", reached.minus(Duration.ofDays(20))), "p1")).isNull();
    }

    @Test
    void backtestJudgesAgainstTheEventTimeReachedOrTheNowGiven() {
        EventTimeGuard reached = EventTimeGuard.againstEventTime(Duration.ofDays(30), WEEK, null);
        assertThat(reached.check(login("a", NOW), "")).isNull();
        assertThat(reached.check(login("b", NOW.plus(Duration.ofDays(29))), "")).isNull();
        // One event that far ahead is taken, but moves the event time reached only once two more join it (NewestEventTime).
        assertThat(reached.check(login("c", Instant.parse("2099-01-01T00:00:00Z")), ""))
                .startsWith("eventTime 2099-01-01T00:00:00Z is more than 30d ahead of the event time reached (2026-04-10T12:00:00Z");
        assertThat(reached.check(login("d", NOW.plus(Duration.ofDays(29)).plusSeconds(60)), "")).isNull();
        assertThat(reached.check(login("e", NOW.plus(Duration.ofDays(29)).plusSeconds(120)), "")).isNull();
        assertThat(reached.check(login("f", Instant.parse("2099-01-01T00:00:00Z")), ""))
                .startsWith("eventTime 2099-01-01T00:00:00Z is more than 30d ahead of the event time reached (2026-05-09T12:02:00Z");

        EventTimeGuard given = EventTimeGuard.againstEventTime(Duration.ofHours(1), WEEK, NOW);
        assertThat(given.check(login("a", Instant.parse("2099-01-01T00:00:00Z")), "")).contains("ahead of now (2026-04-10T12:00:00Z");
        assertThat(given.check(login("b", NOW.minus(Duration.ofDays(40))), "")).isNull();
    }

    @Test
    void aLineAboveTheLimitKeepsItsPrefixSizeAndHashAndTheNextLinesReadOn() throws Exception {
        byte[] huge = new byte[5 * 1024 * 1024];
        Arrays.fill(huge, (byte) 'x');
        ByteArrayInputStream in = new ByteArrayInputStream(concat("first\r\n".getBytes(StandardCharsets.UTF_8), huge,
                "\nthird\rfourth\n\nlast".getBytes(StandardCharsets.UTF_8)));
        List<BoundedLines.Line> lines = new ArrayList<>();
        try (BoundedLines r = new BoundedLines(in, 1024 * 1024)) {
            for (BoundedLines.Line l = r.next(); l != null; l = r.next()) lines.add(l);
        }
        assertThat(lines).hasSize(6);
        assertThat(lines.get(0).text).isEqualTo("first");
        Oversize o = lines.get(1).oversize;
        assertThat(lines.get(1).text).isNull();
        assertThat(o.size).isEqualTo(huge.length);
        assertThat(o.prefix).hasSize(Oversize.KEPT_BYTES);
        assertThat(o.sha256).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(huge)));
        assertThat(lines.subList(2, 6)).extracting(l -> l.text).containsExactly("third", "fourth", "", "last");
    }

    @Test
    void aLineExactlyAtTheLimitIsKeptWhole() throws Exception {
        byte[] line = new byte[2048];
        Arrays.fill(line, (byte) 'y');
        try (BoundedLines r = new BoundedLines(new ByteArrayInputStream(line), 2048)) {
            assertThat(r.next().text).hasSize(2048);
            assertThat(r.next()).isNull();
        }
    }

    @Test
    void numbersTheRulesCannotAddUpAreRejected() {
        assertThatThrownBy(() -> JsonEventParser.parse(
                "{\"type\":\"usage\",\"eventId\":\"u\",\"accountId\":\"a\",\"eventTime\":\"2026-03-01T00:00:00Z\",\"feature\":\"f\",\"quantity\":1e308}"))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("quantity 1.0E308 is above 1.0E12, more than the rules can add up");
        assertThatThrownBy(() -> JsonEventParser.parse(
                "{\"type\":\"subscription\",\"eventId\":\"s\",\"accountId\":\"a\",\"eventTime\":\"2026-03-01T00:00:00Z\",\"action\":\"PLAN_CHANGED\",\"mrrMinor\":9223372036854775807}"))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageStartingWith("mrrMinor 9223372036854775807 is outside");
    }

    @Test
    void controlCharactersInvalidUtf8AndOverlongIdsAreRejected() {
        assertThatThrownBy(() -> JsonEventParser.parse(line("acct\\u0000x")))
                .hasMessage("accountId contains the control character U+0000 at character 4");
        assertThatThrownBy(() -> JsonEventParser.parse(line("acct\\u001b[31m")))
                .hasMessage("accountId contains the control character U+001B at character 4");
        assertThatThrownBy(() -> JsonEventParser.parse(line("acct\\ud800")))
                .hasMessage("accountId contains an unpaired surrogate at character 4");
        assertThatThrownBy(() -> JsonEventParser.parse(line("a".repeat(257))))
                .hasMessage("accountId is 257 characters long, above 256");
        // Bytes that are not UTF-8 are read as U+FFFD, which no id may hold.
        assertThatThrownBy(() -> JsonEventParser.parse(line("acct-\uFFFD")))
                .hasMessage("accountId contains invalid UTF-8 (U+FFFD) at character 5");
    }

    @Test
    void invalidUtf8InAnAvroIdIsRejected() throws Exception {
        byte[] bytes = AvroEvents.encode(UsageEvent.newBuilder().setEventId("u-1").setAccountId("acct-ZZ").setEventTime(NOW)
                .setFeature("reports").setQuantity(1).build());
        replace(bytes, "ZZ".getBytes(StandardCharsets.US_ASCII), new byte[] {(byte) 0xC3, (byte) 0x28});
        assertThatThrownBy(() -> new AvroEvents().decode(EventType.USAGE, bytes))
                .hasMessage("accountId contains invalid UTF-8 (U+FFFD) at character 5");
    }

    @Test
    void kafkaRecordsAboveTheLimitAndEventsOutOfTimeBecomeDeadLettersWithTheirReasons() throws Exception {
        GuardedDeserializer d = new GuardedDeserializer(new KafkaEventDeserializer(Map.of("usage",
                io.churnradar.ingest.formats.InputFormat.CHURN_RADAR.mapper(EventType.USAGE, io.churnradar.ingest.formats.FormatOptions.defaults()))),
                EventTimeGuard.againstClock(Duration.ofHours(1), WEEK, Clock.fixed(NOW, ZoneOffset.UTC)), 4096);
        List<Ingested> out = new ArrayList<>();
        Collector<Ingested> c = new Collector<>() {
            @Override
            public void collect(Ingested i) {
                out.add(i);
            }

            @Override
            public void close() {}
        };
        byte[] big = new byte[100_000];
        d.deserialize(new ConsumerRecord<>("usage", 0, 7L, "k".getBytes(StandardCharsets.UTF_8), big), c);
        d.deserialize(new ConsumerRecord<>("usage", 0, 8L, null, usage("u-1", NOW.minus(Duration.ofDays(1)))), c);
        byte[] future = usage("u-2", Instant.parse("2099-01-01T00:00:00Z"));
        d.deserialize(new ConsumerRecord<>("usage", 0, 9L, null, future), c);
        d.deserialize(new ConsumerRecord<>("usage", 0, 10L, null, usage("u-3", NOW.minus(Duration.ofDays(9)))), c);

        d.deserialize(new ConsumerRecord<>("usage", 1, 11L, new byte[10_000], usage("u-4", NOW)), c);

        assertThat(out).hasSize(5);
        assertThat(out.get(4).deadLetter.getReason()).startsWith("key too large: 10000 bytes, above the key limit (4096)");
        assertThat(out.get(4).deadLetter.getKey().remaining()).isEqualTo(4096);
        DeadLetter tooBig = out.get(0).deadLetter;
        assertThat(tooBig.getReason()).startsWith("too large: 100000 bytes, above limits.maxRecordBytes (4096); the first 4096 bytes are kept, sha256 ");
        assertThat(tooBig.getPayload().remaining()).isEqualTo(4096);
        assertThat(tooBig.getOffset()).isEqualTo(7L);
        assertThat(out.get(1).event.eventId).isEqualTo("u-1");
        assertThat(out.get(2).deadLetter.getReason()).contains("ahead of now");
        assertThat(out.get(2).deadLetter.getPayload()).isEqualTo(java.nio.ByteBuffer.wrap(future));
        assertThat(out.get(3).deadLetter.getReason()).startsWith("too late to de-duplicate");
    }

    @Test
    void otherFormatsAreGuardedTooAndARejectedCallStillTeachesItsUserLink() throws Exception {
        var segment = io.churnradar.ingest.formats.InputFormat.SEGMENT.mapper(null, io.churnradar.ingest.formats.FormatOptions.defaults());
        GuardedDeserializer d = new GuardedDeserializer(new KafkaEventDeserializer(Map.of("segment", segment)),
                EventTimeGuard.againstClock(Duration.ofHours(1), WEEK, Clock.fixed(NOW, ZoneOffset.UTC)), 65536);
        List<Ingested> out = new ArrayList<>();
        Collector<Ingested> c = new Collector<>() {
            @Override
            public void collect(Ingested i) {
                out.add(i);
            }

            @Override
            public void close() {}
        };
        // A sign-in naming its user and its account: a login, and the link of the user to the account.
        String signedIn = "{\"userId\":\"u-9\",\"type\":\"track\",\"event\":\"Signed In\",\"messageId\":\"m-1\","
                + "\"context\":{\"groupId\":\"acct-9\"},\"timestamp\":\"2099-01-01T00:00:00Z\"}";
        d.deserialize(new ConsumerRecord<>("segment", 0, 3L, null, signedIn.getBytes(StandardCharsets.UTF_8)), c);

        assertThat(out).allSatisfy(i -> assertThat(i.event).isNull());
        assertThat(out).filteredOn(i -> i.pendingUser == null)
                .singleElement().satisfies(i -> assertThat(i.deadLetter.getReason()).contains("ahead of now"));
        assertThat(out).filteredOn(i -> i.pendingUser != null)
                .singleElement().satisfies(i -> {
                    assertThat(i.linkUser).isEqualTo("u-9");
                    assertThat(i.linkAccount).isEqualTo("acct-9");
                });
    }

    private static byte[] usage(String id, Instant t) {
        return AvroEvents.encode(UsageEvent.newBuilder().setEventId(id).setAccountId("acct-1").setEventTime(t)
                .setFeature("reports").setQuantity(1).build());
    }

    private static String line(String accountIdJson) {
        return "{\"type\":\"login\",\"eventId\":\"l\",\"accountId\":\"" + accountIdJson + "\",\"eventTime\":\"2026-03-01T00:00:00Z\"}";
    }

    private static void replace(byte[] in, byte[] what, byte[] with) {
        for (int i = 0; i + what.length <= in.length; i++) {
            if (Arrays.equals(in, i, i + what.length, what, 0, what.length)) {
                System.arraycopy(with, 0, in, i, with.length);
                return;
            }
        }
        throw new IllegalArgumentException("not found");
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) n += p.length;
        byte[] r = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, r, at, p.length);
            at += p.length;
        }
        return r;
    }
}
