package io.churnradar.ingest.formats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.churnradar.ingest.AccountEvent;
import io.churnradar.ingest.EventType;
import io.churnradar.ingest.InvalidEventException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The json format: our events as JSON on Kafka, the fields of the backtest's JSON Lines. */
class JsonFormatTest {
    private static List<AccountEvent> map(EventType topic, String json) throws InvalidEventException {
        return InputFormat.JSON.mapper(topic, FormatOptions.defaults()).map(json.getBytes(StandardCharsets.UTF_8))
                .resolve(UserLinks.NONE);
    }

    @Test
    void onAnEventTopicTheTypeMayBeLeftOut() throws Exception {
        AccountEvent e = map(EventType.PAYMENT, """
                {"eventId":"p1","accountId":"acme","eventTime":"2026-03-02T10:15:00Z","status":"FAILED",
                 "amountMinor":4900,"currency":"EUR","invoiceId":"inv-1","failureCode":"card_declined"}""").get(0);
        assertThat(e.type).isEqualTo(EventType.PAYMENT);
        assertThat(e.failureCode).isEqualTo("card_declined");
        assertThat(e.amountMinor).isEqualTo(4900);
    }

    @Test
    void onAnyOtherTopicTheTypeSaysWhatItIs() throws Exception {
        AccountEvent e = map(null, """
                {"type":"usage","eventId":"u1","accountId":"acme","eventTime":1772446500000,"feature":"reports","quantity":3}""").get(0);
        assertThat(e.type).isEqualTo(EventType.USAGE);
        assertThat(e.quantity).isEqualTo(3.0);
        assertThatThrownBy(() -> map(null, "{\"eventId\":\"u1\",\"accountId\":\"acme\",\"eventTime\":1772446500000}"))
                .isInstanceOf(InvalidEventException.class).hasMessage("type is missing");
    }

    @Test
    void anEventOfAnotherTypeOnATypedTopicIsRejected() {
        assertThatThrownBy(() -> map(EventType.LOGIN, """
                {"type":"usage","eventId":"u1","accountId":"acme","eventTime":1772446500000,"feature":"reports"}"""))
                .isInstanceOf(InvalidEventException.class).hasMessage("type 'usage' on a topic of login events");
    }

    @Test
    void hostilePayloadsAreRejectedWithReasons() {
        assertThatThrownBy(() -> map(EventType.LOGIN, "not json")).hasMessageStartingWith("not valid JSON");
        assertThatThrownBy(() -> map(EventType.LOGIN, "[1,2]")).hasMessage("not a JSON object");
        assertThatThrownBy(() -> map(EventType.LOGIN, "{\"eventId\":7,\"accountId\":\"a\",\"eventTime\":1772446500000}"))
                .hasMessage("eventId must be a string, got 7");
        assertThatThrownBy(() -> map(EventType.LOGIN, "{\"eventId\":\"e\",\"eventTime\":1772446500000}"))
                .hasMessage("accountId is missing");
        assertThatThrownBy(() -> InputFormat.JSON.mapper(EventType.LOGIN, FormatOptions.defaults()).map(null))
                .hasMessage("empty record value (tombstone)");
    }
}
