package io.medallion.common.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.medallion.schema.EventEnvelope;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.Collection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.specific.SpecificData;

/**
 * Decodes Avro single-object encoded envelopes (magic {@code C3 01}, 8-byte CRC-64-AVRO
 * fingerprint, binary body), resolving every bundled writer schema to the current {@link
 * EventEnvelope}. The decoded record is rendered as the JSON envelope it stands for, so one set of
 * envelope rules serves both encodings.
 */
final class AvroEnvelopeDecoder {

  private static final JsonFactory JSON = new JsonFactory();

  private static final int HEADER_BYTES = 10;

  private final BinaryMessageDecoder<EventEnvelope> decoder;
  private final Map<Long, Schema> writers = new HashMap<>();

  AvroEnvelopeDecoder() {
    this(BundledSchemas.envelopeVersions());
  }

  /**
   * @param writerSchemas every schema a record may be written with; each must resolve to the
   *     current {@link EventEnvelope}, checked here so that a bad one stops the job at start
   */
  AvroEnvelopeDecoder(Collection<Schema> writerSchemas) {
    decoder = new BinaryMessageDecoder<>(SpecificData.getForSchema(EventEnvelope.SCHEMA$), EventEnvelope.SCHEMA$);
    for (Schema writer : writerSchemas) {
      requireReadable(writer);
      decoder.addSchema(writer);
      writers.put(SchemaNormalization.parsingFingerprint64(writer), writer);
    }
  }

  private static void requireReadable(Schema writer) {
    SchemaCompatibility.SchemaPairCompatibility pair =
        SchemaCompatibility.checkReaderWriterCompatibility(EventEnvelope.SCHEMA$, writer);
    if (pair.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
      List<String> problems = new ArrayList<>();
      for (SchemaCompatibility.Incompatibility incompatibility : pair.getResult().getIncompatibilities()) {
        problems.add(
            incompatibility.getLocation() + ": " + incompatibility.getType() + " (" + incompatibility.getMessage() + ")");
      }
      throw new IllegalStateException(
          "bundled envelope schema "
              + String.format("%016x", Long.reverseBytes(SchemaNormalization.parsingFingerprint64(writer)))
              + " cannot be read as the current EventEnvelope: "
              + String.join("; ", problems));
    }
  }

  static boolean isSingleObject(byte[] value) {
    return value.length >= 2 && value[0] == (byte) 0xC3 && value[1] == (byte) 0x01;
  }

  /** The envelope as UTF-8 JSON, or a rejection when the bytes are not a bundled Avro record. */
  Object toJsonOrRejection(byte[] value) {
    EventEnvelope record;
    try {
      requireLengthsWithinTheRecord(value);
      record = decoder.decode(value);
    } catch (MissingSchemaException e) {
      return Rejection.ofException(
          ErrorCode.UNKNOWN_SCHEMA, "Avro schema fingerprint is not bundled: " + fingerprintHex(value), e);
    } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException | IllegalArgumentException e) {
      return Rejection.ofException(ErrorCode.INVALID_ENCODING, "Avro single-object body does not decode", e);
    }
    return toJson(record);
  }

  /**
   * Skips through the body without building anything, so that a string, bytes, array or map
   * length longer than the bytes left fails here with an EOFException. Avro's reader allocates a
   * claimed length before it reads it: a 19-byte record claiming a 2 GiB string would otherwise
   * exhaust the task manager's heap, a fatal error that no dead letter can catch.
   */
  private void requireLengthsWithinTheRecord(byte[] value) throws IOException {
    if (value.length < HEADER_BYTES) {
      return; // the decoder rejects a short header itself
    }
    Schema writer = writers.get(ByteBuffer.wrap(value, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong());
    if (writer == null) {
      return; // UNKNOWN_SCHEMA, which the decoder reports with its own exception
    }
    BinaryDecoder body = DecoderFactory.get().binaryDecoder(value, HEADER_BYTES, value.length - HEADER_BYTES, null);
    GenericDatumReader.skip(writer, body);
  }

  private static String fingerprintHex(byte[] value) {
    StringBuilder hex = new StringBuilder();
    for (int i = 2; i < Math.min(10, value.length); i++) {
      hex.append(String.format("%02x", value[i]));
    }
    return hex.toString();
  }

  static byte[] toJson(IndexedRecord record) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator generator = JSON.createGenerator(out)) {
      writeValue(generator, record);
    } catch (IOException e) {
      throw new UncheckedIOException("writing to memory failed", e);
    }
    return out.toByteArray();
  }

  private static void writeValue(JsonGenerator generator, Object value) throws IOException {
    if (value == null) {
      generator.writeNull();
    } else if (value instanceof IndexedRecord record) {
      generator.writeStartObject();
      for (Schema.Field field : record.getSchema().getFields()) {
        Object fieldValue = record.get(field.pos());
        if (fieldValue != null) {
          generator.writeFieldName(field.name());
          writeValue(generator, fieldValue);
        }
      }
      generator.writeEndObject();
    } else if (value instanceof CharSequence text) {
      generator.writeString(text.toString());
    } else if (value instanceof Instant instant) {
      generator.writeString(instant.toString());
    } else if (value instanceof Integer i) {
      generator.writeNumber(i);
    } else if (value instanceof Long l) {
      generator.writeNumber(l);
    } else if (value instanceof Double d) {
      generator.writeNumber(d);
    } else if (value instanceof Float f) {
      generator.writeNumber(f);
    } else if (value instanceof Boolean b) {
      generator.writeBoolean(b);
    } else if (value instanceof Map<?, ?> map) {
      generator.writeStartObject();
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        generator.writeFieldName(entry.getKey().toString());
        writeValue(generator, entry.getValue());
      }
      generator.writeEndObject();
    } else if (value instanceof Collection<?> list) {
      generator.writeStartArray();
      for (Object element : list) {
        writeValue(generator, element);
      }
      generator.writeEndArray();
    } else {
      generator.writeString(value.toString());
    }
  }
}
