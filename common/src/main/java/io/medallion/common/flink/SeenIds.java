package io.medallion.common.flink;

import java.time.Duration;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * The keyed state of "this event id was seen", which silver's deduplication and the quality
 * monitor's duplicate ratio both keep: expired after the retention, so it does not grow without
 * bound; a duplicate later than that counts as new.
 */
public final class SeenIds {
  private SeenIds() {}

  public static ValueStateDescriptor<Boolean> descriptor(Duration retention) {
    ValueStateDescriptor<Boolean> descriptor = new ValueStateDescriptor<>("seen", Types.BOOLEAN);
    descriptor.enableTimeToLive(StateTtlConfig.newBuilder(retention).build());
    return descriptor;
  }
}
