package io.churnradar.play;

import static io.churnradar.play.Action.CREATE_CSM_TASK;
import static io.churnradar.play.Action.ENROLL_JOURNEY;
import static io.churnradar.play.Action.NOTIFY_CARD_EXPIRING;
import static io.churnradar.play.Action.NOTIFY_SLACK;
import static io.churnradar.play.Action.OFFBOARDING_SURVEY;
import static io.churnradar.play.Action.OFFER_SAVE;
import static io.churnradar.play.Action.RETRY_PAYMENT;
import static io.churnradar.play.Action.SEND_DUNNING_EMAIL;
import static io.churnradar.play.Action.START_WIN_BACK;
import static io.churnradar.play.Action.UPDATE_CRM;

import io.churnradar.alerts.Severity;
import java.util.List;
import java.util.Map;

/**
 * The playbooks shipped switched on, following common retention practice (docs/playbooks.md).
 * A rules file overrides any of them by name, or switches it off with {@code enabled: false}.
 */
public final class DefaultPlaybooks {
    public static final double HOLDOUT_PERCENT = 10;
    /** MRR from which a usage drop or inactivity also gets a CSM task: 500.00 in the currency's minor unit. */
    public static final long HIGH_VALUE_MRR_MINOR = 50_000;
    public static final String SLACK_CHANNEL = "#churn-risk";
    private static final long DAY = 86_400_000L;

    private DefaultPlaybooks() {}

    /** The shipped playbooks, each with this control group (but the Slack notification, which has none). */
    public static List<Playbook> all(double holdout) {
        return List.of(
                new Playbook("dunning", true, on(Severity.HIGH, "PAYMENT_FAILED"), holdout, List.of(
                        Step.now(RETRY_PAYMENT, Map.of("attempt", "1")),
                        Step.now(SEND_DUNNING_EMAIL, Map.of("step", "1")),
                        Step.after(3 * DAY, RETRY_PAYMENT, Map.of("attempt", "2")),
                        Step.after(3 * DAY, SEND_DUNNING_EMAIL, Map.of("step", "2")),
                        Step.after(7 * DAY, RETRY_PAYMENT, Map.of("attempt", "3")),
                        Step.after(7 * DAY, SEND_DUNNING_EMAIL, Map.of("step", "3")))),
                new Playbook("dunning-exhausted", true, on(Severity.CRITICAL, "PAYMENT_FAILED"), holdout, List.of(
                        Step.now(CREATE_CSM_TASK, Map.of("priority", "HIGH", "dueInDays", "1", "task", "dunning-exhausted")))),
                new Playbook("re-engagement", true, on(Severity.LOW, "USAGE_DROP", "INACTIVITY"), holdout, List.of(
                        Step.now(ENROLL_JOURNEY, Map.of("journey", "re-engagement")))),
                new Playbook("re-engagement-high-value", true,
                        new Trigger(List.of("USAGE_DROP", "INACTIVITY"), Severity.LOW, List.of(),
                                new Segment(List.of(), HIGH_VALUE_MRR_MINOR, -1, 0)), holdout, List.of(
                        Step.now(CREATE_CSM_TASK, Map.of("priority", "MEDIUM", "dueInDays", "3", "task", "re-engage")))),
                new Playbook("close-the-loop", true, on(Severity.LOW, "NPS_DETRACTOR", "LOW_CSAT"), holdout, List.of(
                        Step.now(CREATE_CSM_TASK, Map.of("priority", "HIGH", "dueInDays", "2", "task", "close-the-loop")))),
                new Playbook("card-expiring", true, on(Severity.LOW, "CARD_EXPIRING"), holdout, List.of(
                        beforeExpiry(30, "30"), beforeExpiry(15, "15"), beforeExpiry(7, "7"))),
                new Playbook("onboarding-rescue", true, on(Severity.LOW, "ONBOARDING_STALLED"), holdout, List.of(
                        Step.now(ENROLL_JOURNEY, Map.of("journey", "onboarding")),
                        Step.now(CREATE_CSM_TASK, Map.of("priority", "MEDIUM", "dueInDays", "3", "task", "onboarding")))),
                new Playbook("save-offer", true, on(Severity.LOW, "CANCELLATION_REQUESTED"), holdout, List.of(
                        new Step(OFFER_SAVE, Map.of("offerCode", "SAVE-10"), 0, Step.NOT_SET, List.of(
                                // Escalating by what is at stake: long-standing, high-value accounts get the most.
                                new Step.Variant(new Segment(List.of(), HIGH_VALUE_MRR_MINOR, -1, 365), Map.of("offerCode", "SAVE-30")),
                                new Step.Variant(new Segment(List.of(), HIGH_VALUE_MRR_MINOR, -1, 0), Map.of("offerCode", "SAVE-20")),
                                new Step.Variant(new Segment(List.of(), -1, -1, 365), Map.of("offerCode", "SAVE-20")))),
                        Step.now(CREATE_CSM_TASK, Map.of("priority", "HIGH", "dueInDays", "1", "task", "save")))),
                new Playbook("win-back", true, on(Severity.LOW, "CHURNED"), holdout, List.of(
                        Step.now(OFFBOARDING_SURVEY, Map.of("survey", "offboarding")),
                        Step.after(30 * DAY, START_WIN_BACK, Map.of("campaign", "win-back-30")),
                        Step.after(60 * DAY, START_WIN_BACK, Map.of("campaign", "win-back-60")),
                        Step.after(90 * DAY, START_WIN_BACK, Map.of("campaign", "win-back-90")))),
                new Playbook("renewal-rescue", true, on(Severity.LOW, "RENEWAL_AT_RISK"), holdout, List.of(
                        Step.now(CREATE_CSM_TASK, Map.of("priority", "HIGH", "dueInDays", "2", "task", "renewal")),
                        Step.now(UPDATE_CRM, Map.of("field", "churn_risk", "value", "{severity}")),
                        Step.now(UPDATE_CRM, Map.of("field", "health_score", "value", "{healthScore}")))),
                // A notification to the team measures nothing: no control group.
                new Playbook("high-risk-slack", true, on(Severity.HIGH, Trigger.ANY_SIGNAL), 0, List.of(
                        Step.now(NOTIFY_SLACK, Map.of("channel", SLACK_CHANNEL)))));
    }

    private static Trigger on(Severity min, String... signals) {
        return new Trigger(List.of(signals), min, List.of(), Segment.ANY);
    }

    private static Step beforeExpiry(int days, String label) {
        return new Step(NOTIFY_CARD_EXPIRING, Map.of("daysBeforeExpiry", label), 0, days * DAY, List.of());
    }
}
