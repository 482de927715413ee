package io.medallion.gold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.medallion.common.gold.EventTimeWindows;
import io.medallion.common.gold.GoldTable;
import io.medallion.common.gold.MetricRollup;
import io.medallion.common.gold.MetricTags;
import io.medallion.common.silver.SilverTable;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.transformations.OneInputTransformation;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericMapData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.MapData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.runtime.typeutils.RowDataSerializer;
import org.apache.flink.table.types.logical.DecimalType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.junit.jupiter.api.Test;

/**
 * The real window operator of each gold table ({@link GoldAggregateJob#aggregate}, taken from the
 * transformation it adds to a stream graph) on Flink's keyed operator harness: on-time and late
 * firings, the end of the allowed lateness, the late side output, and a restore from a snapshot.
 * Records carry the timestamps {@link EventTimeAssigner} gives them upstream.
 */
class GoldWindowsHarnessTest {
  private static final Duration WINDOW = Duration.ofMinutes(1);
  private static final Duration LATENESS = Duration.ofMinutes(2);
  private static final GoldSettings SETTINGS = new GoldSettings(WINDOW, LATENESS);
  /** The last watermark at which the window [0, 1 min) still takes events: end - 1 ms + lateness. */
  private static final long LAST_WATERMARK_OF_FIRST_WINDOW = 60_000 - 1 + 120_000 - 1;

  private static final Instant T0 = Instant.EPOCH;
  private static final Instant T1 = Instant.ofEpochMilli(60_000);
  private static final Instant T2 = Instant.ofEpochMilli(120_000);

  private long offset;

  // ---------------------------------------------------------------- transaction_summary

  @Test
  void firesOneRowPerMerchantAndCurrencyWhenTheWatermarkReachesTheWindowEnd() throws Exception {
    try (var harness = harness(GoldTable.TRANSACTION_SUMMARY)) {
      harness.processElement(transaction("e1", 10_000, "m-1", "EUR", "12.5000", "captured"));
      harness.processElement(transaction("e2", 59_999, "m-1", "EUR", "0.2500", "declined"));
      harness.processElement(transaction("e3", 30_000, "m-1", "USD", "7.0000", "authorized"));
      harness.processWatermark(new Watermark(59_998));

      assertThat(harness.getOutput()).containsExactly(new Watermark(59_998));

      harness.processWatermark(new Watermark(59_999));

      assertThat(emitted(harness, GoldTable.TRANSACTION_SUMMARY))
          .containsExactlyInAnyOrder(
              new Emitted(List.of("m-1", "EUR", T0, T1, 2L, new BigDecimal("12.7500"), new BigDecimal("0.2500"), new BigDecimal("12.5000"), 1L), 59_999),
              new Emitted(List.of("m-1", "USD", T0, T1, 1L, new BigDecimal("7.0000"), new BigDecimal("7.0000"), new BigDecimal("7.0000"), 0L), 59_999));
      assertThat(watermarks(harness)).containsExactly(new Watermark(59_998), new Watermark(59_999));
      assertThat(List.copyOf(harness.getOutput()).get(harness.getOutput().size() - 1)).isEqualTo(new Watermark(59_999));
      assertThat(harness.getSideOutput(GoldOutputs.DEAD_LETTERS.get(SilverTable.TRANSACTIONS))).isNull();
    }
  }

  @Test
  void aLateEventWithinTheAllowedLatenessFiresAnUpdatedRowForTheSamePrimaryKey() throws Exception {
    try (var harness = harness(GoldTable.TRANSACTION_SUMMARY)) {
      harness.processElement(transaction("e1", 10_000, "m-1", "EUR", "12.5000", "captured"));
      harness.processElement(transaction("e2", 20_000, "m-1", "EUR", "0.2500", "declined"));
      harness.processWatermark(new Watermark(59_999));
      harness.processWatermark(new Watermark(90_000));
      harness.getOutput().clear();

      harness.processElement(transaction("e3", 45_000, "m-1", "EUR", "100.0000", "declined"));

      // Fires at once, with the whole window: the row replaces the first firing's in Paimon.
      assertThat(emitted(harness, GoldTable.TRANSACTION_SUMMARY))
          .containsExactly(
              new Emitted(List.of("m-1", "EUR", T0, T1, 3L, new BigDecimal("112.7500"), new BigDecimal("0.2500"), new BigDecimal("100.0000"), 2L), 59_999));
      assertThat(GoldTable.TRANSACTION_SUMMARY.primaryKey()).containsExactly("merchant_id", "currency", GoldTable.WINDOW_START);
      assertThat(harness.getSideOutput(GoldOutputs.DEAD_LETTERS.get(SilverTable.TRANSACTIONS))).isNull();
    }
  }

