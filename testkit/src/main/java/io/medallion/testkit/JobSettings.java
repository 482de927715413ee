package io.medallion.testkit;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The configuration every job gets on one machine (tests, demo, bench): one broker, the catalogs
 * and checkpoints under one directory, reading from the earliest offsets. Callers add the keys of
 * their case (topics, dead-letter topic, bounded, …) to the returned, mutable map.
 */
public final class JobSettings {

  private JobSettings() {}

  public static Map<String, String> local(String bootstrapServers, Path data, String checkpointInterval, int parallelism) {
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
