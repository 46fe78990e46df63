package io.churnradar.detect;

import static io.churnradar.detect.Days.DAY;
import static io.churnradar.detect.Days.at;
import static io.churnradar.detect.Days.day;
import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.commands.CommandDisposition;
import io.churnradar.commands.RetentionCommand;
import io.churnradar.config.Rules;
import io.churnradar.events.SubscriptionAction;
import io.churnradar.play.OutcomeEvent;
import io.churnradar.play.PlaybookRules;
import io.churnradar.testing.ControlGroups;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Playbooks in the detector: triggering, delayed steps and their cancellation, the frequency cap and
 * priorities, each suppression rule, the control group and outcomes.
 */
class PlaybookTest {
    /** The shipped playbooks, every one switched off: a test switches on what it needs. */
    private static final String SHIPPED_OFF = PlaybookRules.defaults().playbooks.stream()
            .map(p -> "  " + p.name + ": {enabled: false}")
            .collect(Collectors.joining("\n", "playbooks:\n", "\n"));

    static String treated(String prefix, String... playbooks) {
        return ControlGroups.treated(prefix, playbooks);
    }

    static String heldOut(String prefix, String playbook) {
        return ControlGroups.heldOut(prefix, playbook);
    }

    /** "ACTION@time DISPOSITION" for each decision, in the order made. */
    static List<String> decisions(List<RetentionCommand> commands) {
        return commands.stream()
                .map(c -> c.getAction() + "@" + c.getIssuedAt() + " " + c.getDisposition()
                        + (c.getDispositionReason() == null ? "" : "(" + c.getDispositionReason() + ")"))
                .toList();
    }

    static String d(String action, long at, String disposition) {
        return action + "@" + Days.instant(at) + " " + disposition;
    }

    static List<RetentionCommand> of(List<RetentionCommand> commands, String playbook) {
        return commands.stream().filter(c -> c.getReason().getPlaybook().equals(playbook)).toList();
    }

    @Test
    void dunningRunsDay0Day3Day7WhileTheInvoiceStaysFailed() throws Exception {
        String acc = treated("dunning", "dunning");
        try (DetectorHarness h = DetectorHarness.open(Rules.defaults())) {
            h.send(Ev.failed(acc, at(1, 10)));
            h.watermark(day(12));
            assertThat(decisions(of(h.commands(), "dunning"))).containsExactly(
                    d("SEND_DUNNING_EMAIL", at(1, 10), "SEND"),
                    d("RETRY_PAYMENT", at(1, 10), "SEND"),
                    d("SEND_DUNNING_EMAIL", at(4, 10), "SEND"),
                    d("RETRY_PAYMENT", at(4, 10), "SEND"),
                    d("SEND_DUNNING_EMAIL", at(8, 10), "SEND"),
                    d("RETRY_PAYMENT", at(8, 10), "SEND"));
            RetentionCommand email = of(h.commands(), "dunning").get(0);
            assertThat(email.getParams()).containsEntry("step", "1");
            assertThat(email.getReason().getSignal()).isEqualTo("PAYMENT_FAILED");
            assertThat(email.getReason().getAlertId()).isEqualTo(h.alerts().get(0).getAlertId());
            assertThat(email.getCustomerFacing()).isTrue();
            // The HIGH alert also tells the team.
            assertThat(decisions(of(h.commands(), "high-risk-slack"))).containsExactly(d("NOTIFY_SLACK", at(1, 10), "SEND"));
        }
    }

    @Test
    void anAccountThatPaysAfterOneFailureGetsExactlyOneDunningEmail() throws Exception {
        String acc = treated("payer", "dunning");
        try (DetectorHarness h = DetectorHarness.open(Rules.defaults())) {
            h.send(Ev.failed(acc, at(1, 10)));
            h.watermark(day(3));
            h.send(Ev.succeeded(acc, at(3, 9)));
            h.watermark(day(30));
            assertThat(h.commands()).filteredOn(c -> c.getAction().equals("SEND_DUNNING_EMAIL")).hasSize(1);
            assertThat(decisions(of(h.commands(), "dunning"))).containsExactly(
                    d("SEND_DUNNING_EMAIL", at(1, 10), "SEND"), d("RETRY_PAYMENT", at(1, 10), "SEND"));
        }
    }

