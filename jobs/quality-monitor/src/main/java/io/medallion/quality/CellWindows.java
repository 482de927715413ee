package io.medallion.quality;

import io.medallion.common.quality.RecordProfile;
import io.medallion.common.quality.Scope;
import io.medallion.common.quality.WindowStats;
import java.util.List;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/**
 * Windows are pre-aggregated per (topic, event type) cell, the finest grain any scope asks for, so
 * each record is counted once however many checks look at it; each cell's window then goes to
 * every scope that covers it.
 */
final class CellWindows {
  private CellWindows() {}

  /** The cell of a record: its topic and event type (null for a record that did not decode, and for dead letters). */
  static final class CellKey implements KeySelector<RecordProfile, String> {
    private static final long serialVersionUID = 1L;

    @Override
    public String getKey(RecordProfile profile) {
      return new Scope(profile.topic, profile.eventType).toString();
    }
  }

  static final class Count implements AggregateFunction<RecordProfile, WindowStats, WindowStats> {
    private static final long serialVersionUID = 1L;

    @Override
    public WindowStats createAccumulator() {
      return new WindowStats();
    }

    @Override
    public WindowStats add(RecordProfile profile, WindowStats stats) {
      stats.add(profile);
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

  /** Sends a cell's window to each scope of this window size that covers the cell. */
  static final class ToScopes extends ProcessWindowFunction<WindowStats, ScopeWindow, String, TimeWindow> {
    private static final long serialVersionUID = 1L;

    private final List<Scope> scopes;

    ToScopes(List<Scope> scopes) {
      this.scopes = scopes;
    }

    @Override
    public void process(String cell, Context context, Iterable<WindowStats> windows, Collector<ScopeWindow> out) {
      WindowStats stats = windows.iterator().next();
      // Every record of the cell has its topic and event type; the first one tells which scopes match.
      String[] topicAndType = parse(cell);
      for (Scope scope : scopes) {
        if (scope.matches(topicAndType[0], topicAndType[1])) {
          out.collect(new ScopeWindow(scope.toString(), context.window().getStart(), context.window().getEnd(), stats));
        }
      }
    }

    /** The topic and event type of a {@code Scope#toString()} key; {@code *} is null. */
    private static String[] parse(String cell) {
      String topic = cell.substring("topic=".length(), cell.indexOf(",event_type="));
      String type = cell.substring(cell.indexOf(",event_type=") + ",event_type=".length());
      return new String[] {topic.equals("*") ? null : topic, type.equals("*") ? null : type};
    }
  }
}
