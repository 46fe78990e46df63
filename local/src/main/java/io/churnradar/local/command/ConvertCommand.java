package io.churnradar.local.command;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.churnradar.backtest.input.BacktestInput;
import io.churnradar.backtest.input.MergedPayloads;
import io.churnradar.config.ConfigException;
import io.churnradar.config.JobSettings;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.ingest.EventJson;
import io.churnradar.ingest.formats.FormatOptions;
import io.churnradar.ingest.formats.InputFormat;
import java.io.BufferedWriter;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./churn-radar convert}: the events a file of payloads maps to, as our JSON Lines, and beside
 * them every payload rejected or skipped with its reason, so a mapping can be checked before a job
 * trusts it. Needs neither Kafka nor Flink; the output is a backtest's input as it is.
 */
@Command(name = "convert", header = "map a file of Stripe, Segment, Zendesk or survey payloads to our events, to check a mapping",
        description = {"Maps each payload of a file as the job and the backtest would (docs/inputs.md has every mapping) and writes the"
                + " events, in our JSON Lines, to the output file, and every payload rejected or skipped, with its reason, file and"
                + " line, to OUT.rejected.jsonl beside it. Prints a count per event type and per reason. The events file is a"
                + " backtest input as it is. Needs neither Kafka nor Flink."})
