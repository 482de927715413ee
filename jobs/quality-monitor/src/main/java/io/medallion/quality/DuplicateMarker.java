package io.medallion.quality;

import io.medallion.common.flink.SeenIds;
import io.medallion.common.quality.RecordProfile;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by event id: marks a record whose id was seen before (within the retention) as a duplicate.
 * A record that did not decode has no id: it passes through, keyed by where it came from.
 */
public class DuplicateMarker extends KeyedProcessFunction<String, RecordProfile, RecordProfile> {
  private static final long serialVersionUID = 1L;

  private final Duration retention;
  private transient ValueState<Boolean> seen;

  public DuplicateMarker(Duration retention) {
    this.retention = retention;
  }

  @Override
  public void open(OpenContext openContext) {
    seen = getRuntimeContext().getState(SeenIds.descriptor(retention));
  }

  /** The event id, or the topic and timestamp of a record without one. */
  public static final class Key implements KeySelector<RecordProfile, String> {
    private static final long serialVersionUID = 1L;

    @Override
    public String getKey(RecordProfile profile) {
      return profile.decoded() ? profile.eventId : "undecoded " + profile.topic + " " + profile.timestamp;
    }
  }

  @Override
  public void processElement(RecordProfile profile, Context ctx, Collector<RecordProfile> out) throws Exception {
    if (!profile.decoded()) {
      out.collect(profile);
    } else if (seen.value() == null) {
      seen.update(true);
    } else {
      profile.duplicate = true;
    }
    out.collect(profile);
  }
}
