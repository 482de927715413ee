package io.medallion.common.event;

import java.util.Arrays;
import java.util.Objects;

/**
 * One Kafka record as it was read: coordinates and the untouched key and value bytes. Sources
 * emit these without interpreting the bytes, so that no input can fail the source; decoding
 * happens in a process function that can dead-letter.
 *
 * <p>A Flink POJO (public no-arg constructor, public fields) so it is serialized without Kryo.
 */
public class RawRecord {
  public String topic;
  public int partition;
  public long offset;
  /** Kafka record timestamp, epoch milliseconds. */
  public long timestamp;

  public byte[] key;
  public byte[] value;

  public RawRecord() {}

  public RawRecord(String topic, int partition, long offset, long timestamp, byte[] key, byte[] value) {
    this.topic = topic;
    this.partition = partition;
    this.offset = offset;
    this.timestamp = timestamp;
    this.key = key;
    this.value = value;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RawRecord r
        && partition == r.partition
        && offset == r.offset
        && timestamp == r.timestamp
        && Objects.equals(topic, r.topic)
        && Arrays.equals(key, r.key)
        && Arrays.equals(value, r.value);
  }

  @Override
  public int hashCode() {
    return Objects.hash(topic, partition, offset);
  }

  @Override
  public String toString() {
    return topic + "-" + partition + "@" + offset;
  }
}
