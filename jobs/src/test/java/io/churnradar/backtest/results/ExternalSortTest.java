package io.churnradar.backtest.results;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.churnradar.backtest.results.ExternalSort.Entry;
import io.churnradar.backtest.results.ExternalSort.Key;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The external merge sort of the backtest's outputs: the same order as a stable sort in memory, whatever the runs. */
class ExternalSortTest {
    @TempDir
    Path tmp;

    private static Entry entry(long time, String account, int n) {
        return new Entry(Key.of(time, account), "tag-" + (n % 3), "{\"n\":" + n + ",\"account\":\"" + account + "\"}");
    }

    private List<Entry> merged(List<Path> runs, boolean lastPerKey) throws IOException {
        List<Entry> out = new ArrayList<>();
        ExternalSort.merge(runs, lastPerKey, tmp, r -> out.add(r.toEntry()));
        return out;
    }

    /** Random records with many equal keys, and the order a stable in-memory sort gives them. */
    private static List<Entry> records(int n, long seed) {
        Random r = new Random(seed);
        List<Entry> all = new ArrayList<>();
        for (int i = 0; i < n; i++) all.add(entry(r.nextInt(20), "acct-" + r.nextInt(7), i));
        return all;
    }

    private static List<String> lines(List<Entry> entries) {
        return entries.stream().map(Entry::line).toList();
    }

    @Test
    void manySmallRunsMergeToTheStableSortOrder() throws IOException {
        List<Entry> all = records(5_000, 1);
        ExternalSort.RunWriter w = new ExternalSort.RunWriter(tmp, "t-00000", 3_000);
        for (Entry e : all) w.add(e);
        List<Path> runs = w.finish();
        assertThat(runs).hasSizeGreaterThan(50);

        List<Entry> expected = new ArrayList<>(all);
        expected.sort(Comparator.comparing(Entry::key)); // stable: ties in the order written
        List<Entry> got = merged(runs, false);
        assertThat(lines(got)).containsExactlyElementsOf(lines(expected));
        assertThat(got).extracting(Entry::tag).containsExactlyElementsOf(expected.stream().map(Entry::tag).toList());
    }

    @Test
    void moreRunsThanOneMergeTakesAreMergedInPassesWithTheSameOrder() throws IOException {
        List<Entry> all = records(3 * ExternalSort.fanIn() + 17, 2);
        ExternalSort.RunWriter w = new ExternalSort.RunWriter(tmp, "t-00000", 1); // a run per record
        for (Entry e : all) w.add(e);
        List<Path> runs = w.finish();
        assertThat(runs).hasSize(all.size());

        List<Entry> expected = new ArrayList<>(all);
        expected.sort(Comparator.comparing(Entry::key));
        List<Entry> got = new ArrayList<>();
        java.util.concurrent.atomic.AtomicLong regrouped = new java.util.concurrent.atomic.AtomicLong();
        ExternalSort.merge(runs, false, tmp, r -> got.add(r.toEntry()), regrouped::addAndGet);
        assertThat(lines(got)).containsExactlyElementsOf(lines(expected));
        // A first pass merged three groups of 1,024 of the 3,089 runs (a run per record, in the order written), which with
        // the 17 left makes 20 for the last merge: only their lines went through it (the progress lines count them).
        assertThat(regrouped.get()).isEqualTo(all.subList(0, 3 * ExternalSort.fanIn()).stream().mapToLong(e -> e.line().length()).sum());
        try (var left = Files.list(tmp)) {
            assertThat(left.filter(p -> p.getFileName().toString().startsWith("merge-")).toList())
                    .as("intermediate runs are removed").isEmpty();
        }
    }

