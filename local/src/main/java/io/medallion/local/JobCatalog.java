package io.medallion.local;

import io.medallion.bronze.BronzeIngestJob;
import io.medallion.common.config.JobConfig;
import io.medallion.common.config.JobSpec;
import io.medallion.gold.GoldAggregateJob;
import io.medallion.quality.QualityMonitorJob;
import io.medallion.silver.SilverTransformJob;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** The jobs the {@code medallion} command can run locally, by name. */
enum JobCatalog {
  BRONZE_INGEST(BronzeIngestJob.SPEC, BronzeIngestJob::define),
  SILVER_TRANSFORM(SilverTransformJob.SPEC, SilverTransformJob::define),
  GOLD_AGGREGATE(GoldAggregateJob.SPEC, GoldAggregateJob::define),
  QUALITY_MONITOR(QualityMonitorJob.SPEC, QualityMonitorJob::define);

  /** Adds a job with its real edges to an environment (each job's {@code define}). */
  interface Definition {
    void define(StreamExecutionEnvironment env, JobConfig config) throws Exception;
  }

  final JobSpec spec;
  final Definition definition;

  JobCatalog(JobSpec spec, Definition definition) {
    this.spec = spec;
    this.definition = definition;
  }

  static JobCatalog byName(String name) {
    for (JobCatalog job : values()) {
      if (job.spec.name().equals(name)) {
        return job;
      }
    }
    throw new IllegalArgumentException("unknown job '" + name + "'; known jobs: " + names());
  }

  static List<String> names() {
    return Arrays.stream(values()).map(j -> j.spec.name()).toList();
  }
}
