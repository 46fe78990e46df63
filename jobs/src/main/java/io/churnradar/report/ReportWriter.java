package io.churnradar.report;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes {@code report.html}: one self-contained page that needs no network. The page is the template
 * resource {@code report.html} with two slots filled: Apache ECharts ({@code echarts/echarts.min.js},
 * taken from the ECharts webjar at build time, Apache-2.0) and the figures as JSON ({@link ReportData}).
 * All drawing is in the template's script; Java only computes the figures.
 */
public final class ReportWriter {
    public static final String FILE = "report.html";
    private static final String TEMPLATE = "report.html";
    private static final String ECHARTS = "echarts/echarts.min.js";
    private static final String ECHARTS_SLOT = "/*@ECHARTS@*/";
    private static final String DATA_SLOT = "/*@DATA@*/";

    private ReportWriter() {}

    /** Writes {@code report.html} into the input's folder and returns its path. */
    public static Path write(ReportInput input) throws IOException {
        return write(input, input.folder.resolve(FILE));
    }

    /** Writes the report of {@code input} to {@code file} (written beside, then moved into place). */
    public static Path write(ReportInput input, Path file) throws IOException {
        String data = json(input);
        String template = resource(TEMPLATE);
        int echartsAt = template.indexOf(ECHARTS_SLOT);
        int dataAt = template.indexOf(DATA_SLOT);
        if (echartsAt < 0 || dataAt < echartsAt) throw new IllegalStateException("the report template lacks its slots");
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            w.write(template, 0, echartsAt);
            copyResource(ECHARTS, w);
            w.write(template, echartsAt + ECHARTS_SLOT.length(), dataAt - echartsAt - ECHARTS_SLOT.length());
            w.write(data);
            w.write(template, dataAt + DATA_SLOT.length(), template.length() - dataAt - DATA_SLOT.length());
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        return file;
    }

    /**
     * The figures as JSON safe inside a {@code <script type="application/json">}: every {@code <} escaped,
     * so no account id or reason can close the element or open a comment.
     */
    static String json(ReportInput input) throws IOException {
        return ReportData.JSON.writeValueAsString(ReportData.of(input)).replace("<", "\\u003c");
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = open(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void copyResource(String name, Writer out) throws IOException {
        try (Reader r = new InputStreamReader(open(name), StandardCharsets.UTF_8)) {
            r.transferTo(out);
        }
    }

    private static InputStream open(String name) throws IOException {
        InputStream in = ReportWriter.class.getResourceAsStream(name);
        if (in == null) throw new IOException("resource io/churnradar/report/" + name + " is missing from the build");
        return in;
    }
}
