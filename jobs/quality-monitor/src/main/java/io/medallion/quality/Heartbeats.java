package io.medallion.quality;

import io.medallion.common.quality.RecordProfile;
import io.medallion.common.quality.Scope;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.util.Collector;

/**
 * For freshness: the scopes a raw record proves alive, at most one heartbeat per scope per second
 * of this subtask's wall clock, so freshness costs one shuffled string a second instead of one per
 * record. The first record after a silence always gets through, so a resolution is not delayed.
 */
public class Heartbeats extends RichFlatMapFunction<RecordProfile, String> {
  private static final long serialVersionUID = 1L;
  static final long INTERVAL_MILLIS = 1_000;

  private final List<Scope> scopes;
  private transient Map<Scope, Long> lastSent;

  public Heartbeats(List<Scope> scopes) {
    this.scopes = List.copyOf(scopes);
  }

  @Override
  public void open(OpenContext openContext) {
    lastSent = new HashMap<>();
  }

  @Override
  public void flatMap(RecordProfile profile, Collector<String> out) {
    long now = System.currentTimeMillis();
    for (Scope scope : scopes) {
      if (scope.matches(profile.topic, profile.eventType)) {
        Long last = lastSent.get(scope);
        if (last == null || now - last >= INTERVAL_MILLIS) {
          lastSent.put(scope, now);
          out.collect(scope.toString());
        }
      }
    }
  }
}