  @Test
  void dropsTheWindowStateAtTheEndOfTheLatenessAndSendsLaterEventsToTheSideOutput() throws Exception {
    try (var harness = harness(GoldTable.TRANSACTION_SUMMARY)) {
      harness.processElement(transaction("e1", 10_000, "m-1", "EUR", "12.5000", "captured"));
      harness.processWatermark(new Watermark(59_999));
      assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
      // The firing timer is gone, the cleanup timer at end - 1 ms + lateness is left.
      assertThat(harness.numEventTimeTimers()).isEqualTo(1);

      // Just inside: the watermark one before the last at which the window takes events.
      harness.processWatermark(new Watermark(LAST_WATERMARK_OF_FIRST_WINDOW));
      assertThat(EventTimeWindows.isLate(Instant.ofEpochMilli(59_999), Instant.ofEpochMilli(LAST_WATERMARK_OF_FIRST_WINDOW), WINDOW, LATENESS))
          .isFalse();
      harness.getOutput().clear();
      harness.processElement(transaction("e2", 59_999, "m-1", "EUR", "1.0000", "captured"));
      assertThat(emitted(harness, GoldTable.TRANSACTION_SUMMARY))
          .containsExactly(
              new Emitted(List.of("m-1", "EUR", T0, T1, 2L, new BigDecimal("13.5000"), new BigDecimal("1.0000"), new BigDecimal("12.5000"), 0L), 59_999));

      // The cleanup time itself: the state is gone, no timer is left.
      long cleanup = LAST_WATERMARK_OF_FIRST_WINDOW + 1;
      assertThat(cleanup).isEqualTo(179_999);
      harness.processWatermark(new Watermark(cleanup));
      assertThat(harness.numKeyedStateEntries()).isZero();
      assertThat(harness.numEventTimeTimers()).isZero();

      // Just outside: an event of the window is late, one at the next window's start is not.
      assertThat(EventTimeWindows.isLate(Instant.ofEpochMilli(59_999), Instant.ofEpochMilli(cleanup), WINDOW, LATENESS)).isTrue();
      assertThat(EventTimeWindows.isLate(Instant.ofEpochMilli(60_000), Instant.ofEpochMilli(cleanup), WINDOW, LATENESS)).isFalse();
      harness.getOutput().clear();
      harness.processElement(transaction("late", 59_999, "m-1", "EUR", "5.0000", "captured"));
      harness.processElement(transaction("next", 60_000, "m-1", "EUR", "3.0000", "captured"));

      assertThat(emitted(harness, GoldTable.TRANSACTION_SUMMARY))
          .containsExactly(
              new Emitted(List.of("m-1", "EUR", T1, T2, 1L, new BigDecimal("3.0000"), new BigDecimal("3.0000"), new BigDecimal("3.0000"), 0L), 119_999));
      List<StreamRecord<RowData>> late = List.copyOf(harness.getSideOutput(GoldOutputs.DEAD_LETTERS.get(SilverTable.TRANSACTIONS)));
      assertThat(late).hasSize(1);
      assertThat(late.get(0).getTimestamp()).isEqualTo(59_999);
      assertThat(late.get(0).getValue().getString(SilverTable.EVENT_ID)).hasToString("late");
      assertThat(late.get(0).getValue().getTimestamp(SilverTable.EVENT_TIME, 6)).isEqualTo(TimestampData.fromEpochMillis(59_999));
      assertThat(late.get(0).getValue().getDecimal(SilverTable.TRANSACTIONS.position("amount"), 20, 4).toBigDecimal())
          .isEqualTo(new BigDecimal("5.0000"));
      // The late event left no state behind; the next window's did.
      assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
    }
  }

