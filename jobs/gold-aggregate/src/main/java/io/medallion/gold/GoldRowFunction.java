package io.medallion.gold;

import io.medallion.common.flink.StageMetrics;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.table.data.RowData;
import org.apache.flink.types.Value;
import org.apache.flink.util.Collector;

/**
 * Turns a window firing into its gold row. A late firing of the same window gives a row with the
 * same primary key, which replaces the earlier one in the table. Counts {@code rowsOut}.
 */
final class GoldRowFunction<A extends Value> extends ProcessWindowFunction<A, RowData, String, TimeWindow> {
  private static final long serialVersionUID = 1L;

  private final GoldAggregation<A> aggregation;
  private transient StageMetrics metrics;

  GoldRowFunction(GoldAggregation<A> aggregation) {
    this.aggregation = aggregation;
  }

  @Override
  public void open(OpenContext openContext) {
    metrics = new StageMetrics(getRuntimeContext().getMetricGroup());
  }

  @Override
  public void process(String key, Context context, Iterable<A> aggregates, Collector<RowData> out) {
    out.collect(aggregation.row(key, context.window(), aggregates.iterator().next()));
    metrics.rowOut();
  }
}
