package io.churnradar.ingest.formats;

import io.churnradar.ingest.AccountEvent;
import io.churnradar.ingest.EventType;
import io.churnradar.ingest.InvalidEventException;
import io.churnradar.ingest.JsonEventParser;

/** Our events as JSON objects, the fields of the backtest's JSON Lines. */
final class ChurnRadarJsonMapper implements PayloadMapper {
    private static final long serialVersionUID = 1L;
    private final EventType topicType;

    ChurnRadarJsonMapper(EventType topicType) {
        this.topicType = topicType;
    }

    @Override
    public Mapped map(byte[] payload) throws InvalidEventException {
        AccountEvent e = payload == null ? null : JsonEventParser.parsePlain(payload, topicType);
        return Mapped.of(e != null ? e : JsonEventParser.parse(JsonPayload.object(payload), topicType));
    }
}
