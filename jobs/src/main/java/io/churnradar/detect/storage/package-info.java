/**
 * The stored form of the account state: a compact, versioned binary layout (varints, deltas, presence
 * bitmaps, 64-bit hashed de-duplication ids) written by a Flink {@code TypeSerializer}. It is Flink
 * plumbing and sits outside the state layer, which names it only through {@code @TypeInfo} on
 * {@link io.churnradar.detect.AccountState}; savepoints of the earlier POJO layout migrate through its snapshot.
 */
package io.churnradar.detect.storage;
