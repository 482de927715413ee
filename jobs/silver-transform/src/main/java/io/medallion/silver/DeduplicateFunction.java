package io.medallion.silver;

import io.medallion.common.audit.Ledger;
import io.medallion.common.flink.Audited;
import io.medallion.common.flink.SeenIds;
import io.medallion.common.flink.StageMetrics;
import io.medallion.common.silver.SilverTable;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.table.data.RowData;
import org.apache.flink.util.Collector;

/**
 * Keyed by event id: lets the first row of an event through and drops later ones, counting them.
 * Paimon's first-row merge engine would drop them too, but silently, and only within one {@code
 * event_date}; this state is checkpointed, so a duplicate stays a duplicate across restarts.
 */
public class DeduplicateFunction extends KeyedProcessFunction<String, RowData, RowData> implements Audited {
  private static final long serialVersionUID = 1L;
  public static final String DUPLICATES_DROPPED = "duplicatesDropped";

  private final Duration retention;

  private transient ValueState<Boolean> seen;
  private transient Counter duplicatesDropped;
  private transient Ledger ledger;

  public DeduplicateFunction(Duration retention) {
    this.retention = retention;
  }

  @Override
  public void open(OpenContext openContext) {
    ledger = new Ledger();
    seen = getRuntimeContext().getState(SeenIds.descriptor(retention));
    duplicatesDropped = getRuntimeContext().getMetricGroup().addGroup(StageMetrics.GROUP).counter(DUPLICATES_DROPPED);
  }

  @Override
  public Ledger ledger() {
    return ledger;
  }

  @Override
  public void processElement(RowData row, Context ctx, Collector<RowData> out) throws Exception {
    // The row still names the record it came from, so the ledger counts it under its partition.
    String topic = row.getString(SilverTable.SOURCE_TOPIC).toString();
    int partition = row.getInt(SilverTable.SOURCE_PARTITION);
    long offset = row.getLong(SilverTable.SOURCE_OFFSET);
    if (seen.value() == null) {
      seen.update(true);
      out.collect(row);
      ledger.written(topic, partition, offset);
    } else {
      duplicatesDropped.inc();
      ledger.duplicateDropped(topic, partition, offset);
    }
  }
}
