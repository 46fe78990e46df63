package io.churnradar.backtest.input;

import io.churnradar.ingest.InvalidEventException;
import io.churnradar.ingest.formats.FormatOptions;
import io.churnradar.ingest.formats.InputFormat;
import io.churnradar.ingest.formats.Mapped;
import io.churnradar.ingest.formats.PayloadMapper;
import io.churnradar.ingest.formats.UserLinks;
import java.nio.charset.StandardCharsets;

/**
 * What each payload of one input becomes: its format's mapping, with what no mapping sees (a line over
 * the size limit, a blank line, base64 that does not decode) settled first. Both ways of reading files
 * use it: the backtest's sources ({@link PayloadFormat}) and the merged reading of {@link MergedPayloads}.
 */
final class PayloadMapping {
    private final PayloadMapper mapper;
    /** Lines are base64 of binary records (Confluent-framed Avro), not text payloads. */
    private final boolean base64;
    private final int maxLineBytes;

    PayloadMapping(InputFormat format, FormatOptions options, int maxLineBytes) {
        this.mapper = format.mapper(null, options);
        this.base64 = format == InputFormat.AVRO_CONFLUENT;
        this.maxLineBytes = maxLineBytes;
    }

    /** The payload mapped; its events, when it has some, still wait for {@link #resolve}. */
    MergedPayloads.Outcome map(PayloadFile.Payload p) {
        MergedPayloads.Outcome o = new MergedPayloads.Outcome();
        o.payload = p;
        if (p.oversize() != null) {
            o.rejected = p.oversize().reason(maxLineBytes, "--max-line-bytes");
        } else if (p.text().isBlank()) {
            o.blank = true;
        } else {
            try {
                Mapped m = mapper.map(bytes(p.text()));
                if (m.skipped != null) o.skipped = m.skipped;
                else o.mapped = m;
            } catch (InvalidEventException e) {
                o.rejected = e.getMessage();
            } catch (RuntimeException e) {
                o.rejected = "cannot map the payload: " + e;
            }
        }
        return o;
    }

    /** Learns the payload's user link and gives its events their accounts: its events, or why it is rejected. */
    static void resolve(MergedPayloads.Outcome o, UserLinks links) {
        if (o.mapped == null) return;
        try {
            o.events = o.mapped.resolve(links);
            if (o.events.isEmpty() && o.mapped.hasLink()) {
                // Learnt, and counted: every payload ends as events, rejected or skipped, so the counts add up to the lines.
                o.skipped = "links user " + o.mapped.linkUser + " to account " + o.mapped.linkAccount + "; no event of its own";
            }
        } catch (InvalidEventException e) {
            o.rejected = e.getMessage();
        }
        o.mapped = null;
    }

    private byte[] bytes(String line) throws InvalidEventException {
        if (!base64) return line.getBytes(StandardCharsets.UTF_8);
        try {
            return java.util.Base64.getDecoder().decode(line.strip());
        } catch (IllegalArgumentException e) {
            throw new InvalidEventException("not a base64-encoded record: " + e.getMessage());
        }
    }
}
