package io.medallion.common.event;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.schema.EventEnvelope;
import io.medallion.schema.Transaction;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EnvelopeDecoderTest {
  private static final String ID = "1b4e28ba-2fa1-41d2-883f-0016d3cca427";
  private final EnvelopeDecoder decoder = new EnvelopeDecoder(4096);

  private static String event(String timestamp, String payload) {
    return "{\"event_id\":\"" + ID + "\",\"event_type\":\"transaction\",\"event_timestamp\":\"" + timestamp
        + "\",\"source_system\":\"payments-api\",\"schema_version\":1,\"payload\":" + payload
        + ",\"metadata\":{\"region\":\"eu-west-1\"}}";
  }

  private Envelope decoded(String json) {
    DecodeResult result = decoder.decode(json.getBytes(StandardCharsets.UTF_8));
    assertThat(result).isInstanceOf(DecodeResult.Decoded.class);
    return ((DecodeResult.Decoded) result).envelope();
  }

  private Rejection rejected(byte[] value) {
    DecodeResult result = decoder.decode(value);
    assertThat(result).isInstanceOf(DecodeResult.Rejected.class);
    return ((DecodeResult.Rejected) result).rejection();
  }

  private Rejection rejected(String json) {
    return rejected(json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void decodesAValidEnvelopeAndKeepsThePayloadBytesVerbatim() {
    String payload = "{ \"amount\": 10.10, \"currency\":\"eur\", \"unknown_extra\": [1, {\"x\": null}], \"name\": \"Zoë 🚀\" }";
    Envelope envelope = decoded(event("2026-11-22T10:15:30.123Z", payload));

    assertThat(envelope)
        .isEqualTo(
            new Envelope(
                ID,
                "transaction",
                1,
                "payments-api",
                Instant.parse("2026-11-22T10:15:30.123Z"),
                payload,
                Map.of("region", "eu-west-1")));
  }

  @ParameterizedTest
  @CsvSource({
    "2026-11-22T10:15:30Z, 2026-11-22T10:15:30Z",
    "2026-11-22T10:15:30.5Z, 2026-11-22T10:15:30.500Z",
    "2026-11-22T10:15:30.123456789Z, 2026-11-22T10:15:30.123456789Z",
    "2026-11-22T12:15:30+02:00, 2026-11-22T10:15:30Z",
    "2026-11-22T05:15:30.250-05:00, 2026-11-22T10:15:30.250Z",
    "2026-11-22T10:15:30+00:00, 2026-11-22T10:15:30Z",
  })
  void convertsTimestampsWithZOrAnOffsetToUtc(String sent, String utc) {
    assertThat(decoded(event(sent, "{}")).eventTime()).isEqualTo(Instant.parse(utc));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "2026-11-22T10:15:30",
        "2026-11-22 10:15:30Z",
        "22/11/2026",
        "2026-13-01T00:00:00Z",
      })
  void rejectsTimestampsWithoutZoneOrNotIso(String sent) {
    Rejection rejection = rejected(event(sent, "{}"));
    assertThat(rejection.code()).isEqualTo(ErrorCode.INVALID_FIELD);
    assertThat(rejection.field()).isEqualTo("event_timestamp");
    assertThat(rejection.exceptionClass()).isEqualTo("java.time.format.DateTimeParseException");
  }

  @Test
  void trimsFieldsDefaultsTheSchemaVersionAndFlattensMetadataValuesToText() {
    Envelope envelope =
        decoded(
            "{\"event_id\":\" " + ID + " \",\"event_type\":\" metric \",\"event_timestamp\":\" 2026-11-22T10:15:30Z \","
                + "\"source_system\":\" agent \",\"payload\":{},"
                + "\"metadata\":{\"retries\":3,\"sampled\":true,\"gone\":null,\"nested\":{\"a\":[1,2]}},\"extra_top_level\":1}");
    assertThat(envelope.eventId()).isEqualTo(ID);
    assertThat(envelope.eventType()).isEqualTo("metric");
    assertThat(envelope.sourceSystem()).isEqualTo("agent");
    assertThat(envelope.schemaVersion()).isEqualTo(1);
    assertThat(envelope.metadata())
        .containsExactlyInAnyOrderEntriesOf(Map.of("retries", "3", "sampled", "true", "nested", "{\"a\":[1,2]}"));
  }

  @Test
  void keepsAnySchemaVersionThatIsAnIntForSilverToJudge() {
    assertThat(decoded(event("2026-11-22T10:15:30Z", "{}").replace("\"schema_version\":1", "\"schema_version\":7")).schemaVersion())
        .isEqualTo(7);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "event_id        | MISSING_FIELD",
        "event_type      | MISSING_FIELD",
        "event_timestamp | MISSING_FIELD",
        "source_system   | MISSING_FIELD",
        "payload         | MISSING_FIELD",
      })
  void rejectsAMissingRequiredField(String field, ErrorCode code) {
    String json = event("2026-11-22T10:15:30Z", "{}").replaceFirst("\"" + field + "\":(\"[^\"]*\"|\\{}),?", "");
    assertThat(json).doesNotContain(field);
    assertThat(rejected(json)).isEqualTo(Rejection.ofField(code, field, field + " is missing"));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "\"event_id\":\"" + ID + "\"            | \"event_id\":null        | MISSING_FIELD | event_id",
        "\"event_id\":\"" + ID + "\"            | \"event_id\":\"  \"      | MISSING_FIELD | event_id",
        "\"event_id\":\"" + ID + "\"            | \"event_id\":\"abc\"     | INVALID_FIELD | event_id",
        "\"event_id\":\"" + ID + "\"            | \"event_id\":\"1-1-1-1-1\" | INVALID_FIELD | event_id",
        "\"event_id\":\"" + ID + "\"            | \"event_id\":42          | INVALID_FIELD | event_id",
        "\"event_type\":\"transaction\"         | \"event_type\":[\"a\"]   | INVALID_FIELD | event_type",
        "\"event_type\":\"transaction\"         | \"event_type\":\"\"      | MISSING_FIELD | event_type",
        "\"source_system\":\"payments-api\"     | \"source_system\":true   | INVALID_FIELD | source_system",
        "\"event_timestamp\":\"2026-11-22T10:15:30Z\" | \"event_timestamp\":1763806530 | INVALID_FIELD | event_timestamp",
        "\"payload\":{}                         | \"payload\":\"text\"     | INVALID_FIELD | payload",
        "\"payload\":{}                         | \"payload\":[]           | INVALID_FIELD | payload",
        "\"payload\":{}                         | \"payload\":null         | MISSING_FIELD | payload",
        "\"schema_version\":1                   | \"schema_version\":\"1\" | INVALID_FIELD | schema_version",
        "\"schema_version\":1                   | \"schema_version\":1.5   | INVALID_FIELD | schema_version",
        "\"schema_version\":1                   | \"schema_version\":9999999999 | INVALID_FIELD | schema_version",
        "\"metadata\":{\"region\":\"eu-west-1\"} | \"metadata\":\"eu\"    | INVALID_FIELD | metadata",
      })
  void rejectsAnInvalidField(String original, String replacement, ErrorCode code, String field) {
    String json = event("2026-11-22T10:15:30Z", "{}");
    assertThat(json).contains(original);
    Rejection rejection = rejected(json.replace(original, replacement));
    assertThat(rejection.code()).isEqualTo(code);
    assertThat(rejection.field()).isEqualTo(field);
    assertThat(rejection.message()).startsWith(field + " ");
  }

  @Test
  void rejectsMalformedJsonEmptyValuesAndTombstones() {
    assertThat(rejected("{\"event_id\": \"" + ID).code()).isEqualTo(ErrorCode.MALFORMED_JSON);
    assertThat(rejected("{\"event_id\": 'single'}").code()).isEqualTo(ErrorCode.MALFORMED_JSON);
    assertThat(rejected(event("2026-11-22T10:15:30Z", "{}") + " trailing").code()).isEqualTo(ErrorCode.MALFORMED_JSON);
    assertThat(rejected("[1, 2").code()).isEqualTo(ErrorCode.MALFORMED_JSON);
    assertThat(rejected(new byte[0])).isEqualTo(Rejection.of(ErrorCode.MALFORMED_JSON, "record value is empty"));
    assertThat(rejected((byte[]) null))
        .isEqualTo(Rejection.of(ErrorCode.MALFORMED_JSON, "record value is null (tombstone)"));
    assertThat(rejected("{\"a\":1").exceptionClass()).isEqualTo("com.fasterxml.jackson.core.io.JsonEOFException");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {"[1,2,3] | an array", "\"text\" | a string", "42 | a number", "null | null", "true | a boolean"})
  void rejectsJsonThatIsNotAnObject(String json, String kind) {
    assertThat(rejected(json))
        .isEqualTo(Rejection.of(ErrorCode.NOT_AN_OBJECT, "JSON value is " + kind + ", not an object"));
  }

  @Test
  void rejectsInvalidUtf8AsAnEncodingErrorNotAsMalformedJson() {
    byte[] inEnvelope = event("2026-11-22T10:15:30Z", "{}").getBytes(StandardCharsets.UTF_8);
    inEnvelope[event("2026-11-22T10:15:30Z", "{}").indexOf("payments-api")] = (byte) 0xC3;
    assertThat(rejected(inEnvelope).code()).isEqualTo(ErrorCode.INVALID_ENCODING);

    byte[] inPayload = event("2026-11-22T10:15:30Z", "{\"note\":\"ab\"}").getBytes(StandardCharsets.UTF_8);
    int at = new String(inPayload, StandardCharsets.UTF_8).indexOf("ab\"}");
    inPayload[at] = (byte) 0xFF;
    assertThat(rejected(inPayload).code()).isEqualTo(ErrorCode.INVALID_ENCODING);

    byte[] latin1 = "{\"event_id\":\"caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1);
    assertThat(rejected(latin1).code()).isEqualTo(ErrorCode.INVALID_ENCODING);
  }

  @Test
  void rejectsRecordsLargerThanTheLimitBeforeParsingThem() {
    byte[] big = new byte[4097];
    assertThat(rejected(big))
        .isEqualTo(Rejection.of(ErrorCode.RECORD_TOO_LARGE, "record value has 4097 bytes, more than max-record-bytes 4096"));
    int frame = event("2026-11-22T10:15:30Z", "{\"pad\":\"\"}").length();
    String fitted = event("2026-11-22T10:15:30Z", "{\"pad\":\"" + "x".repeat(4096 - frame) + "\"}");
    assertThat(fitted.getBytes(StandardCharsets.UTF_8)).hasSize(4096);
    assertThat(decoded(fitted).eventId()).isEqualTo(ID);
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] both = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return both;
  }

  @Test
  void rejectsNestingDeeperThanTheLimitAnywhereInTheRecord() {
    int depth = DecodeLimits.MAX_NESTING_DEPTH;
    // The envelope is level 1 and the payload level 2, so this payload reaches exactly the limit.
    String fits = "{\"a\":".repeat(depth - 2) + "1" + "}".repeat(depth - 2);
    assertThat(decoded(event("2026-11-22T10:15:30Z", fits)).payloadJson()).isEqualTo(fits);

    String tooDeep = "[".repeat(depth - 1) + "]".repeat(depth - 1);
    Rejection rejection = rejected(event("2026-11-22T10:15:30Z", "{\"x\":" + tooDeep + "}"));
    assertThat(rejection.code()).isEqualTo(ErrorCode.RECORD_TOO_LARGE);
    assertThat(rejection.message())
        .startsWith("record exceeds a decoding limit: Document nesting depth (" + (depth + 1) + ") exceeds the maximum allowed (" + depth);
    assertThat(rejection.exceptionClass()).isEqualTo("com.fasterxml.jackson.core.exc.StreamConstraintsException");
    assertThat(rejected("[".repeat(5000)).code()).isEqualTo(ErrorCode.RECORD_TOO_LARGE);
  }

  @Test
  void rejectsAStringLongerThanTheLimitInAFieldTheDecoderReads() {
    EnvelopeDecoder roomy = new EnvelopeDecoder(1 << 20);
    String fits = "s".repeat(DecodeLimits.MAX_STRING_LENGTH);
    String json = event("2026-11-22T10:15:30Z", "{}");
    assertThat(roomy.decode(utf8(json.replace("payments-api", fits))))
        .isInstanceOfSatisfying(DecodeResult.Decoded.class, d -> assertThat(d.envelope().sourceSystem()).hasSize(fits.length()));

    // Payload strings are skipped, not read: only max-record-bytes bounds them, and silver judges them.
    String longPayload = event("2026-11-22T10:15:30Z", "{\"message\":\"" + fits + "ss\"}");
    assertThat(roomy.decode(utf8(longPayload))).isInstanceOf(DecodeResult.Decoded.class);

    DecodeResult tooLong = roomy.decode(utf8(json.replace("payments-api", fits + "s")));
    assertThat(tooLong)
        .isInstanceOfSatisfying(DecodeResult.Rejected.class, r -> {
          assertThat(r.rejection().code()).isEqualTo(ErrorCode.RECORD_TOO_LARGE);
          assertThat(r.rejection().message()).contains("String value length", "exceeds the maximum allowed (" + DecodeLimits.MAX_STRING_LENGTH);
        });
  }

  @Test
  void rejectsNumbersAndKeysLongerThanTheLimitsEvenInsideThePayload() {
    String longNumber = "1".repeat(DecodeLimits.MAX_NUMBER_LENGTH + 1);
    Rejection number = rejected(event("2026-11-22T10:15:30Z", "{\"amount\":" + longNumber + "}"));
    assertThat(number.code()).isEqualTo(ErrorCode.RECORD_TOO_LARGE);
    assertThat(number.message()).contains("Number value length", "exceeds the maximum allowed (" + DecodeLimits.MAX_NUMBER_LENGTH);
    String fitting = "1".repeat(DecodeLimits.MAX_NUMBER_LENGTH);
    assertThat(decoded(event("2026-11-22T10:15:30Z", "{\"amount\":" + fitting + "}")).payloadJson()).contains(fitting);

    String longKey = "k".repeat(DecodeLimits.MAX_NAME_LENGTH + 1);
    Rejection key = rejected(event("2026-11-22T10:15:30Z", "{\"" + longKey + "\":1}"));
    assertThat(key.code()).isEqualTo(ErrorCode.RECORD_TOO_LARGE);
    assertThat(key.message()).contains("Name length", "exceeds the maximum allowed (" + DecodeLimits.MAX_NAME_LENGTH);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "\"event_id\":\"" + ID + "\"          | event_id",
        "\"source_system\":\"payments-api\" | source_system",
        "\"payload\":{}                      | payload",
        "\"metadata\":{\"region\":\"eu-west-1\"} | metadata",
      })
  void rejectsADuplicateTopLevelKey(String field, String name) {
    String json = event("2026-11-22T10:15:30Z", "{}");
    assertThat(json).contains(field);
    String twice = json.replace(field, field + "," + field);
    assertThat(rejected(twice))
        .isEqualTo(
            new Rejection(
                ErrorCode.MALFORMED_JSON,
                null,
                "malformed JSON: Duplicate field '" + name + "'",
                "com.fasterxml.jackson.core.JsonParseException"));
  }

  @Test
  void rejectsADuplicateKeyInsideThePayloadOrTheMetadata() {
    assertThat(rejected(event("2026-11-22T10:15:30Z", "{\"amount\":1,\"x\":{\"a\":1,\"a\":2},\"amount\":2}")).message())
        .isEqualTo("malformed JSON: Duplicate field 'a'");
    assertThat(rejected(event("2026-11-22T10:15:30Z", "{}").replace("\"region\":\"eu-west-1\"", "\"r\":\"1\",\"r\":\"2\"")).message())
        .isEqualTo("malformed JSON: Duplicate field 'r'");
  }

  @Test
  void ignoresOneLeadingUtf8ByteOrderMarkAndStoresThePayloadWithoutIt() {
    byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    String payload = "{\"amount\":1}";
    DecodeResult withBom = decoder.decode(concat(bom, utf8(event("2026-11-22T10:15:30Z", payload))));
    assertThat(withBom).isEqualTo(decoder.decode(utf8(event("2026-11-22T10:15:30Z", payload))));
    assertThat(((DecodeResult.Decoded) withBom).envelope().payloadJson()).isEqualTo(payload);

    assertThat(rejected(concat(bom, concat(bom, utf8(event("2026-11-22T10:15:30Z", payload))))).code())
        .isEqualTo(ErrorCode.MALFORMED_JSON);
    assertThat(rejected(bom)).isEqualTo(Rejection.of(ErrorCode.MALFORMED_JSON, "record value is a byte order mark and whitespace only"));
  }

  @Test
  void rejectsAWhitespaceOnlyValueAsMalformedNotAsANonObject() {
    assertThat(rejected(" \r\n\t")).isEqualTo(Rejection.of(ErrorCode.MALFORMED_JSON, "record value is whitespace only"));
  }

  @Test
  void rejectsNulBytesAndUtf16Or32TextInsteadOfGuessingTheirEncoding() {
    String json = event("2026-11-22T10:15:30Z", "{}");
    assertThat(rejected(concat(utf8(json), new byte[] {0})))
        .isEqualTo(
            Rejection.of(
                ErrorCode.MALFORMED_JSON,
                "record value has a NUL byte at offset " + json.length() + "; JSON text never does (UTF-16, UTF-32 or a C string?)"));
    byte[] inString = utf8(json.replace("payments-api", "payments\u0000api"));
    assertThat(rejected(inString).code()).isEqualTo(ErrorCode.MALFORMED_JSON);
    // An escaped NUL is valid JSON and stays in the payload, untouched.
    assertThat(decoded(event("2026-11-22T10:15:30Z", "{\"n\":\"a\\u0000b\"}")).payloadJson()).isEqualTo("{\"n\":\"a\\u0000b\"}");

    assertThat(rejected(json.getBytes(StandardCharsets.UTF_16LE)).code()).isEqualTo(ErrorCode.MALFORMED_JSON);
    assertThat(rejected(json.getBytes(StandardCharsets.UTF_16BE)).code()).isEqualTo(ErrorCode.MALFORMED_JSON);
    assertThat(rejected(json.getBytes(java.nio.charset.Charset.forName("UTF-32LE"))).code()).isEqualTo(ErrorCode.MALFORMED_JSON);
    // UTF-16 with its byte order mark: FE and FF never occur in UTF-8.
    assertThat(rejected(json.getBytes(StandardCharsets.UTF_16))).isEqualTo(Rejection.of(ErrorCode.INVALID_ENCODING, "record value is not valid UTF-8"));
  }

  private static byte[] avro(EventEnvelope envelope) throws Exception {
    ByteBuffer buffer = envelope.toByteBuffer();
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    return bytes;
  }

  private static EventEnvelope.Builder avroEnvelope() {
    return EventEnvelope.newBuilder()
        .setEventId(ID)
        .setEventType("transaction")
        .setEventTimestamp(Instant.parse("2026-11-22T10:15:30.123456Z"))
        .setSourceSystem("payments-api")
        .setSchemaVersion(1)
        .setPayload(
            Transaction.newBuilder()
                .setTransactionId("t-1")
                .setAccountId("a-1")
                .setAmount("12.50")
                .setCurrency("EUR")
                .setMerchantId("m-1")
                .setStatus("captured")
                .setCardNumber(null)
                .build())
        .setMetadata(null);
  }

  @Test
  void decodesAvroSingleObjectRecordsIntoTheSameEnvelope() throws Exception {
    DecodeResult result = decoder.decode(avro(avroEnvelope().build()));

    assertThat(result)
        .isEqualTo(
            new DecodeResult.Decoded(
                new Envelope(
                    ID,
                    "transaction",
                    1,
                    "payments-api",
                    Instant.parse("2026-11-22T10:15:30.123456Z"),
                    "{\"transaction_id\":\"t-1\",\"account_id\":\"a-1\",\"amount\":\"12.50\",\"currency\":\"EUR\","
                        + "\"merchant_id\":\"m-1\",\"status\":\"captured\"}",
                    Map.of())));
  }

  @Test
  void appliesTheEnvelopeRulesToAvroRecordsToo() throws Exception {
    Rejection rejection = rejected(avro(avroEnvelope().setEventId("nope").build()));
    assertThat(rejection).isEqualTo(Rejection.ofField(ErrorCode.INVALID_FIELD, "event_id", "event_id is not a UUID"));
  }

  @Test
  void rejectsAvroWithAnUnknownFingerprintOrACorruptBody() throws Exception {
    byte[] unknown = avro(avroEnvelope().build());
    for (int i = 2; i < 10; i++) {
      unknown[i] = 0x11;
    }
    Rejection rejection = rejected(unknown);
    assertThat(rejection.code()).isEqualTo(ErrorCode.UNKNOWN_SCHEMA);
    assertThat(rejection.message()).isEqualTo("Avro schema fingerprint is not bundled: 1111111111111111");
    assertThat(rejection.exceptionClass()).isEqualTo("org.apache.avro.message.MissingSchemaException");

    byte[] truncated = java.util.Arrays.copyOf(avro(avroEnvelope().build()), 20);
    assertThat(rejected(truncated).code()).isEqualTo(ErrorCode.INVALID_ENCODING);
    assertThat(rejected(new byte[] {(byte) 0xC3, 0x01, 1, 2}).code()).isEqualTo(ErrorCode.INVALID_ENCODING);
  }

  @Test
  void rejectsAvroClaimingAStringLongerThanTheRecordBeforeAllocatingIt() throws Exception {
    // A 2 GiB event_id in 17 bytes: Avro would allocate the claimed length before reading it.
    byte[] header = java.util.Arrays.copyOf(avro(avroEnvelope().build()), 10);
    byte[] claim = {(byte) 0xE0, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F, 'a', 'b'};
    Rejection rejection = rejected(concat(header, claim));
    assertThat(rejection)
        .isEqualTo(new Rejection(ErrorCode.INVALID_ENCODING, null, "Avro single-object body does not decode", "java.io.EOFException"));
  }
}
