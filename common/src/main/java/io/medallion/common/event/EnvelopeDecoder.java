package io.medallion.common.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns the bytes of a raw record into an {@link Envelope}, or into a {@link Rejection} that says
 * why not. It never throws on input: every byte sequence has a defined outcome.
 *
 * <p>The value is JSON (UTF-8) unless it starts with Avro's single-object marker {@code C3 01},
 * which no valid UTF-8 text can start with, so both encodings can share one topic. The JSON path
 * is a streaming parse that copies the payload's bytes verbatim instead of re-serializing a tree:
 * bronze keeps exactly what the producer sent, numbers and unknown fields included.
 *
 * <p>Instances are not thread-safe only in the sense that they are cheap; keep one per operator.
 */
public final class EnvelopeDecoder {

  public static final String EVENT_ID = "event_id";
  public static final String EVENT_TYPE = "event_type";
  public static final String EVENT_TIMESTAMP = "event_timestamp";
  public static final String SOURCE_SYSTEM = "source_system";
  public static final String SCHEMA_VERSION = "schema_version";
  public static final String PAYLOAD = "payload";
  public static final String METADATA = "metadata";

  private static final ObjectMapper TREE_MAPPER = new ObjectMapper();
  private static final byte[] UTF8_BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

  private final long maxRecordBytes;
  /** For raw JSON: its document limit repeats max-record-bytes, in case the size check moves. */
  private final JsonFactory json;
  /** For JSON rendered from Avro, which escaping can make longer than the record it came from. */
  private final JsonFactory avroJson;
  private final AvroEnvelopeDecoder avro;

  /** @param maxRecordBytes values longer than this are rejected as RECORD_TOO_LARGE */
  public EnvelopeDecoder(long maxRecordBytes) {
    this(maxRecordBytes, new AvroEnvelopeDecoder());
  }

  EnvelopeDecoder(long maxRecordBytes, AvroEnvelopeDecoder avro) {
    this.avro = avro;
    this.maxRecordBytes = maxRecordBytes;
    this.json = DecodeLimits.jsonFactory(maxRecordBytes);
    this.avroJson = DecodeLimits.jsonFactory(0);
  }

  /**
   * Decodes one record value. Besides the envelope rules: a tombstone (null), an empty value and a
   * whitespace-only value are MALFORMED_JSON; a value over {@link DecodeLimits} or max-record-bytes
   * is RECORD_TOO_LARGE; a duplicate key anywhere is MALFORMED_JSON; a NUL byte is MALFORMED_JSON
   * in valid UTF-8 and INVALID_ENCODING otherwise; one leading UTF-8 byte order mark is ignored.
   */
  public DecodeResult decode(byte[] value) {
    if (value == null) {
      return reject(Rejection.of(ErrorCode.MALFORMED_JSON, "record value is null (tombstone)"));
    }
    if (value.length == 0) {
      return reject(Rejection.of(ErrorCode.MALFORMED_JSON, "record value is empty"));
    }
    if (value.length > maxRecordBytes) {
      return reject(
          Rejection.of(
              ErrorCode.RECORD_TOO_LARGE,
              "record value has " + value.length + " bytes, more than max-record-bytes " + maxRecordBytes));
    }
    if (AvroEnvelopeDecoder.isSingleObject(value)) {
      Object decoded = avro.toJsonOrRejection(value);
      if (decoded instanceof Rejection rejection) {
        return reject(rejection);
      }
      return decodeJson(avroJson, (byte[]) decoded);
    }
    // Jackson would read NUL-patterned input as UTF-16 or UTF-32, which DESIGN §3 does not allow,
    // and a raw NUL is never part of a JSON text (RFC 8259 §7), so it is rejected before parsing.
    int nul = indexOfNul(value);
    if (nul >= 0) {
      if (!isValidUtf8(value, 0, value.length)) {
        return reject(Rejection.of(ErrorCode.INVALID_ENCODING, "record value is not valid UTF-8"));
      }
      return reject(
          Rejection.of(
              ErrorCode.MALFORMED_JSON,
              "record value has a NUL byte at offset " + nul + "; JSON text never does (UTF-16, UTF-32 or a C string?)"));
    }
    if (startsWith(value, UTF8_BOM) && isBlank(value, UTF8_BOM.length)) {
      // Jackson skips a byte order mark only in a value of four bytes or more; say the same for all.
      return reject(Rejection.of(ErrorCode.MALFORMED_JSON, "record value is a byte order mark and whitespace only"));
    }
    return decodeJson(json, value);
  }

