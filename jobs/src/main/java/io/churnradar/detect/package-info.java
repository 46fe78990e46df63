/**
 * Churn detection as Flink runs it. This package holds three layers, checked by LayersTest:
 * <ul>
 *   <li>the account state: {@link io.churnradar.detect.AccountState}, its nested state classes and
 *       {@link io.churnradar.detect.Episode} (their helpers and day arithmetic are in
 *       {@code io.churnradar.detect.state}); they stay here because their class names are part of
 *       savepoints;
 *   <li>the engine, free of Flink: {@link io.churnradar.detect.SignalEngine} runs the families of
 *       {@code io.churnradar.signals.SignalCatalog} in event-time order through
 *       {@code Emitter} (episodes, alert dating, playbooks), with {@code AccountFacts},
 *       {@link io.churnradar.detect.DetectionOutput}, {@link io.churnradar.detect.Alerts} and
 *       {@link io.churnradar.detect.HealthComponents}; the health model is {@code io.churnradar.score};
 *   <li>the Flink operator: {@link io.churnradar.detect.ChurnDetector} and
 *       {@link io.churnradar.detect.ChurnPipeline}.
 * </ul>
 */
package io.churnradar.detect;