  @Test
  void aRestoredOperatorContinuesAsIfItHadNeverStopped() throws Exception {
    List<StreamRecord<RowData>> before =
        List.of(
            transaction("e1", 10_000, "m-1", "EUR", "12.5000", "captured"),
            transaction("e2", 20_000, "m-2", "EUR", "4.0000", "declined"),
            transaction("e3", 61_000, "m-1", "EUR", "9.0000", "captured"));
    List<Object> after =
        List.of(
            new Watermark(30_000),
            transaction("e4", 40_000, "m-1", "EUR", "0.5000", "declined"),
            new Watermark(59_999),
            transaction("e5", 50_000, "m-2", "EUR", "1.0000", "captured"),
            new Watermark(119_999),
            new Watermark(240_000),
            transaction("e6", 70_000, "m-1", "EUR", "1.0000", "captured"));

    List<Emitted> uninterrupted = continueAfterSnapshot(GoldTable.TRANSACTION_SUMMARY, before, after, false);
    List<Emitted> restored = continueAfterSnapshot(GoldTable.TRANSACTION_SUMMARY, before, after, true);

    assertThat(restored).isEqualTo(uninterrupted);
    // m-2 had only its first event before the snapshot: its timer fires from the restored state.
    assertThat(restored)
        .containsExactlyInAnyOrder(
            new Emitted(List.of("m-1", "EUR", T0, T1, 2L, new BigDecimal("13.0000"), new BigDecimal("0.5000"), new BigDecimal("12.5000"), 1L), 59_999),
            new Emitted(List.of("m-2", "EUR", T0, T1, 1L, new BigDecimal("4.0000"), new BigDecimal("4.0000"), new BigDecimal("4.0000"), 1L), 59_999),
            new Emitted(List.of("m-2", "EUR", T0, T1, 2L, new BigDecimal("5.0000"), new BigDecimal("1.0000"), new BigDecimal("4.0000"), 1L), 59_999),
            new Emitted(List.of("m-1", "EUR", T1, T2, 1L, new BigDecimal("9.0000"), new BigDecimal("9.0000"), new BigDecimal("9.0000"), 0L), 119_999));
    // e6 came after every window it could belong to was dropped: no row, in either run.
  }

  // ---------------------------------------------------------------- the other tables

  @Test
  void rollsUpMetricsByNameAndCanonicalTags() throws Exception {
    try (var harness = harness(GoldTable.METRIC_ROLLUP)) {
      Map<String, String> tags = new LinkedHashMap<>();
      tags.put("region", "eu \"west\"");
      tags.put("host", "n1");
      Map<String, String> sameTagsOtherOrder = new LinkedHashMap<>();
      sameTagsOtherOrder.put("host", "n1");
      sameTagsOtherOrder.put("region", "eu \"west\"");
      List<Double> values = new ArrayList<>();
      for (int i = 1; i <= 100; i++) {
        values.add((double) i * 1.5);
        harness.processElement(metric("m" + i, 100L * i, "http.latency", i % 2 == 0 ? tags : sameTagsOtherOrder, i * 1.5));
      }
      harness.processElement(metric("untagged-1", 5_000, "http.latency", null, 2.0));
      harness.processElement(metric("untagged-2", 6_000, "http.latency", Map.of(), -3.25));
      harness.processWatermark(new Watermark(59_999));

      List<Emitted> rows = emitted(harness, GoldTable.METRIC_ROLLUP);
      assertThat(rows).hasSize(2);
      Emitted tagged = rows.stream().filter(r -> !r.fields().get(1).equals("{}")).findFirst().orElseThrow();
      Emitted untagged = rows.stream().filter(r -> r.fields().get(1).equals("{}")).findFirst().orElseThrow();

      String canonical = MetricTags.canonical(tags);
      assertThat(canonical).isEqualTo("{\"host\":\"n1\",\"region\":\"eu \\\"west\\\"\"}");
      // name, tags, window_start, window_end, value_count, value_min, value_max, value_sum
      assertThat(tagged.fields().subList(0, 8)).containsExactly("http.latency", canonical, T0, T1, 100L, 1.5, 150.0, 7575.0);
      assertThat(tagged.timestamp()).isEqualTo(59_999);
      double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      int at = position(GoldTable.METRIC_ROLLUP, "p50");
      double[] quantiles = {0.5, 0.95, 0.99};
      for (int i = 0; i < quantiles.length; i++) {
        double exact = sorted[(int) Math.floor(quantiles[i] * (sorted.length - 1))];
        assertThat((double) tagged.fields().get(at + i))
            .as("p%s", quantiles[i] * 100)
            .isCloseTo(exact, within(MetricRollup.RELATIVE_ACCURACY * Math.abs(exact)));
      }
      // Null and empty tags are the same group, "{}"; percentiles stay within the exact range.
      assertThat(untagged.fields().subList(0, 8)).containsExactly("http.latency", "{}", T0, T1, 2L, -3.25, 2.0, -1.25);
      for (int i = 0; i < quantiles.length; i++) {
        // Of two values every percentile is the lower one (rank q * (n - 1) < 1).
        assertThat((double) untagged.fields().get(at + i)).isCloseTo(-3.25, within(MetricRollup.RELATIVE_ACCURACY * 3.25)).isBetween(-3.25, 2.0);
      }
    }
  }

