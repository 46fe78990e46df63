package io.churnradar.detect.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.Random;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** Varints of every length are the bytes the layout defines, and read back whole. */
class CompactVarintTest {
    @Test
    void everyLengthWritesTheLayoutsBytes() throws Exception {
        Random random = new Random(11);
        for (int bits = 0; bits <= 64; bits++) {
            long top = bits == 0 ? 0 : 1L << (bits - 1);
            for (long v : new long[] {top, top - 1, top + 1, top | (random.nextLong() & (top - 1)), -top, ~top}) {
                DataOutputSerializer out = new DataOutputSerializer(16);
                Compact.writeVarLong(out, v);
                assertThat(out.getCopyOfBuffer()).as("%d", v).isEqualTo(byteAtATime(v));
                DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
                assertThat(Compact.readVarLong(in)).isEqualTo(v);
                assertThat(in.available()).isZero();
            }
        }
    }

    /** The layout's definition: seven bits at a time, low first, the high bit set on all but the last. */
    private static byte[] byteAtATime(long v) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        while ((v & ~0x7FL) != 0) {
            b.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        b.write((int) v);
        return b.toByteArray();
    }
}
