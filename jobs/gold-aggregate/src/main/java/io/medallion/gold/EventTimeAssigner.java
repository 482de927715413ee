package io.medallion.gold;

import io.medallion.common.flink.StageMetrics;
import io.medallion.common.silver.SilverEventTime;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.table.data.RowData;

/**
 * Stamps each silver row with its event time and passes the watermarks of the Paimon source
 * through unchanged. Flink's own {@code assignTimestampsAndWatermarks} would drop them: it replaces
 * upstream watermarks with its own generator's, and no generator that sees only rows can know
 * what Paimon's snapshot watermark says, that every event up to it has been read. Counts {@code
 * recordsIn}.
 */
final class EventTimeAssigner extends AbstractStreamOperator<RowData> implements OneInputStreamOperator<RowData, RowData> {
  private static final long serialVersionUID = 1L;

  private transient StageMetrics metrics;

  @Override
  public void open() throws Exception {
    super.open();
    metrics = new StageMetrics(getMetricGroup());
  }

  @Override
  public void processElement(StreamRecord<RowData> element) {
    metrics.recordIn();
    output.collect(element.replace(element.getValue(), SilverEventTime.millis(element.getValue())));
  }
}
