package io.medallion.quality;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.common.quality.Condition;
import io.medallion.common.quality.Metric;
import io.medallion.common.quality.QualityCheck;
import io.medallion.common.quality.RecordProfile;
import io.medallion.common.quality.Scope;
import io.medallion.common.quality.Severity;
import io.medallion.common.quality.WindowStats;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** Merging every counter's counts of a window and judging it once, on Flink's keyed harness. */
class ScopeJudgeTest {
  private static final Scope RAW_A = new Scope("raw.a", null);
  /** At least three records a minute in raw.a. */
  private static final QualityCheck VOLUME =
      new QualityCheck("volume", RAW_A, Metric.RECORD_COUNT, null, new Condition.Threshold(3.0, null), Duration.ofMinutes(1), Severity.FAIL);
  private static final QualitySettings SETTINGS =
      new QualitySettings(
          List.of(VOLUME), 1 << 20, Duration.ofMinutes(5), Duration.ofDays(7), Duration.ofDays(1), Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofSeconds(30));

  private static KeyedOneInputStreamOperatorTestHarness<Integer, ScopeCount, QualityResult> harness() throws Exception {
    return new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new ScopeJudge(SETTINGS)), count -> count.slot, Types.INT);
  }

  /** A counter's counts of {@code records} valid records of raw.a in the minute starting at {@code start}. */
  private static ScopeCount count(long start, int records) {
    WindowStats stats = new WindowStats();
    for (int i = 0; i < records; i++) {
      RecordProfile profile = new RecordProfile();
      profile.topic = "raw.a";
      profile.eventType = "transaction";
      profile.eventId = "e" + i;
      profile.valid = true;
      stats.add(profile);
    }
    return new ScopeCount(0, start, stats);
  }

  private static List<String> results(KeyedOneInputStreamOperatorTestHarness<Integer, ScopeCount, QualityResult> harness) {
    return harness.extractOutputValues().stream()
        .map(r -> r.check + " " + r.scope + " " + r.windowStart + ".." + r.windowEnd + " observed " + r.observed + " " + r.status + " " + r.alert)
        .toList();
  }

  @Test
  void theCountsOfAllCountersAreJudgedOnceAtTheWindowsEndPlusLateness() throws Exception {
    try (var harness = harness()) {
      harness.open();
      // Two counters' counts of minute 0 (2 + 2 records) and one of minute 1 (1 record).
      harness.processElement(count(0, 2), 59_999);
      harness.processElement(count(0, 2), 59_999);
      harness.processElement(count(60_000, 1), 119_999);
      harness.processWatermark(89_998);
      assertThat(harness.extractOutputValues()).isEmpty();

      harness.processWatermark(89_999);
      assertThat(results(harness)).containsExactly("volume topic=raw.a,event_type=* 0..60000 observed 4.0 ok null");
      harness.processWatermark(149_999);
      assertThat(results(harness).get(1)).isEqualTo("volume topic=raw.a,event_type=* 60000..120000 observed 1.0 fail firing");

      // Counts of minute 0 from a counter that fell behind: the minute is judged already.
      harness.processElement(count(0, 5), 59_999);
      harness.processWatermark(Long.MAX_VALUE);
      assertThat(results(harness)).hasSize(2);
      assertThat(harness.numKeyedStateEntries()).as("pending windows are cleared; one history and the last judged window remain").isEqualTo(2);
    }
  }

  @Test
  void aWindowEventTimePassedBeforeItsCountsArrivedIsJudgedOnceAfterTheGrace() throws Exception {
    try (var harness = harness()) {
      harness.open();
      harness.setProcessingTime(0);
      // Every input was idle; the duplicate path's watermark passed minutes 0 and 1 before the
      // resumed input's counts of them arrived: they were never judged, so they are not late.
      harness.processWatermark(149_999);
      harness.processElement(count(0, 4), 59_999);
      harness.processElement(count(60_000, 1), 119_999);
      harness.setProcessingTime(ScopeJudge.STRAGGLER_GRACE.toMillis() - 1);
      // Another counter's counts of minute 0, within the grace.
      harness.processElement(count(0, 1), 59_999);
      assertThat(harness.extractOutputValues()).isEmpty();

      harness.setProcessingTime(ScopeJudge.STRAGGLER_GRACE.toMillis());
      assertThat(results(harness))
          .containsExactly(
              "volume topic=raw.a,event_type=* 0..60000 observed 5.0 ok null",
              "volume topic=raw.a,event_type=* 60000..120000 observed 1.0 fail firing");
      // Judged once: the windows' event-time timers find nothing left, and later counts are late.
      harness.processElement(count(60_000, 3), 119_999);
      harness.processWatermark(Long.MAX_VALUE);
      harness.setProcessingTime(10 * ScopeJudge.STRAGGLER_GRACE.toMillis());
      assertThat(results(harness)).hasSize(2);
      assertThat(harness.numKeyedStateEntries()).isEqualTo(2);
    }
  }

  @Test
  void countsWaitingForTheirWindowAndCheckHistoriesSurviveARestore() throws Exception {
    OperatorSubtaskState snapshot;
    try (var harness = harness()) {
      harness.open();
      harness.processElement(count(0, 1), 59_999);
      harness.processWatermark(89_999);
      harness.processElement(count(60_000, 2), 119_999);
      snapshot = harness.snapshot(1, 1);
    }
    try (var restored = harness()) {
      restored.setup();
      restored.initializeState(snapshot);
      restored.open();
      restored.processElement(count(60_000, 2), 119_999);
      restored.processWatermark(149_999);
      // Minute 0 failed before the restore; minute 1's 2 + 2 records resolve the alert.
      assertThat(results(restored)).containsExactly("volume topic=raw.a,event_type=* 60000..120000 observed 4.0 ok resolved");
    }
  }
}
