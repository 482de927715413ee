package io.medallion.testkit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.medallion.common.event.DecodeLimits;
import io.medallion.common.event.ErrorCode;
import io.medallion.schema.EventEnvelope;
import io.medallion.schema.Metric;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Records that bronze-ingest must dead-letter, one kind per bronze error code and field, each with
 * the code and field the dead letter must carry. Derived from a valid event so that exactly one
 * thing is wrong with each.
 */
public final class BadRecords {

  /** A bad record and the {@code dlq.error.code} / {@code dlq.error.field} it must get. */
  public record Bad(String name, byte[] value, ErrorCode code, String field) {}

  private BadRecords() {}

  /** One of each bronze rejection; {@code tooLargeBytes} is the size of the RECORD_TOO_LARGE sample. */
  public static List<Bad> bronze(EventFactory events, int tooLargeBytes) {
    return List.of(
        new Bad("truncated JSON", Arrays.copyOf(valid(events), 40), ErrorCode.MALFORMED_JSON, null),
        new Bad("empty value", new byte[0], ErrorCode.MALFORMED_JSON, null),
        new Bad("invalid UTF-8", invalidUtf8(events), ErrorCode.INVALID_ENCODING, null),
        new Bad("JSON array", "[1,2,3]".getBytes(StandardCharsets.UTF_8), ErrorCode.NOT_AN_OBJECT, null),
        new Bad("too large", tooLarge(events, tooLargeBytes), ErrorCode.RECORD_TOO_LARGE, null),
        without(events, "event_id", ErrorCode.MISSING_FIELD),
        without(events, "event_type", ErrorCode.MISSING_FIELD),
        without(events, "event_timestamp", ErrorCode.MISSING_FIELD),
        without(events, "source_system", ErrorCode.MISSING_FIELD),
        without(events, "payload", ErrorCode.MISSING_FIELD),
        with(events, "event_id", "not-a-uuid", ErrorCode.INVALID_FIELD),
        with(events, "event_timestamp", "2026-11-22 10:15:30", ErrorCode.INVALID_FIELD),
        with(events, "source_system", "   ", ErrorCode.MISSING_FIELD),
        withPayload(events, "a string payload"),
        new Bad("unknown Avro fingerprint", unknownAvroSchema(), ErrorCode.UNKNOWN_SCHEMA, null),
        new Bad("corrupt Avro body", corruptAvroBody(), ErrorCode.INVALID_ENCODING, null));
  }

  /**
   * Hostile records (issue #9): tombstone, blank values, byte order marks, NUL bytes, UTF-16,
   * duplicate keys, and values beyond each {@link DecodeLimits} limit and beyond {@code
   * maxRecordBytes}. Every one must become a dead letter with its code, in bronze and silver alike,
   * without failing the job. {@code maxRecordBytes} must leave room for a string at the limit.
   */
  public static List<Bad> hostile(EventFactory events, int maxRecordBytes) {
    if (maxRecordBytes < DecodeLimits.MAX_STRING_LENGTH + 2_048) {
      throw new IllegalArgumentException("max-record-bytes " + maxRecordBytes + " has no room for a string at the limit");
    }
    byte[] bom = BYTE_ORDER_MARK;
    ObjectNode deep = events.next();
    ((ObjectNode) deep.get("payload")).put("deep", "@nest@");
    String tooDeep = "[".repeat(DecodeLimits.MAX_NESTING_DEPTH - 1) + "]".repeat(DecodeLimits.MAX_NESTING_DEPTH - 1);
    ObjectNode longNumber = events.next();
    ((ObjectNode) longNumber.get("payload")).put("n", new java.math.BigInteger("9".repeat(DecodeLimits.MAX_NUMBER_LENGTH + 1)));
    ObjectNode longKey = events.next();
    ((ObjectNode) longKey.get("payload")).put("k".repeat(DecodeLimits.MAX_NAME_LENGTH + 1), 1);
    ObjectNode longString = events.next();
    longString.put("source_system", "s".repeat(DecodeLimits.MAX_STRING_LENGTH + 1));
    String nulInString = EventFactory.text(events.next()).replaceFirst("\"source_system\":\"", "\"source_system\":\"\u0000");
    String dupPayloadKey = EventFactory.text(events.next()).replaceFirst("\"payload\":\\{", "\"payload\":{\"k\":1,\"k\":2,");
    return List.of(
        new Bad("tombstone", null, ErrorCode.MALFORMED_JSON, null),
        new Bad("empty value", new byte[0], ErrorCode.MALFORMED_JSON, null),
        new Bad("whitespace only", " \r\n\t ".getBytes(StandardCharsets.UTF_8), ErrorCode.MALFORMED_JSON, null),
        new Bad("byte order mark only", bom.clone(), ErrorCode.MALFORMED_JSON, null),
        new Bad("two byte order marks", concat(bom, concat(bom, valid(events))), ErrorCode.MALFORMED_JSON, null),
        new Bad("NUL terminator", concat(valid(events), new byte[] {0}), ErrorCode.MALFORMED_JSON, null),
        new Bad("NUL in a string", nulInString.getBytes(StandardCharsets.UTF_8), ErrorCode.MALFORMED_JSON, null),
        new Bad("UTF-16LE", EventFactory.text(events.next()).getBytes(StandardCharsets.UTF_16LE), ErrorCode.MALFORMED_JSON, null),
        new Bad("UTF-16 with its BOM", EventFactory.text(events.next()).getBytes(StandardCharsets.UTF_16), ErrorCode.INVALID_ENCODING, null),
        new Bad("duplicate event_id", duplicateEventId(events), ErrorCode.MALFORMED_JSON, null),
        new Bad("duplicate payload key", dupPayloadKey.getBytes(StandardCharsets.UTF_8), ErrorCode.MALFORMED_JSON, null),
        new Bad("nesting over the limit", EventFactory.text(deep).replace("\"@nest@\"", tooDeep).getBytes(StandardCharsets.UTF_8), ErrorCode.RECORD_TOO_LARGE, null),
        new Bad("nesting bomb", "[".repeat(Math.min(50_000, maxRecordBytes)).getBytes(StandardCharsets.UTF_8), ErrorCode.RECORD_TOO_LARGE, null),
        new Bad("number over the limit", EventFactory.bytes(longNumber), ErrorCode.RECORD_TOO_LARGE, null),
        new Bad("key over the limit", EventFactory.bytes(longKey), ErrorCode.RECORD_TOO_LARGE, null),
        new Bad("string over the limit", EventFactory.bytes(longString), ErrorCode.RECORD_TOO_LARGE, null),
        new Bad("over max-record-bytes", tooLarge(events, maxRecordBytes), ErrorCode.RECORD_TOO_LARGE, null),
        new Bad("Avro claiming a 2 GiB string", avroClaimingAHugeString(), ErrorCode.INVALID_ENCODING, null));
  }

