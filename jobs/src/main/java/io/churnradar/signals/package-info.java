/**
 * The churn signals, free of Flink: the {@link io.churnradar.signals.Signal} names, the
 * {@link io.churnradar.signals.SignalCatalog} that registers every family in the order the engine runs
 * them, and one package per family (usage, inactivity, payment, tickets, feedback, card, features,
 * subscription, renewal, propensity). A family file holds everything about its signals: the hooks of
 * {@link io.churnradar.signals.SignalFamily}, its immutable settings with their defaults, ranges and
 * error messages (its {@link io.churnradar.signals.SignalSpec}), and the evidence keys its alerts carry.
 *
 * <p>Families read and write the account state ({@code io.churnradar.detect.AccountState} and
 * {@code io.churnradar.detect.state}) and raise alerts through {@link io.churnradar.signals.Alerting};
 * they know nothing of the engine that calls them or of the Flink operator (LayersTest checks it).
 */
package io.churnradar.signals;
