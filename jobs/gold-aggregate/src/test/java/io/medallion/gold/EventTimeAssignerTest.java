package io.medallion.gold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medallion.common.audit.LedgerTable;
import io.medallion.common.deadletter.DeadLetterRateBreaker;
import io.medallion.common.flink.LedgerOutput;
import io.medallion.common.gold.GoldTable;
import io.medallion.common.silver.SilverTable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.Test;

class EventTimeAssignerTest {
  private static final GoldSettings SETTINGS = new GoldSettings(Duration.ofMinutes(1), Duration.ofMinutes(2));
  private static final OutputTag<RowData> LATE = GoldOutputs.DEAD_LETTERS.get(SilverTable.TRANSACTIONS);
  private static final String STEP = "event-time-silver.transactions";
  /** The last watermark at which the window [0, 1 min) still takes events: its end - 1 ms + 2 min, minus 1 ms. */
  private static final long LAST_FOR_FIRST_WINDOW = 179_998;

  private static OneInputStreamOperatorTestHarness<RowData, RowData> harness() throws Exception {
    return new OneInputStreamOperatorTestHarness<>(new EventTimeAssigner(SETTINGS, LATE, GoldAggregation.of(GoldTable.TRANSACTION_SUMMARY), STEP));
  }

  /** A silver row as the Paimon source emits it: no timestamp yet. */
  private static StreamRecord<RowData> row(String eventId, long eventTime) {
    GenericRowData row = new GenericRowData(SilverTable.TRANSACTIONS.rowType().getFieldCount());
    row.setField(SilverTable.EVENT_ID, StringData.fromString(eventId));
    row.setField(SilverTable.EVENT_TIME, TimestampData.fromEpochMillis(eventTime));
    return new StreamRecord<>(row);
  }

  private static List<String> idsWithTimestamps(Iterable<? extends StreamRecord<? extends RowData>> records) {
    List<String> ids = new ArrayList<>();
    if (records != null) {
      records.forEach(r -> ids.add(r.getValue().getString(SilverTable.EVENT_ID) + "@" + r.getTimestamp()));
    }
    return ids;
  }

  @Test
  void stampsEachRowWithItsEventTimeAndPassesRisingWatermarksOnly() throws Exception {
    try (var harness = harness()) {
      harness.open();
      harness.processElement(row("a", 30_000));
      harness.processWatermark(new Watermark(59_999));
      harness.processWatermark(new Watermark(50_000));
      harness.processElement(row("b", 45_000));

      assertThat(harness.getOutput()).containsExactly(new StreamRecord<>(row("a", 30_000).getValue(), 30_000), new Watermark(59_999),
          new StreamRecord<>(row("b", 45_000).getValue(), 45_000));
      assertThat(harness.getSideOutput(LATE)).isNull();
    }
  }

  @Test
  void sendsARowToTheLateOutputOnceItsWindowsLatenessHasReachedTheWatermark() throws Exception {
    try (var harness = harness()) {
      harness.open();
      harness.processWatermark(new Watermark(LAST_FOR_FIRST_WINDOW));
      harness.processElement(row("in-time", 59_999));
      harness.processWatermark(new Watermark(LAST_FOR_FIRST_WINDOW + 1));
      harness.processElement(row("late", 59_999));
      harness.processElement(row("next-window", 60_000));

      assertThat(idsWithTimestamps(harness.extractOutputStreamRecords())).containsExactly("in-time@59999", "next-window@60000");
      assertThat(idsWithTimestamps(harness.getSideOutput(LATE))).containsExactly("late@59999");
    }
  }

  @Test
  void countsEachRowInTheLedgerAndHandsTheCountsOverBeforeTheCheckpointBarrier() throws Exception {
    try (var harness = harness()) {
      harness.open();
      harness.processElement(row("a", 30_000));
      harness.processWatermark(new Watermark(LAST_FOR_FIRST_WINDOW + 1));
      harness.processElement(row("late", 10_000));
      harness.processElement(row("b", 200_000));
      harness.prepareSnapshotPreBarrier(7);
      harness.processElement(row("c", 200_001));
      harness.prepareSnapshotPreBarrier(8);
      harness.prepareSnapshotPreBarrier(9);

      List<String> ledger = new ArrayList<>();
      harness.getSideOutput(LedgerOutput.TAG).forEach(r -> ledger.add(ledgerLine(r.getValue())));
      // One row per checkpoint that counted something; none for checkpoint 9.
      assertThat(ledger)
          .containsExactly(
              "gold-aggregate 7 event-time-silver.transactions silver.transactions read=3 written=2 late=1 dead=0",
              "gold-aggregate 8 event-time-silver.transactions silver.transactions read=1 written=1 late=0 dead=0");
    }
  }

