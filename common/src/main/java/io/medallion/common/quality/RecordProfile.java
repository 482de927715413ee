package io.medallion.common.quality;

import java.util.List;

/**
 * What the quality monitor learns from one record of a raw topic or one dead letter: the facts
 * every metric of {@link Metric} is computed from, so a record is decoded and validated once
 * however many checks look at it. A Flink POJO (public fields, no-arg constructor).
 */
public class RecordProfile {
  /** The raw topic the record was read from; for a dead letter, the topic of the record it failed on. */
  public String topic;
  /** The envelope's event type, or null when the record did not decode. */
  public String eventType;
  /** The envelope's event id, or null when the record did not decode. */
  public String eventId;
  /** Kafka record timestamp, epoch milliseconds: the monitor's event time. */
  public long timestamp;

  /** A record of a dead-letter topic: counted for dead-letter rates only. */
  public boolean deadLetter;
  /** The dead letter's error code, an {@code ErrorCode} name; null when it has none this build knows. */
  public String errorCode;
  /** Where the monitor read the dead letter (its dead-letter topic, partition and offset), for the audit ledger. */
  public String deadLetterTopic;

  public int deadLetterPartition;
  public long deadLetterOffset;

  /** Decoded and broke no silver rule. */
  public boolean valid;
  /** The id of the first silver rule the record broke (the one its dead letter names), or null. */
  public String violatedRule;
  /** The envelope's schema version, 0 when it did not decode. */
  public int schemaVersion;
  /** Kafka timestamp − event time, milliseconds; only meaningful when {@link #eventId} is set. */
  public long lagMillis;
  /** Bit {@code i} set: field {@code i} of the profiler's field list is missing, null or blank. */
  public long missingFields;
  /**
   * A duplicate marker: the monitor had seen this event id before. Markers come from the duplicate
   * detector beside the records themselves, and count only as duplicates.
   */
  public boolean duplicate;

  public RecordProfile() {}

  /** The profile of a dead letter read from a dead-letter topic. */
  public static RecordProfile ofDeadLetter(String sourceTopic, String errorCode, long timestamp) {
    RecordProfile profile = new RecordProfile();
    profile.topic = sourceTopic;
    profile.errorCode = errorCode;
    profile.timestamp = timestamp;
    profile.deadLetter = true;
    return profile;
  }

  /** The duplicate marker of a record whose event id was seen before. */
  public static RecordProfile duplicateOf(RecordProfile record) {
    RecordProfile marker = new RecordProfile();
    marker.topic = record.topic;
    marker.eventType = record.eventType;
    marker.eventId = record.eventId;
    marker.timestamp = record.timestamp;
    marker.duplicate = true;
    return marker;
  }

  public boolean decoded() {
    return eventId != null;
  }

  /** Whether the field at {@code index} of {@code fields} is missing in this record. */
  public boolean missing(int index) {
    return (missingFields & (1L << index)) != 0;
  }

  /** The fields a profiler can track: a bit each. */
  static final int MAX_FIELDS = Long.SIZE;

  static void requireTrackable(List<String> fields) {
    if (fields.size() > MAX_FIELDS) {
      throw new IllegalArgumentException("at most " + MAX_FIELDS + " fields can be checked for missing values, not " + fields.size());
    }
  }
}
