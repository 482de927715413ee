package io.medallion.quality;

import io.medallion.common.quality.RecordProfile;
import io.medallion.common.quality.Scope;
import io.medallion.common.quality.WindowStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;

/**
 * Counts records per {@link WindowSlot} and tumbling event-time window where they are read, before
 * any shuffle; a window's counts leave when the watermark passes its end plus the allowed lateness
 * (or when the input goes idle), and {@link ScopeJudge} merges the counts of every counter. Later records are dropped and counted in
 * {@code numLateRecordsDropped}, as a window operator with that lateness would.
 *
 * <p>Why not a keyed window per scope: it ships every record (serialized) to the subtask of its
 * scope, so a check over all records puts every record on one subtask; a few counts per window
 * instead let the monitor scale with its sources (the local/global aggregation of Flink SQL). The
 * open counts are operator state, so they survive restarts and rescaling.
 */
final class WindowCounter extends AbstractStreamOperator<ScopeCount> implements OneInputStreamOperator<RecordProfile, ScopeCount> {
  private static final long serialVersionUID = 1L;

  private final Scope[] scopes;
  private final long[] sizes;
  private final long lateness;

  /** Per slot, the open windows by start. */
  private transient List<Map<Long, WindowStats>> open;
  /** Per slot, the window the previous record went to: most records go where the previous did. */
  private transient long[] lastStart;
  private transient WindowStats[] lastStats;
  private transient long watermark;
  private transient Counter lateRecordsDropped;
  private transient ListState<ScopeCount> checkpointed;

  WindowCounter(List<WindowSlot> slots, Duration lateness) {
    this.scopes = slots.stream().map(WindowSlot::scope).toArray(Scope[]::new);
    this.sizes = slots.stream().mapToLong(WindowSlot::sizeMillis).toArray();
    this.lateness = lateness.toMillis();
  }

  /** Counts {@code profiles} where they are (chained to their operator), named after {@code what} they are. */
  static DataStream<ScopeCount> count(DataStream<RecordProfile> profiles, String what, List<WindowSlot> slots, Duration lateness) {
    return profiles.transform("count " + what + " per scope window", TypeInformation.of(ScopeCount.class), new WindowCounter(slots, lateness)).uid("count-" + what);
  }

  @Override
  public void initializeState(StateInitializationContext context) throws Exception {
    super.initializeState(context);
    open = new ArrayList<>();
    for (int slot = 0; slot < scopes.length; slot++) {
      open.add(new HashMap<>());
    }
    lastStart = new long[scopes.length];
    lastStats = new WindowStats[scopes.length];
    watermark = Long.MIN_VALUE;
    checkpointed = context.getOperatorStateStore().getListState(new ListStateDescriptor<>("open-windows", TypeInformation.of(ScopeCount.class)));
    for (ScopeCount restored : checkpointed.get()) {
      open.get(restored.slot).computeIfAbsent(restored.windowStart, start -> new WindowStats()).merge(restored.stats);
    }
  }

  @Override
  public void open() throws Exception {
    super.open();
    lateRecordsDropped = getMetricGroup().counter("numLateRecordsDropped");
  }

  @Override
  public void processElement(StreamRecord<RecordProfile> element) {
    RecordProfile profile = element.getValue();
    long timestamp = element.getTimestamp();
    for (int slot = 0; slot < scopes.length; slot++) {
      if (!scopes[slot].matches(profile.topic, profile.eventType)) {
        continue;
      }
      long start = TimeWindow.getWindowStartWithOffset(timestamp, 0, sizes[slot]);
      if (judgedAt(slot, start) <= watermark) {
        lateRecordsDropped.inc();
      } else {
        window(slot, start).add(profile);
      }
    }
  }

  @Override
  public void processWatermark(Watermark mark) throws Exception {
    watermark = mark.getTimestamp();
    send(false);
    super.processWatermark(mark);
  }

  /**
   * An idle input stops holding the judge's event time back, and would never close its windows
   * while idle: its counts go now, open or not (the judge merges any number of counts per window).
   */
  @Override
  public void processWatermarkStatus(WatermarkStatus status) throws Exception {
    if (status.isIdle()) {
      send(true);
    }
    super.processWatermarkStatus(status);
  }

  /** Sends the windows the watermark has closed, or all. */
  private void send(boolean all) {
    for (int slot = 0; slot < scopes.length; slot++) {
      for (Iterator<Map.Entry<Long, WindowStats>> windows = open.get(slot).entrySet().iterator(); windows.hasNext(); ) {
        Map.Entry<Long, WindowStats> window = windows.next();
        long start = window.getKey();
        if (all || judgedAt(slot, start) <= watermark) {
          output.collect(new StreamRecord<>(new ScopeCount(slot, start, window.getValue()), start + sizes[slot] - 1));
          windows.remove();
        }
      }
      lastStats[slot] = null;
    }
  }

  @Override
  public void snapshotState(StateSnapshotContext context) throws Exception {
    super.snapshotState(context);
    List<ScopeCount> windows = new ArrayList<>();
    for (int slot = 0; slot < scopes.length; slot++) {
      for (Map.Entry<Long, WindowStats> window : open.get(slot).entrySet()) {
        windows.add(new ScopeCount(slot, window.getKey(), window.getValue()));
      }
    }
    checkpointed.update(windows);
  }

  private long judgedAt(int slot, long start) {
    return WindowSlot.closesAt(start, sizes[slot], lateness);
  }

  private WindowStats window(int slot, long start) {
    if (lastStats[slot] == null || lastStart[slot] != start) {
      lastStart[slot] = start;
      lastStats[slot] = open.get(slot).computeIfAbsent(start, s -> new WindowStats());
    }
    return lastStats[slot];
  }
}
