package io.medallion.quality;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.common.quality.RecordProfile;
import io.medallion.common.quality.Scope;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.metrics.groups.InternalOperatorMetricGroup;
import org.apache.flink.runtime.metrics.groups.UnregisteredMetricGroups;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** The monitor's pre-shuffle counting, on Flink's operator harness: windows, watermarks, lateness, restore. */
class WindowCounterTest {
  private static final Duration LATENESS = Duration.ofSeconds(30);
  /** Minute windows of raw.a and of raw.a's transactions, and five-minute windows of everything. */
  private static final List<WindowSlot> SLOTS =
      List.of(
          new WindowSlot(Duration.ofMinutes(1), new Scope("raw.a", null)),
          new WindowSlot(Duration.ofMinutes(1), new Scope("raw.a", "transaction")),
          new WindowSlot(Duration.ofMinutes(5), Scope.ALL));

  private final InterceptingOperatorMetricGroup metrics = new InterceptingOperatorMetricGroup();

  private OneInputStreamOperatorTestHarness<RecordProfile, ScopeCount> harness() throws Exception {
    UnregisteredMetricGroups.UnregisteredTaskMetricGroup task =
        new UnregisteredMetricGroups.UnregisteredTaskMetricGroup() {
          @Override
          public InternalOperatorMetricGroup getOrAddOperator(OperatorID id, String name) {
            return metrics;
          }
        };
    MockEnvironment environment = new MockEnvironmentBuilder().setMetricGroup(task).build();
    return new OneInputStreamOperatorTestHarness<>(new WindowCounter(SLOTS, LATENESS), environment);
  }

  private static StreamRecord<RecordProfile> record(String topic, String eventType, long timestamp) {
    RecordProfile profile = new RecordProfile();
    profile.topic = topic;
    profile.eventType = eventType;
    profile.eventId = topic + "-" + timestamp;
    profile.timestamp = timestamp;
    profile.valid = true;
    profile.schemaVersion = 1;
    return new StreamRecord<>(profile, timestamp);
  }

  /** What left the counter, in order: "slot S [start, end) N records @timestamp" and watermarks. */
  private static List<String> output(OneInputStreamOperatorTestHarness<RecordProfile, ScopeCount> harness) {
    List<String> out = new ArrayList<>();
    for (Object element : harness.getOutput()) {
      if (element instanceof Watermark mark) {
        out.add("watermark " + mark.getTimestamp());
      } else if (element instanceof WatermarkStatus status) {
        out.add("watermark status " + (status.isIdle() ? "IDLE" : "ACTIVE"));
      } else {
        @SuppressWarnings("unchecked")
        StreamRecord<ScopeCount> count = (StreamRecord<ScopeCount>) element;
        ScopeCount c = count.getValue();
        long end = c.windowStart + SLOTS.get(c.slot).sizeMillis();
        out.add("slot " + c.slot + " [" + c.windowStart + ", " + end + ") " + c.stats.records() + " records @" + count.getTimestamp());
      }
    }
    return out;
  }

  private long lateRecordsDropped() {
    return ((Counter) metrics.get("numLateRecordsDropped")).getCount();
  }

  @Test
  void countsEachRecordInEveryMatchingSlotAndSendsAWindowWhenTheWatermarkPassesItsEndPlusLateness() throws Exception {
    try (var harness = harness()) {
      harness.open();
      harness.processElement(record("raw.a", "transaction", 10_000));
      harness.processElement(record("raw.a", "user_action", 20_000));
      harness.processElement(record("raw.a", "transaction", 65_000));
      harness.processElement(record("raw.b", "metric", 70_000));

      // Minute 0 closes at 59,999 + 30,000; one millisecond earlier nothing leaves.
      harness.processWatermark(89_998);
      assertThat(output(harness)).containsExactly("watermark 89998");
      harness.getOutput().clear();

      harness.processWatermark(89_999);
      assertThat(output(harness))
          .containsExactlyInAnyOrder("slot 0 [0, 60000) 2 records @59999", "slot 1 [0, 60000) 1 records @59999", "watermark 89999");
      assertThat(output(harness)).last().isEqualTo("watermark 89999");
      harness.getOutput().clear();

      harness.processWatermark(Long.MAX_VALUE);
      assertThat(output(harness))
          .containsExactlyInAnyOrder(
              "slot 0 [60000, 120000) 1 records @119999",
              "slot 1 [60000, 120000) 1 records @119999",
              "slot 2 [0, 300000) 4 records @299999",
              "watermark " + Long.MAX_VALUE);
      assertThat(lateRecordsDropped()).isZero();
    }
  }

  @Test
  void aRecordOfAClosedWindowIsDroppedAndCountedOncePerSlotItWouldHaveJoined() throws Exception {
    try (var harness = harness()) {
      harness.open();
      harness.processElement(record("raw.a", "transaction", 10_000));
      harness.processWatermark(89_999);
      harness.getOutput().clear();

      // Minute 0 of both minute slots is closed; the five-minute window is still open.
      harness.processElement(record("raw.a", "transaction", 30_000));
      assertThat(lateRecordsDropped()).isEqualTo(2);
      harness.processWatermark(Long.MAX_VALUE);
      assertThat(output(harness)).containsExactlyInAnyOrder("slot 2 [0, 300000) 2 records @299999", "watermark " + Long.MAX_VALUE);
    }
  }

  @Test
  void anIdleInputSendsItsOpenWindowsBeforeItStopsHoldingEventTimeBack() throws Exception {
    try (var harness = harness()) {
      harness.open();
      harness.processElement(record("raw.a", "user_action", 10_000));
      harness.processWatermark(5_000);
      harness.getOutput().clear();

      harness.processWatermarkStatus(WatermarkStatus.IDLE);
      assertThat(output(harness))
          .containsExactlyInAnyOrder("slot 0 [0, 60000) 1 records @59999", "slot 2 [0, 300000) 1 records @299999", "watermark status IDLE");
      assertThat(output(harness)).last().isEqualTo("watermark status IDLE");
      harness.getOutput().clear();

      // Active again, a record of the same, still open window starts new counts; the judge adds them up.
      harness.processWatermarkStatus(WatermarkStatus.ACTIVE);
      harness.processElement(record("raw.a", "user_action", 20_000));
      harness.processWatermark(Long.MAX_VALUE);
      assertThat(output(harness))
          .containsExactlyInAnyOrder(
              "watermark status ACTIVE", "slot 0 [0, 60000) 1 records @59999", "slot 2 [0, 300000) 1 records @299999", "watermark " + Long.MAX_VALUE);
    }
  }

  @Test
  void openWindowsSurviveARestore() throws Exception {
    OperatorSubtaskState snapshot;
    try (var harness = harness()) {
      harness.open();
      harness.processElement(record("raw.a", "transaction", 10_000));
      harness.processElement(record("raw.a", "transaction", 20_000));
      snapshot = harness.snapshot(1, 1);
    }
    try (var restored = harness()) {
      restored.initializeState(snapshot);
      restored.open();
      restored.processElement(record("raw.a", "user_action", 30_000));
      restored.processWatermark(89_999);
      assertThat(output(restored))
          .containsExactlyInAnyOrder("slot 0 [0, 60000) 3 records @59999", "slot 1 [0, 60000) 2 records @59999", "watermark 89999");
    }
  }
}
