package io.medallion.gold;

import io.medallion.common.deadletter.DeadLetter;
import io.medallion.common.deadletter.Stage;
import io.medallion.common.event.ErrorCode;
import io.medallion.common.event.Rejection;
import io.medallion.common.flink.StageMetrics;
import io.medallion.common.gold.EventTimeWindows;
import io.medallion.common.silver.SilverEventTime;
import io.medallion.common.silver.SilverTable;
import java.time.Clock;
import java.time.Instant;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.serialization.RuntimeContextInitializationContextAdapters;
import org.apache.flink.formats.common.TimestampFormat;
import org.apache.flink.formats.json.JsonFormatOptions;
import org.apache.flink.formats.json.JsonRowDataSerializationSchema;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.table.data.RowData;
import org.apache.flink.util.Collector;

/**
 * A silver row of {@link GoldOutputs#DEAD_LETTERS} becomes a dead letter (shared/DESIGN.md §4):
 * with the rejection of its table's aggregation when that rejects it, else as a {@code LATE_EVENT}
 * (every other row there came after its window's allowed lateness). The key is the event id, the
 * value the silver row as JSON, {@code dlq.source.topic} the silver table, partition and offset
 * those of the raw record the row came from, and the source timestamp its event time.
 */
final class DeadLetterFunction extends ProcessFunction<RowData, DeadLetter> {
  private static final long serialVersionUID = 1L;

  private final String jobName;
  private final GoldAggregation<?> aggregation;
  private final SilverTable table;
  private final GoldSettings settings;
  private final Clock clock;

  private transient JsonRowDataSerializationSchema json;
  private transient StageMetrics metrics;

  DeadLetterFunction(String jobName, GoldAggregation<?> aggregation, GoldSettings settings, Clock clock) {
    this.jobName = jobName;
    this.aggregation = aggregation;
    this.table = aggregation.table().source();
    this.settings = settings;
    this.clock = clock;
  }

  @Override
  public void open(OpenContext openContext) throws Exception {
    json =
        new JsonRowDataSerializationSchema(
            table.flinkRowType(), TimestampFormat.ISO_8601, JsonFormatOptions.MapNullKeyMode.DROP, "null", true, false);
    json.open(RuntimeContextInitializationContextAdapters.serializationAdapter(getRuntimeContext()));
    metrics = new StageMetrics(getRuntimeContext().getMetricGroup());
  }

  @Override
  public void processElement(RowData row, Context ctx, Collector<DeadLetter> out) {
    Instant eventTime = Instant.ofEpochMilli(SilverEventTime.millis(row));
    Rejection rejection = aggregation.rejection(row);
    if (rejection == null) {
      rejection =
          Rejection.ofField(
              ErrorCode.LATE_EVENT,
              "event_time",
              "event time " + eventTime + " is later than the allowed lateness " + settings.allowedLateness()
                  + " of its window [" + EventTimeWindows.start(eventTime, settings.windowSize()) + ", "
                  + EventTimeWindows.end(eventTime, settings.windowSize()) + "): the watermark was at "
                  + Instant.ofEpochMilli(ctx.timerService().currentWatermark()));
    }
    DeadLetter letter = new DeadLetter();
    letter.key = row.getString(SilverTable.EVENT_ID).toBytes();
    letter.value = json.serialize(row);
    letter.errorCode = rejection.code().name();
    letter.errorField = rejection.field();
    letter.errorMessage = rejection.message();
    letter.stage = Stage.GOLD.headerValue();
    letter.job = jobName;
    letter.sourceTopic = table.qualifiedName();
    letter.sourcePartition = row.getInt(SilverTable.SOURCE_PARTITION);
    letter.sourceOffset = row.getLong(SilverTable.SOURCE_OFFSET);
    letter.sourceTimestamp = eventTime.toEpochMilli();
    letter.failedAt = clock.millis();
    out.collect(letter);
    metrics.deadLetter(rejection.code());
  }
}
