package io.medallion.quality;

import io.medallion.common.flink.SeenIds;
import io.medallion.common.quality.RecordProfile;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by event id: for a record whose id was seen before (within the retention), emits a
 * duplicate marker, which the windows count as a duplicate of a record they count anyway.
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

  @Override
  public void processElement(RecordProfile profile, Context ctx, Collector<RecordProfile> out) throws Exception {
    if (seen.value() == null) {
      seen.update(true);
    } else {
      out.collect(RecordProfile.duplicateOf(profile));
    }
  }
}
