package io.medallion.bronze;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.common.deadletter.DeadLetter;
import io.medallion.common.deadletter.DeadLetters;
import io.medallion.common.event.RawRecord;
import io.medallion.common.iceberg.BronzeEventsTable;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.flink.table.data.GenericMapData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.junit.jupiter.api.Test;

/** The decode operator on Flink's harness: rows on the main output, dead letters on the side output. */
class DecodeEnvelopeFunctionTest {
  private static final Instant NOW = Instant.parse("2026-11-23T09:00:00Z");
  private static final String VALID =
      "{\"event_id\":\"1b4e28ba-2fa1-41d2-883f-0016d3cca427\",\"event_type\":\"transaction\","
          + "\"event_timestamp\":\"2026-11-22T11:15:30.123+01:00\",\"source_system\":\" payments-api \","
          + "\"payload\":{\"amount\":12.50, \"extra\":[1,2]},\"metadata\":{\"region\":\"eu-west-1\"}}";

  private static OneInputStreamOperatorTestHarness<RawRecord, RowData> harness() throws Exception {
    return ProcessFunctionTestHarnesses.forProcessFunction(
        new DecodeEnvelopeFunction("bronze-ingest", 1024, Clock.fixed(NOW, ZoneOffset.UTC)));
  }

  @Test
  void turnsAValidEnvelopeIntoABronzeRowWithItsKafkaCoordinates() throws Exception {
    try (var harness = harness()) {
      harness.processElement(
          new RawRecord("raw.payments", 1, 77L, 1_763_806_530_999L, "k-7".getBytes(StandardCharsets.UTF_8), VALID.getBytes(StandardCharsets.UTF_8)),
          0L);

      List<RowData> rows = harness.extractOutputValues();
      assertThat(rows).hasSize(1);
      RowData row = rows.get(0);
      assertThat(row.getString(BronzeEventsTable.EVENT_ID)).hasToString("1b4e28ba-2fa1-41d2-883f-0016d3cca427");
      assertThat(row.getString(BronzeEventsTable.EVENT_TYPE)).hasToString("transaction");
      assertThat(row.getInt(BronzeEventsTable.SCHEMA_VERSION)).isEqualTo(1);
      assertThat(row.getString(BronzeEventsTable.SOURCE_SYSTEM)).hasToString("payments-api");
      assertThat(row.getTimestamp(BronzeEventsTable.EVENT_TIME, 6))
          .isEqualTo(TimestampData.fromInstant(Instant.parse("2026-11-22T10:15:30.123Z")));
      assertThat(row.getTimestamp(BronzeEventsTable.INGEST_TIME, 6)).isEqualTo(TimestampData.fromInstant(NOW));
      assertThat(row.getString(BronzeEventsTable.PAYLOAD)).hasToString("{\"amount\":12.50, \"extra\":[1,2]}");
      assertThat(row.getMap(BronzeEventsTable.METADATA))
          .isEqualTo(new GenericMapData(Map.of(StringData.fromString("region"), StringData.fromString("eu-west-1"))));
      assertThat(row.getString(BronzeEventsTable.KAFKA_TOPIC)).hasToString("raw.payments");
      assertThat(row.getInt(BronzeEventsTable.KAFKA_PARTITION)).isEqualTo(1);
      assertThat(row.getLong(BronzeEventsTable.KAFKA_OFFSET)).isEqualTo(77L);
      assertThat(row.getTimestamp(BronzeEventsTable.KAFKA_TIMESTAMP, 6)).isEqualTo(TimestampData.fromEpochMillis(1_763_806_530_999L));
      assertThat(row.getString(BronzeEventsTable.RECORD_KEY)).hasToString("k-7");
      assertThat(harness.getSideOutput(DeadLetters.TAG)).isNull();
    }
  }

  @Test
  void sendsARecordWithoutAnEnvelopeToTheDeadLetterSideOutputUnchanged() throws Exception {
    byte[] value = "{\"event_id\":\"1b4e28ba-2fa1-41d2-883f-0016d3cca427\"".getBytes(StandardCharsets.UTF_8);
    try (var harness = harness()) {
      harness.processElement(new RawRecord("raw.payments", 0, 5L, 1_000L, null, value), 0L);

      assertThat(harness.extractOutputValues()).isEmpty();
      List<DeadLetter> letters = harness.getSideOutput(DeadLetters.TAG).stream().map(StreamRecord::getValue).toList();
      assertThat(letters).hasSize(1);
      DeadLetter letter = letters.get(0);
      assertThat(letter.key).isNull();
      assertThat(letter.value).isEqualTo(value);
      assertThat(letter.errorCode).isEqualTo("MALFORMED_JSON");
      assertThat(letter.errorField).isNull();
      assertThat(letter.errorClass).isEqualTo("com.fasterxml.jackson.core.io.JsonEOFException");
      assertThat(letter.stage).isEqualTo("bronze");
      assertThat(letter.job).isEqualTo("bronze-ingest");
      assertThat(letter.sourceTopic).isEqualTo("raw.payments");
      assertThat(letter.sourcePartition).isZero();
      assertThat(letter.sourceOffset).isEqualTo(5L);
      assertThat(letter.sourceTimestamp).isEqualTo(1_000L);
      assertThat(letter.failedAt).isEqualTo(NOW.toEpochMilli());
    }
  }
}
