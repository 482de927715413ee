package io.medallion.quality;

import io.medallion.common.flink.StageMetrics;
import io.medallion.common.quality.CheckHistory;
import io.medallion.common.quality.CheckJudge;
import io.medallion.common.quality.Judgement;
import io.medallion.common.quality.QualityCheck;
import io.medallion.common.quality.WindowStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by {@link WindowSlot}: merges the counts of a window from every {@link WindowCounter} and
 * judges each check of the slot once, when event time passes the window's end plus the allowed
 * lateness. The counters send a window's counts before they pass that watermark on, so by then
 * every count has arrived; counts of a window already judged (an input that resumed behind the
 * others) are dropped and their records counted in {@code numLateRecordsDropped}.
 *
 * <p>A window whose counts first arrive after event time has passed its close, but which was never
 * judged, is not late: the same records' time also travels the duplicate path, and when every input
 * was idle that path can reach this operator before the resumed input's own status does, so the
 * judge's watermark passes windows it has no counts for yet. Such a window is judged {@link
 * #STRAGGLER_GRACE} of wall-clock time after its first counts (the other counters' counts of it
 * follow within a network buffer's timeout), or at the next watermark, whichever is first.
 *
 * <p>The checks' histories (previous value, EWMA, alert state) are keyed state, so anomalies and
 * alert transitions survive restarts. Each check's latest status is a gauge: 0 ok, 1 warn, 2 fail.
 */
final class ScopeJudge extends KeyedProcessFunction<Integer, ScopeCount, QualityResult> {
  private static final long serialVersionUID = 1L;
  /** How long counts of a window event time has already passed wait for the other counters' counts. */
  static final Duration STRAGGLER_GRACE = Duration.ofSeconds(1);

  private final List<WindowSlot> slots;
  private final List<List<QualityCheck>> checks = new ArrayList<>();
  private final List<String> missingFields;
  private final long lateness;

  private transient MapState<Long, WindowStats> pending;
  private transient ValueState<Long> lastJudgedStart;
  private transient MapState<String, CheckHistory> histories;
  private transient Map<String, Integer> statuses;
  private transient MetricGroup checkMetrics;
  private transient Counter lateRecordsDropped;

  ScopeJudge(QualitySettings settings) {
    this.slots = settings.windowSlots();
    for (WindowSlot slot : slots) {
      checks.add(settings.checks(slot.scope(), slot.window()));
    }
    this.missingFields = settings.missingFields();
    this.lateness = settings.allowedLateness().toMillis();
  }

  @Override
  public void open(OpenContext openContext) {
    pending = getRuntimeContext().getMapState(new MapStateDescriptor<>("pending-windows", Types.LONG, TypeInformation.of(WindowStats.class)));
    lastJudgedStart = getRuntimeContext().getState(new ValueStateDescriptor<>("last-judged-window", Types.LONG));
    histories = getRuntimeContext().getMapState(new MapStateDescriptor<>("histories", Types.STRING, TypeInformation.of(CheckHistory.class)));
    statuses = new HashMap<>();
    checkMetrics = getRuntimeContext().getMetricGroup().addGroup(StageMetrics.GROUP);
    lateRecordsDropped = getRuntimeContext().getMetricGroup().counter("numLateRecordsDropped");
  }

  @Override
  public void processElement(ScopeCount count, Context ctx, Collector<QualityResult> out) throws Exception {
    Long judged = lastJudgedStart.value();
    if (judged != null && count.windowStart <= judged) {
      lateRecordsDropped.inc(count.stats.profiles());
      return;
    }
    WindowStats stats = pending.get(count.windowStart);
    if (stats == null) {
      stats = new WindowStats();
      long closesAt = WindowSlot.closesAt(count.windowStart, slots.get(count.slot).sizeMillis(), lateness);
      ctx.timerService().registerEventTimeTimer(closesAt);
      if (closesAt <= ctx.timerService().currentWatermark()) {
        ctx.timerService().registerProcessingTimeTimer(ctx.timerService().currentProcessingTime() + STRAGGLER_GRACE.toMillis());
      }
    }
    stats.merge(count.stats);
    pending.put(count.windowStart, stats);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<QualityResult> out) throws Exception {
    int slot = ctx.getCurrentKey();
    long size = slots.get(slot).sizeMillis();
    List<Long> due = new ArrayList<>();
    if (ctx.timeDomain() == TimeDomain.EVENT_TIME) {
      due.add(timestamp - lateness - size + 1);
    } else {
      for (Long start : pending.keys()) {
        if (WindowSlot.closesAt(start, size, lateness) <= ctx.timerService().currentWatermark()) {
          due.add(start);
        }
      }
      Collections.sort(due);
    }
    for (long start : due) {
      // A straggler's window may have been judged by the other timer already.
      WindowStats stats = pending.get(start);
      if (stats != null) {
        pending.remove(start);
        lastJudgedStart.update(start);
        judge(slot, start, size, stats, out);
      }
    }
  }

  private void judge(int slot, long start, long size, WindowStats stats, Collector<QualityResult> out) throws Exception {
    String scope = slots.get(slot).scope().toString();
    for (QualityCheck check : checks.get(slot)) {
      CheckHistory history = histories.get(check.name());
      if (history == null) {
        history = new CheckHistory();
      }
      Judgement judgement = CheckJudge.judge(check, history, stats.value(check, missingFields), start + size);
      histories.put(check.name(), history);
      out.collect(QualityResult.of(check, scope, start, start + size, judgement));
      publish(check, scope, judgement.status());
    }
  }

  private void publish(QualityCheck check, String scope, Judgement.Status status) {
    String key = check.name() + " " + scope;
    if (!statuses.containsKey(key)) {
      checkMetrics
          .addGroup(QualityMonitorJob.CHECK_LABEL, check.name())
          .addGroup(QualityMonitorJob.SCOPE_LABEL, scope)
          .gauge(QualityMonitorJob.STATUS_GAUGE, () -> statuses.get(key));
    }
    statuses.put(key, status.ordinal());
  }
}