  /** A UTF-8 byte order mark, which the decoder ignores in front of an otherwise valid record. */
  public static final byte[] BYTE_ORDER_MARK = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

  /** The value with a UTF-8 byte order mark in front. */
  public static byte[] withByteOrderMark(byte[] value) {
    return concat(BYTE_ORDER_MARK, value);
  }

  private static byte[] duplicateEventId(EventFactory events) {
    ObjectNode event = events.next();
    String other = events.next().get("event_id").asText();
    return ("{\"event_id\":\"" + other + "\"," + EventFactory.text(event).substring(1)).getBytes(StandardCharsets.UTF_8);
  }

  /** The header of a valid record, then an event_id whose length claims 2 GiB (just under the JVM array limit), then two bytes. */
  private static byte[] avroClaimingAHugeString() {
    byte[] header = Arrays.copyOf(avro("0b7c2f4e-1d5a-4c39-9a57-2d1f0c3e4b5c", Instant.parse("2026-11-22T10:00:00Z")), 10);
    return concat(header, new byte[] {(byte) 0xE0, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F, 'a', 'b'});
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] both = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return both;
  }

  private static byte[] valid(EventFactory events) {
    return EventFactory.bytes(events.next());
  }

  private static byte[] invalidUtf8(EventFactory events) {
    byte[] json = valid(events);
    String text = new String(json, StandardCharsets.UTF_8);
    int at = text.indexOf("\"source_system\":\"") + "\"source_system\":\"".length();
    json[at] = (byte) 0xFF;
    return json;
  }

  private static byte[] tooLarge(EventFactory events, int size) {
    ObjectNode event = events.next("system");
    ((ObjectNode) event.get("payload")).put("message", "x".repeat(size));
    return EventFactory.bytes(event);
  }

  private static Bad without(EventFactory events, String field, ErrorCode code) {
    ObjectNode event = events.next();
    event.remove(field);
    return new Bad("without " + field, EventFactory.bytes(event), code, field);
  }

  private static Bad with(EventFactory events, String field, String value, ErrorCode code) {
    ObjectNode event = events.next();
    event.put(field, value);
    return new Bad(field + " = " + value, EventFactory.bytes(event), code, field);
  }

  private static Bad withPayload(EventFactory events, String payload) {
    ObjectNode event = events.next();
    event.put("payload", payload);
    return new Bad("payload not an object", EventFactory.bytes(event), ErrorCode.INVALID_FIELD, "payload");
  }

  /** A valid Avro single-object record of the bundled envelope schema. */
  public static byte[] avro(String eventId, Instant time) {
    EventEnvelope envelope =
        EventEnvelope.newBuilder()
            .setEventId(eventId)
            .setEventType("metric")
            .setEventTimestamp(time.truncatedTo(ChronoUnit.MICROS))
            .setSourceSystem("metrics-agent")
            .setSchemaVersion(1)
            .setPayload(Metric.newBuilder().setName("cpu.load").setValue(0.75).setUnit("ratio").setTags(Map.of("host", "n1")).build())
            .setMetadata(Map.of("region", "eu-west-1"))
            .build();
    try {
      ByteBuffer buffer = envelope.toByteBuffer();
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      return bytes;
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] unknownAvroSchema() {
    byte[] bytes = avro("0b7c2f4e-1d5a-4c39-9a57-2d1f0c3e4b5a", Instant.parse("2026-11-22T10:00:00Z"));
    for (int i = 2; i < 10; i++) {
      bytes[i] = (byte) 0x5A;
    }
    return bytes;
  }

  private static byte[] corruptAvroBody() {
    byte[] bytes = avro("0b7c2f4e-1d5a-4c39-9a57-2d1f0c3e4b5b", Instant.parse("2026-11-22T10:00:00Z"));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(bytes, 0, 10);
    out.write(0x7F); // a string length far longer than the record
    return out.toByteArray();
  }
}
