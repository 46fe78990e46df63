package io.churnradar.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.regex.Pattern;

/**
 * What Jackson says is wrong with a JSON text, for a dead letter's reason: without the note it writes where a location
 * would name the source ("Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled)"), which tells a
 * reader nothing; the line and column stay.
 */
public final class JsonProblem {
    private static final Pattern SOURCE_NOTE = Pattern.compile("Source: REDACTED \\([^)]*\\); ");

    private JsonProblem() {}

    public static String of(JsonProcessingException e) {
        return SOURCE_NOTE.matcher(e.getOriginalMessage()).replaceAll("");
    }
}
