package io.churnradar.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.config.Rules;
import io.churnradar.signals.Alerting;
import io.churnradar.signals.SignalCatalog;
import io.churnradar.signals.SignalFamily;
import io.churnradar.signals.card.CardExpiringSignal;
import io.churnradar.signals.features.CoreFeatureUnusedSignal;
import io.churnradar.signals.features.OnboardingStalledSignal;
import io.churnradar.signals.inactivity.InactivitySignal;
import io.churnradar.signals.tickets.UrgentTicketAgingSignal;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The engine asks a family about closes and deadlines only when the family's class answers more than the interface's nothing. */
class FamilyHooksTest {

    @Test
    void theFamiliesWithDeadlinesAreTheFiveThatDeclareThemInTheCatalogsOrder() {
        List<SignalFamily> all = SignalCatalog.families(Rules.defaults());
        List<SignalFamily> withDeadlines = List.of(SignalEngine.overriding(all, "nextDeadline", AccountState.class));
        assertThat(withDeadlines).extracting(f -> (Class) f.getClass()).containsExactlyInAnyOrder(InactivitySignal.class,
                CardExpiringSignal.class, UrgentTicketAgingSignal.class, OnboardingStalledSignal.class, CoreFeatureUnusedSignal.class);
        assertThat(withDeadlines).isSortedAccordingTo((a, b) -> Integer.compare(all.indexOf(a), all.indexOf(b)));
        assertThat(SignalEngine.overriding(all, "firstDayNeedingClose", AccountState.class, long.class)).isNotEmpty().hasSizeLessThan(all.size());
        assertThat(SignalEngine.overriding(all, "onDayClose", AccountState.class, long.class, Alerting.class)).isNotEmpty();
    }

    @Test
    void aNewFamilyIsAskedForWhatItOverridesAndNothingElse() {
        SignalFamily deadlinesOnly = new SignalFamily() {
            @Override
            public long nextDeadline(AccountState s) {
                return 42;
            }
        };
        List<SignalFamily> families = new ArrayList<>(List.of(deadlinesOnly));
        assertThat(SignalEngine.overriding(families, "nextDeadline", AccountState.class)).containsExactly(deadlinesOnly);
        assertThat(SignalEngine.overriding(families, "firstDayNeedingClose", AccountState.class, long.class)).isEmpty();
        assertThat(SignalEngine.overriding(families, "onDayClose", AccountState.class, long.class, Alerting.class)).isEmpty();
    }
}
