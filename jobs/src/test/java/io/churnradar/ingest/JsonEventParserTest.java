package io.churnradar.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.churnradar.events.PaymentStatus;
import io.churnradar.events.TicketPriority;
import io.churnradar.events.TicketStatus;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The backtest's JSON Lines events: the documented shape is read, anything else is rejected with a reason. */
class JsonEventParserTest {
    private static final long T = Instant.parse("2026-03-02T10:15:00Z").toEpochMilli();

    @Test
    void aLoginWithAnIsoInstant() throws Exception {
        AccountEvent e = JsonEventParser.parse(
                "{\"type\":\"login\",\"eventId\":\"e1\",\"accountId\":\"acme\",\"eventTime\":\"2026-03-02T10:15:00Z\",\"userId\":\"u7\"}");
        assertThat(e.type).isEqualTo(EventType.LOGIN);
        assertThat(e.eventId).isEqualTo("e1");
        assertThat(e.accountId).isEqualTo("acme");
        assertThat(e.eventTime).isEqualTo(T);
        assertThat(e.userId).isEqualTo("u7");
    }

    @Test
    void epochMillisAndAnIsoInstantWithFractionsAreTheSameInstant() throws Exception {
        AccountEvent millis = JsonEventParser.parse(
                "{\"type\":\"login\",\"eventId\":\"e1\",\"accountId\":\"acme\",\"eventTime\":" + (T + 250) + "}");
        AccountEvent iso = JsonEventParser.parse(
                "{\"type\":\"login\",\"eventId\":\"e1\",\"accountId\":\"acme\",\"eventTime\":\"2026-03-02T10:15:00.250Z\"}");
        assertThat(millis.eventTime).isEqualTo(iso.eventTime).isEqualTo(T + 250);
        assertThat(millis.userId).isNull();
    }

    @Test
    void usageQuantityDefaultsToOne() throws Exception {
        AccountEvent e = JsonEventParser.parse(
                "{\"type\":\"usage\",\"eventId\":\"e2\",\"accountId\":\"acme\",\"eventTime\":" + T + ",\"feature\":\"exports\"}");
        assertThat(e.type).isEqualTo(EventType.USAGE);
        assertThat(e.feature).isEqualTo("exports");
        assertThat(e.quantity).isEqualTo(1.0);
        AccountEvent withQuantity = JsonEventParser.parse(
                "{\"type\":\"usage\",\"eventId\":\"e2\",\"accountId\":\"acme\",\"eventTime\":" + T
                        + ",\"feature\":\"api\",\"quantity\":2.5}");
        assertThat(withQuantity.quantity).isEqualTo(2.5);
        AccountEvent zero = JsonEventParser.parse(
                "{\"type\":\"usage\",\"eventId\":\"e2\",\"accountId\":\"acme\",\"eventTime\":" + T
                        + ",\"feature\":\"api\",\"quantity\":0}");
        assertThat(zero.quantity).isZero();
    }

    @Test
    void ticketPriorityDefaultsToNormal() throws Exception {
        AccountEvent e = JsonEventParser.parse("{\"type\":\"support_ticket\",\"eventId\":\"e3\",\"accountId\":\"acme\","
                + "\"eventTime\":\"2026-03-02T10:15:00Z\",\"ticketId\":\"T-9\",\"status\":\"OPENED\"}");
        assertThat(e.type).isEqualTo(EventType.SUPPORT_TICKET);
        assertThat(e.ticketId).isEqualTo("T-9");
        assertThat(e.ticketStatus).isEqualTo(TicketStatus.OPENED);
        assertThat(e.priority).isEqualTo(TicketPriority.NORMAL);
        assertThat(e.csat).isNull();
        AccountEvent urgent = JsonEventParser.parse("{\"type\":\"support_ticket\",\"eventId\":\"e3\",\"accountId\":\"acme\","
                + "\"eventTime\":" + T + ",\"ticketId\":\"T-9\",\"status\":\"CLOSED\",\"priority\":\"URGENT\",\"csat\":2}");
        assertThat(urgent.priority).isEqualTo(TicketPriority.URGENT);
        assertThat(urgent.csat).isEqualTo(2);
    }

