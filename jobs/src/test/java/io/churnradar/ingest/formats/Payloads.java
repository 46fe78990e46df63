package io.churnradar.ingest.formats;

import io.churnradar.ingest.AccountEvent;
import io.churnradar.ingest.InvalidEventException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The example payloads of the public specs, copied into test resources under payloads/FORMAT/. */
final class Payloads {
    private Payloads() {}

    static byte[] bytes(String format, String name) {
        try (InputStream in = Payloads.class.getClassLoader().getResourceAsStream("payloads/" + format + "/" + name)) {
            if (in == null) throw new IllegalArgumentException("no test payload payloads/" + format + "/" + name);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String text(String format, String name) {
        return new String(bytes(format, name), StandardCharsets.UTF_8);
    }

    /** Maps and validates a payload, as the job does, with the given links. */
    static List<AccountEvent> events(PayloadMapper mapper, byte[] payload, UserLinks links) throws InvalidEventException {
        Mapped m = mapper.map(payload);
        if (m.skipped != null) throw new AssertionError("skipped: " + m.skipped);
        return m.resolve(links);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
