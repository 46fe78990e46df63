/**
 * The bottom layer of detection: helpers over an account's stored state (day buckets, feature usage)
 * and the day arithmetic of event time. They depend on the state classes only, never on the engine,
 * the signals or Flink.
 *
 * <p>{@link io.churnradar.detect.AccountState} and its nested state classes (SubscriptionState,
 * FeedbackState, CardState, UrgentTicketsState) and {@link io.churnradar.detect.Episode} belong to this
 * layer but still live in {@code io.churnradar.detect}: savepoints of versions 1 to 3 name them (their
 * POJO layout migrates on restore). Their compact stored form is in {@code io.churnradar.detect.storage}. AccountState refers to the {@code Signal} enum (its
 * episodes are indexed by ordinal) and to {@code io.churnradar.play.PlaysState}.
 */
package io.churnradar.detect.state;
