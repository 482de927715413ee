package io.medallion.common.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medallion.schema.EventEnvelope;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

/** Avro single-object records written with other envelope versions (DESIGN.md §3, §4). */
class EnvelopeSchemaEvolutionTest {
  private static final String ID = "1b4e28ba-2fa1-41d2-883f-0016d3cca427";
  private static final Instant AT = Instant.parse("2026-11-22T10:15:30.123456Z");
  private static final Schema OLDER = BundledSchemas.load("/io/medallion/schema/envelope/EventEnvelope-older.avsc");
  private static final Schema NEWER = BundledSchemas.load("/io/medallion/schema/envelope/EventEnvelope-newer.avsc");

  /** The production versions plus the test-only older and newer ones. */
  private final EnvelopeDecoder decoder = new EnvelopeDecoder(4096, new AvroEnvelopeDecoder(withTestVersions()));

  private static List<Schema> withTestVersions() {
    List<Schema> versions = new ArrayList<>(BundledSchemas.envelopeVersions());
    versions.add(OLDER);
    versions.add(NEWER);
    return versions;
  }

  private static byte[] singleObject(Schema writer, GenericRecord record) throws Exception {
    ByteBuffer buffer = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), writer).encode(record);
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    return bytes;
  }

  private static GenericRecordBuilder envelope(Schema writer) {
    Schema transaction = writer.getField("payload").schema().getTypes().get(0);
    GenericRecordBuilder payload =
        new GenericRecordBuilder(transaction)
            .set("transaction_id", "t-1")
            .set("account_id", "a-1")
            .set("amount", "12.50")
            .set("currency", "EUR")
            .set("merchant_id", "m-1")
            .set("status", "captured");
    if (transaction.getField("channel") != null) {
      payload.set("payment_method", "card").set("channel", "pos");
    }
    return new GenericRecordBuilder(writer)
        .set("event_id", ID)
        .set("event_type", "transaction")
        .set("event_timestamp", AT.getEpochSecond() * 1_000_000 + AT.getNano() / 1_000)
        .set("source_system", "payments-api")
        .set("payload", payload.build());
  }

  private static String hex(Schema schema) {
    return String.format("%016x", Long.reverseBytes(SchemaNormalization.parsingFingerprint64(schema)));
  }

  @Test
  void bundlesTheCurrentEnvelopeAsAFrozenVersion() {
    // Fails when EventEnvelope.avsc changes without its new version being frozen and bundled.
    List<Schema> bundled = BundledSchemas.envelopeVersions();
    assertThat(bundled).hasSize(1);
    assertThat(SchemaNormalization.parsingFingerprint64(bundled.get(bundled.size() - 1)))
        .isEqualTo(SchemaNormalization.parsingFingerprint64(EventEnvelope.SCHEMA$));
  }

  @Test
  void decodesARecordWrittenWithAnOlderVersionFillingMissingFieldsWithTheirDefaults() throws Exception {
    DecodeResult result = decoder.decode(singleObject(OLDER, envelope(OLDER).build()));

    assertThat(result).isEqualTo(decodedTransaction(1, "", Map.of()));
  }

  @Test
  void decodesARecordWrittenWithANewerVersionIgnoringFieldsTheReaderDoesNotKnow() throws Exception {
    GenericRecord record =
        envelope(NEWER).set("schema_version", 2).set("metadata", Map.of("region", "eu-west-1")).set("trace_id", "tr-9").build();

    DecodeResult result = decoder.decode(singleObject(NEWER, record));

    assertThat(result).isEqualTo(decodedTransaction(2, ",\"payment_method\":\"card\"", Map.of("region", "eu-west-1")));
  }

  @Test
  void deadLettersARecordWhoseVersionIsNotBundledAsUnknownSchema() throws Exception {
    byte[] newer = singleObject(NEWER, envelope(NEWER).build());

    DecodeResult result = new EnvelopeDecoder(4096).decode(newer);

    assertThat(result)
        .isEqualTo(
            new DecodeResult.Rejected(
                new Rejection(
                    ErrorCode.UNKNOWN_SCHEMA,
                    null,
                    "Avro schema fingerprint is not bundled: " + hex(NEWER),
                    "org.apache.avro.message.MissingSchemaException")));
  }

  @Test
  void refusesAtStartToBundleAVersionTheCurrentEnvelopeCannotRead() {
    Schema incompatible = BundledSchemas.load("/io/medallion/schema/envelope/EventEnvelope-incompatible.avsc");

    assertThatThrownBy(() -> new AvroEnvelopeDecoder(List.of(incompatible)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "bundled envelope schema " + hex(incompatible) + " cannot be read as the current EventEnvelope: "
                + "/fields/2/type: TYPE_MISMATCH (reader type: LONG not compatible with writer type: STRING); "
                + "/fields/5/type: MISSING_UNION_BRANCH (reader union lacking writer type: STRING)");
  }

  /** The envelope both writer versions' transaction decodes to; {@code morePayload} is what only the newer one carries. */
  private static DecodeResult decodedTransaction(int schemaVersion, String morePayload, Map<String, String> metadata) {
    return new DecodeResult.Decoded(
        new Envelope(
            ID,
            "transaction",
            schemaVersion,
            "payments-api",
            AT,
            "{\"transaction_id\":\"t-1\",\"account_id\":\"a-1\",\"amount\":\"12.50\",\"currency\":\"EUR\","
                + "\"merchant_id\":\"m-1\",\"status\":\"captured\"" + morePayload + "}",
            metadata));
  }
}
