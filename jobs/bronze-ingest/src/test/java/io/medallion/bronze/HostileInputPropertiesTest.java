package io.medallion.bronze;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.medallion.common.deadletter.DeadLetter;
import io.medallion.common.deadletter.DeadLetters;
import io.medallion.common.event.DecodeLimits;
import io.medallion.common.event.DecodeResult;
import io.medallion.common.event.Envelope;
import io.medallion.common.event.EnvelopeDecoder;
import io.medallion.common.event.ErrorCode;
import io.medallion.common.event.RawRecord;
import io.medallion.testkit.BadRecords;
import io.medallion.testkit.EventFactory;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.flink.table.data.RowData;

/**
 * Arbitrary bytes and mutations of valid events: the decoder never throws, each input becomes a
 * valid envelope or a rejection with a bronze code of shared/DESIGN.md §4, and the decode operator
 * emits exactly one row or one dead letter for it, so no input can fail (and restart) the job.
 */
class HostileInputPropertiesTest {
  private static final long MAX_RECORD_BYTES = 1 << 20;
  private static final Set<ErrorCode> BRONZE_CODES =
      EnumSet.of(
          ErrorCode.MALFORMED_JSON,
          ErrorCode.INVALID_ENCODING,
          ErrorCode.NOT_AN_OBJECT,
          ErrorCode.RECORD_TOO_LARGE,
          ErrorCode.MISSING_FIELD,
          ErrorCode.INVALID_FIELD,
          ErrorCode.UNKNOWN_SCHEMA);
  private static final List<String> ENVELOPE_FIELDS =
      List.of("event_id", "event_type", "event_timestamp", "source_system", "schema_version", "payload", "metadata");
  private static final Pattern UUID_TEXT = Pattern.compile("[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}");
  private static final JsonMapper STRICT = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
  private static final Instant START = Instant.parse("2026-11-20T00:00:00Z");
  private static final byte[] AVRO = BadRecords.avro("0b7c2f4e-1d5a-4c39-9a57-2d1f0c3e4b5a", START);

  private final EnvelopeDecoder decoder = new EnvelopeDecoder(MAX_RECORD_BYTES);
  private OneInputStreamOperatorTestHarness<RawRecord, RowData> harness;

  @BeforeProperty
  void openHarness() throws Exception {
    harness =
        ProcessFunctionTestHarnesses.forProcessFunction(
            new DecodeEnvelopeFunction("bronze-ingest", MAX_RECORD_BYTES, Clock.fixed(START, ZoneOffset.UTC)));
  }

  @AfterProperty
  void closeHarness() throws Exception {
    harness.close();
  }

  @Property(tries = 1000)
  void arbitraryBytesAreAnEnvelopeOrADeadLetter(@ForAll("arbitraryValues") byte[] value) throws Exception {
    checkOutcome(value);
  }

  @Property(tries = 1000)
  void mutatedJsonEventsAreAnEnvelopeOrADeadLetter(@ForAll("mutatedJsonEvents") Mutated mutated) throws Exception {
    checkOutcome(mutated.value());
  }

  @Property(tries = 300)
  void mutatedAvroEventsAreAnEnvelopeOrADeadLetter(@ForAll("mutatedAvroEvents") Mutated mutated) throws Exception {
    checkOutcome(mutated.value());
  }

  @Property(tries = 200)
  void validEventsStayValidWithALeadingByteOrderMark(@ForAll long seed) {
    byte[] value = EventFactory.bytes(new EventFactory(seed, START, Duration.ofDays(1)).next());
    DecodeResult plain = decoder.decode(value);
    assertThat(plain).isInstanceOf(DecodeResult.Decoded.class);
    assertThat(decoder.decode(new Bom(1).apply(value))).isEqualTo(plain);
  }

