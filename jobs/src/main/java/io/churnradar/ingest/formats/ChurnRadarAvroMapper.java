package io.churnradar.ingest.formats;

import io.churnradar.ingest.AvroEvents;
import io.churnradar.ingest.EventType;
import io.churnradar.ingest.InvalidEventException;
import io.churnradar.ingest.JsonEventParser;

/**
 * Our own formats: Avro single-object encoding of the topic's event type on Kafka; in a file (no
 * topic type) one JSON Lines event, as the backtest has always read.
 */
final class ChurnRadarAvroMapper implements PayloadMapper {
    private static final long serialVersionUID = 1L;
    private final EventType topicType;
    private transient AvroEvents avro;

    ChurnRadarAvroMapper(EventType topicType) {
        this.topicType = topicType;
    }

    @Override
    public Mapped map(byte[] payload) throws InvalidEventException {
        if (topicType == null) {
            // A file's line, which its reader made a string of, so its bytes are UTF-8: no second string of them.
            return Mapped.of(payload == null ? JsonEventParser.parse("") : JsonEventParser.parse(payload));
        }
        if (avro == null) avro = new AvroEvents();
        return Mapped.of(avro.decode(topicType, payload));
    }
}
