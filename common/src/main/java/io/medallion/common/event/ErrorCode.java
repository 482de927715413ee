package io.medallion.common.event;

/**
 * Why a record was dead-lettered (shared/DESIGN.md §4). The name is the value of the {@code
 * dlq.error.code} header and of the {@code error_code} metric label, so renaming one is a
 * breaking change for every consumer of dead-letter topics and dashboards.
 */
public enum ErrorCode {
  /**
   * The value is not parseable JSON: including a tombstone (null value), an empty or
   * whitespace-only value, a duplicate key anywhere and a NUL byte in otherwise valid UTF-8.
   */
  MALFORMED_JSON,
  /** The bytes are not valid UTF-8, or an Avro body does not decode. */
  INVALID_ENCODING,
  /** The JSON value is valid but not an object. */
  NOT_AN_OBJECT,
  /**
   * The value is larger than {@code max-record-bytes}, or exceeds one of the {@link DecodeLimits}
   * (nesting depth, string, number or key length).
   */
  RECORD_TOO_LARGE,
  /** A required field is absent, null or blank. */
  MISSING_FIELD,
  /** A field is present but has the wrong type or an invalid value. */
  INVALID_FIELD,
  /** The {@code event_type} has no payload definition. */
  UNKNOWN_EVENT_TYPE,
  /** The {@code schema_version} is not one this build knows for the event type. */
  UNSUPPORTED_SCHEMA_VERSION,
  /** The {@code event_timestamp} is too far in the future or too old. */
  TIMESTAMP_OUT_OF_RANGE,
  /** An Avro single-object record whose schema fingerprint is not bundled. */
  UNKNOWN_SCHEMA,
  /** An event later than the allowed lateness of its window. */
  LATE_EVENT
}
