package io.medallion.gold;

import io.medallion.common.audit.Ledger;
import io.medallion.common.deadletter.DeadLetterRateBreaker;
import io.medallion.common.event.Rejection;
import io.medallion.common.flink.DeadLetterRateGuard;
import io.medallion.common.flink.LedgerOutput;
import io.medallion.common.flink.StageMetrics;
import io.medallion.common.gold.EventTimeWindows;
import io.medallion.common.silver.SilverEventTime;
import java.util.List;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.table.data.RowData;
import org.apache.flink.util.OutputTag;

/**
 * Stamps each silver row with its event time, passes the Paimon source's snapshot watermarks
 * through, and decides which rows are late: a row is late when the allowed lateness of its window
 * has passed the watermark of the snapshots read before the one that holds it. Late rows, and
 * rows the table's aggregation rejects ({@link GoldAggregation#rejection}), leave through {@link
 * GoldOutputs#DEAD_LETTERS}; the others go on to the windows. Counts each row in the audit ledger
 * (late, dead-lettered, or written into a window) and in {@code recordsIn}, and feeds the
 * dead-letter circuit breaker: {@link DeadLetterFunction} sees only the dead-lettered rows, so
 * the ratio of those to rows read can only be judged here.
 *
 * <p>Why here and not only in the window operator: Flink's {@code assignTimestampsAndWatermarks}
 * would replace the snapshot watermarks with its own generator's, and no generator that sees only
 * rows can know what a snapshot watermark says. And watermarks are not part of a checkpoint: after
 * a restore the window operator starts from no watermark and would count a late row in a window
 * whose state it already dropped, replacing the window's row with a partial one. This operator
 * checkpoints its watermark and judges with it, so a restart decides exactly as a run without one.
 * (The window operator never judges more strictly: its watermark, the minimum over its inputs,
 * never passes this one.)
 */
final class EventTimeAssigner extends AbstractStreamOperator<RowData> implements OneInputStreamOperator<RowData, RowData> {
  private static final long serialVersionUID = 1L;

  private final long windowSizeMillis;
  private final long allowedLatenessMillis;
  private final OutputTag<RowData> deadLetters;
  private final GoldAggregation<?> aggregation;
  private final DeadLetterRateBreaker.Limit deadLetterRate;
  private final String source;
  private final LedgerOutput ledgerOutput;

  private transient ListState<Long> checkpointedWatermark;
  private transient long watermark;
  private transient StageMetrics metrics;
  private transient DeadLetterRateGuard rateGuard;
  private transient Ledger ledger;

  /**
   * @param aggregation the aggregation of the gold table this operator feeds, which names the silver
   *     table it reads
   * @param uid the operator's uid, which names it in the ledger
   */
  EventTimeAssigner(GoldSettings settings, OutputTag<RowData> deadLetters, GoldAggregation<?> aggregation, String uid) {
    this.windowSizeMillis = settings.windowSize().toMillis();
    this.allowedLatenessMillis = settings.allowedLateness().toMillis();
    this.deadLetters = deadLetters;
    this.aggregation = aggregation;
    this.deadLetterRate = settings.deadLetterRate();
    this.source = aggregation.table().source().qualifiedName();
    this.ledgerOutput = new LedgerOutput(GoldAggregateJob.SPEC.name(), uid, null);
  }

  @Override
  public void initializeState(StateInitializationContext context) throws Exception {
    super.initializeState(context);
    checkpointedWatermark = context.getOperatorStateStore().getUnionListState(new ListStateDescriptor<>("watermark", Types.LONG));
    // Every subtask had the same watermark at the checkpoint (the source broadcasts it before the
    // barrier); the minimum is also right after a change of parallelism.
    watermark = Long.MIN_VALUE;
    long restored = Long.MAX_VALUE;
    for (Long subtaskWatermark : checkpointedWatermark.get()) {
      restored = Math.min(restored, subtaskWatermark);
    }
    if (restored != Long.MAX_VALUE) {
      watermark = restored;
    }
  }

  @Override
  public void open() throws Exception {
    super.open();
    metrics = new StageMetrics(getMetricGroup());
    ledger = new Ledger();
    ledgerOutput.open(getRuntimeContext());
    rateGuard =
        new DeadLetterRateGuard(GoldAggregateJob.SPEC.name(), getRuntimeContext().getTaskInfo().getTaskNameWithSubtasks(), deadLetterRate, metrics);
  }

  @Override
  public void processElement(StreamRecord<RowData> element) {
    metrics.recordIn();
    long eventTime = SilverEventTime.millis(element.getValue());
    StreamRecord<RowData> stamped = element.replace(element.getValue(), eventTime);
    Rejection rejection = aggregation.rejection(element.getValue());
    if (rejection != null) {
      output.collect(deadLetters, stamped);
      ledger.deadLettered(source, Ledger.NO_PARTITION, Ledger.NO_OFFSET, rejection.code());
      rateGuard.deadLettered();
    } else if (EventTimeWindows.isLate(eventTime, watermark, windowSizeMillis, allowedLatenessMillis)) {
      output.collect(deadLetters, stamped);
      ledger.late(source, Ledger.NO_PARTITION, Ledger.NO_OFFSET);
      rateGuard.deadLettered();
    } else {
      output.collect(stamped);
      ledger.written(source, Ledger.NO_PARTITION, Ledger.NO_OFFSET);
      rateGuard.written();
    }
  }

  @Override
  public void processWatermark(Watermark mark) throws Exception {
    if (mark.getTimestamp() > watermark) {
      watermark = mark.getTimestamp();
      super.processWatermark(mark);
    }
  }

  @Override
  public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
    super.prepareSnapshotPreBarrier(checkpointId);
    ledgerOutput.drain(ledger, output, checkpointId);
  }

  @Override
  public void finish() throws Exception {
    super.finish();
    ledgerOutput.drain(ledger, output, null);
  }

  @Override
  public void snapshotState(StateSnapshotContext context) throws Exception {
    super.snapshotState(context);
    checkpointedWatermark.update(List.of(watermark));
  }
}