    @Test
    void aPaymentWithEveryField() throws Exception {
        AccountEvent e = JsonEventParser.parse("{\"type\":\"payment\",\"eventId\":\"e4\",\"accountId\":\"acme\","
                + "\"eventTime\":\"2026-03-02T10:15:00Z\",\"status\":\"FAILED\",\"amountMinor\":4900,\"currency\":\"EUR\","
                + "\"invoiceId\":\"inv-1\",\"failureCode\":\"card_declined\",\"cardExpiry\":\"2027-01\"}");
        assertThat(e.type).isEqualTo(EventType.PAYMENT);
        assertThat(e.paymentStatus).isEqualTo(PaymentStatus.FAILED);
        assertThat(e.amountMinor).isEqualTo(4900);
        assertThat(e.currency).isEqualTo("EUR");
        assertThat(e.invoiceId).isEqualTo("inv-1");
        assertThat(e.failureCode).isEqualTo("card_declined");
        assertThat(e.cardExpiry).isEqualTo("2027-01");
    }

    private static final String LOGIN = "\"type\":\"login\",\"eventId\":\"e1\",\"accountId\":\"acme\"";
    private static final String USAGE = "\"type\":\"usage\",\"eventId\":\"e1\",\"accountId\":\"acme\",\"eventTime\":" + T;
    private static final String TICKET = "\"type\":\"support_ticket\",\"eventId\":\"e1\",\"accountId\":\"acme\",\"eventTime\":" + T
            + ",\"ticketId\":\"T-1\"";
    private static final String PAYMENT = "\"type\":\"payment\",\"eventId\":\"e1\",\"accountId\":\"acme\",\"eventTime\":" + T
            + ",\"amountMinor\":100,\"invoiceId\":\"i\"";

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "not JSON                  | {\"type\":                                              | not valid JSON",
        "an array                  | [1,2]                                                   | not a JSON object",
        "a bare string             | `\"login\"`                                             | not a JSON object",
        "empty line                | ``                                                      | not a JSON object",
        "no type                   | {\"eventId\":\"e1\"}                                    | type is missing",
        "unknown type              | {\"type\":\"click\"}                                    | unknown type 'click'; allowed: login, usage, support_ticket, payment, feedback, subscription",
        "type not a string         | {\"type\":1}                                            | type must be a string, got 1",
        "no eventId                | {\"type\":\"login\",\"accountId\":\"a\",\"eventTime\":1} | eventId is missing",
        "blank accountId           | {\"type\":\"login\",\"eventId\":\"e\",\"accountId\":\" \",\"eventTime\":1773000000000} | accountId is missing or empty",
        "no eventTime              | {" + "\"type\":\"login\",\"eventId\":\"e1\",\"accountId\":\"acme\"}                  | eventTime is missing",
    })
    void badLinesAreRejectedWithAReason(String what, String line, String reason) {
        assertThatThrownBy(() -> JsonEventParser.parse(line)).as(what)
                .isInstanceOf(InvalidEventException.class).hasMessageContaining(reason);
    }

    @Test
    void badEventTimes() {
        assertRejected("{" + LOGIN + ",\"eventTime\":\"2026-03-02 10:15\"}",
                "eventTime '2026-03-02 10:15' is not an ISO-8601 instant such as 2026-03-02T10:15:00Z");
        assertRejected("{" + LOGIN + ",\"eventTime\":1.5e12}", "eventTime must be an ISO-8601 instant or epoch milliseconds");
        assertRejected("{" + LOGIN + ",\"eventTime\":true}", "eventTime must be an ISO-8601 instant or epoch milliseconds");
        // Seconds, not millis: the reason shows the instant they read as.
        assertRejected("{" + LOGIN + ",\"eventTime\":1773000000}", "eventTime 1970-01-21T12:30:00Z (1773000000 ms) is outside 2000-01-01..2100-01-01");
        assertRejected("{" + LOGIN + ",\"eventTime\":\"+999999999-12-31T23:59:59Z\"}",
                "eventTime '+999999999-12-31T23:59:59Z' is outside 2000-01-01..2100-01-01");
        // 2^64 + 2026-03-01: kept to 64 bits it would read as 2026-03-01.
        assertRejected("{" + LOGIN + ",\"eventTime\":18446745846032751616}", "eventTime 18446745846032751616 is not epoch milliseconds: too large");
        assertRejected("{" + LOGIN + ",\"eventTime\":-99999999999999999999}", "eventTime -99999999999999999999 is not epoch milliseconds: too large");
    }

    @Test
    void badUsage() {
        assertRejected("{" + USAGE + "}", "feature is missing");
        assertRejected("{" + USAGE + ",\"feature\":\"api\",\"quantity\":-1}", "quantity must be a finite number >= 0, got -1.0");
        assertRejected("{" + USAGE + ",\"feature\":\"api\",\"quantity\":\"3\"}", "quantity must be a number, got \"3\"");
    }

    @Test
    void badTickets() {
        assertRejected("{" + TICKET + "}", "status is missing");
        assertRejected("{" + TICKET + ",\"status\":\"opened\"}", "status 'opened' is not one of [OPENED, UPDATED, RESOLVED, CLOSED, REOPENED]");
        assertRejected("{" + TICKET + ",\"status\":\"OPENED\",\"priority\":\"P1\"}", "priority 'P1' is not one of [LOW, NORMAL, HIGH, URGENT]");
        assertRejected("{" + TICKET + ",\"status\":\"OPENED\",\"csat\":6}", "csat must be 1..5, got 6");
        assertRejected("{" + TICKET + ",\"status\":\"OPENED\",\"csat\":4294967298}", "csat must be 1..5, got 4294967298");
        assertRejected("{" + TICKET + ",\"status\":\"OPENED\",\"csat\":4.5}", "csat must be a whole number, written without a decimal point or exponent, got 4.5");
    }

    @Test
    void badPayments() {
        assertRejected("{" + PAYMENT + ",\"status\":\"FAILED\",\"currency\":\"eur\"}",
                "currency must be an ISO 4217 code of three upper-case letters, got eur");
        assertRejected("{" + PAYMENT + ",\"status\":\"DECLINED\",\"currency\":\"EUR\"}",
                "status 'DECLINED' is not one of [SUCCEEDED, FAILED, REFUNDED]");
        assertRejected("{\"type\":\"payment\",\"eventId\":\"e1\",\"accountId\":\"acme\",\"eventTime\":" + T
                + ",\"status\":\"FAILED\",\"amountMinor\":49.5,\"currency\":\"EUR\",\"invoiceId\":\"i\"}",
                "amountMinor must be a whole number, written without a decimal point or exponent, got 49.5");
        assertRejected("{\"type\":\"payment\",\"eventId\":\"e1\",\"accountId\":\"acme\",\"eventTime\":" + T
                + ",\"status\":\"FAILED\",\"amountMinor\":99999999999999999999,\"currency\":\"EUR\",\"invoiceId\":\"i\"}",
                "amountMinor must be a whole number within 64 bits, got 99999999999999999999: too large");
        assertRejected("{" + PAYMENT + ",\"status\":\"FAILED\",\"currency\":\"EUR\",\"cardExpiry\":\"01/27\"}",
                "cardExpiry must be YYYY-MM, got 01/27");
    }

    @Test
    void twoEventsRunTogetherOnOneLineAreRejected() {
        String one = "{" + LOGIN + ",\"eventTime\":" + T + "}";
        // A lost newline must not silently drop the second event.
        assertRejected(one + one, "not valid JSON: '{' follows the event object; one event a line");
        assertRejected(one + " trailing", "not valid JSON");
        // Cut off: the reason says where the object began, without Jackson's note on the source it does not name.
        assertThatThrownBy(() -> JsonEventParser.parse("{" + LOGIN)).hasMessageContaining("not valid JSON: Unexpected end-of-input")
                .hasMessageContaining("line: 1, column: 1").hasMessageNotContaining("REDACTED");
    }

    private static void assertRejected(String line, String reason) {
        assertThatThrownBy(() -> JsonEventParser.parse(line)).isInstanceOf(InvalidEventException.class)
                .hasMessageContaining(reason);
    }
}
