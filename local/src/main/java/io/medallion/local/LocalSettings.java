package io.medallion.local;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The configuration keys the embedded commands (demo, bench) give every job: one broker, one data directory. */
final class LocalSettings {

  private LocalSettings() {}

  static Map<String, String> forJobs(String bootstrapServers, Path data, String checkpointInterval, int parallelism) {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("kafka.bootstrap-servers", bootstrapServers);
    settings.put("kafka.starting-offsets", "earliest");
    settings.put("iceberg.catalog.warehouse", data.resolve("iceberg").toUri().toString());
    settings.put("paimon.catalog.warehouse", data.resolve("paimon").toUri().toString());
    settings.put("checkpoint.interval", checkpointInterval);
    settings.put("checkpoint.dir", data.resolve("checkpoints").toUri().toString());
    settings.put("parallelism", Integer.toString(parallelism));
    return settings;
  }
}
