package io.churnradar.guard;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.alerts.AlertStatus;
import io.churnradar.alerts.RiskAlert;
import io.churnradar.alerts.Severity;
import io.churnradar.topology.PersonalData;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The alerts' last gate for personal data, field by field (both paths: kafka.PersonalDataOutputsTest). */
class PersonalDataGateTest {
    @Test
    void addressesNamesAndFreeTextLeaveIdsAndCodesAsTheyAre() {
        Map<String, String> ev = new LinkedHashMap<>();
        ev.put("reason", "Too pricey, says Ann Lee (ann@example.com)");
        ev.put("plan", "pro");
        ev.put("feature", "export-for-ann@example.com");
        ev.put("userId", "Ann Lee");
        ev.put("comment", "call me");
        ev.put("invoiceId", "inv-42");
        RiskAlert a = alert(ev, "The customer asked to cancel (Too pricey, says Ann Lee (ann@example.com)).");

        RiskAlert out = PersonalData.scrub(a);

        assertThat(out.getEvidence()).containsEntry("reason", PersonalData.WITHHELD).containsEntry("plan", "pro")
                .containsEntry("invoiceId", "inv-42").doesNotContainKey("comment");
        assertThat(out.getEvidence().get("feature")).matches("user-[0-9a-f]{16}");
        assertThat(out.getEvidence().get("userId")).matches("user-[0-9a-f]{16}");
        assertThat(out.getExplanation()).isEqualTo("The customer asked to cancel (" + PersonalData.WITHHELD + ").");
        assertThat(out.toString()).doesNotContain("Ann").doesNotContain("ann@").doesNotContain("pricey");
    }

    @Test
    void aReasonThatIsACodeStaysAndAnAlertWithNothingPersonalIsTheSameObject() {
        Map<String, String> ev = new LinkedHashMap<>();
        ev.put("reason", "too_expensive");
        RiskAlert a = alert(ev, "The customer asked to cancel (too_expensive).");
        assertThat(PersonalData.scrub(a)).isSameAs(a);
    }

    @Test
    void theSameAddressGetsTheSamePseudonymAsTheSignalsGiveIt() {
        Map<String, String> ev = new LinkedHashMap<>();
        ev.put("ticketId", "bob@example.net");
        RiskAlert out = PersonalData.scrub(alert(ev, "x"));
        assertThat(out.getEvidence().get("ticketId")).isEqualTo(io.churnradar.signals.Evidence.userId("bob@example.net", false));
    }

    @Test
    void aCommandParameterFilledFromTheEventsLosesItsAddressAndAPlainCommandIsTheSameObject() {
        io.churnradar.commands.RetentionCommand plain = command(Map.of("field", "plan", "value", "pro"));
        assertThat(PersonalData.scrub(plain)).isSameAs(plain);

        io.churnradar.commands.RetentionCommand c = command(Map.of("field", "plan", "value", "pro-for-ann@example.com",
                "message", "Plan pro-for-ann@example.com at risk"));
        io.churnradar.commands.RetentionCommand out = PersonalData.scrub(c);
        String pseudonym = io.churnradar.signals.Evidence.userId("pro-for-ann@example.com", false);
        assertThat(out.getParams()).containsEntry("field", "plan").containsEntry("value", pseudonym)
                .containsEntry("message", "Plan " + pseudonym + " at risk");
        assertThat(out.toString()).doesNotContain("ann@");
        assertThat(out.getCommandId()).isEqualTo(c.getCommandId());
    }

    private static io.churnradar.commands.RetentionCommand command(Map<String, String> params) {
        return io.churnradar.commands.RetentionCommand.newBuilder().setCommandId("c-1").setAccountId("acct-1").setAction("UPDATE_CRM")
                .setCustomerFacing(false).setParams(params)
                .setReason(io.churnradar.commands.CommandReason.newBuilder().setAlertId("a-1").setSignal("CANCELLATION_REQUESTED")
                        .setSeverity("HIGH").setPlaybook("crm").setStep(0).build())
                .setIssuedAt(Instant.EPOCH).setDisposition(io.churnradar.commands.CommandDisposition.SEND)
                .setRuleVersion("default-1").build();
    }

    private static RiskAlert alert(Map<String, String> evidence, String explanation) {
        return RiskAlert.newBuilder().setAlertId("a-1").setAccountId("acct-1").setSignal("CANCELLATION_REQUESTED")
                .setSeverity(Severity.HIGH).setStatus(AlertStatus.RAISED).setDetectedAt(Instant.EPOCH).setEpisodeStart(Instant.EPOCH)
                .setEvidence(evidence).setExplanation(explanation).setRuleVersion("default-1").build();
    }
}
