package io.churnradar.rules;

/**
 * One record of the rules topic: the text of a rules file as published, and where it was read. A POJO,
 * so that Flink serializes it without Kryo.
 */
public class RulesUpdate {
    /** The rules YAML, or null for a tombstone or a value that is not UTF-8 ({@link #problem} says which). */
    public String text;
    /** Why the value is not a rules text, or null. */
    public String problem;
    /** The record's key as UTF-8 (e.g. "rules"), or null. */
    public String key;
    public String topic;
    public int partition;
    public long offset;
    /** The record's Kafka timestamp, or null when it has none. */
    public Long timestamp;

    public RulesUpdate() {}

    public static RulesUpdate of(String text, String topic, int partition, long offset) {
        RulesUpdate u = new RulesUpdate();
        u.text = text;
        u.topic = topic;
        u.partition = partition;
        u.offset = offset;
        return u;
    }

    /** Where it came from, for messages: {@code topic[partition]@offset}. */
    public String origin() {
        return topic + "[" + partition + "]@" + offset;
    }
}
