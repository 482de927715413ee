package io.medallion.quality;

import io.medallion.common.event.EnvelopeDecoder;
import io.medallion.common.event.RawRecord;
import io.medallion.common.audit.Ledger;
import io.medallion.common.flink.Audited;
import io.medallion.common.flink.StageMetrics;
import io.medallion.common.quality.RecordProfile;
import io.medallion.common.quality.RecordProfiler;
import io.medallion.common.silver.SilverValidator;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/** Profiles each raw record with the pipeline's decoder and silver rules ({@link RecordProfiler}). */
public class ProfileFunction extends ProcessFunction<RawRecord, RecordProfile> implements Audited {
  private static final long serialVersionUID = 1L;

  private final QualitySettings settings;
  private transient RecordProfiler profiler;
  private transient StageMetrics metrics;
  private transient Ledger ledger;

  public ProfileFunction(QualitySettings settings) {
    this.settings = settings;
  }

  @Override
  public void open(OpenContext openContext) {
    SilverValidator validator = SilverValidator.rulesOnly(settings.maxFutureSkew(), settings.maxAge());
    profiler = new RecordProfiler(new EnvelopeDecoder(settings.maxRecordBytes()), validator, settings.missingFields());
    metrics = new StageMetrics(getRuntimeContext().getMetricGroup());
    ledger = new Ledger();
  }

  @Override
  public Ledger ledger() {
    return ledger;
  }

  @Override
  public void processElement(RawRecord record, Context ctx, Collector<RecordProfile> out) {
    // Every raw record becomes one profile; the monitor dead-letters nothing.
    metrics.recordIn();
    metrics.rowOut();
    ledger.written(record.topic, record.partition, record.offset);
    out.collect(profiler.profile(record));
  }
}
