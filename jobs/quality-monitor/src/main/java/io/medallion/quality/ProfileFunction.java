package io.medallion.quality;

import io.medallion.common.event.EnvelopeDecoder;
import io.medallion.common.event.RawRecord;
import io.medallion.common.quality.RecordProfile;
import io.medallion.common.quality.RecordProfiler;
import io.medallion.common.silver.Pseudonymizer;
import io.medallion.common.silver.SilverValidator;
import java.util.UUID;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;

/** Profiles each raw record with the pipeline's decoder and silver rules ({@link RecordProfiler}). */
public class ProfileFunction extends RichMapFunction<RawRecord, RecordProfile> {
  private static final long serialVersionUID = 1L;

  private final QualitySettings settings;
  private transient RecordProfiler profiler;

  public ProfileFunction(QualitySettings settings) {
    this.settings = settings;
  }

  @Override
  public void open(OpenContext openContext) {
    // The monitor keeps no cleansed values: a throwaway key stands in for silver's secret one.
    SilverValidator validator =
        new SilverValidator(settings.maxFutureSkew(), settings.maxAge(), new Pseudonymizer(UUID.randomUUID().toString()));
    profiler = new RecordProfiler(new EnvelopeDecoder(settings.maxRecordBytes()), validator, settings.missingFields());
  }

  @Override
  public RecordProfile map(RawRecord record) {
    return profiler.profile(record);
  }
}