  @Test
  void deadLettersAMetricRowWhoseValueIsNotFiniteWhateverItsTimeAndCountsItAsDeadInTheLedger() throws Exception {
    OutputTag<RowData> dead = GoldOutputs.DEAD_LETTERS.get(SilverTable.METRICS);
    try (var harness = new OneInputStreamOperatorTestHarness<>(new EventTimeAssigner(SETTINGS, dead, GoldAggregation.of(GoldTable.METRIC_ROLLUP), "event-time-silver.metrics"))) {
      harness.open();
      harness.processElement(metric("nan", 30_000, Double.NaN));
      harness.processElement(metric("largest", 30_000, Double.MAX_VALUE));
      harness.processWatermark(new Watermark(LAST_FOR_FIRST_WINDOW + 1));
      harness.processElement(metric("late", 30_000, 1.0));
      harness.processElement(metric("infinite", 60_000, Double.POSITIVE_INFINITY));
      harness.processElement(metric("negative-infinite", 10_000, Double.NEGATIVE_INFINITY));
      harness.prepareSnapshotPreBarrier(1);

      assertThat(idsWithTimestamps(harness.extractOutputStreamRecords())).containsExactly("largest@30000");
      assertThat(idsWithTimestamps(harness.getSideOutput(dead))).containsExactly("nan@30000", "late@30000", "infinite@60000", "negative-infinite@10000");
      List<String> ledger = new ArrayList<>();
      harness.getSideOutput(LedgerOutput.TAG).forEach(r -> ledger.add(ledgerLine(r.getValue())));
      assertThat(ledger).containsExactly("gold-aggregate 1 event-time-silver.metrics silver.metrics read=5 written=1 late=1 dead=3");
    }
  }

  private static StreamRecord<RowData> metric(String eventId, long eventTime, double value) {
    GenericRowData row = new GenericRowData(SilverTable.METRICS.rowType().getFieldCount());
    row.setField(SilverTable.EVENT_ID, StringData.fromString(eventId));
    row.setField(SilverTable.EVENT_TIME, TimestampData.fromEpochMillis(eventTime));
    row.setField(SilverTable.METRICS.position("value"), value);
    return new StreamRecord<>(row);
  }

  private static String ledgerLine(RowData row) {
    RowData.FieldGetter[] fields = new RowData.FieldGetter[LedgerTable.ROW_TYPE.getFieldCount()];
    for (int i = 0; i < fields.length; i++) {
      fields[i] = RowData.createFieldGetter(LedgerTable.ROW_TYPE.getTypeAt(i), i);
    }
    java.util.function.Function<String, Object> field = name -> fields[LedgerTable.ROW_TYPE.getFieldIndex(name)].getFieldOrNull(row);
    return field.apply("job") + " " + field.apply("checkpoint_id") + " " + field.apply("step") + " " + field.apply("source")
        + " read=" + field.apply("records_read") + " written=" + field.apply("rows_written") + " late=" + field.apply("late")
        + " dead=" + field.apply("dead_lettered");
  }

  @Test
  void judgesWithTheCheckpointedWatermarkAfterARestoreAsIfThereHadBeenNone() throws Exception {
    OperatorSubtaskState snapshot;
    try (var harness = harness()) {
      harness.open();
      harness.processWatermark(new Watermark(LAST_FOR_FIRST_WINDOW + 1));
      snapshot = harness.snapshot(1L, 1L);
    }
    try (var restored = harness()) {
      restored.initializeState(snapshot);
      restored.open();
      // Watermarks are not part of a checkpoint: downstream starts from none, but this operator still judges with it.
      restored.processElement(row("late", 10_000));
      restored.processElement(row("on-time", 60_000));
      restored.processWatermark(new Watermark(100_000));
      restored.processWatermark(new Watermark(240_000));

      assertThat(idsWithTimestamps(restored.getSideOutput(LATE))).containsExactly("late@10000");
      assertThat(restored.getOutput()).containsExactly(new StreamRecord<>(row("on-time", 60_000).getValue(), 60_000), new Watermark(240_000));
    }
  }

  @Test
  void countsLateRowsAsDeadLettersForTheCircuitBreakerAndStopsTheJobAboveTheRate() throws Exception {
    GoldSettings failAboveHalf =
        new GoldSettings(
            Duration.ofMinutes(1), Duration.ofMinutes(2), new DeadLetterRateBreaker.Limit(0.5, 4, DeadLetterRateBreaker.Action.FAIL));
    try (var harness = new OneInputStreamOperatorTestHarness<>(new EventTimeAssigner(failAboveHalf, LATE, GoldAggregation.of(GoldTable.TRANSACTION_SUMMARY), STEP))) {
      harness.open();
      harness.processWatermark(new Watermark(LAST_FOR_FIRST_WINDOW + 1));
      // First window of 4: 2 late, exactly at the rate.
      harness.processElement(row("late-1", 0));
      harness.processElement(row("late-2", 0));
      harness.processElement(row("on-time-1", 60_000));
      harness.processElement(row("on-time-2", 60_000));
      // Second window: its fourth row is its third late one.
      harness.processElement(row("late-3", 0));
      harness.processElement(row("late-4", 0));
      harness.processElement(row("on-time-3", 60_000));

      assertThatThrownBy(() -> harness.processElement(row("late-5", 0)))
          .isInstanceOf(SuppressRestartsException.class)
          .cause()
          .hasMessage(
              "gold-aggregate dead-lettered 3 of 4 input records (ratio 0.75), above dlq.max-rate 0.5 over dlq.rate-window 4:"
                  + " the producer's output is likely broken; the job stops (dlq.rate-action fail).");
      assertThat(idsWithTimestamps(harness.getSideOutput(LATE))).containsExactly("late-1@0", "late-2@0", "late-3@0", "late-4@0", "late-5@0");
    }
  }
}