  @Example
  void eachNamedHostileRecordGetsItsDocumentedCode() throws Exception {
    for (BadRecords.Bad bad : BadRecords.hostile(new EventFactory(5, START, Duration.ofDays(1)), (int) MAX_RECORD_BYTES)) {
      assertThat(decoder.decode(bad.value()))
          .as(bad.name())
          .isInstanceOfSatisfying(
              DecodeResult.Rejected.class, r -> assertThat(r.rejection().code()).as(bad.name()).isEqualTo(bad.code()));
      checkOutcome(bad.value());
    }
  }

  private void checkOutcome(byte[] value) throws Exception {
    DecodeResult result = decoder.decode(value);
    Statistics.collect(result instanceof DecodeResult.Rejected r ? r.rejection().code().name() : "DECODED");
    if (result instanceof DecodeResult.Decoded decoded) {
      assertValid(decoded.envelope());
    } else {
      var rejection = ((DecodeResult.Rejected) result).rejection();
      assertThat(rejection.code()).isIn(BRONZE_CODES);
      assertThat(rejection.message()).isNotBlank();
      if (rejection.field() != null) {
        assertThat(rejection.field()).isIn(ENVELOPE_FIELDS);
      }
    }

    harness.getOutput().clear();
    harness.processElement(new RawRecord("raw.hostile", 0, 1L, 2L, null, value), 0L);
    List<RowData> rows = harness.extractOutputValues();
    var sideOutput = harness.getSideOutput(DeadLetters.TAG);
    List<DeadLetter> letters = sideOutput == null ? List.of() : sideOutput.stream().map(StreamRecord::getValue).toList();
    if (sideOutput != null) {
      sideOutput.clear();
    }
    if (result instanceof DecodeResult.Rejected rejected) {
      assertThat(rows).isEmpty();
      assertThat(letters).hasSize(1);
      assertThat(letters.get(0).errorCode).isEqualTo(rejected.rejection().code().name());
      assertThat(letters.get(0).value).isEqualTo(value);
    } else {
      assertThat(rows).hasSize(1);
      assertThat(letters).isEmpty();
    }
  }

  private static void assertValid(Envelope envelope) throws Exception {
    assertThat(envelope.eventId()).matches(UUID_TEXT);
    assertThat(envelope.eventType()).isNotBlank().isEqualTo(envelope.eventType().trim());
    assertThat(envelope.sourceSystem()).isNotBlank().isEqualTo(envelope.sourceSystem().trim());
    assertThat(envelope.eventTime()).isNotNull();
    assertThat(envelope.metadata()).isNotNull();
    assertThat(STRICT.readTree(envelope.payloadJson()).isObject()).isTrue();
  }

  /** An input and how it was made, so that a failing case reads in the report. */
  record Mutated(String recipe, byte[] value) {
    @Override
    public String toString() {
      return recipe + " (" + value.length + " bytes)";
    }
  }