    @Test
    void exhaustedDunningCreatesAHighPriorityCsmTaskDueNextDay() throws Exception {
        String acc = treated("exhausted", "dunning", "dunning-exhausted");
        try (DetectorHarness h = DetectorHarness.open(Rules.defaults())) {
            h.send(Ev.failed(acc, at(1, 10)), Ev.failed(acc, at(4, 10)), Ev.failed(acc, at(8, 10)));
            List<RetentionCommand> tasks = of(h.commands(), "dunning-exhausted");
            assertThat(decisions(tasks)).containsExactly(d("CREATE_CSM_TASK", at(8, 10), "SEND"));
            assertThat(tasks.get(0).getParams())
                    .containsEntry("priority", "HIGH")
                    .containsEntry("dueAt", Days.instant(at(9, 10)).toString());
            assertThat(tasks.get(0).getCustomerFacing()).isFalse();
            assertThat(tasks.get(0).getReason().getSeverity()).isEqualTo("CRITICAL");
        }
    }

    @Test
    void commandIdsAreStableAcrossRunsAndDistinctPerStep() throws Exception {
        String acc = treated("ids", "dunning");
        List<String> first;
        try (DetectorHarness h = DetectorHarness.open(Rules.defaults())) {
            h.send(Ev.failed(acc, at(1, 10)));
            h.watermark(day(5));
            first = h.commands().stream().map(RetentionCommand::getCommandId).toList();
        }
        try (DetectorHarness h = DetectorHarness.open(Rules.defaults())) {
            h.send(Ev.failed(acc, at(1, 10)));
            h.watermark(day(5));
            assertThat(h.commands().stream().map(RetentionCommand::getCommandId).toList()).isEqualTo(first);
        }
        assertThat(first).doesNotHaveDuplicates().hasSize(5); // dunning 4 + slack 1
    }

    @Test
    void whenTheCapIsReachedTheHigherPriorityCommandWinsWhateverTheOrder() throws Exception {
        Rules rules = TestRules.withPlaybooks(SHIPPED_OFF + """
                  a-survey: {trigger: {signals: [NPS_DETRACTOR]}, holdoutPercent: 0, steps: [{action: SEND_SURVEY}]}
                  b-journey: {trigger: {signals: [NPS_DETRACTOR]}, holdoutPercent: 0, steps: [{action: ENROLL_JOURNEY, params: {journey: care}}]}
                  c-dunning: {trigger: {signals: [NPS_DETRACTOR]}, holdoutPercent: 0, steps: [{action: SEND_DUNNING_EMAIL}]}
                commands:
                  frequencyCap: {max: 2, windowDays: 7}
                """);
        try (DetectorHarness h = DetectorHarness.open(rules)) {
            h.send(Ev.nps("capped", at(1, 10), 2));
            assertThat(decisions(h.commands())).containsExactly(
                    d("SEND_DUNNING_EMAIL", at(1, 10), "SEND"),
                    d("ENROLL_JOURNEY", at(1, 10), "SEND"),
                    d("SEND_SURVEY", at(1, 10), "CAPPED(frequency-cap)"));
            // Seven days later the window has room again.
            h.send(Ev.nps("capped", at(9, 10), 9), Ev.nps("capped", at(9, 11), 1));
            assertThat(decisions(h.commands()).subList(3, 6)).containsExactly(
                    d("SEND_DUNNING_EMAIL", at(9, 11), "SEND"),
                    d("ENROLL_JOURNEY", at(9, 11), "SEND"),
                    d("SEND_SURVEY", at(9, 11), "CAPPED(frequency-cap)"));
        }
    }