  private static boolean isBlank(byte[] value, int from) {
    for (int i = from; i < value.length; i++) {
      byte b = value[i];
      if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
        return false;
      }
    }
    return true;
  }

  private DecodeResult decodeJson(JsonFactory factory, byte[] json) {
    try {
      return parse(factory, json);
    } catch (StreamConstraintsException e) {
      return reject(
          Rejection.ofException(ErrorCode.RECORD_TOO_LARGE, "record exceeds a decoding limit: " + e.getOriginalMessage(), e));
    } catch (JsonProcessingException e) {
      if (!isValidUtf8(json, 0, json.length)) {
        return reject(
            Rejection.ofException(ErrorCode.INVALID_ENCODING, "record value is not valid UTF-8", e));
      }
      return reject(
          Rejection.ofException(ErrorCode.MALFORMED_JSON, "malformed JSON: " + e.getOriginalMessage(), e));
    } catch (IOException e) {
      // Only a parser bug reaches here: the input is an in-memory array.
      return reject(Rejection.ofException(ErrorCode.MALFORMED_JSON, "unreadable JSON: " + e.getMessage(), e));
    }
  }

  private static int indexOfNul(byte[] value) {
    for (int i = 0; i < value.length; i++) {
      if (value[i] == 0) {
        return i;
      }
    }
    return -1;
  }

  private static DecodeResult parse(JsonFactory factory, byte[] value) throws IOException {
    // A leading UTF-8 byte order mark is skipped (Jackson does it): RFC 8259 §8.1 lets a parser
    // ignore one, and Windows tools add it; the payload is sliced after it, so bronze stores none.
    try (JsonParser parser = factory.createParser(value)) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        return reject(Rejection.of(ErrorCode.MALFORMED_JSON, "record value is whitespace only"));
      }
      if (first != JsonToken.START_OBJECT) {
        // Parse to the end first: garbage must be MALFORMED_JSON, not NOT_AN_OBJECT.
        parser.skipChildren();
        requireEnd(parser);
        return reject(Rejection.of(ErrorCode.NOT_AN_OBJECT, "JSON value is " + describe(first) + ", not an object"));
      }
      Fields fields = new Fields();
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken token = parser.nextToken();
        switch (name) {
          case EVENT_ID, EVENT_TYPE, EVENT_TIMESTAMP, SOURCE_SYSTEM -> fields.putScalar(name, token, parser);
          case SCHEMA_VERSION -> fields.schemaVersion(token, parser);
          case PAYLOAD -> fields.payload(token, parser, value);
          case METADATA -> fields.metadata(token, parser);
          default -> parser.skipChildren();
        }
      }
      requireEnd(parser);
      return fields.toResult();
    }
  }

  private static boolean startsWith(byte[] value, byte[] prefix) {
    return value.length >= prefix.length && Arrays.equals(value, 0, prefix.length, prefix, 0, prefix.length);
  }

  private static void requireEnd(JsonParser parser) throws IOException {
    JsonToken trailing = parser.nextToken();
    if (trailing != null) {
      throw new JsonParseException(parser, "trailing content after the JSON value: " + trailing);
    }
  }

  /** Collects the envelope's fields while parsing; validates them in a fixed order at the end. */
  private static final class Fields {
    private final Map<String, Object> scalars = new LinkedHashMap<>();
    private Object schemaVersion;
    private Object payload;
    private Object metadata;

    void putScalar(String name, JsonToken token, JsonParser parser) throws IOException {
      scalars.put(name, token == JsonToken.VALUE_STRING ? parser.getText() : kindOf(token, parser));
    }

    void schemaVersion(JsonToken token, JsonParser parser) throws IOException {
      if (token == JsonToken.VALUE_NUMBER_INT && parser.getNumberType() == JsonParser.NumberType.INT) {
        schemaVersion = parser.getIntValue();
      } else {
        schemaVersion = kindOf(token, parser);
      }
    }

    void payload(JsonToken token, JsonParser parser, byte[] value) throws IOException {
      if (token == JsonToken.START_OBJECT) {
        long start = parser.currentTokenLocation().getByteOffset();
        parser.skipChildren();
        long end = parser.currentLocation().getByteOffset();
        if (start < 0 || end < start || end > value.length) {
          // Only a parser that decoded the bytes as something other than UTF-8 gets here.
          throw new JsonParseException(parser, "the payload has no byte offsets: the input was not read as UTF-8");
        }
        payload = new Slice(value, (int) start, (int) end);
      } else {
        payload = kindOf(token, parser);
      }
    }

    void metadata(JsonToken token, JsonParser parser) throws IOException {
      if (token != JsonToken.START_OBJECT) {
        metadata = kindOf(token, parser);
        return;
      }
      Map<String, String> map = new LinkedHashMap<>();
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String key = parser.currentName();
        JsonToken valueToken = parser.nextToken();
        if (valueToken == JsonToken.VALUE_STRING) {
          map.put(key, parser.getText());
        } else if (valueToken.isScalarValue()) {
          if (valueToken != JsonToken.VALUE_NULL) {
            map.put(key, parser.getText());
          }
        } else {
          map.put(key, TREE_MAPPER.readTree(parser).toString());
        }
      }
      metadata = map;
    }

    DecodeResult toResult() {
      Object eventId = scalars.get(EVENT_ID);
      Rejection problem = requireText(EVENT_ID, eventId);
      if (problem != null) {
        return reject(problem);
      }
      String id = ((String) eventId).trim();
      if (!isCanonicalUuid(id)) {
        return reject(Rejection.ofField(ErrorCode.INVALID_FIELD, EVENT_ID, "event_id is not a UUID"));
      }
      problem = requireText(EVENT_TYPE, scalars.get(EVENT_TYPE));
      if (problem != null) {
        return reject(problem);
      }
      problem = requireText(EVENT_TIMESTAMP, scalars.get(EVENT_TIMESTAMP));
      if (problem != null) {
        return reject(problem);
      }
      Instant eventTime;
      try {
        eventTime = EventTimestamps.parse(((String) scalars.get(EVENT_TIMESTAMP)).trim());
      } catch (DateTimeException e) {
        return reject(
            new Rejection(
                ErrorCode.INVALID_FIELD,
                EVENT_TIMESTAMP,
                "event_timestamp is not ISO-8601 with Z or an offset",
                e.getClass().getName()));
      }
      problem = requireText(SOURCE_SYSTEM, scalars.get(SOURCE_SYSTEM));
      if (problem != null) {
        return reject(problem);
      }
      if (payload == null || payload == JsonKind.NULL) {
        return reject(Rejection.ofField(ErrorCode.MISSING_FIELD, PAYLOAD, "payload is missing"));
      }
      if (!(payload instanceof Slice slice)) {
        return reject(
            Rejection.ofField(ErrorCode.INVALID_FIELD, PAYLOAD, "payload is " + payload + ", not an object"));
      }
      if (!isValidUtf8(slice.bytes, slice.start, slice.end - slice.start)) {
        return reject(Rejection.ofField(ErrorCode.INVALID_ENCODING, PAYLOAD, "payload is not valid UTF-8"));
      }
      int version = 1;
      if (schemaVersion instanceof Integer v) {
        version = v;
      } else if (schemaVersion != null && schemaVersion != JsonKind.NULL) {
        return reject(
            Rejection.ofField(
                ErrorCode.INVALID_FIELD, SCHEMA_VERSION, "schema_version is " + schemaVersion + ", not an int"));
      }
      Map<String, String> meta = Map.of();
      if (metadata instanceof Map<?, ?>) {
        @SuppressWarnings("unchecked")
        Map<String, String> m = (Map<String, String>) metadata;
        meta = m;
      } else if (metadata != null && metadata != JsonKind.NULL) {
        return reject(
            Rejection.ofField(ErrorCode.INVALID_FIELD, METADATA, "metadata is " + metadata + ", not an object"));
      }
      return new DecodeResult.Decoded(
          new Envelope(
              id,
              ((String) scalars.get(EVENT_TYPE)).trim(),
              version,
              ((String) scalars.get(SOURCE_SYSTEM)).trim(),
              eventTime,
              slice.text(),
              meta));
    }
  }

  private static Rejection requireText(String field, Object value) {
    if (value == null || value == JsonKind.NULL) {
      return Rejection.ofField(ErrorCode.MISSING_FIELD, field, field + " is missing");
    }
    if (!(value instanceof String text)) {
      return Rejection.ofField(ErrorCode.INVALID_FIELD, field, field + " is " + value + ", not a string");
    }
    if (text.isBlank()) {
      return Rejection.ofField(ErrorCode.MISSING_FIELD, field, field + " is blank");
    }
    return null;
  }

  /** 8-4-4-4-12 hexadecimal digits; a loop, because a regex match cost a sixth of decoding. */
  static boolean isCanonicalUuid(String id) {
    if (id.length() != 36) {
      return false;
    }
    for (int i = 0; i < 36; i++) {
      char c = id.charAt(i);
      boolean ok = (i == 8 || i == 13 || i == 18 || i == 23)
          ? c == '-'
          : (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static DecodeResult reject(Rejection rejection) {
    return new DecodeResult.Rejected(rejection);
  }

  private static Object kindOf(JsonToken token, JsonParser parser) throws IOException {
    parser.skipChildren();
    return switch (token) {
      case VALUE_NULL -> JsonKind.NULL;
      case START_OBJECT -> JsonKind.OBJECT;
      case START_ARRAY -> JsonKind.ARRAY;
      case VALUE_TRUE, VALUE_FALSE -> JsonKind.BOOLEAN;
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> JsonKind.NUMBER;
      default -> JsonKind.STRING;
    };
  }

  private static String describe(JsonToken token) {
    return token == null ? "empty" : kindName(token);
  }

  private static String kindName(JsonToken token) {
    return switch (token) {
      case START_ARRAY -> "an array";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> token.name();
    };
  }

  /** The JSON type of a field that is not what the envelope needs; its toString reads in messages. */
  private enum JsonKind {
    NULL("null"),
    OBJECT("an object"),
    ARRAY("an array"),
    BOOLEAN("a boolean"),
    NUMBER("a number"),
    STRING("a string");

    private final String text;

    JsonKind(String text) {
      this.text = text;
    }

    @Override
    public String toString() {
      return text;
    }
  }

  private record Slice(byte[] bytes, int start, int end) {
    String text() {
      return new String(bytes, start, end - start, StandardCharsets.UTF_8);
    }
  }

  static boolean isValidUtf8(byte[] bytes, int offset, int length) {
    try {
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes, offset, length));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }
}
