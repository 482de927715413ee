package io.medallion.common.flink;

import io.medallion.common.config.ConfigOptions;
import io.medallion.common.config.JobConfig;
import java.util.Map;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The Flink settings every medallion job runs with: exactly-once checkpoints (the lake sinks
 * commit on them), checkpoints retained on cancellation, no generated uids and object reuse,
 * plus whatever {@code flink.*} keys the configuration passes through.
 */
public final class JobEnvironment {

  private JobEnvironment() {}

  public static Configuration flinkConfiguration(JobConfig config) {
    Configuration flink = new Configuration();
    flink.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, config.get(ConfigOptions.CHECKPOINT_INTERVAL));
    flink.set(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.EXACTLY_ONCE);
    flink.set(CheckpointingOptions.CHECKPOINTING_TIMEOUT, config.get(ConfigOptions.CHECKPOINT_TIMEOUT));
    flink.set(
        CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
        ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
    config.getOptional(ConfigOptions.CHECKPOINT_DIR)
        .ifPresent(dir -> flink.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, dir));
    // pipeline.generic-types stays on: Iceberg's FlinkSink ships FlinkWriteResult between its writer
    // and committer through Kryo. Our own stream types are checked to be POJOs in tests instead.
    flink.set(PipelineOptions.AUTO_GENERATE_UIDS, false);
    // No function of ours keeps a reference to a record it was given, and the Iceberg, Paimon and
    // Kafka sinks serialize each record as it arrives (Flink SQL always runs them with reuse), so
    // chained operators can skip the defensive copy of every record: about 20 % of bronze's CPU.
    flink.set(PipelineOptions.OBJECT_REUSE, true);
    config.getOptional(ConfigOptions.PARALLELISM)
        .ifPresent(p -> flink.set(org.apache.flink.configuration.CoreOptions.DEFAULT_PARALLELISM, p));
    Map<String, String> passThrough = config.withPrefix(ConfigOptions.FLINK_PREFIX);
    passThrough.forEach(flink::setString);
    return flink;
  }

  /** The execution environment of the current context (cluster, or local) with the job's settings. */
  public static StreamExecutionEnvironment create(JobConfig config) {
    return StreamExecutionEnvironment.getExecutionEnvironment(flinkConfiguration(config));
  }
}
