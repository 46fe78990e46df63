package io.churnradar.local.command;

import io.churnradar.local.runtime.ChurnRadarHome;
import io.churnradar.local.runtime.LocalFlink;
import io.churnradar.local.runtime.ScratchDir;
import io.churnradar.local.state.StateExport;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./churn-radar state export}: the detector's per-account state of a savepoint or retained
 * checkpoint as one row per account, in Parquet (default), CSV or JSON Lines (docs/analysts.md).
 */
@Command(name = "export", header = "the detector's per-account state of a savepoint, one row per account, for analysts",
        description = {"Reads a savepoint or retained checkpoint of the streaming job with Flink's State Processor API and writes one"
                + " row per account to DIR/accounts.parquet (or .csv, .jsonl): usage of the last 14 closed days, last login, failure"
                + " streak, open signals and their episodes, health score, tier and components, renewal date, MRR, plan and the"
                + " pending deadline, as of the state's last closed day. docs/analysts.md describes each column and shows queries"
                + " with DuckDB."})
final class StateExportCommand implements Callable<Integer> {
    /** The columns and their types, as DuckDB reads the JSON rows; docs/analysts.md describes each. */
    static final String COLUMNS = "{account_id: 'VARCHAR', as_of_day: 'DATE', snapshot_day: 'DATE', usage_last_14d: 'DOUBLE[]', usage_last_7d: 'DOUBLE',"
            + " usage_prev_7d: 'DOUBLE', tickets_opened_last_7d: 'INTEGER', first_event_at: 'TIMESTAMP', last_login_at: 'TIMESTAMP',"
            + " days_since_last_login: 'INTEGER', failure_streak: 'INTEGER', open_signals: 'VARCHAR[]',"
            + " episodes: 'STRUCT(signal VARCHAR, started_at TIMESTAMP, severity VARCHAR, alert_id VARCHAR)[]', health_score: 'INTEGER',"
            + " health_tier: 'VARCHAR', health_at: 'TIMESTAMP', rules_version: 'VARCHAR',"
            + " health_components: 'STRUCT(name VARCHAR, value DOUBLE, weight DOUBLE)[]', renewal_date: 'DATE', mrr_minor: 'BIGINT', plan: 'VARCHAR',"
            + " churned_at: 'TIMESTAMP', pending_deadline: 'TIMESTAMP'}";

    /** The output formats, named on the command line in lower case. */
    enum Format {
        PARQUET("accounts.parquet"), CSV("accounts.csv"), JSONL("accounts.jsonl");

        final String fileName;

        Format(String fileName) {
            this.fileName = fileName;
        }
    }

    @Spec
    CommandSpec spec;

    @Option(names = "--savepoint", paramLabel = "PATH", required = true, description = {"Folder of a savepoint or retained checkpoint"
            + " (the one holding _metadata) of the churn-radar streaming job (required)."})
    String savepointOption;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Output folder, created if missing (required).")
    Path outOption;

    @Option(names = "--format", paramLabel = "FORMAT", description = "parquet (default), csv or jsonl.")
    String formatOption;

    @Mixin
    HelpOption help;

    private final PrintStream out;

    StateExportCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() throws Exception {
        Path flinkConf = ChurnRadarHome.flinkConfDir();
        Path savepoint = Path.of(savepointOption.replaceFirst("^file:(//)?", "")).toAbsolutePath().normalize();
        Path outDir = Values.outputFolder(spec, "--out", outOption);
        Format format = format(formatOption);
        Values.noFolderAt(spec, "--out", outDir, outDir.resolve(format.fileName), "the export writes its file");
        Path dir;
        try {
            dir = StateExport.checkSavepoint(savepoint);
        } catch (StateExport.NotASavepointException e) {
            throw Values.usage(spec, e.getMessage());
        }
        out.printf("Reading the detector state of %s ...%n", dir);
        Files.createDirectories(outDir);
        Path target = outDir.resolve(format.fileName);
        long accounts;
        try (PartialFile partial = PartialFile.beside(target); ScratchDir scratch = ScratchDir.create("churn-radar-export-")) {
            // The rows as JSON Lines: the result itself, or what DuckDB reads to write Parquet or CSV.
            Path rows = format == Format.JSONL ? partial.path() : scratch.root().resolve("accounts.jsonl");
            try (LocalFlink flink = LocalFlink.start(flinkConf, false, false, 1);
                    OutputStream w = new BufferedOutputStream(Files.newOutputStream(rows), 1 << 16)) {
                accounts = StateExport.write(flink.environment().setParallelism(1), dir, scratch.root(), w);
            }
            if (format != Format.JSONL) convert(rows, format, partial.path());
            partial.moveIntoPlace();
        }
        out.printf("  accounts   %,d%n", accounts);
        out.printf("  written to %s%n", target);
        return 0;
    }

    private Format format(String value) {
        if (value == null) return Format.PARQUET;
        try {
            return Format.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw Values.usage(spec, "--format must be parquet, csv or jsonl, got '" + value + "'");
        }
    }

    /** Writes the JSON Lines {@code rows} as Parquet or CSV to {@code target}, through DuckDB (which streams them). */
    static void convert(Path rows, Format format, Path target) {
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:"); Statement st = db.createStatement()) {
            String select = "SELECT * FROM read_json(" + literal(rows) + ", format = 'newline_delimited', columns = " + COLUMNS + ")";
            if (format == Format.PARQUET) {
                st.execute("COPY (" + select + ") TO " + literal(target) + " (FORMAT PARQUET)");
            } else {
                // CSV has no lists: lists as DuckDB prints them ([a, b]), the episodes as a JSON array.
                st.execute("COPY (SELECT * REPLACE (CAST(to_json(episodes) AS VARCHAR) AS episodes,"
                        + " CAST(to_json(health_components) AS VARCHAR) AS health_components) FROM (" + select + ")) TO "
                        + literal(target) + " (FORMAT CSV, HEADER)");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("DuckDB could not write " + target + ": " + e.getMessage(), e);
        }
    }

    static String literal(Path p) {
        return "'" + p.toString().replace("'", "''") + "'";
    }
}