    @Test
    void internalActionsAreNeverCapped() throws Exception {
        Rules rules = TestRules.withPlaybooks(SHIPPED_OFF + """
                  tasks: {trigger: {signals: [NPS_DETRACTOR]}, holdoutPercent: 0, steps: [{action: CREATE_CSM_TASK}, {action: NOTIFY_SLACK}, {action: UPDATE_CRM, params: {field: nps, value: "{severity}"}}]}
                commands:
                  frequencyCap: {max: 1}
                """);
        try (DetectorHarness h = DetectorHarness.open(rules)) {
            h.send(Ev.nps("team", at(1, 10), 2));
            assertThat(h.commands()).extracting(RetentionCommand::getDisposition).containsOnly(CommandDisposition.SEND).hasSize(3);
            assertThat(h.commands().get(2).getParams()).containsEntry("value", "MEDIUM");
        }
    }

    @Test
    void doNotContactSuppressesEverythingCustomerFacingAndNothingInternal() throws Exception {
        Rules rules = TestRules.withPlaybooks(SHIPPED_OFF + """
                  care: {trigger: {signals: [NPS_DETRACTOR]}, holdoutPercent: 0, steps: [{action: SEND_SURVEY}, {action: CREATE_CSM_TASK}]}
                """);
        try (DetectorHarness h = DetectorHarness.open(rules)) {
            h.send(Ev.with(Ev.subscription("quiet", at(0, 9), SubscriptionAction.PLAN_CHANGED), e -> e.doNotContact = true));
            h.send(Ev.nps("quiet", at(1, 10), 2));
            assertThat(decisions(h.commands())).containsExactly(
                    d("SEND_SURVEY", at(1, 10), "SUPPRESSED(do-not-contact)"),
                    d("CREATE_CSM_TASK", at(1, 10), "SEND"));
            // Lifted: the next play reaches the customer again.
            h.send(Ev.with(Ev.subscription("quiet", at(2, 9), SubscriptionAction.PLAN_CHANGED), e -> e.doNotContact = false));
            h.send(Ev.nps("quiet", at(3, 9), 9), Ev.nps("quiet", at(3, 10), 1));
            assertThat(decisions(h.commands()).get(2)).isEqualTo(d("SEND_SURVEY", at(3, 10), "SEND"));
        }
    }

    @Test
    void noWinBackSurveyOrJourneyWhileDunningIsOpen() throws Exception {
        String acc = treated("dunned", "win-back", "re-engagement", "dunning");
        try (DetectorHarness h = DetectorHarness.open(Rules.defaults())) {
            h.send(Ev.login(acc, at(0, 8)), Ev.failed(acc, at(1, 10)));
            h.send(Ev.subscription(acc, at(2, 10), SubscriptionAction.CANCELED));
            h.watermark(day(40));
            assertThat(decisions(of(h.commands(), "win-back"))).containsExactly(
                    d("OFFBOARDING_SURVEY", at(2, 10), "SUPPRESSED(dunning-open)"),
                    d("START_WIN_BACK", at(32, 10), "SUPPRESSED(dunning-open)"));
            assertThat(decisions(of(h.commands(), "re-engagement"))).containsExactly(
                    d("ENROLL_JOURNEY", at(14, 8), "SUPPRESSED(dunning-open)"));
        }
    }

    @Test
    void noSaveOfferOrJourneyToAChurnedAccountAndWinBackStopsAtReactivation() throws Exception {
        String acc = treated("gone", "win-back", "re-engagement", "save-offer");
        try (DetectorHarness h = DetectorHarness.open(Rules.defaults())) {
            h.send(Ev.login(acc, at(0, 8)), Ev.subscription(acc, at(1, 10), SubscriptionAction.CANCELED));
            h.watermark(day(35));
            assertThat(decisions(of(h.commands(), "win-back"))).containsExactly(
                    d("OFFBOARDING_SURVEY", at(1, 10), "SEND"),
                    d("START_WIN_BACK", at(31, 10), "SEND"));
            assertThat(decisions(of(h.commands(), "re-engagement"))).containsExactly(
                    d("ENROLL_JOURNEY", at(14, 8), "SUPPRESSED(churned)"));
            h.send(Ev.subscription(acc, at(36, 10), SubscriptionAction.REACTIVATED));
            h.watermark(day(120));
            assertThat(of(h.commands(), "win-back")).as("no win-back after the reactivation").hasSize(2);
            assertThat(h.outcomes()).filteredOn(o -> o.playbook.equals("win-back"))
                    .extracting(o -> o.kind + "@" + Days.instant(o.at))
                    .containsExactly("ENTERED@" + Days.instant(at(1, 10)), "SAVED@" + Days.instant(at(36, 10)));
        }
    }

