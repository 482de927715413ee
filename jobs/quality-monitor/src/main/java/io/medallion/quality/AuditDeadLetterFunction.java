package io.medallion.quality;

import io.medallion.common.audit.Ledger;
import io.medallion.common.flink.Audited;
import io.medallion.common.quality.RecordProfile;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/** Passes each dead-letter profile on to the windows unchanged, counting it in the audit ledger. */
public class AuditDeadLetterFunction extends ProcessFunction<RecordProfile, RecordProfile> implements Audited {
  private static final long serialVersionUID = 1L;

  private transient Ledger ledger;

  @Override
  public void open(OpenContext openContext) {
    ledger = new Ledger();
  }

  @Override
  public Ledger ledger() {
    return ledger;
  }

  @Override
  public void processElement(RecordProfile deadLetter, Context ctx, Collector<RecordProfile> out) {
    ledger.written(deadLetter.deadLetterTopic, deadLetter.deadLetterPartition, deadLetter.deadLetterOffset);
    out.collect(deadLetter);
  }
}
