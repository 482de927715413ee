package io.medallion.quality;

import io.medallion.common.audit.Ledger;
import io.medallion.common.flink.Audited;
import io.medallion.common.quality.RecordProfile;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;

/** Passes each dead-letter profile on to the windows unchanged, counting it in the audit ledger. */
public class AuditDeadLetterFunction extends RichMapFunction<RecordProfile, RecordProfile> implements Audited {
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
  public RecordProfile map(RecordProfile deadLetter) {
    ledger.written(deadLetter.deadLetterTopic, deadLetter.deadLetterPartition, deadLetter.deadLetterOffset);
    return deadLetter;
  }
}