    @Test
    void heldOutAccountsAreAuditedAndSentNothing() throws Exception {
        String acc = heldOut("control", "dunning");
        try (DetectorHarness h = DetectorHarness.open(Rules.defaults())) {
            h.send(Ev.failed(acc, at(1, 10)));
            h.watermark(day(12));
            assertThat(of(h.commands(), "dunning")).hasSize(6)
                    .allSatisfy(c -> assertThat(c.getDisposition()).isEqualTo(CommandDisposition.HOLDOUT));
            assertThat(h.outcomes()).filteredOn(o -> o.playbook.equals("dunning")).singleElement()
                    .satisfies(o -> assertThat(o.heldOut).isTrue());
        }
    }

    @Test
    void cardExpiryNoticesThirtyFifteenAndSevenDaysBeforeAndNoneOnceANewCardIsOnFile() throws Exception {
        String acc = treated("card", "card-expiring");
        long expires = java.time.Instant.parse("2026-05-01T00:00:00Z").toEpochMilli();
        try (DetectorHarness h = DetectorHarness.open(Rules.defaults())) {
            h.send(Ev.card(acc, at(0, 9), "2026-04"));
            h.watermark(expires - 10 * DAY);
            assertThat(decisions(of(h.commands(), "card-expiring"))).containsExactly(
                    d("NOTIFY_CARD_EXPIRING", expires - 30 * DAY, "SEND"),
                    d("NOTIFY_CARD_EXPIRING", expires - 15 * DAY, "SEND"));
            h.send(Ev.card(acc, expires - 9 * DAY, "2029-04"));
            h.watermark(expires + 5 * DAY);
            assertThat(of(h.commands(), "card-expiring")).hasSize(2);
        }
    }

    @Test
    void aCardAlreadyCloseToExpiryGetsOnlyTheLatestNoticeDue() throws Exception {
        String acc = treated("late-card", "card-expiring");
        long expires = java.time.Instant.parse("2026-04-01T00:00:00Z").toEpochMilli();
        try (DetectorHarness h = DetectorHarness.open(Rules.defaults())) {
            h.send(Ev.card(acc, expires - 10 * DAY, "2026-03"));
            assertThat(decisions(of(h.commands(), "card-expiring"))).containsExactly(
                    d("NOTIFY_CARD_EXPIRING", expires - 10 * DAY, "SUPPRESSED(superseded)"),
                    d("NOTIFY_CARD_EXPIRING", expires - 10 * DAY, "SEND"));
            assertThat(of(h.commands(), "card-expiring").get(1).getParams()).containsEntry("daysBeforeExpiry", "15");
        }
    }

    @Test
    void saveOffersEscalateByTenureAndMrr() throws Exception {
        try (DetectorHarness h = DetectorHarness.open(TestRules.withPlaybooks("playbooks:\n  save-offer: {holdoutPercent: 0}"))) {
            h.send(Ev.subscription("small", at(0, 9), SubscriptionAction.STARTED, 2_000),
                    Ev.subscription("small", at(1, 9), SubscriptionAction.CANCEL_REQUESTED));
            h.send(Ev.subscription("big", at(0, 9), SubscriptionAction.STARTED, 90_000),
                    Ev.subscription("big", at(1, 9), SubscriptionAction.CANCEL_REQUESTED));
            h.send(Ev.subscription("loyal", at(0, 9), SubscriptionAction.STARTED, 90_000),
                    Ev.subscription("loyal", at(400, 9), SubscriptionAction.CANCEL_REQUESTED));
            assertThat(h.commands()).filteredOn(c -> c.getAction().equals("OFFER_SAVE"))
                    .extracting(c -> c.getAccountId() + ":" + c.getParams().get("offerCode"))
                    .containsExactly("small:SAVE-10", "big:SAVE-20", "loyal:SAVE-30");
        }
    }

