package io.medallion.quality;

import io.medallion.common.flink.StageMetrics;
import io.medallion.common.quality.CheckHistory;
import io.medallion.common.quality.CheckJudge;
import io.medallion.common.quality.Judgement;
import io.medallion.common.quality.QualityCheck;
import io.medallion.common.quality.RecordProfile;
import io.medallion.common.quality.Scope;
import io.medallion.common.quality.WindowStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.triggers.Trigger;
import org.apache.flink.streaming.api.windowing.triggers.TriggerResult;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/**
 * The windows of the checks of one window size: each record goes to every scope that covers it,
 * each scope's window is counted, and judged once, when event time passes its end plus the allowed
 * lateness. Judging inside the window (check histories are the scope's window-global keyed state)
 * means no second shuffle whose channels could deliver a window's counts after its judgement.
 */
final class ScopeWindows {
  private ScopeWindows() {}

  /** Sends a record to each scope of the window size that covers it (most records: one or two). */
  static final class FanOut implements FlatMapFunction<RecordProfile, ScopedProfile> {
    private static final long serialVersionUID = 1L;

    private final List<Scope> scopes;

    FanOut(List<Scope> scopes) {
      this.scopes = List.copyOf(scopes);
    }

    @Override
    public void flatMap(RecordProfile profile, Collector<ScopedProfile> out) {
      for (int i = 0; i < scopes.size(); i++) {
        if (scopes.get(i).matches(profile.topic, profile.eventType)) {
          out.collect(new ScopedProfile(i, profile));
        }
      }
    }
  }

  static final class Count implements AggregateFunction<ScopedProfile, WindowStats, WindowStats> {
    private static final long serialVersionUID = 1L;

    @Override
    public WindowStats createAccumulator() {
      return new WindowStats();
    }

    @Override
    public WindowStats add(ScopedProfile record, WindowStats stats) {
      stats.add(record.profile);
      return stats;
    }

    @Override
    public WindowStats getResult(WindowStats stats) {
      return stats;
    }

    @Override
    public WindowStats merge(WindowStats a, WindowStats b) {
      a.merge(b);
      return a;
    }
  }

  /**
   * Fires a window once, when event time passes its end plus {@code lateness}: records up to that
   * late still count (the window's allowed lateness keeps it that long), and the checks are judged
   * on the complete window, never twice.
   */
  static final class AtEndPlusLateness extends Trigger<Object, TimeWindow> {
    private static final long serialVersionUID = 1L;

    private final long lateness;

    AtEndPlusLateness(Duration lateness) {
      this.lateness = lateness.toMillis();
    }

    @Override
    public TriggerResult onElement(Object element, long timestamp, TimeWindow window, TriggerContext ctx) {
      ctx.registerEventTimeTimer(window.maxTimestamp() + lateness);
      return TriggerResult.CONTINUE;
    }

    @Override
    public TriggerResult onEventTime(long time, TimeWindow window, TriggerContext ctx) {
      return time == window.maxTimestamp() + lateness ? TriggerResult.FIRE_AND_PURGE : TriggerResult.CONTINUE;
    }

    @Override
    public TriggerResult onProcessingTime(long time, TimeWindow window, TriggerContext ctx) {
      return TriggerResult.CONTINUE;
    }

    @Override
    public void clear(TimeWindow window, TriggerContext ctx) {
      ctx.deleteEventTimeTimer(window.maxTimestamp() + lateness);
    }
  }

  /**
   * Judges each check of the scope on the window's counts. The checks' histories (previous value,
   * EWMA, alert state) are the scope's keyed state across windows, so anomalies and alert
   * transitions survive restarts. Each check's latest status is a gauge: 0 ok, 1 warn, 2 fail.
   */
  static final class Judge extends ProcessWindowFunction<WindowStats, QualityResult, Integer, TimeWindow> {
    private static final long serialVersionUID = 1L;

    private final List<Scope> scopes;
    private final List<List<QualityCheck>> checks = new ArrayList<>();
    private final List<String> missingFields;

    private transient MapStateDescriptor<String, CheckHistory> historiesDescriptor;
    private transient Map<String, Integer> statuses;
    private transient MetricGroup checkMetrics;

    Judge(QualitySettings settings, Duration window) {
      this.scopes = settings.scopes(window);
      for (Scope scope : scopes) {
        checks.add(settings.checks(scope, window));
      }
      this.missingFields = settings.missingFields();
    }

    @Override
    public void open(OpenContext openContext) {
      historiesDescriptor = new MapStateDescriptor<>("histories", Types.STRING, TypeInformation.of(CheckHistory.class));
      statuses = new HashMap<>();
      checkMetrics = getRuntimeContext().getMetricGroup().addGroup(StageMetrics.GROUP);
    }

    @Override
    public void process(Integer scopeIndex, Context context, Iterable<WindowStats> windows, Collector<QualityResult> out) throws Exception {
      WindowStats stats = windows.iterator().next();
      String scope = scopes.get(scopeIndex).toString();
      MapState<String, CheckHistory> histories = context.globalState().getMapState(historiesDescriptor);
      for (QualityCheck check : checks.get(scopeIndex)) {
        CheckHistory history = histories.get(check.name());
        if (history == null) {
          history = new CheckHistory();
        }
        Judgement judgement = CheckJudge.judge(check, history, stats.value(check, missingFields), context.window().getEnd());
        histories.put(check.name(), history);
        out.collect(QualityResult.of(check, scope, context.window().getStart(), context.window().getEnd(), judgement));
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
}
