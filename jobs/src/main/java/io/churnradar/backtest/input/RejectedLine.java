package io.churnradar.backtest.input;

import io.churnradar.guard.BoundedLines;
import io.churnradar.guard.Oversize;
import java.nio.charset.StandardCharsets;

/** A dead letter of the backtest: why, where, and the original text. */
public class RejectedLine {
    public String reason;
    public String file;
    public long line;
    public String original;
    /** Set only when original is the first part of a line too large to keep: its size and hash. */
    public String sha256;
    public long originalBytes;
    /** Set only when the line's bytes are not UTF-8 (original then shows U+FFFD for them): all of them, in base64. */
    public String originalBase64;

    public RejectedLine() {}

    /**
     * The dead letter of a payload. It keeps at most {@link Oversize#KEPT_BYTES} of the payload, with the full size
     * and hash beyond that: records of a few MB would burden every operator they pass.
     */
    static RejectedLine of(String reason, PayloadFile.Payload p) {
        Oversize o = p.oversize();
        if (o == null && p.text().length() > Oversize.KEPT_BYTES / 3) {
            o = Oversize.of(p.text().getBytes(StandardCharsets.UTF_8), Oversize.KEPT_BYTES);
        }
        if (o == null) {
            RejectedLine r = new RejectedLine(reason, p.file(), p.line(), p.text());
            if (p.malformed() != null) r.originalBase64 = java.util.Base64.getEncoder().encodeToString(p.malformed());
            return r;
        }
        RejectedLine r = new RejectedLine(reason, p.file(), p.line(), BoundedLines.text(o));
        r.sha256 = o.sha256;
        r.originalBytes = o.size;
        return r;
    }

    public RejectedLine(String reason, String file, long line, String original) {
        this.reason = reason;
        this.file = file;
        this.line = line;
        this.original = original;
    }
}