  @Provide
  Arbitrary<byte[]> arbitraryValues() {
    Arbitrary<byte[]> noise = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
    Arbitrary<byte[]> prefix =
        Arbitraries.of(
            new byte[0],
            "{".getBytes(StandardCharsets.UTF_8),
            "{\"event_id\":".getBytes(StandardCharsets.UTF_8),
            new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF},
            new byte[] {(byte) 0xC3, 0x01},
            Arrays.copyOf(AVRO, 10));
    return Combinators.combine(prefix, noise).as(HostileInputPropertiesTest::concat).injectNull(0.02);
  }

  @Provide
  Arbitrary<Mutated> mutatedJsonEvents() {
    Arbitrary<ObjectNode> events =
        Arbitraries.longs().map(seed -> new EventFactory(seed, START, Duration.ofDays(1)).next());
    return Combinators.combine(events, treeMutation().list().ofMaxSize(2), byteMutation().list().ofMaxSize(3))
        .as(
            (event, treeMutations, byteMutations) -> {
              ObjectNode copy = event.deepCopy();
              treeMutations.forEach(m -> m.apply(copy));
              byte[] value = EventFactory.bytes(copy);
              for (TreeMutation m : treeMutations) {
                value = m.afterSerialization(value);
              }
              for (ByteMutation m : byteMutations) {
                value = m.apply(value);
              }
              return new Mutated(treeMutations + " then " + byteMutations, value);
            });
  }

  @Provide
  Arbitrary<Mutated> mutatedAvroEvents() {
    return byteMutation()
        .list()
        .ofMinSize(1)
        .ofMaxSize(3)
        .map(
            mutations -> {
              byte[] value = AVRO.clone();
              for (ByteMutation m : mutations) {
                value = m.apply(value);
              }
              return new Mutated("Avro then " + mutations, value);
            });
  }

  // ---- mutations of the event's JSON tree ----

  interface TreeMutation {
    void apply(ObjectNode event);

    default byte[] afterSerialization(byte[] value) {
      return value;
    }
  }

  record RemoveField(String field) implements TreeMutation {
    public void apply(ObjectNode event) {
      event.remove(field);
    }
  }

  record ChangeType(String field, JsonNode replacement) implements TreeMutation {
    public void apply(ObjectNode event) {
      event.set(field, replacement);
    }
  }

  /** A string of the given length in an envelope field, the metadata or the payload. */
  record HugeString(String where, int length) implements TreeMutation {
    public void apply(ObjectNode event) {
      String text = "x".repeat(length);
      switch (where) {
        case "metadata" -> (event.get("metadata") instanceof ObjectNode m ? m : event.putObject("metadata")).put("huge", text);
        case "payload" -> payloadOf(event).put("huge", text);
        default -> event.put(where, text);
      }
    }
  }

  /** Arrays nested {@code depth} deep inside the payload or the metadata; spliced in as text, past Jackson's writer limit. */
  record DeepNesting(String where, int depth) implements TreeMutation {
    private static final String MARKER = "\"deep-nesting-goes-here\"";

    public void apply(ObjectNode event) {
      ObjectNode holder = where.equals("metadata") && event.get("metadata") instanceof ObjectNode m ? m : payloadOf(event);
      holder.put("deep", MARKER.substring(1, MARKER.length() - 1));
    }

    @Override
    public byte[] afterSerialization(byte[] value) {
      String text = new String(value, StandardCharsets.UTF_8);
      return text.replace(MARKER, "[".repeat(depth) + "]".repeat(depth)).getBytes(StandardCharsets.UTF_8);
    }
  }

  record LongNumber(int digits) implements TreeMutation {
    public void apply(ObjectNode event) {
      payloadOf(event).put("long", new java.math.BigInteger("9".repeat(digits)));
    }
  }

  record LongKey(int length) implements TreeMutation {
    public void apply(ObjectNode event) {
      payloadOf(event).put("k".repeat(length), 1);
    }
  }

  private static ObjectNode payloadOf(ObjectNode event) {
    return event.get("payload") instanceof ObjectNode payload ? payload : event.putObject("payload");
  }

  private static Arbitrary<TreeMutation> treeMutation() {
    JsonNodeFactory f = JsonNodeFactory.instance;
    Arbitrary<String> field = Arbitraries.of(ENVELOPE_FIELDS);
    Arbitrary<JsonNode> replacement =
        Arbitraries.of(
            f.nullNode(), f.numberNode(42), f.numberNode(1.5), f.numberNode(9_999_999_999L), f.booleanNode(true),
            f.arrayNode(), f.objectNode(), f.textNode(""), f.textNode("  "), f.textNode("x"),
            f.textNode(UUID.randomUUID().toString()), f.textNode("2026-11-20T00:00:00"));
    Arbitrary<Integer> limitLengths =
        Arbitraries.of(DecodeLimits.MAX_STRING_LENGTH, DecodeLimits.MAX_STRING_LENGTH + 1, (int) MAX_RECORD_BYTES + 1, 10);
    return Arbitraries.oneOf(
        field.map(RemoveField::new),
        Combinators.combine(field, replacement).as(ChangeType::new),
        Combinators.combine(Arbitraries.of("event_id", "event_type", "source_system", "metadata", "payload"), limitLengths)
            .as(HugeString::new),
        Combinators.combine(
                Arbitraries.of("payload", "metadata"),
                Arbitraries.oneOf(
                    Arbitraries.integers().between(1, 3 * DecodeLimits.MAX_NESTING_DEPTH),
                    Arbitraries.of(DecodeLimits.MAX_NESTING_DEPTH - 2, DecodeLimits.MAX_NESTING_DEPTH - 1, 5_000)))
            .as(DeepNesting::new),
        Arbitraries.of(DecodeLimits.MAX_NUMBER_LENGTH, DecodeLimits.MAX_NUMBER_LENGTH + 1, 5_000).map(LongNumber::new),
        Arbitraries.of(DecodeLimits.MAX_NAME_LENGTH, DecodeLimits.MAX_NAME_LENGTH + 1).map(LongKey::new));
  }

  // ---- mutations of the bytes; positions are fractions of the current length ----

  interface ByteMutation {
    byte[] apply(byte[] value);
  }

  private static int at(double where, int length) {
    return Math.min(length, (int) (where * length));
  }

  record Truncate(double where) implements ByteMutation {
    public byte[] apply(byte[] value) {
      return Arrays.copyOf(value, at(where, value.length));
    }
  }

  record Flip(double where, byte to) implements ByteMutation {
    public byte[] apply(byte[] value) {
      byte[] copy = value.clone();
      if (copy.length > 0) {
        copy[Math.min(copy.length - 1, at(where, copy.length))] = to;
      }
      return copy;
    }
  }

  record Insert(double where, byte[] bytes) implements ByteMutation {
    public byte[] apply(byte[] value) {
      int i = at(where, value.length);
      return concat(concat(Arrays.copyOf(value, i), bytes), Arrays.copyOfRange(value, i, value.length));
    }

    @Override
    public String toString() {
      return "Insert[" + where + ", " + Arrays.toString(bytes) + "]";
    }
  }

  /** Writes a key a second time in the object that holds its first occurrence. */
  record DuplicateKey(String field) implements ByteMutation {
    public byte[] apply(byte[] value) {
      String text = new String(value, StandardCharsets.ISO_8859_1);
      String key = "\"" + field + "\":";
      int i = text.indexOf(key);
      return i < 0 ? value : (text.substring(0, i) + key + "0," + text.substring(i)).getBytes(StandardCharsets.ISO_8859_1);
    }
  }

  record Bom(int count) implements ByteMutation {
    public byte[] apply(byte[] value) {
      byte[] out = value;
      for (int i = 0; i < count; i++) {
        out = concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, out);
      }
      return out;
    }
  }

  record Reencode(String charset) implements ByteMutation {
    public byte[] apply(byte[] value) {
      return new String(value, StandardCharsets.UTF_8).getBytes(java.nio.charset.Charset.forName(charset));
    }
  }

  private static Arbitrary<ByteMutation> byteMutation() {
    Arbitrary<Double> where = Arbitraries.doubles().between(0, 1);
    Arbitrary<Byte> anyByte = Arbitraries.bytes();
    return Arbitraries.oneOf(
        where.map(Truncate::new),
        Combinators.combine(where, anyByte).as(Flip::new),
        Combinators.combine(where, Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(4)).as(Insert::new),
        Combinators.combine(where, Arbitraries.of(new byte[] {0}, new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, "\"".getBytes(StandardCharsets.UTF_8)))
            .as(Insert::new),
        Arbitraries.of("event_id", "event_type", "event_timestamp", "payload", "metadata", "amount", "region", "name")
            .map(DuplicateKey::new),
        Arbitraries.integers().between(1, 2).map(Bom::new),
        Arbitraries.of("UTF-16LE", "UTF-16BE", "UTF-16", "UTF-32LE", "ISO-8859-1").map(Reencode::new));
  }

  private static byte[] concat(byte[] a, byte[] b) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(a.length + b.length);
    out.writeBytes(a);
    out.writeBytes(b);
    return out.toByteArray();
  }
}