  @Test
  void countsEachUsersActionsPurchasesAndDistinctResources() throws Exception {
    try (var harness = harness(GoldTable.USER_ACTIVITY)) {
      harness.processElement(userAction("u1", 1_000, "user-1", "view", "/p/1"));
      harness.processElement(userAction("u2", 2_000, "user-1", "view", "/p/2"));
      harness.processElement(userAction("u3", 3_000, "user-1", "view", "/p/1"));
      harness.processElement(userAction("u4", 4_000, "user-1", "purchase", "/p/1"));
      harness.processElement(userAction("u5", 5_000, "user-2", "login", "/login"));
      harness.processElement(userAction("u6", 65_000, "user-1", "purchase", "/p/9"));
      harness.processWatermark(new Watermark(119_999));

      assertThat(emitted(harness, GoldTable.USER_ACTIVITY))
          .containsExactlyInAnyOrder(
              new Emitted(List.of("user-1", T0, T1, Map.of("view", 3L, "purchase", 1L), 1L, 2L), 59_999),
              new Emitted(List.of("user-2", T0, T1, Map.of("login", 1L), 0L, 1L), 59_999),
              new Emitted(List.of("user-1", T1, T2, Map.of("purchase", 1L), 1L, 1L), 119_999));
    }
  }

  @Test
  void countsSystemEventsPerServiceAndLevel() throws Exception {
    try (var harness = harness(GoldTable.SYSTEM_HEALTH)) {
      harness.processElement(systemEvent("s1", 1_000, "payments", "ERROR"));
      harness.processElement(systemEvent("s2", 2_000, "payments", "ERROR"));
      harness.processElement(systemEvent("s3", 3_000, "payments", "INFO"));
      harness.processElement(systemEvent("s4", 4_000, "search", "ERROR"));
      harness.processWatermark(new Watermark(59_999));

      assertThat(emitted(harness, GoldTable.SYSTEM_HEALTH))
          .containsExactlyInAnyOrder(
              new Emitted(List.of("payments", "ERROR", T0, T1, 2L), 59_999),
              new Emitted(List.of("payments", "INFO", T0, T1, 1L), 59_999),
              new Emitted(List.of("search", "ERROR", T0, T1, 1L), 59_999));
    }
  }

  @Test
  void everyTablesAggregateSurvivesASnapshotInAnOpenWindow() throws Exception {
    List<StreamRecord<RowData>> metricsBefore = new ArrayList<>();
    List<Object> metricsAfter = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      StreamRecord<RowData> event = metric("m" + i, 1_000L * i, "cpu", Map.of("host", "n" + (i % 2)), Math.pow(1.3, i));
      if (i < 20) {
        metricsBefore.add(event);
      } else {
        metricsAfter.add(event);
      }
    }
    metricsAfter.add(new Watermark(59_999));
    assertThat(continueAfterSnapshot(GoldTable.METRIC_ROLLUP, metricsBefore, metricsAfter, true))
        .isEqualTo(continueAfterSnapshot(GoldTable.METRIC_ROLLUP, metricsBefore, metricsAfter, false))
        .hasSize(2);

    List<StreamRecord<RowData>> usersBefore =
        List.of(userAction("u1", 1_000, "user-1", "view", "/a"), userAction("u2", 2_000, "user-1", "purchase", "/b"));
    List<Object> usersAfter = List.of(userAction("u3", 3_000, "user-1", "view", "/a"), new Watermark(59_999));
    assertThat(continueAfterSnapshot(GoldTable.USER_ACTIVITY, usersBefore, usersAfter, true))
        .containsExactly(new Emitted(List.of("user-1", T0, T1, Map.of("view", 2L, "purchase", 1L), 1L, 2L), 59_999));

