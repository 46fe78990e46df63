package io.churnradar.ingest;

import io.churnradar.alerts.DeadLetter;
import java.nio.ByteBuffer;
import java.time.Instant;

/** Builds dead letters that keep the original bytes untouched. */
public final class DeadLetters {
    private DeadLetters() {}

    public static DeadLetter of(String reason, String source, Integer partition, Long offset, byte[] key, byte[] payload) {
        return DeadLetter.newBuilder()
                .setReason(reason)
                .setSource(source)
                .setPartition(partition)
                .setOffset(offset)
                .setKey(key == null ? null : ByteBuffer.wrap(key))
                .setPayload(ByteBuffer.wrap(payload == null ? new byte[0] : payload))
                .setRejectedAt(Instant.now())
                .build();
    }
}
