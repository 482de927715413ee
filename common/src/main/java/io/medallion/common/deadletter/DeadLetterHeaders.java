package io.medallion.common.deadletter;

import java.util.List;

/** The Kafka header names of a dead letter (shared/DESIGN.md §4); values are UTF-8 strings. */
public final class DeadLetterHeaders {
  public static final String ERROR_CODE = "dlq.error.code";
  public static final String ERROR_FIELD = "dlq.error.field";
  public static final String ERROR_MESSAGE = "dlq.error.message";
  public static final String ERROR_CLASS = "dlq.error.class";
  public static final String STAGE = "dlq.stage";
  public static final String JOB = "dlq.job";
  public static final String SOURCE_TOPIC = "dlq.source.topic";
  public static final String SOURCE_PARTITION = "dlq.source.partition";
  public static final String SOURCE_OFFSET = "dlq.source.offset";
  public static final String SOURCE_TIMESTAMP = "dlq.source.timestamp";
  public static final String FAILED_AT = "dlq.failed.at";

  /**
   * Not a dead-letter header: the one header of a record that {@code medallion dlq replay}
   * re-published to a raw topic, naming the dead letter it came from as {@code <dead-letter
   * topic>/<partition>/<offset>}.
   */
  public static final String REPLAYED_FROM = "dlq.replayed-from";

  /** Headers present on every dead letter; {@link #ERROR_FIELD} and {@link #ERROR_CLASS} are optional. */
  public static final List<String> ALWAYS_PRESENT =
      List.of(
          ERROR_CODE,
          ERROR_MESSAGE,
          STAGE,
          JOB,
          SOURCE_TOPIC,
          SOURCE_PARTITION,
          SOURCE_OFFSET,
          SOURCE_TIMESTAMP,
          FAILED_AT);

  private DeadLetterHeaders() {}
}
