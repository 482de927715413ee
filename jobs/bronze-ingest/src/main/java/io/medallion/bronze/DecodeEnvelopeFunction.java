package io.medallion.bronze;

import io.medallion.common.audit.Ledger;
import io.medallion.common.deadletter.DeadLetter;
import io.medallion.common.deadletter.DeadLetterRateBreaker;
import io.medallion.common.deadletter.DeadLetters;
import io.medallion.common.deadletter.Stage;
import io.medallion.common.event.DecodeResult;
import io.medallion.common.event.EnvelopeDecoder;
import io.medallion.common.event.RawRecord;
import io.medallion.common.flink.Audited;
import io.medallion.common.flink.DeadLetterRateGuard;
import io.medallion.common.flink.StageMetrics;
import java.time.Clock;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.table.data.RowData;
import org.apache.flink.util.Collector;

/**
 * Decodes each raw record: a valid envelope becomes a {@code bronze.events} row, anything else a
 * dead letter on {@link DeadLetters#TAG}. Never throws on input; only the dead-letter circuit
 * breaker ({@code dlq.max-rate}, action {@code fail}) stops the job.
 */
public class DecodeEnvelopeFunction extends ProcessFunction<RawRecord, RowData> implements Audited {
  private static final long serialVersionUID = 1L;

  private final String jobName;
  private final long maxRecordBytes;
  private final Clock clock;
  private final DeadLetterRateBreaker.Limit deadLetterRate;

  private transient EnvelopeDecoder decoder;
  private transient StageMetrics metrics;
  private transient DeadLetterRateGuard rateGuard;
  private transient Ledger ledger;

  public DecodeEnvelopeFunction(String jobName, long maxRecordBytes, Clock clock) {
    this(jobName, maxRecordBytes, clock, null);
  }

  /** @param deadLetterRate the circuit breaker's limit, or null for none */
  public DecodeEnvelopeFunction(String jobName, long maxRecordBytes, Clock clock, DeadLetterRateBreaker.Limit deadLetterRate) {
    this.jobName = jobName;
    this.maxRecordBytes = maxRecordBytes;
    this.clock = clock;
    this.deadLetterRate = deadLetterRate;
  }

  @Override
  public void open(OpenContext openContext) {
    decoder = new EnvelopeDecoder(maxRecordBytes);
    ledger = new Ledger();
    metrics = new StageMetrics(getRuntimeContext().getMetricGroup());
    rateGuard = new DeadLetterRateGuard(jobName, getRuntimeContext().getTaskInfo().getTaskNameWithSubtasks(), deadLetterRate, metrics);
  }

  @Override
  public Ledger ledger() {
    return ledger;
  }

  @Override
  public void processElement(RawRecord record, Context ctx, Collector<RowData> out) {
    metrics.recordIn();
    DecodeResult result = decoder.decode(record.value);
    if (result instanceof DecodeResult.Decoded decoded) {
      out.collect(BronzeRows.toRow(decoded.envelope(), record, clock.instant()));
      metrics.rowOut();
      ledger.written(record.topic, record.partition, record.offset);
      rateGuard.written();
    } else {
      DecodeResult.Rejected rejected = (DecodeResult.Rejected) result;
      ctx.output(DeadLetters.TAG, DeadLetter.of(record, rejected.rejection(), Stage.BRONZE, jobName, clock.instant()));
      metrics.deadLetter(rejected.rejection().code());
      ledger.deadLettered(record.topic, record.partition, record.offset, rejected.rejection().code());
      rateGuard.deadLettered();
    }
  }
}
