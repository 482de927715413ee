package io.medallion.quality;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.common.quality.Condition;
import io.medallion.common.quality.Metric;
import io.medallion.common.quality.QualityCheck;
import io.medallion.common.quality.Scope;
import io.medallion.common.quality.Severity;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

import org.junit.jupiter.api.Test;

/** Processing-time timers of freshness checks, and their fire/resolve transitions, on Flink's keyed harness. */
class FreshnessFunctionTest {
  private static final Scope RAW = new Scope("raw.events", null);
  private static final String KEY = RAW.toString();
  /** Fails after 60 s of silence (warn), and another after 120 s (fail). */
  private static final QualityCheck SILENT_MINUTE = check("silent-minute", 60, Severity.WARN);
  private static final QualityCheck SILENT_TWO_MINUTES = check("silent-two-minutes", 120, Severity.FAIL);

  private static QualityCheck check(String name, double maxSilenceSeconds, Severity severity) {
    return new QualityCheck(name, RAW, Metric.FRESHNESS, maxSilenceSeconds + "s", new Condition.Threshold(null, maxSilenceSeconds), Duration.ofMinutes(1), severity);
  }

  private static KeyedOneInputStreamOperatorTestHarness<String, String, QualityResult> harness() throws Exception {
    return new KeyedOneInputStreamOperatorTestHarness<>(
        new KeyedProcessOperator<>(new FreshnessFunction(Map.of(KEY, List.of(SILENT_MINUTE, SILENT_TWO_MINUTES)))), scope -> scope, Types.STRING);
  }

  /** check, status, alert, from, to, observed: what a test needs to see of a result. */
  private static List<String> results(KeyedOneInputStreamOperatorTestHarness<String, String, QualityResult> harness) {
    return harness.extractOutputValues().stream()
        .map(r -> r.check + " " + r.status + " " + r.alert + " " + r.windowStart + ".." + r.windowEnd + " observed " + r.observed + " max " + r.expectedMax + " first fired " + r.firstFiredAt)
        .toList();
  }

  @Test
  void aSilenceLongerThanMaxSilenceFiresEachCheckOnceAndTheNextRecordResolvesThem() throws Exception {
    try (var harness = harness()) {
      harness.open();
      harness.setProcessingTime(1_000);
      harness.processElement(KEY, 1_000);
      harness.setProcessingTime(30_000);
      harness.processElement(KEY, 30_000);

      // 60 s after the last record, not longer: nothing yet.
      harness.setProcessingTime(90_000);
      assertThat(harness.extractOutputValues()).isEmpty();

      harness.setProcessingTime(90_001);
      harness.setProcessingTime(150_001);
      // Time keeps passing while silent: no repeats.
      harness.setProcessingTime(400_000);
      assertThat(results(harness))
          .containsExactly(
              "silent-minute warn firing 30000..90001 observed 60.001 max 60.0 first fired 90001",
              "silent-two-minutes fail firing 30000..150001 observed 120.001 max 120.0 first fired 150001");

      harness.processElement(KEY, 400_000);
      assertThat(results(harness).subList(2, 4))
          .containsExactly(
              "silent-minute ok resolved 30000..400000 observed 0.0 max 60.0 first fired 90001",
              "silent-two-minutes ok resolved 30000..400000 observed 0.0 max 120.0 first fired 150001");
      assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);
    }
  }

  @Test
  void recordsWithinMaxSilenceKeepOneTimerAndRaiseNothing() throws Exception {
    try (var harness = harness()) {
      harness.open();
      for (long t = 0; t <= 600_000; t += 45_000) {
        harness.setProcessingTime(t);
        harness.processElement(KEY, t);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);
      }
      assertThat(harness.extractOutputValues()).isEmpty();
    }
  }

  @Test
  void aFiringAlertAndItsTimerSurviveARestore() throws Exception {
    OperatorSubtaskState snapshot;
    try (var harness = harness()) {
      harness.open();
      harness.setProcessingTime(0);
      harness.processElement(KEY, 0);
      harness.setProcessingTime(60_001);
      assertThat(results(harness)).containsExactly("silent-minute warn firing 0..60001 observed 60.001 max 60.0 first fired 60001");
      snapshot = harness.snapshot(1, 60_001);
    }
    try (var restored = harness()) {
      restored.initializeState(snapshot);
      restored.open();
      restored.setProcessingTime(120_001);
      restored.setProcessingTime(130_000);
      restored.processElement(KEY, 130_000);
      assertThat(results(restored))
          .containsExactly(
              "silent-two-minutes fail firing 0..120001 observed 120.001 max 120.0 first fired 120001",
              "silent-minute ok resolved 0..130000 observed 0.0 max 60.0 first fired 60001",
              "silent-two-minutes ok resolved 0..130000 observed 0.0 max 120.0 first fired 120001");
    }
  }
}
