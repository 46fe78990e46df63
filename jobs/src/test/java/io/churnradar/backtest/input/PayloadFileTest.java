package io.churnradar.backtest.input;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a {@code .json} file gives, whatever it holds: nothing in it is passed over without a payload. */
class PayloadFileTest {
    @TempDir
    Path dir;

    private List<String> payloads(String name, String content) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, content.getBytes(StandardCharsets.UTF_8));
        List<String> out = new ArrayList<>();
        try (PayloadFile file = PayloadFile.open(f)) {
            for (PayloadFile.Payload p = file.next(); p != null; p = file.next()) {
                if (!p.text().isBlank()) out.add(p.line() + ": " + p.text());
            }
        }
        return out;
    }

    @Test
    void jsonLinesUnderTheNameJsonAreReadALineEach() throws IOException {
        assertThat(payloads("export.json", "{\"id\":\"a\"}\n{\"id\":\"b\"}\n\n{\"id\":\"c\"}\r\nnot json\n"))
                .containsExactly("1: {\"id\":\"a\"}", "2: {\"id\":\"b\"}", "4: {\"id\":\"c\"}", "5: not json");
        // Its first line broken: the lines after it still tell JSON Lines, and each is read (was: the whole file one
        // dead letter, the valid lines lost).
        assertThat(payloads("first-broken.json", "{\"id\":\"a\", oops\n{\"id\":\"b\"}\n{\"id\":\"c\"}\n"))
                .containsExactly("1: {\"id\":\"a\", oops", "2: {\"id\":\"b\"}", "3: {\"id\":\"c\"}");
    }

    @Test
    void oneDocumentGivesItsObjectOrItsElements() throws IOException {
        assertThat(payloads("one.json", "{\n  \"id\": \"a\",\n  \"n\": 1\n}\n")).containsExactly("1: {\"id\":\"a\",\"n\":1}");
        assertThat(payloads("one-line.json", "{\"id\":\"a\"}\n")).containsExactly("1: {\"id\":\"a\"}");
        assertThat(payloads("array.json", "[\n {\"id\":\"a\"},\n {\"id\":\"b\"}\n]")).containsExactly("2: {\"id\":\"a\"}", "3: {\"id\":\"b\"}");
    }

    @Test
    void aStripeListWithAByteOrderMarkGivesItsItemsWhereTheyStart() throws IOException {
        String list = "\uFEFF{\n \"object\": \"list\",\n \"data\": [\n  {\"id\": \"evt_1\"},\n  {\"id\": \"evt_2\"}\n ],\n \"has_more\": false\n}\n";
        assertThat(payloads("events.json", list)).containsExactly("4: {\"id\":\"evt_1\"}", "5: {\"id\":\"evt_2\"}");
    }

    @Test
    void whatFollowsTheDocumentIsReadToo() throws IOException {
        assertThat(payloads("more.json", "[{\"id\":\"a\"},{\"id\":\"b\"}]\n{\"id\":\"c\"}\n"))
                .containsExactly("1: {\"id\":\"a\"}", "1: {\"id\":\"b\"}", "2: {\"id\":\"c\"}");
        assertThat(payloads("tail.json", "{\n \"id\": \"a\"\n}\n{\"id\": \"b\", oops\n{\"id\":\"c\"}\n"))
                .containsExactly("1: {\"id\":\"a\"}", "4: {\"id\": \"b\", oops\n{\"id\":\"c\"}");
        assertThat(payloads("broken.json", "  {\"id\": \n")).containsExactly("1: {\"id\":");
        assertThat(payloads("string.json", "\"{\\\"id\\\":\\\"a\\\"}\"")).containsExactly("1: \"{\\\"id\\\":\\\"a\\\"}\"");
    }
}
