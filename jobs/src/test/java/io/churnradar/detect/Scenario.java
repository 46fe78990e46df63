package io.churnradar.detect;

import static io.churnradar.detect.Days.at;
import static io.churnradar.detect.Days.day;

import io.churnradar.ingest.AccountEvent;
import io.churnradar.signals.Signal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A mixed input of four accounts that touches every signal, replayed with a watermark that trails
 * the newest event by one hour (as the backtest does, per event), then moved to a final time.
 */
final class Scenario {
    static final long BOUND = Days.HOUR;
    static final long END = day(25);

    private Scenario() {}

    static List<AccountEvent> mixedEvents() {
        List<AccountEvent> e = new ArrayList<>();
        // dropper: busy for a week, then silent; also logs in once.
        e.add(Ev.login("dropper", at(0, 8)));
        for (int d = 0; d < 7; d++) e.add(Ev.usage("dropper", at(d, 9), 2));
        // ticketer: three tickets on day 2.
        for (int i = 0; i < 3; i++) e.add(Ev.ticket("ticketer", at(2, 10 + i)));
        // payer: three failures, then a success.
        for (int d = 1; d <= 3; d++) e.add(Ev.failed("payer", at(d, 12)));
        e.add(Ev.succeeded("payer", at(5, 12)));
        // steady: uses and logs in every day; never at risk.
        for (int d = 0; d < 24; d++) {
            e.add(Ev.usage("steady", at(d, 11), 3));
            if (d % 5 == 0) e.add(Ev.login("steady", at(d, 7)));
        }
        e.sort(Comparator.comparingLong(ev -> ev.eventTime));
        return e;
    }

    /** Sends the events in the given order with a trailing watermark after each, then the final watermark. */
    static void replay(DetectorHarness h, List<AccountEvent> events) throws Exception {
        long maxSeen = Long.MIN_VALUE;
        for (AccountEvent e : events) {
            h.send(e);
            maxSeen = Math.max(maxSeen, e.eventTime);
            h.watermark(maxSeen - BOUND);
        }
        h.watermark(END);
    }

    /** The alerts the mixed scenario must give, in emission order. */
    static List<String> expectedMixedAlerts() {
        return List.of(
                AlertLines.line(Signal.PAYMENT_FAILED, "RAISED", "HIGH", at(1, 12)),
                AlertLines.line(Signal.TICKET_SPIKE, "RAISED", "MEDIUM", at(2, 12)),
                AlertLines.line(Signal.PAYMENT_FAILED, "UPDATED", "CRITICAL", at(3, 12)),
                AlertLines.line(Signal.PAYMENT_FAILED, "RESOLVED", "CRITICAL", at(5, 12)),
                AlertLines.line(Signal.TICKET_SPIKE, "RESOLVED", "MEDIUM", day(10)),
                AlertLines.line(Signal.USAGE_DROP, "RAISED", "HIGH", day(14)),
                AlertLines.line(Signal.INACTIVITY, "RAISED", "MEDIUM", at(14, 8)));
    }
}