    /**
     * Runs as the backtest's writers make them: each writer's records come in time order with a little disorder, so
     * its runs follow each other with ties and overlaps at their edges, and two writers' runs overlap each other. The
     * merge lets a run join only when it reaches the run's first record; the order must be the stable sort's all the same.
     */
    @Test
    void runsThatFollowEachOtherInTimeMergeToTheStableSortOrderWhicheverComesFirst() throws IOException {
        Random random = new Random(3);
        List<List<Entry>> writers = new ArrayList<>();
        List<List<Path>> runs = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            List<Entry> written = new ArrayList<>();
            ExternalSort.RunWriter writer = new ExternalSort.RunWriter(tmp, "w" + w + "-00000", 2_000);
            for (int i = 0; i < 4_000; i++) {
                // Times that mostly rise, a few steps back within the bound, and many equal: ties across runs' edges.
                Entry e = entry(i / 25 + (random.nextInt(10) == 0 ? -random.nextInt(3) : 0), "acct-" + random.nextInt(4), w * 10_000 + i);
                written.add(e);
                writer.add(e);
            }
            writers.add(written);
            runs.add(writer.finish());
            assertThat(runs.get(w)).hasSizeGreaterThan(20);
        }
        for (int first = 0; first < 2; first++) {
            List<Path> given = new ArrayList<>(runs.get(first));
            given.addAll(runs.get(1 - first));
            List<Entry> expected = new ArrayList<>(writers.get(first));
            expected.addAll(writers.get(1 - first));
            expected.sort(Comparator.comparing(Entry::key));
            assertThat(lines(merged(given, false))).as("writer %d's runs first", first).containsExactlyElementsOf(lines(expected));
        }
        // Interleaved as the spills came, and with the last of each key.
        List<Path> interleaved = new ArrayList<>();
        for (int i = 0; i < Math.max(runs.get(0).size(), runs.get(1).size()); i++) {
            for (List<Path> w : runs) if (i < w.size()) interleaved.add(w.get(i));
        }
        List<Entry> expected = new ArrayList<>();
        for (Path run : interleaved) {
            List<Entry> one = new ArrayList<>();
            ExternalSort.merge(List.of(run), false, tmp, r -> one.add(r.toEntry()));
            expected.addAll(one);
        }
        expected.sort(Comparator.comparing(Entry::key));
        assertThat(lines(merged(interleaved, false))).containsExactlyElementsOf(lines(expected));
        Map<Key, Entry> last = new LinkedHashMap<>();
        for (Entry e : expected) last.put(e.key(), e);
        assertThat(lines(merged(interleaved, true))).containsExactlyElementsOf(lines(new ArrayList<>(last.values())));
    }

    @Test
    void tiesAcrossRunsComeInTheOrderOfTheRuns() throws IOException {
        Path a = tmp.resolve("a.run");
        Path b = tmp.resolve("b.run");
        ExternalSort.writeRun(a, List.of(entry(1, "x", 1), entry(2, "x", 3)));
        ExternalSort.writeRun(b, List.of(entry(1, "x", 2), entry(2, "x", 4), entry(3, "a", 5)));
        assertThat(merged(List.of(a, b), false)).extracting(Entry::line).containsExactly(
                "{\"n\":1,\"account\":\"x\"}", "{\"n\":2,\"account\":\"x\"}", "{\"n\":3,\"account\":\"x\"}",
                "{\"n\":4,\"account\":\"x\"}", "{\"n\":5,\"account\":\"a\"}");
        assertThat(merged(List.of(b, a), false)).extracting(Entry::line).startsWith(
                "{\"n\":2,\"account\":\"x\"}", "{\"n\":1,\"account\":\"x\"}");
    }

    @Test
    void emptyRunsAndNoRunsAtAll() throws IOException {
        Path empty = tmp.resolve("empty.run");
        Path one = tmp.resolve("one.run");
        ExternalSort.writeRun(empty, List.of());
        ExternalSort.writeRun(one, List.of(entry(5, "a", 1)));
        assertThat(merged(List.of(empty, one, empty), false)).extracting(Entry::line).containsExactly("{\"n\":1,\"account\":\"a\"}");
        assertThat(merged(List.of(), false)).isEmpty();
        assertThat(merged(List.of(empty), true)).isEmpty();
        assertThat(new ExternalSort.RunWriter(tmp, "none-00000", 100).finish()).as("nothing written, no run").isEmpty();
    }

    @Test
    void lastPerKeyKeepsTheLastRecordOfEachKeyAcrossRuns() throws IOException {
        List<Entry> all = new ArrayList<>();
        Random r = new Random(3);
        for (int i = 0; i < 2_000; i++) {
            String account = "acct-" + r.nextInt(150);
            all.add(new Entry(Key.of(account), null, account + " #" + i));
        }
        ExternalSort.RunWriter w = new ExternalSort.RunWriter(tmp, "last-00000", 2_000);
        for (Entry e : all) w.add(e);
        List<Path> runs = w.finish();
        assertThat(runs).hasSizeGreaterThan(5);

        Map<String, String> last = new LinkedHashMap<>();
        all.stream().sorted(Comparator.comparing(Entry::key)).forEach(e -> last.put((String) e.key().parts[0], e.line()));
        assertThat(lines(merged(runs, true))).containsExactlyElementsOf(List.copyOf(last.values()));
    }

    @Test
    void aWriterMarkingTheLastOfEachAccountLeadsTheMergeToWhatAWriterOfEveryRecordWouldKeep() throws IOException {
        // Health changes keyed by time and account, several runs of them, their last per account marked on the side; against
        // a writer of every record keyed by account alone, merged keeping the last per key.
        List<Entry> all = records(4_000, 7);
        Random r = new Random(8);
        for (int i = 0; i < 4_000; i++) all.add(entry(r.nextInt(20), "acct-" + (10 + r.nextInt(300)), 4_000 + i));
        ExternalSort.RunWriter kept = new ExternalSort.RunWriter(tmp, "kept-00000", 6_000);
        ExternalSort.RunWriter changes = new ExternalSort.RunWriter(tmp, "changes-00000", 40_000).keepingLastOf(1, kept);
        ExternalSort.RunWriter everyRecord = new ExternalSort.RunWriter(tmp, "every-00000", 6_000);
        for (Entry e : all) {
            changes.add(e);
            everyRecord.add(new Entry(Key.of(e.key().parts[1]), e.tag(), e.line()));
        }
        List<Path> changeRuns = changes.finish();
        List<Path> keptRuns = kept.finish();
        assertThat(changeRuns).as("changes spilled several times").hasSizeGreaterThan(5);
        assertThat(keptRuns).as("the marks spilled more than once").hasSizeGreaterThan(1);

        List<Entry> expected = new ArrayList<>(all);
        expected.sort(Comparator.comparing(Entry::key));
        List<Entry> each = new ArrayList<>();
        List<Entry> last = new ArrayList<>();
        // Runs of 2,000 bytes: the merge's own runs of marks and of last records spill several times too.
        ExternalSort.mergeKeepingLast(changeRuns, keptRuns, tmp, 2_000, rec -> each.add(rec.toEntry()), rec -> last.add(rec.toEntry()), b -> {});
        assertThat(lines(each)).as("the changes as ever").containsExactlyElementsOf(lines(expected));
        assertThat(last).hasSize(307).containsExactlyElementsOf(merged(everyRecord.finish(), true));
        assertThat(runFiles()).as("the merge's own runs removed").allMatch(f -> !f.startsWith("merge-"));
    }

    @Test
    void theLastOfEqualKeysIsTheLastRecordAndEveryValueHasOne() throws IOException {
        // One account's changes at one instant (an event and a deadline at the same millisecond), spread over runs.
        ExternalSort.RunWriter kept = new ExternalSort.RunWriter(tmp, "kept-00000", 200);
        ExternalSort.RunWriter changes = new ExternalSort.RunWriter(tmp, "changes-00000", 300).keepingLastOf(1, kept);
        List<Entry> all = new ArrayList<>();
        for (int i = 0; i < 40; i++) all.add(new Entry(Key.of(i < 30 ? 5L : 9L, i % 2 == 0 ? "a" : "b"), null, "{\"n\":" + i + "}"));
        for (Entry e : all) changes.add(e);
        List<Path> changeRuns = changes.finish();
        assertThat(changeRuns).hasSizeGreaterThan(3);
        List<String> last = new ArrayList<>();
        List<String> each = new ArrayList<>();
        ExternalSort.mergeKeepingLast(changeRuns, kept.finish(), tmp, 200, rec -> each.add(rec.line()),
                rec -> last.add(rec.key().parts[0] + " " + rec.line()), b -> {});
        assertThat(each).hasSize(40);
        assertThat(last).containsExactly("a {\"n\":38}", "b {\"n\":39}");
    }

    @Test
    void moreMarkRunsThanOneMergeTakesAreMergedInPassesAndRemoved() throws IOException {
        // Each run of marks holds one account: more runs than one merge opens at once.
        int accounts = ExternalSort.fanIn() + 40;
        ExternalSort.RunWriter kept = new ExternalSort.RunWriter(tmp, "kept-00000", 1);
        ExternalSort.RunWriter changes = new ExternalSort.RunWriter(tmp, "changes-00000", 1 << 20).keepingLastOf(1, kept);
        for (int i = 0; i < 3 * accounts; i++) changes.add(entry(i / accounts, String.format("acct-%04d", i % accounts), i));
        List<Path> changeRuns = changes.finish();
        List<Path> keptRuns = kept.finish();
        assertThat(keptRuns).hasSize(accounts);
        long[] regrouped = {0};
        List<Entry> last = new ArrayList<>();
        ExternalSort.mergeKeepingLast(changeRuns, keptRuns, tmp, 1, rec -> {}, rec -> last.add(rec.toEntry()), b -> regrouped[0] += b);
        assertThat(last).hasSize(accounts);
        for (int a = 0; a < accounts; a++) {
            assertThat(last.get(a)).isEqualTo(new Entry(Key.of(String.format("acct-%04d", a)), "tag-" + ((2 * accounts + a) % 3),
                    entry(2, String.format("acct-%04d", a), 2 * accounts + a).line()));
        }
        assertThat(regrouped[0]).as("a pass merged runs first").isPositive();
        assertThat(runFiles()).as("the merge's own runs removed").allMatch(f -> !f.startsWith("merge-"));
    }

    private List<String> runFiles() throws IOException {
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(tmp)) {
            return files.map(f -> f.getFileName().toString()).toList();
        }
    }

    @Test
    void aWriterMarksTheLastOfEachValueOfAStringKeyPartInAnotherWriter() throws IOException {
        ExternalSort.RunWriter marks = new ExternalSort.RunWriter(tmp, "marks-00000", 1_000);
        assertThatThrownBy(() -> marks.keepingLastOf(1, marks)).hasMessageContaining("its own marks");
        assertThatThrownBy(() -> new ExternalSort.RunWriter(tmp, "x-00000", 1_000).keepingLastOf(127, marks)).hasMessageContaining("0 to 126");
        ExternalSort.RunWriter changes = new ExternalSort.RunWriter(tmp, "z-00000", 1_000).keepingLastOf(0, marks);
        assertThatThrownBy(() -> changes.add(entry(5, "a", 1)))
                .hasMessageContaining("key part 0 is not a string");
        assertThatThrownBy(() -> new SortedRunSink<String>(tmp,
                List.of(BacktestOutputs.HEALTH_LAST, BacktestOutputs.HEALTH_CHANGES), 1_000, (v, out) -> {}))
                .hasMessageContaining("which must come after it");
        assertThatThrownBy(() -> new SortedRunSink.Stream("changes").keepingLastOf(1, new SortedRunSink.Stream("changes")))
                .hasMessageContaining("its own marks");
    }

    @Test
    void keysCompareByTypeNotByText() {
        assertThat(Key.of(9L, "b").compareTo(Key.of(10L, "a"))).isNegative();
        assertThat(Key.of(-1L, "z").compareTo(Key.of(0L, "a"))).isNegative();
        assertThat(Key.of(1L, "a", 2).compareTo(Key.of(1L, "a", 10))).isNegative();
        assertThat(Key.of("file", 3L).compareTo(Key.of("file", 3L))).isZero();
        assertThat(Key.of((String) null).compareTo(Key.of(""))).isNegative();
    }

    @Test
    void runsAreCompressedOnDisk() throws IOException {
        // Health lines of one shape, as a backtest writes them by the million: the run takes a fraction of their size.
        List<Entry> all = new ArrayList<>();
        long chars = 0;
        for (int i = 0; i < 20_000; i++) {
            String line = "{\"accountId\":\"acct-" + (i % 997) + "\",\"score\":" + (i % 100) + ",\"tier\":\"YELLOW\",\"components\":"
                    + "[{\"name\":\"usageTrend\",\"value\":75.0,\"weight\":25.0,\"contribution\":18.75}],\"asOf\":\"2026-03-01T00:00:00Z\"}";
            all.add(new Entry(Key.of((long) i, "acct-" + (i % 997)), null, line));
            chars += line.length();
        }
        Path run = tmp.resolve("health-00000-000000.run");
        ExternalSort.writeRun(run, all);
        assertThat(Files.size(run)).as("a run's bytes against its lines' characters").isLessThan(chars / 4);
        assertThat(lines(merged(List.of(run), false))).containsExactlyElementsOf(lines(all));
    }

    @Test
    void aDamagedRunFailsTheMergeWithAnError() throws IOException {
        Path run = tmp.resolve("alerts-00000-000000.run");
        ExternalSort.writeRun(run, records(2_000, 5));
        byte[] bytes = Files.readAllBytes(run);
        Files.write(run, java.util.Arrays.copyOf(bytes, bytes.length / 2)); // cut off, as by a full disk
        assertThatThrownBy(() -> merged(List.of(run), false)).isInstanceOf(IOException.class);

        bytes[bytes.length / 2] ^= 0x10; // one bit flipped inside a block: its checksum no longer matches
        Files.write(run, bytes);
        assertThatThrownBy(() -> merged(List.of(run), false)).isInstanceOf(IOException.class);
    }

    @Test
    void stringsSortAsStringCompareToOrdersThemWhateverTheirCharacters() throws IOException {
        // UTF-8's byte order differs from String's between characters beyond U+FFFF and those from U+E000 up.
        String[] texts = {"", "a", "ab", "a\u0000", "\u0000", "\u00ff", "\u0100", "\ud7ff", "\ue000", "\uffff", "\ud83d\ude00", "x\ud83d\ude00",
            "x\uffff", "x\ue000z", "\ud800\udc00", "\uff21", "acct-1", "acct-10", "acct-2", "\u00e9t\u00e9", "et\u00e9", "acct-12345678",
            "acct-12345679", "acct-1234567", "abcdefg\ue000", "abcdefg\ud83d\ude00", "abcdefgh\ue000", "abcdefgh\ud83d\ude00", "ab\u00ff\u00ff\u00ff\u00ff"};
        List<Entry> all = new ArrayList<>();
        Random r = new Random(11);
        for (int i = 0; i < 3_000; i++) {
            all.add(new Entry(Key.of((long) r.nextInt(3), texts[r.nextInt(texts.length)], r.nextInt(2)), null, "#" + i));
        }
        ExternalSort.RunWriter w = new ExternalSort.RunWriter(tmp, "s-00000", 20_000);
        for (Entry e : all) w.add(e);
        List<Path> runs = w.finish();
        assertThat(runs).hasSizeGreaterThan(3);

        List<Entry> expected = new ArrayList<>(all);
        expected.sort(Comparator.comparing(Entry::key));
        List<Entry> got = merged(runs, false);
        assertThat(lines(got)).containsExactlyElementsOf(lines(expected));
        assertThat(got).extracting(Entry::key).containsExactlyElementsOf(expected.stream().map(Entry::key).toList());
        for (String a : texts) {
            for (String b : texts) {
                byte[] x = a.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                byte[] y = b.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                assertThat(Integer.signum(SortKeyBytes.compareUtf8(x, 0, x.length, y, 0, y.length))).as("%s against %s", a, b)
                        .isEqualTo(Integer.signum(a.compareTo(b)));
                // The packed prefix a run's index sorts by first: where two differ, they order as the strings do.
                long pa = SortKeyBytes.prefix(keyBytes(a), 0, 0);
                long pb = SortKeyBytes.prefix(keyBytes(b), 0, 0);
                if (pa != pb) assertThat(Long.signum(Long.compare(pa, pb))).as("prefixes of %s and %s", a, b).isEqualTo(Integer.signum(a.compareTo(b)));
            }
        }
    }

    @Test
    void theStableSortKeepsTiesInTheirOrder() {
        Random r = new Random(5);
        for (int n : new int[] {0, 1, 2, 23, 24, 25, 100, 1_000, 10_007}) {
            int[] value = new int[n];
            for (int i = 0; i < n; i++) value[i] = r.nextInt(1 + n / 10);
            int[] order = new int[n];
            for (int i = 0; i < n; i++) order[i] = i;
            StableSort.sort(order, (a, b) -> Integer.compare(value[a], value[b]));
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < n; i++) expected.add(i);
            expected.sort(Comparator.comparingInt(i -> value[i]));
            assertThat(order).as("n = %d", n).containsExactly(expected.stream().mapToInt(Integer::intValue).toArray());
        }
    }

    @Test
    void lastPerKeyHoldsAcrossAFirstPass() throws IOException {
        List<Entry> all = new ArrayList<>();
        Random r = new Random(13);
        for (int i = 0; i < 2 * ExternalSort.fanIn() + 90; i++) {
            String account = "acct-" + r.nextInt(50);
            all.add(new Entry(Key.of(account), null, account + " #" + i));
        }
        ExternalSort.RunWriter w = new ExternalSort.RunWriter(tmp, "last-00000", 1); // a run per record
        for (Entry e : all) w.add(e);
        List<Path> runs = w.finish();
        assertThat(runs).hasSize(all.size());

        Map<String, String> last = new java.util.TreeMap<>();
        for (Entry e : all) last.put((String) e.key().parts[0], e.line());
        assertThat(lines(merged(runs, true))).containsExactlyElementsOf(List.copyOf(last.values()));
    }

    @Test
    void keysThatLeadWithLongStringsSortByTheWholeString() throws IOException {
        // Days as text share their first eight bytes ("2026-03-"): the second part must not decide before the first does.
        List<Entry> all = new ArrayList<>();
        Random r = new Random(17);
        String[] segments = {"all", "mrr=0-100", "mrr=100-1k", "plan=basic", "plan=pro"};
        for (int i = 0; i < 4_000; i++) {
            String day = String.format("2026-03-%02d", 1 + r.nextInt(28));
            all.add(new Entry(Key.of(day, segments[r.nextInt(segments.length)]), null, day + " #" + i));
        }
        ExternalSort.RunWriter w = new ExternalSort.RunWriter(tmp, "kpis-00000", 30_000);
        for (Entry e : all) w.add(e);
        List<Path> runs = w.finish();
        assertThat(runs).hasSizeGreaterThan(3);

        List<Entry> expected = new ArrayList<>(all);
        expected.sort(Comparator.comparing(Entry::key));
        assertThat(lines(merged(runs, false))).containsExactlyElementsOf(lines(expected));
    }

    /** The one-part key of {@code text} as a run holds it. */
    private static byte[] keyBytes(String text) {
        Object[] parts = {text};
        byte[][] strings = new byte[1][];
        byte[] b = new byte[SortKeyBytes.size(parts, strings)];
        SortKeyBytes.write(b, 0, parts, strings);
        return b;
    }

    @Test
    void aRecordSaysTheTimeItsKeyLeadsWithWithoutDecodingIt() throws IOException {
        assertThat(leadingLongs(new Entry(Key.of(1_767_225_600_123L, "acct-a"), null, "timed"), new Entry(Key.of(-5L, "b"), "t", "x")))
                .containsExactly(-5L, 1_767_225_600_123L);
        assertThat(leadingLongs(new Entry(Key.of("a-file", 7), null, "by file"))).containsExactly(-1L);
        assertThat(leadingLongs(new Entry(Key.of(3, "day"), null, "an int"))).containsExactly(-1L);
    }

    /** The leading long (-1 for none) of each record of one shape, in the merge's order. */
    private List<Long> leadingLongs(Entry... entries) throws IOException {
        ExternalSort.RunWriter w = new ExternalSort.RunWriter(Files.createTempDirectory(tmp, "lead"), "lead", 1 << 20);
        for (Entry e : entries) w.add(e);
        List<Long> leads = new ArrayList<>();
        ExternalSort.merge(w.finish(), false, tmp, r -> leads.add(r.leadingLong(-1)));
        return leads;
    }
}
