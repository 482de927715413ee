package io.medallion.silver;

import io.medallion.common.audit.Ledger;
import io.medallion.common.deadletter.DeadLetter;
import io.medallion.common.deadletter.DeadLetters;
import io.medallion.common.deadletter.Stage;
import io.medallion.common.event.DecodeResult;
import io.medallion.common.event.EnvelopeDecoder;
import io.medallion.common.event.RawRecord;
import io.medallion.common.event.Rejection;
import io.medallion.common.flink.Audited;
import io.medallion.common.flink.DeadLetterRateGuard;
import io.medallion.common.flink.StageMetrics;
import io.medallion.common.silver.Pseudonymizer;
import io.medallion.common.silver.RuleViolation;
import io.medallion.common.silver.SilverValidator;
import java.time.Clock;
import java.time.Instant;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Decodes each raw record and validates and cleanses its event: a valid event leaves through its
 * silver table's side output ({@link SilverOutputs}), anything else as a dead letter on {@link
 * DeadLetters#TAG}. The main output stays empty. Never throws on input; only the dead-letter
 * circuit breaker ({@code dlq.max-rate}, action {@code fail}) stops the job.
 */
public class ValidateFunction extends ProcessFunction<RawRecord, Void> implements Audited {
  private static final long serialVersionUID = 1L;

  private final String jobName;
  private final SilverSettings settings;
  private final Clock clock;

  private transient EnvelopeDecoder decoder;
  private transient SilverValidator validator;
  private transient StageMetrics metrics;
  private transient DeadLetterRateGuard rateGuard;
  private transient Ledger ledger;

  public ValidateFunction(String jobName, SilverSettings settings, Clock clock) {
    this.jobName = jobName;
    this.settings = settings;
    this.clock = clock;
  }

  @Override
  public void open(OpenContext openContext) {
    decoder = new EnvelopeDecoder(settings.maxRecordBytes());
    ledger = new Ledger();
    validator = new SilverValidator(settings.maxFutureSkew(), settings.maxAge(), new Pseudonymizer(settings.hmacKey()));
    metrics = new StageMetrics(getRuntimeContext().getMetricGroup());
    rateGuard =
        new DeadLetterRateGuard(jobName, getRuntimeContext().getTaskInfo().getTaskNameWithSubtasks(), settings.deadLetterRate(), metrics);
  }

  @Override
  public Ledger ledger() {
    return ledger;
  }

  @Override
  public void processElement(RawRecord record, Context ctx, Collector<Void> out) {
    metrics.recordIn();
    DecodeResult decoded = decoder.decode(record.value);
    if (decoded instanceof DecodeResult.Rejected rejected) {
      deadLetter(record, rejected.rejection(), ctx);
      return;
    }
    SilverValidator.Source source =
        new SilverValidator.Source(record.topic, record.partition, record.offset, Instant.ofEpochMilli(record.timestamp));
    try {
      SilverValidator.SilverRow row = validator.validate(((DecodeResult.Decoded) decoded).envelope(), source);
      ctx.output(SilverOutputs.TAGS.get(row.table()), row.row());
      metrics.rowOut();
      ledger.forwarded(record.topic, record.partition, record.offset);
      rateGuard.written();
    } catch (RuleViolation violation) {
      deadLetter(record, violation.toRejection(), ctx);
    }
  }

  private void deadLetter(RawRecord record, Rejection rejection, Context ctx) {
    ctx.output(DeadLetters.TAG, DeadLetter.of(record, rejection, Stage.SILVER, jobName, clock.instant()));
    metrics.deadLetter(rejection.code());
    ledger.deadLettered(record.topic, record.partition, record.offset, rejection.code());
    rateGuard.deadLettered();
  }
}
