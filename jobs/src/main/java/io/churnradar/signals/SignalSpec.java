package io.churnradar.signals;

import com.fasterxml.jackson.databind.node.MissingNode;
import io.churnradar.config.YamlTree;
import java.io.Serializable;
import java.util.List;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * What the catalog knows of one signal besides its hooks: its block in the rules file
 * ({@code signals.<key>}) with the keys it allows, the reader that turns the block into the signal's
 * immutable settings (defaults, ranges and error messages live there), the evidence keys its alerts may
 * carry, and how many days back from a day close its rules look (the day buckets keep that many).
 * A family declares one as a constant per signal it raises and registers it in {@link SignalCatalog}.
 *
 * @param <S> the signal's settings: immutable, serializable (they travel with the job graph)
 */
public final class SignalSpec<S extends Serializable> {
    private final Signal signal;
    private final String key;
    private final List<String> keys;
    private final Class<S> type;
    private final Function<SettingsBlock, S> reader;
    private final List<String> evidence;
    private final ToIntFunction<S> lookbackDays;

    private SignalSpec(Signal signal, String key, List<String> keys, Class<S> type, Function<SettingsBlock, S> reader,
            List<String> evidence, ToIntFunction<S> lookbackDays) {
        this.signal = signal;
        this.key = key;
        this.keys = List.copyOf(keys);
        this.type = type;
        this.reader = reader;
        this.evidence = List.copyOf(evidence);
        this.lookbackDays = lookbackDays;
    }

    /**
     * @param key the block's key under {@code signals:} in the rules file
     * @param keys the keys the block allows besides {@code enabled} and {@code severity}
     * @param reader reads the block; given a missing block it returns the defaults
     */
    public static <S extends Serializable> SignalSpec<S> of(Signal signal, String key, List<String> keys, Class<S> type,
            Function<SettingsBlock, S> reader) {
        return new SignalSpec<>(signal, key, keys, type, reader, List.of(), s -> 0);
    }

    /** The evidence keys an alert of this signal may carry (docs/signals.md describes each). */
    public SignalSpec<S> evidence(String... keys) {
        return new SignalSpec<>(signal, key, this.keys, type, reader, List.of(keys), lookbackDays);
    }

    /** Days back from a day close the signal's rules read the day buckets over (0: none). */
    public SignalSpec<S> lookbackDays(ToIntFunction<S> days) {
        return new SignalSpec<>(signal, key, keys, type, reader, evidence, days);
    }

    public Signal signal() {
        return signal;
    }

    public String key() {
        return key;
    }

    public List<String> evidence() {
        return evidence;
    }

    public S cast(Object settings) {
        return type.cast(settings);
    }

    /** Reads the block {@code signals.<key>} of a rules file. */
    public S read(YamlTree y, com.fasterxml.jackson.databind.JsonNode signals) {
        return reader.apply(new SettingsBlock(y, signals, "signals", key, keys));
    }

    /** The settings of a rules file that leaves the block out. */
    public S defaults() {
        YamlTree y = YamlTree.forSource("defaults");
        S s = read(y, MissingNode.getInstance());
        y.throwIfInvalid();
        return s;
    }

    public int lookbackDays(Object settings) {
        return lookbackDays.applyAsInt(cast(settings));
    }
}
