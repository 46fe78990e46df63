package io.churnradar.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.apache.commons.codec.digest.MurmurHash3;
import org.junit.jupiter.api.Test;

/** The hash read from an id's characters is the one commons-codec computes from its UTF-8 bytes: savepoints keep their ids. */
class AsciiMurmur3Test {

    private static long codec(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        return MurmurHash3.hash128x64(bytes, 0, bytes.length, 0)[0];
    }

    @Test
    void everyLengthAndEveryAsciiCharacterHashesAsTheBytesDo() {
        SplittableRandom random = new SplittableRandom(8);
        for (int length = 0; length <= 80; length++) {
            for (int n = 0; n < 200; n++) {
                StringBuilder b = new StringBuilder(length);
                for (int i = 0; i < length; i++) b.append((char) random.nextInt(0x80));
                String id = b.toString();
                assertThat(AsciiMurmur3.firstHalf(id)).as("'%s'", id).isEqualTo(codec(id));
                assertThat(SeenEventIds.hash(id)).isEqualTo(codec(id));
            }
        }
    }

    @Test
    void anIdWithOtherCharactersAnywhereTakesTheBytesPath() {
        SplittableRandom random = new SplittableRandom(9);
        String[] others = {"é", "ü", "\u0080", "\u00ff", "€", "\uD83D\uDE80", "日本"};
        for (int length = 1; length <= 40; length++) {
            for (String other : others) {
                StringBuilder b = new StringBuilder();
                for (int i = 0; i < length; i++) b.append((char) ('a' + random.nextInt(26)));
                b.insert(random.nextInt(length + 1), other);
                String id = b.toString();
                assertThat(AsciiMurmur3.firstHalf(id)).isEqualTo(AsciiMurmur3.NOT_ASCII);
                assertThat(SeenEventIds.hash(id)).as("'%s'", id).isEqualTo(codec(id));
            }
        }
    }

    @Test
    void typicalIdsOfOursAndOfTheFormatsWeRead() {
        for (String id : new String[] {"acct-1-0-9-123456", "e-17", "evt_1NqKfT2eZvKYlo2C0aBcDeFg", "in_1MtHbELkdIwHu7ixl4OzzPMv",
                "01HF8Q6Z2K7D3XJ9Y5T4W0V1AB", "zendesk:ticket:35436:event:1", "00000000-0000-4000-8000-000000000000"}) {
            assertThat(SeenEventIds.hash(id)).as(id).isEqualTo(codec(id));
        }
    }
}