final class ConvertCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Option(names = "--format", paramLabel = "FORMAT", required = true,
            description = {"stripe, segment, zendesk, survey, json or churn-radar (required); or online-retail: the UCI Online Retail"
                    + " CSV (.csv, .csv.gz, .csv.xz) as events, an invoice a login, its items usage, its total a payment (docs/analysts.md)."})
    String format;

    @Option(names = "--in", paramLabel = "PATH", required = true,
            description = "A .jsonl, .jsonl.gz or .json file of payloads, or a folder of them (required).")
    Path in;

    @Option(names = "--out", paramLabel = "FILE", required = true, description = {"Where the events go, e.g. events.jsonl (required); the"
            + " rejected payloads go to events.rejected.jsonl beside it."})
    Path events;

    @Option(names = "--config", paramLabel = "FILE", description = "Job settings (YAML) whose formats section sets the mappings.")
    Path config;

    @Mixin
    HelpOption help;

    private final PrintStream out;

    ConvertCommand(PrintStream out) {
        this.out = out;
    }

    /**
     * Refuses to write {@code file} over the input, or into the input's folder: the payloads would be lost, or the next
     * run would read the converted events as payloads.
     */
    private void requireApartFromInput(Path file, String what) {
        if (BacktestInput.holds(in, file)) {
            throw Values.usage(spec, "--out: " + what + " would be written to " + file
                    + (Files.isDirectory(in) ? ", in the --in folder" : ", which is --in itself") + "; choose a file elsewhere");
        }
    }

    @Override
    public Integer call() throws Exception {
        events = Values.outputFile(spec, "--out", events);
        if (OnlineRetailConverter.FORMAT.equals(format)) return onlineRetail();
        InputFormat f = InputFormat.fromId(format);
        if (f == null || f == InputFormat.AVRO_CONFLUENT) {
            throw Values.usage(spec, "--format must be one of " + InputFormat.ids().replace("avro-confluent, ", "")
                    + ", " + OnlineRetailConverter.FORMAT + ", got '" + format + "'");
        }
        BacktestInput input = new BacktestInput(f, in);
        Path rejected = rejectedFile(events);
        requireApartFromInput(events, "the converted events");
        requireApartFromInput(rejected, "the rejected payloads");
        Values.noFolderAt(spec, "--out", events, rejected, "convert writes the rejected payloads");
        FormatOptions options = config != null ? JobSettings.load(config).formatOptions : FormatOptions.defaults();
        try {
            input.files(); // a missing input is a usage error before anything is written
        } catch (ConfigException e) {
            throw Values.usage(spec, "--in " + String.join("; ", e.errors())); // the input's own check names the backtest's --events
        }

        long payloads = 0;
        long eventCount = 0;
        long rejectedCount = 0;
        long skippedCount = 0;
        Map<String, Long> byType = new TreeMap<>();
        Map<String, Long> reasons = new TreeMap<>();
        if (events.toAbsolutePath().getParent() != null) Files.createDirectories(events.toAbsolutePath().getParent());
        try (PartialFile evPartial = PartialFile.beside(events); PartialFile rjPartial = PartialFile.beside(rejected)) {
            try (MergedPayloads merged = new MergedPayloads(List.of(input), options);
                    BufferedWriter ev = Files.newBufferedWriter(evPartial.path(), StandardCharsets.UTF_8);
                    BufferedWriter rj = Files.newBufferedWriter(rjPartial.path(), StandardCharsets.UTF_8)) {
                for (MergedPayloads.Outcome o = merged.next(); o != null; o = merged.next()) {
                    if (o.blank) continue;
                    payloads++;
                    if (o.rejected != null || o.skipped != null) {
                        boolean skip = o.rejected == null;
                        ObjectNode n = JSON.createObjectNode();
                        n.put(skip ? "skipped" : "reason", skip ? o.skipped : o.rejected);
                        n.put("file", o.payload.file());
                        n.put("line", o.payload.line());
                        n.put("original", o.payload.text());
                        if (o.payload.malformed() != null) {
                            n.put("originalBase64", java.util.Base64.getEncoder().encodeToString(o.payload.malformed()));
                        }
                        rj.write(n.toString());
                        rj.write('\n');
                        if (skip) skippedCount++;
                        else rejectedCount++;
                        reasons.merge((skip ? "skipped: " : "rejected: ") + shorten(skip ? o.skipped : o.rejected), 1L, Long::sum);
                        continue;
                    }
                    for (AccountEvent e : o.events) {
                        ev.write(EventJson.toJson(e));
                        ev.write('\n');
                        eventCount++;
                        byType.merge(e.type.jsonName + (e.type == io.churnradar.ingest.EventType.SUBSCRIPTION ? " " + e.action
                                : e.type == io.churnradar.ingest.EventType.PAYMENT ? " " + e.paymentStatus
                                : e.type == io.churnradar.ingest.EventType.SUPPORT_TICKET ? " " + e.ticketStatus : ""), 1L, Long::sum);
                    }
                }
            }
            evPartial.moveIntoPlace();
            rjPartial.moveIntoPlace();
        }
        out.printf("Converted %s (%s): %,d payloads%n", input.path, f.id, payloads);
        out.printf("  events     %,d -> %s%n", eventCount, events);
        byType.forEach((t, n) -> out.printf("    %-28s %,d%n", t, n));
        out.printf("  rejected   %,d, skipped %,d -> %s%n", rejectedCount, skippedCount, rejected);
        reasons.forEach((r, n) -> out.printf("    %,6d  %s%n", n, r));
        return 0;
    }

    /** {@code events.jsonl} -> {@code events.rejected.jsonl}. */
    static Path rejectedFile(Path events) {
        String name = events.getFileName().toString();
        String stem = name.endsWith(".jsonl") ? name.substring(0, name.length() - ".jsonl".length()) : name;
        return events.resolveSibling(stem + ".rejected.jsonl");
    }

    /** A reason without the ids that make each one unique, so like reasons count together. */
    private static String shorten(String reason) {
        String r = reason.replaceAll("\\b(in|ch|sub|cus|pm|card|evt)_[A-Za-z0-9]+", "$1_…").replaceAll("\\b\\d{3,}\\b", "…");
        return r.length() > 140 ? r.substring(0, 140) + "…" : r;
    }

    /** The Online Retail log: a CSV, not payloads; rows without a customer are skipped and counted. */
    private Integer onlineRetail() throws Exception {
        if (!Files.isRegularFile(in)) throw Values.usage(spec, "--in " + in + " is not a file");
        OnlineRetailConverter.Counts c;
        try (PartialFile partial = PartialFile.beside(events)) {
            c = OnlineRetailConverter.convert(in, partial.path());
            partial.moveIntoPlace();
        } catch (IllegalArgumentException e) {
            throw Values.usage(spec, e.getMessage());
        }
        out.printf("Converted %s (online-retail): %,d rows, %,d invoices, %,d cancellations%n", in, c.rows, c.invoices, c.cancellations);
        out.printf("  events     %,d -> %s%n", c.events, events);
        c.events_.forEach((t, n) -> out.printf("    %-28s %,d%n", t, n));
        out.printf("  skipped    %,d rows without a CustomerID%n", c.withoutCustomer);
        long rejected = c.rejected.values().stream().mapToLong(Long::longValue).sum();
        out.printf("  rejected   %,d rows%n", rejected);
        c.rejected.forEach((r, n) -> out.printf("    %,6d  %s%n", n, r));
        return 0;
    }
}
