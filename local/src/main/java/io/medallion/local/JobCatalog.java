package io.medallion.local;

import io.medallion.bronze.BronzeIngestJob;
import io.medallion.common.config.JobConfig;
import io.medallion.common.config.JobSpec;
import java.util.List;
import java.util.function.BiConsumer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** The jobs the {@code medallion} command can run locally, by name. */
enum JobCatalog {
  BRONZE_INGEST(BronzeIngestJob.SPEC, BronzeIngestJob::define);

  final JobSpec spec;
  final BiConsumer<StreamExecutionEnvironment, JobConfig> define;

  JobCatalog(JobSpec spec, BiConsumer<StreamExecutionEnvironment, JobConfig> define) {
    this.spec = spec;
    this.define = define;
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
    return java.util.Arrays.stream(values()).map(j -> j.spec.name()).toList();
  }
}
