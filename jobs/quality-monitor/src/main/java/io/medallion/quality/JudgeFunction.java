package io.medallion.quality;

import io.medallion.common.quality.CheckHistory;
import io.medallion.common.quality.CheckJudge;
import io.medallion.common.quality.Judgement;
import io.medallion.common.quality.QualityCheck;
import io.medallion.common.quality.Scope;
import io.medallion.common.quality.WindowStats;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by scope: merges the cells of a scope's window and, when the watermark passes the window's
 * end (every cell's window has fired by then), judges each check of the scope on it. The checks'
 * histories (previous value, EWMA, alert state) are keyed state, so anomalies and alert
 * transitions survive restarts. Each check's latest status is a gauge: 0 ok, 1 warn, 2 fail.
 */
public class JudgeFunction extends KeyedProcessFunction<String, ScopeWindow, QualityResult> {
  private static final long serialVersionUID = 1L;

  private final Map<String, List<QualityCheck>> checksByScope = new HashMap<>();
  private final List<String> missingFields;

  private transient MapState<Long, ScopeWindow> openWindows;
  private transient MapState<String, CheckHistory> histories;
  private transient Map<String, Integer> statuses;
  private transient MetricGroup checkMetrics;

  public JudgeFunction(QualitySettings settings, Duration window) {
    for (Scope scope : settings.scopes(window)) {
      checksByScope.put(scope.toString(), settings.checks(scope, window));
    }
    this.missingFields = settings.missingFields();
  }

  @Override
  public void open(OpenContext openContext) {
    openWindows = getRuntimeContext().getMapState(new MapStateDescriptor<>("open-windows", Types.LONG, TypeInformation.of(ScopeWindow.class)));
    histories = getRuntimeContext().getMapState(new MapStateDescriptor<>("histories", Types.STRING, TypeInformation.of(CheckHistory.class)));
    statuses = new HashMap<>();
    checkMetrics = getRuntimeContext().getMetricGroup().addGroup("medallion");
  }

  @Override
  public void processElement(ScopeWindow cell, Context ctx, Collector<QualityResult> out) throws Exception {
    ScopeWindow window = openWindows.get(cell.windowEnd);
    if (window == null) {
      window = new ScopeWindow(cell.scope, cell.windowStart, cell.windowEnd, new WindowStats());
      ctx.timerService().registerEventTimeTimer(cell.windowEnd - 1);
    }
    window.stats.merge(cell.stats);
    openWindows.put(cell.windowEnd, window);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<QualityResult> out) throws Exception {
    ScopeWindow window = openWindows.get(timestamp + 1);
    openWindows.remove(timestamp + 1);
    for (QualityCheck check : checksByScope.get(ctx.getCurrentKey())) {
      CheckHistory history = histories.get(check.name());
      if (history == null) {
        history = new CheckHistory();
      }
      Judgement judgement = CheckJudge.judge(check, history, window.stats.value(check, missingFields), window.windowEnd);
      histories.put(check.name(), history);
      out.collect(QualityResult.of(check, window.scope, window.windowStart, window.windowEnd, judgement));
      publish(check, window.scope, judgement.status());
    }
  }

  private void publish(QualityCheck check, String scope, Judgement.Status status) {
    String key = check.name() + " " + scope;
    if (!statuses.containsKey(key)) {
      checkMetrics.addGroup("check", check.name()).addGroup("scope", scope).gauge("status", () -> statuses.get(key));
    }
    statuses.put(key, status.ordinal());
  }
}
