package io.medallion.common.quality;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.medallion.common.event.DecodeResult;
import io.medallion.common.event.Envelope;
import io.medallion.common.event.EnvelopeDecoder;
import io.medallion.common.event.RawRecord;
import io.medallion.common.silver.RuleViolation;
import io.medallion.common.silver.SilverValidator;
import java.io.IOException;
import java.time.Instant;
import java.util.List;

/**
 * Profiles a raw record with the same decoder and the same silver rules the pipeline uses, so the
 * monitor's valid ratio and per-rule violation rates are what silver will do with the record.
 *
 * <p>Fields for missing-value checks are {@code source_system}, {@code metadata.<key>} or {@code
 * payload.<name>} (decoding already requires the other envelope fields); a field is missing when
 * absent, null or a blank string.
 */
public final class RecordProfiler {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PAYLOAD_PREFIX = "payload.";
  private static final String METADATA_PREFIX = "metadata.";

  private final EnvelopeDecoder decoder;
  private final SilverValidator validator;
  private final List<String> fields;
  private final boolean readsPayload;

  /** {@code fields}: the fields that missing-value checks ask about, a bit each in {@link RecordProfile#missingFields}. */
  public RecordProfiler(EnvelopeDecoder decoder, SilverValidator validator, List<String> fields) {
    RecordProfile.requireTrackable(fields);
    fields.forEach(field -> {
      if (!isCheckable(field)) {
        throw new IllegalArgumentException(field + " is not a field that can be missing: use " + CHECKABLE);
      }
    });
    this.decoder = decoder;
    this.validator = validator;
    this.fields = List.copyOf(fields);
    this.readsPayload = fields.stream().anyMatch(f -> f.startsWith(PAYLOAD_PREFIX));
  }

  public RecordProfile profile(RawRecord record) {
    RecordProfile profile = new RecordProfile();
    profile.topic = record.topic;
    profile.timestamp = record.timestamp;
    if (!(decoder.decode(record.value) instanceof DecodeResult.Decoded decoded)) {
      return profile;
    }
    Envelope envelope = decoded.envelope();
    profile.eventId = envelope.eventId();
    profile.eventType = envelope.eventType();
    profile.schemaVersion = envelope.schemaVersion();
    profile.lagMillis = lagMillis(record.timestamp, envelope.eventTime());
    JsonNode payload = null;
    try {
      payload = validator.validate(envelope, new SilverValidator.Source(record.topic, record.partition, record.offset, Instant.ofEpochMilli(record.timestamp))).payload();
      profile.valid = true;
    } catch (RuleViolation violation) {
      profile.violatedRule = violation.rule().id();
      // The validator stopped before handing over the payload: parse it here, for the few invalid records.
      payload = readsPayload ? payload(envelope) : null;
    }
    profile.missingFields = missingFields(envelope, payload);
    return profile;
  }

  /**
   * Kafka time − event time, saturated at the range of a long: ISO-8601 lets an event time have a
   * nine-digit year, whose epoch milliseconds do not fit one, and such a poison record must be
   * profiled (silver's timestamp rule breaks it), not stop the monitor.
   */
  private static long lagMillis(long recordMillis, Instant eventTime) {
    try {
      return Math.subtractExact(recordMillis, eventTime.toEpochMilli());
    } catch (ArithmeticException beyondALong) {
      return eventTime.isBefore(Instant.ofEpochMilli(recordMillis)) ? Long.MAX_VALUE : Long.MIN_VALUE;
    }
  }

  private long missingFields(Envelope envelope, JsonNode payload) {
    long missing = 0;
    for (int i = 0; i < fields.size(); i++) {
      if (isMissing(fields.get(i), envelope, payload)) {
        missing |= 1L << i;
      }
    }
    return missing;
  }

  /** The fields a missing-value check may name. */
  public static final String CHECKABLE = "source_system, metadata.<key> or payload.<name>";

  /** Whether a missing-value check may name {@code field} (the others are required by decoding). */
  public static boolean isCheckable(String field) {
    return field.equals(EnvelopeDecoder.SOURCE_SYSTEM)
        || (field.startsWith(METADATA_PREFIX) && field.length() > METADATA_PREFIX.length())
        || (field.startsWith(PAYLOAD_PREFIX) && field.length() > PAYLOAD_PREFIX.length());
  }

  private static boolean isMissing(String field, Envelope envelope, JsonNode payload) {
    if (field.startsWith(PAYLOAD_PREFIX)) {
      JsonNode node = payload == null ? null : payload.get(field.substring(PAYLOAD_PREFIX.length()));
      return node == null || node.isNull() || (node.isTextual() && node.asText().isBlank());
    }
    if (field.startsWith(METADATA_PREFIX)) {
      return isBlank(envelope.metadata().get(field.substring(METADATA_PREFIX.length())));
    }
    return isBlank(envelope.sourceSystem());
  }

  private static boolean isBlank(String text) {
    return text == null || text.isBlank();
  }

  /** The payload object, or null when it is not one (the payload rule already counts that record). */
  private static JsonNode payload(Envelope envelope) {
    try {
      JsonNode node = JSON.readTree(envelope.payloadJson());
      return node != null && node.isObject() ? node : null;
    } catch (IOException e) {
      return null;
    }
  }
}
