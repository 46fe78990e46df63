package io.churnradar.score;

import io.churnradar.alerts.HealthTier;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/** An account's health at one instant: the score 0..100, its tier and the components that make it up. */
public record Health(int score, HealthTier tier, List<ScoreComponent> components) {

    public ScoreComponent component(String name) {
        return components.stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    /** The components that cost the most points, as "usageTrend 0, paymentHealth 50", for explanations. */
    public String weakest(int n) {
        return components.stream()
                .filter(c -> c.weight() > 0 && c.value() < 100)
                .sorted(Comparator.comparingDouble((ScoreComponent c) -> -(100 - c.value()) * c.weight()).thenComparing(ScoreComponent::name))
                .limit(n)
                .map(c -> c.name() + " " + HealthScore.format(c.value()))
                .collect(Collectors.joining(", "));
    }
}