    @Test
    void outcomesSavedAfterTheWindowOrLostAtTheChurn() throws Exception {
        String saved = treated("kept", "dunning");
        String lost = treated("left", "dunning");
        try (DetectorHarness h = DetectorHarness.open(Rules.defaults())) {
            h.send(Ev.subscription(saved, at(0, 9), SubscriptionAction.STARTED, 5_000), Ev.failed(saved, at(1, 10)));
            h.send(Ev.subscription(lost, at(0, 9), SubscriptionAction.STARTED, 7_000), Ev.failed(lost, at(1, 10)));
            h.watermark(day(20));
            h.send(Ev.subscription(lost, at(20, 10), SubscriptionAction.CANCELED));
            h.watermark(day(80));
            assertThat(h.outcomes()).filteredOn(o -> o.playbook.equals("dunning"))
                    .extracting(o -> o.accountId + " " + o.kind + "@" + Days.instant(o.at) + " mrr " + o.mrrMinor)
                    .containsExactlyInAnyOrder(
                            saved + " ENTERED@" + Days.instant(at(1, 10)) + " mrr 5000",
                            lost + " ENTERED@" + Days.instant(at(1, 10)) + " mrr 7000",
                            lost + " LOST@" + Days.instant(at(20, 10)) + " mrr 7000",
                            saved + " SAVED@" + Days.instant(at(61, 10)) + " mrr 5000");
        }
    }

    @Test
    void aChurnAtTheInstantTheWindowEndsIsLostAsEventsComeBeforeDeadlines() throws Exception {
        String acc = treated("last-minute", "dunning");
        try (DetectorHarness h = DetectorHarness.open(Rules.defaults())) {
            h.send(Ev.subscription(acc, at(0, 9), SubscriptionAction.STARTED, 5_000), Ev.failed(acc, at(1, 10)));
            h.watermark(day(30));
            h.send(Ev.subscription(acc, at(61, 10), SubscriptionAction.CANCELED)); // 60 days to the millisecond after entry
            h.watermark(day(80));
            assertThat(h.outcomes()).filteredOn(o -> o.playbook.equals("dunning"))
                    .extracting(o -> o.kind + "@" + Days.instant(o.at))
                    .containsExactly("ENTERED@" + Days.instant(at(1, 10)), "LOST@" + Days.instant(at(61, 10)));
        }
    }

    @Test
    void aPlayStartsOncePerEpisodeAndLeavesNoTimerOrPlayBehind() throws Exception {
        String acc = treated("tidy", "dunning");
        try (DetectorHarness h = DetectorHarness.open(Rules.defaults())) {
            h.send(Ev.failed(acc, at(1, 10)), Ev.failed(acc, at(2, 10)));
            h.send(Ev.succeeded(acc, at(2, 12)));
            h.watermark(day(100));
            assertThat(of(h.commands(), "dunning")).hasSize(2);
            assertThat(h.accountState(acc).plays.plays).isEmpty();
            assertThat(h.accountState(acc).plays.outcomes).isEmpty();
            assertThat(h.timers()).isZero();
            assertThat(h.outcomes()).extracting(o -> o.kind).containsOnly(OutcomeEvent.Kind.ENTERED, OutcomeEvent.Kind.SAVED);
        }
    }

    @Test
    void anEscalationStartsOnlyThePlaybooksWhoseMinimumItCrosses() throws Exception {
        String acc = treated("escalated", "dunning", "dunning-exhausted", "high-risk-slack");
        try (DetectorHarness h = DetectorHarness.open(Rules.defaults())) {
            h.send(Ev.failed(acc, at(1, 10)));
            assertThat(h.accountState(acc).plays.plays).as("only the dunning play has steps to come")
                    .extracting(p -> p.playbook).containsExactly("dunning");
            h.send(Ev.failed(acc, at(2, 10)), Ev.failed(acc, at(3, 10)));
            assertThat(of(h.commands(), "high-risk-slack")).as("HIGH at the RAISED alert: not again at CRITICAL").hasSize(1);
            assertThat(of(h.commands(), "dunning-exhausted")).hasSize(1);
            assertThat(of(h.commands(), "dunning")).as("the running sequence is not restarted").hasSize(2);
        }
    }
}
