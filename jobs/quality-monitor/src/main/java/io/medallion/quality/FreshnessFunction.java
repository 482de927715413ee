package io.medallion.quality;

import io.medallion.common.quality.CheckHistory;
import io.medallion.common.quality.CheckJudge;
import io.medallion.common.quality.Condition;
import io.medallion.common.quality.Judgement;
import io.medallion.common.quality.QualityCheck;
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
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by scope, fed one heartbeat per scope (at most one a second per upstream subtask): a
 * freshness check fails when a processing-time timer finds the scope silent for longer than its
 * {@code max-silence} (the timer is set 1 ms past it), and resolves with the next record. Processing time, because silence is about the
 * wall clock: a stopped producer moves no event time. A scope is watched from its first record on.
 * Emits a result only when a check fires or resolves (observed = seconds of silence).
 */
public class FreshnessFunction extends KeyedProcessFunction<String, String, QualityResult> {
  private static final long serialVersionUID = 1L;

  private final Map<String, List<QualityCheck>> checksByScope;

  private transient ValueState<Long> lastSeen;
  private transient ValueState<Long> pendingTimer;
  private transient MapState<String, CheckHistory> histories;

  public FreshnessFunction(Map<String, List<QualityCheck>> checksByScope) {
    this.checksByScope = new HashMap<>(checksByScope);
  }

  @Override
  public void open(OpenContext openContext) {
    lastSeen = getRuntimeContext().getState(new ValueStateDescriptor<>("last-seen", Types.LONG));
    pendingTimer = getRuntimeContext().getState(new ValueStateDescriptor<>("pending-timer", Types.LONG));
    histories = getRuntimeContext().getMapState(new MapStateDescriptor<>("histories", Types.STRING, TypeInformation.of(CheckHistory.class)));
  }

  @Override
  public void processElement(String scope, Context ctx, Collector<QualityResult> out) throws Exception {
    long now = ctx.timerService().currentProcessingTime();
    Long previous = lastSeen.value();
    lastSeen.update(now);
    for (QualityCheck check : checksByScope.get(scope)) {
      CheckHistory history = history(check);
      if (history.failing()) {
        // The silence is over: judging it as zero seconds resolves the alert.
        emit(check, scope, history, 0, previous == null ? now : previous, now, out);
      }
    }
    if (pendingTimer.value() == null) {
      schedule(ctx, now + shortestSilence(scope, false) + 1);
    }
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<QualityResult> out) throws Exception {
    pendingTimer.clear();
    String scope = ctx.getCurrentKey();
    long seen = lastSeen.value();
    long silence = timestamp - seen;
    boolean watching = false;
    for (QualityCheck check : checksByScope.get(scope)) {
      CheckHistory history = history(check);
      if (history.failing()) {
        continue;
      }
      if (silence > maxSilenceMillis(check)) {
        emit(check, scope, history, silence, seen, timestamp, out);
      } else {
        watching = true;
      }
    }
    if (watching) {
      schedule(ctx, seen + shortestSilence(scope, true) + 1);
    }
  }

  private void emit(QualityCheck check, String scope, CheckHistory history, long silenceMillis, long from, long to, Collector<QualityResult> out)
      throws Exception {
    Judgement judgement = CheckJudge.judge(check, history, silenceMillis / 1000.0, to);
    histories.put(check.name(), history);
    out.collect(QualityResult.of(check, scope, from, to, judgement));
  }

  /** The shortest max-silence of the scope's checks (of those not failing yet, when {@code onlyWatching}). */
  private long shortestSilence(String scope, boolean onlyWatching) throws Exception {
    long shortest = Long.MAX_VALUE;
    for (QualityCheck check : checksByScope.get(scope)) {
      if (!onlyWatching || !history(check).failing()) {
        shortest = Math.min(shortest, maxSilenceMillis(check));
      }
    }
    return shortest;
  }

  private void schedule(Context ctx, long time) throws Exception {
    ctx.timerService().registerProcessingTimeTimer(time);
    pendingTimer.update(time);
  }

  private CheckHistory history(QualityCheck check) throws Exception {
    CheckHistory history = histories.get(check.name());
    return history != null ? history : new CheckHistory();
  }

  private static long maxSilenceMillis(QualityCheck check) {
    return Math.round(((Condition.Threshold) check.condition()).max() * 1000);
  }
}
