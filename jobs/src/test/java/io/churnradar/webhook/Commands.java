package io.churnradar.webhook;

import io.churnradar.commands.CommandDisposition;
import io.churnradar.commands.CommandReason;
import io.churnradar.commands.RetentionCommand;
import io.churnradar.play.Action;
import java.time.Instant;
import java.util.Map;

/** Retention commands for the webhook tests, as the playbooks issue them. */
final class Commands {
    static final Instant ISSUED = Instant.parse("2025-03-14T09:26:53.589Z");

    private Commands() {}

    static RetentionCommand of(String commandId, String accountId, Action action) {
        return of(commandId, accountId, action, Map.of("campaign", "spring-save", "offerCode", "SAVE20"));
    }

    static RetentionCommand of(String commandId, String accountId, Action action, Map<String, String> params) {
        return RetentionCommand.newBuilder()
                .setCommandId(commandId)
                .setAccountId(accountId)
                .setAction(action.name())
                .setCustomerFacing(action.customerFacing)
                .setParams(params)
                .setReason(CommandReason.newBuilder()
                        .setAlertId("alert-" + accountId)
                        .setSignal("PAYMENT_FAILED")
                        .setSeverity("HIGH")
                        .setPlaybook("dunning")
                        .setStep(1)
                        .build())
                .setIssuedAt(ISSUED)
                .setDisposition(CommandDisposition.SEND)
                .setDispositionReason(null)
                .setRuleVersion("rules-7")
                .build();
    }
}
