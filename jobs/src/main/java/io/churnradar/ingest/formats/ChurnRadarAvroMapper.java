package io.churnradar.ingest.formats;

import io.churnradar.ingest.AvroEvents;
import io.churnradar.ingest.EventType;
import io.churnradar.ingest.InvalidEventException;
import io.churnradar.ingest.JsonEventParser;
import java.nio.charset.StandardCharsets;

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
            return Mapped.of(JsonEventParser.parse(payload == null ? "" : new String(payload, StandardCharsets.UTF_8)));
        }
        if (avro == null) avro = new AvroEvents();
        return Mapped.of(avro.decode(topicType, payload));
    }
}
