package io.medallion.common.deadletter;

import io.medallion.common.event.RawRecord;
import io.medallion.common.event.Rejection;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * A record that a stage could not process: the ORIGINAL key and value bytes, unchanged so the
 * record can be replayed, plus the reason and the source coordinates that become the {@code dlq.*}
 * headers of shared/DESIGN.md §4.
 *
 * <p>A Flink POJO (public fields, no-arg constructor): header values are plain fields rather than
 * a map so the type needs no Kryo fallback.
 */
public class DeadLetter {
  public byte[] key;
  public byte[] value;

  public String errorCode;
  /** The one field at fault, or null. */
  public String errorField;
  public String errorMessage;
  /** The class of the exception that caused it, or null. */
  public String errorClass;

  public String stage;
  public String job;
  public String sourceTopic;
  public int sourcePartition;
  public long sourceOffset;
  /** Kafka timestamp of the source record, epoch milliseconds. */
  public long sourceTimestamp;
  /** When the stage gave up on the record, epoch milliseconds. */
  public long failedAt;

  public DeadLetter() {}

  /** A dead letter for a Kafka record that the given job of the given stage rejected at {@code failedAt}. */
  public static DeadLetter of(RawRecord record, Rejection rejection, Stage stage, String job, Instant failedAt) {
    DeadLetter letter = new DeadLetter();
    letter.key = record.key;
    letter.value = record.value;
    letter.errorCode = rejection.code().name();
    letter.errorField = rejection.field();
    letter.errorMessage = rejection.message();
    letter.errorClass = rejection.exceptionClass();
    letter.stage = stage.headerValue();
    letter.job = job;
    letter.sourceTopic = record.topic;
    letter.sourcePartition = record.partition;
    letter.sourceOffset = record.offset;
    letter.sourceTimestamp = record.timestamp;
    letter.failedAt = failedAt.toEpochMilli();
    return letter;
  }

  /** The {@code dlq.*} headers, in the order of the contract; optional ones only when set. */
  public List<Header> headers() {
    List<Header> headers = new ArrayList<>(11);
    add(headers, DeadLetterHeaders.ERROR_CODE, errorCode);
    if (errorField != null) {
      add(headers, DeadLetterHeaders.ERROR_FIELD, errorField);
    }
    add(headers, DeadLetterHeaders.ERROR_MESSAGE, errorMessage);
    if (errorClass != null) {
      add(headers, DeadLetterHeaders.ERROR_CLASS, errorClass);
    }
    add(headers, DeadLetterHeaders.STAGE, stage);
    add(headers, DeadLetterHeaders.JOB, job);
    add(headers, DeadLetterHeaders.SOURCE_TOPIC, sourceTopic);
    add(headers, DeadLetterHeaders.SOURCE_PARTITION, Integer.toString(sourcePartition));
    add(headers, DeadLetterHeaders.SOURCE_OFFSET, Long.toString(sourceOffset));
    add(headers, DeadLetterHeaders.SOURCE_TIMESTAMP, Instant.ofEpochMilli(sourceTimestamp).toString());
    add(headers, DeadLetterHeaders.FAILED_AT, Instant.ofEpochMilli(failedAt).toString());
    return headers;
  }

  private static void add(List<Header> headers, String name, String value) {
    headers.add(new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8)));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DeadLetter d
        && Arrays.equals(key, d.key)
        && Arrays.equals(value, d.value)
        && Objects.equals(errorCode, d.errorCode)
        && Objects.equals(errorField, d.errorField)
        && Objects.equals(errorMessage, d.errorMessage)
        && Objects.equals(errorClass, d.errorClass)
        && Objects.equals(stage, d.stage)
        && Objects.equals(job, d.job)
        && Objects.equals(sourceTopic, d.sourceTopic)
        && sourcePartition == d.sourcePartition
        && sourceOffset == d.sourceOffset
        && sourceTimestamp == d.sourceTimestamp
        && failedAt == d.failedAt;
  }

  @Override
  public int hashCode() {
    return Objects.hash(sourceTopic, sourcePartition, sourceOffset, errorCode);
  }

  @Override
  public String toString() {
    return "DeadLetter{" + errorCode + (errorField == null ? "" : " " + errorField) + " from "
        + sourceTopic + "-" + sourcePartition + "@" + sourceOffset + ": " + errorMessage + "}";
  }
}
