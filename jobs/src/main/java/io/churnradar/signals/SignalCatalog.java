package io.churnradar.signals;

import io.churnradar.config.Rules;
import io.churnradar.signals.card.CardExpiringSignal;
import io.churnradar.signals.features.CoreFeatureUnusedSignal;
import io.churnradar.signals.features.OnboardingStalledSignal;
import io.churnradar.signals.feedback.LowCsatSignal;
import io.churnradar.signals.feedback.NpsDetractorSignal;
import io.churnradar.signals.inactivity.InactivitySignal;
import io.churnradar.signals.payment.PaymentFailedSignal;
import io.churnradar.signals.propensity.ChurnRiskSignal;
import io.churnradar.signals.renewal.RenewalAtRiskSignal;
import io.churnradar.signals.subscription.CancellationSignals;
import io.churnradar.signals.subscription.DowngradeSignal;
import io.churnradar.signals.tickets.TicketSpikeSignal;
import io.churnradar.signals.tickets.UrgentTicketAgingSignal;
import io.churnradar.signals.usage.UsageDropSignal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * The one registration list of the signals: each family with the spec of every signal it raises.
 * Adding a signal is its family file plus one line here (and its constant in {@link Signal}).
 *
 * <p>The order of this list is the order in which the engine runs the families on each event, day
 * close and deadline, so it decides the order of alerts raised at the same instant: append new
 * families before RENEWAL_AT_RISK, which stays last because it reads the health score the others'
 * state feeds. The rules file's blocks are read (and their errors reported) in the order of
 * {@link Signal}, which is also the order of the shipped rules file and docs/signals.md. CHURN_RISK runs
 * before RENEWAL_AT_RISK too: its model reads the state as the other signals left it at the close.
 */
public final class SignalCatalog {
    private SignalCatalog() {}

    private record Family(Function<Rules, SignalFamily> create, List<SignalSpec<?>> specs) {}

    private static final List<Family> FAMILIES = List.of(
            family(UsageDropSignal::new, UsageDropSignal.SPEC),
            family(InactivitySignal::new, InactivitySignal.SPEC),
            family(PaymentFailedSignal::new, PaymentFailedSignal.SPEC),
            family(TicketSpikeSignal::new, TicketSpikeSignal.SPEC),
            family(UrgentTicketAgingSignal::new, UrgentTicketAgingSignal.SPEC),
            family(CardExpiringSignal::new, CardExpiringSignal.SPEC),
            family(NpsDetractorSignal::new, NpsDetractorSignal.SPEC),
            family(LowCsatSignal::new, LowCsatSignal.SPEC),
            family(CoreFeatureUnusedSignal::new, CoreFeatureUnusedSignal.SPEC),
            family(OnboardingStalledSignal::new, OnboardingStalledSignal.SPEC),
            family(CancellationSignals::new, CancellationSignals.REQUESTED, CancellationSignals.CHURNED),
            family(DowngradeSignal::new, DowngradeSignal.SPEC),
            family(ChurnRiskSignal::new, ChurnRiskSignal.SPEC),
            family(RenewalAtRiskSignal::new, RenewalAtRiskSignal.SPEC));

    /** Every signal's spec, in the order of {@link Signal}; built once, checked complete. */
    private static final List<SignalSpec<?>> SPECS = specsBySignal();

    private static Family family(Function<Rules, SignalFamily> create, SignalSpec<?>... specs) {
        return new Family(create, List.of(specs));
    }

    private static List<SignalSpec<?>> specsBySignal() {
        List<SignalSpec<?>> all = new ArrayList<>();
        for (Family f : FAMILIES) all.addAll(f.specs());
        all.sort(Comparator.comparingInt(s -> s.signal().ordinal()));
        List<Signal> covered = all.stream().map(SignalSpec::signal).toList();
        if (!covered.equals(Arrays.asList(Signal.values()))) {
            // A signal without a registered spec (or with two) would be raised without rules: fail at once.
            throw new IllegalStateException("the signal catalog must register every signal once, in " + covered);
        }
        return List.copyOf(all);
    }

    /** A new instance of every family under these rules, in the order the engine runs them. */
    public static List<SignalFamily> families(Rules rules) {
        List<SignalFamily> out = new ArrayList<>(FAMILIES.size());
        for (Family f : FAMILIES) out.add(f.create().apply(rules));
        return List.copyOf(out);
    }

    /** Every signal's spec in the order of {@link Signal}: the order the rules file is read in. */
    public static List<SignalSpec<?>> specs() {
        return SPECS;
    }

    public static SignalSpec<?> spec(Signal signal) {
        return SPECS.get(signal.ordinal());
    }
}