    List<StreamRecord<RowData>> healthBefore = List.of(systemEvent("s1", 1_000, "payments", "WARN"));
    List<Object> healthAfter = List.of(systemEvent("s2", 2_000, "payments", "WARN"), new Watermark(59_999));
    assertThat(continueAfterSnapshot(GoldTable.SYSTEM_HEALTH, healthBefore, healthAfter, true))
        .containsExactly(new Emitted(List.of("payments", "WARN", T0, T1, 2L), 59_999));
  }

  // ---------------------------------------------------------------- harness

  /** The window operator exactly as the job builds it, on a keyed harness that is open. */
  private static KeyedOneInputStreamOperatorTestHarness<String, RowData, RowData> harness(GoldTable table) throws Exception {
    return harness(table, null);
  }

  @SuppressWarnings("unchecked")
  private static KeyedOneInputStreamOperatorTestHarness<String, RowData, RowData> harness(GoldTable table, OperatorSubtaskState restoreFrom)
      throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    // Only the graph is built, never run: any stream of the silver row type will do.
    DataStream<RowData> events =
        env.fromSequence(0, 0).map(i -> (RowData) new GenericRowData(0)).returns(InternalTypeInfo.of(table.source().flinkRowType()));
    SingleOutputStreamOperator<RowData> windows = GoldAggregateJob.aggregate(events, GoldAggregation.of(table), SETTINGS);
    OneInputTransformation<RowData, RowData> transformation = (OneInputTransformation<RowData, RowData>) windows.getTransformation();
    assertThat(transformation.getOutputType()).isEqualTo(InternalTypeInfo.of(table.flinkRowType()));

    var harness =
        new KeyedOneInputStreamOperatorTestHarness<String, RowData, RowData>(
            transformation.getOperatorFactory(), (KeySelector<RowData, String>) transformation.getStateKeySelector(), Types.STRING);
    harness.setup(new RowDataSerializer(table.flinkRowType()));
    if (restoreFrom != null) {
      harness.initializeState(restoreFrom);
    }
    harness.open();
    return harness;
  }

  /**
   * What the operator emits after {@code before} and a snapshot, when it goes on with {@code
   * after}: in the same operator, or in a fresh one restored from the snapshot.
   */
  private static List<Emitted> continueAfterSnapshot(GoldTable table, List<StreamRecord<RowData>> before, List<Object> after, boolean restore)
      throws Exception {
    KeyedOneInputStreamOperatorTestHarness<String, RowData, RowData> harness = harness(table);
    for (StreamRecord<RowData> event : before) {
      harness.processElement(event);
    }
    OperatorSubtaskState snapshot = harness.snapshot(1L, 1L);
    assertThat(harness.getOutput()).isEmpty();
    if (restore) {
      harness.close();
      harness = harness(table, snapshot);
      assertThat(harness.numKeyedStateEntries()).isPositive();
    }
    try {
      for (Object step : after) {
        if (step instanceof Watermark watermark) {
          harness.processWatermark(watermark);
        } else {
          @SuppressWarnings("unchecked")
          StreamRecord<RowData> event = (StreamRecord<RowData>) step;
          harness.processElement(event);
        }
      }
      return emitted(harness, table);
    } finally {
      harness.close();
    }
  }

  /** A row the operator emitted: its columns as plain Java values, and the record's timestamp. */
  record Emitted(List<Object> fields, long timestamp) {}

  private static List<Emitted> emitted(KeyedOneInputStreamOperatorTestHarness<String, RowData, RowData> harness, GoldTable table) {
    List<Emitted> rows = new ArrayList<>();
    for (Object output : harness.getOutput()) {
      if (output instanceof StreamRecord<?> record) {
        rows.add(new Emitted(plain((RowData) record.getValue(), table), record.getTimestamp()));
      }
    }
    return rows;
  }

  private static List<Watermark> watermarks(KeyedOneInputStreamOperatorTestHarness<String, RowData, RowData> harness) {
    return harness.getOutput().stream().filter(Watermark.class::isInstance).map(Watermark.class::cast).toList();
  }

  /** A gold row's columns, read by the table's own types, as String, Instant, Long, BigDecimal, Double or Map. */
  private static List<Object> plain(RowData row, GoldTable table) {
    RowType type = table.flinkRowType();
    assertThat(row.getArity()).isEqualTo(type.getFieldCount());
    assertThat(row.getRowKind()).isEqualTo(org.apache.flink.types.RowKind.INSERT);
    List<Object> fields = new ArrayList<>();
    for (int i = 0; i < type.getFieldCount(); i++) {
      LogicalType field = type.getTypeAt(i);
      assertThat(row.isNullAt(i)).as(type.getFieldNames().get(i)).isFalse();
      fields.add(
          switch (field.getTypeRoot()) {
            case VARCHAR -> row.getString(i).toString();
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE -> row.getTimestamp(i, 3).toInstant();
            case BIGINT -> row.getLong(i);
            case DOUBLE -> row.getDouble(i);
            case DECIMAL -> {
              DecimalType decimal = (DecimalType) field;
              yield row.getDecimal(i, decimal.getPrecision(), decimal.getScale()).toBigDecimal();
            }
            case MAP -> {
              MapData map = row.getMap(i);
              Map<String, Long> plain = new HashMap<>();
              for (int j = 0; j < map.size(); j++) {
                plain.put(map.keyArray().getString(j).toString(), map.valueArray().getLong(j));
              }
              yield plain;
            }
            default -> throw new AssertionError("no test reading for " + field);
          });
    }
    return fields;
  }

  private static int position(GoldTable table, String column) {
    return table.flinkRowType().getFieldIndex(column);
  }

  // ---------------------------------------------------------------- silver rows

  private StreamRecord<RowData> transaction(String eventId, long eventTime, String merchant, String currency, String amount, String status) {
    SilverTable table = SilverTable.TRANSACTIONS;
    GenericRowData row = envelope(table, eventId, eventTime);
    row.setField(table.position("transaction_id"), StringData.fromString("tx-" + eventId));
    row.setField(table.position("account_id"), StringData.fromString("acc-1"));
    row.setField(table.position("merchant_id"), StringData.fromString(merchant));
    row.setField(table.position("currency"), StringData.fromString(currency));
    row.setField(
        table.position("amount"), DecimalData.fromBigDecimal(new BigDecimal(amount), SilverTable.AMOUNT_PRECISION, SilverTable.AMOUNT_SCALE));
    row.setField(table.position("status"), StringData.fromString(status));
    row.setField(table.position("payment_method"), StringData.fromString("card"));
    return new StreamRecord<>(row, eventTime);
  }

  private StreamRecord<RowData> metric(String eventId, long eventTime, String name, Map<String, String> tags, double value) {
    SilverTable table = SilverTable.METRICS;
    GenericRowData row = envelope(table, eventId, eventTime);
    row.setField(table.position("name"), StringData.fromString(name));
    row.setField(table.position("value"), value);
    row.setField(table.position("unit"), StringData.fromString("ms"));
    if (tags != null) {
      Map<StringData, StringData> map = new LinkedHashMap<>();
      tags.forEach((k, v) -> map.put(StringData.fromString(k), StringData.fromString(v)));
      row.setField(table.position("tags"), new GenericMapData(map));
    }
    return new StreamRecord<>(row, eventTime);
  }

  private StreamRecord<RowData> userAction(String eventId, long eventTime, String user, String action, String resource) {
    SilverTable table = SilverTable.USER_ACTIONS;
    GenericRowData row = envelope(table, eventId, eventTime);
    row.setField(table.position("user_id"), StringData.fromString(user));
    row.setField(table.position("action"), StringData.fromString(action));
    row.setField(table.position("resource"), StringData.fromString(resource));
    return new StreamRecord<>(row, eventTime);
  }

  private StreamRecord<RowData> systemEvent(String eventId, long eventTime, String service, String level) {
    SilverTable table = SilverTable.SYSTEM_EVENTS;
    GenericRowData row = envelope(table, eventId, eventTime);
    row.setField(table.position("service"), StringData.fromString(service));
    row.setField(table.position("level"), StringData.fromString(level));
    row.setField(table.position("message"), StringData.fromString("event " + eventId));
    return new StreamRecord<>(row, eventTime);
  }

  /** A silver row of {@code table} with its envelope filled and its payload columns null. */
  private GenericRowData envelope(SilverTable table, String eventId, long eventTime) {
    GenericRowData row = new GenericRowData(table.flinkRowType().getFieldCount());
    row.setField(SilverTable.EVENT_DATE, (int) Math.floorDiv(eventTime, Duration.ofDays(1).toMillis()));
    row.setField(SilverTable.EVENT_ID, StringData.fromString(eventId));
    row.setField(SilverTable.EVENT_TIME, TimestampData.fromEpochMillis(eventTime));
    row.setField(SilverTable.SOURCE_SYSTEM, StringData.fromString("harness"));
    row.setField(SilverTable.SCHEMA_VERSION, 1);
    row.setField(SilverTable.METADATA, null);
    row.setField(SilverTable.SOURCE_TOPIC, StringData.fromString("raw." + table.eventType()));
    row.setField(SilverTable.SOURCE_PARTITION, 0);
    row.setField(SilverTable.SOURCE_OFFSET, offset++);
    return row;
  }
}
