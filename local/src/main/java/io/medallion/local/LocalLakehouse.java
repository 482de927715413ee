package io.medallion.local;

import io.medallion.common.config.ConfigOptions;
import io.medallion.common.config.JobConfig;
import io.medallion.common.config.JobSpec;
import io.medallion.common.deadletter.Stage;
import io.medallion.common.flink.JobEnvironment;
import io.medallion.common.kafka.Topics;
import io.medallion.quality.QualitySettings;
import io.medallion.testkit.JobSettings;
import io.medallion.testkit.KafkaBroker;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.common.JobID;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The lakehouse of {@code demo} and {@code soak} on one machine: an in-process broker with the raw,
 * dead-letter and alert topics, a local Flink cluster, and the settings its jobs run with. The
 * caller owns the broker and the cluster (and closes them); this sets them up and submits the jobs.
 */
final class LocalLakehouse {
  static final int MAX_RECORD_BYTES = 65_536;
  static final int PARALLELISM = 2;
  /** A job's operators share its slots: one slot per parallel subtask, for each of the four jobs. */
  static final int SLOTS = 4 * PARALLELISM;
  private static final String PII_KEY = "demo-only-pseudonymization-key";

  /** A job of the lakehouse, its configuration and its id on the local cluster. */
  record Running(JobSpec spec, JobConfig config, JobID id) {}

  /** The three jobs that run for as long as the stream does. */
  record StreamingJobs(Running bronze, Running silver, Running gold) {
    List<Running> all() {
      return List.of(bronze, silver, gold);
    }
  }

  final KafkaBroker kafka;
  final LocalFlink flink;
  final Path data;
  /** What every job is configured with; a job's own keys go into a copy. */
  final Map<String, String> settings;
  /** The quality monitor's: bounded, started once the layers have committed. */
  final Map<String, String> qualitySettings;

  /** Creates the topics and the jobs' settings; a mistake in the check file fails here rather than at the end. */
  LocalLakehouse(KafkaBroker kafka, LocalFlink flink, Path data, Path checks, String checkpointInterval) {
    this.kafka = kafka;
    this.flink = flink;
    this.data = data;
    System.out.println("  kafka   in-process KRaft broker at " + kafka.bootstrapServers());
    kafka.createTopics(2, Topics.RAW_TOPICS.toArray(String[]::new));
    kafka.createTopics(1, Stage.BRONZE.defaultTopic(), Stage.SILVER.defaultTopic(), Stage.GOLD.defaultTopic());
    kafka.createTopics(1, ConfigOptions.QUALITY_ALERTS_TOPIC.defaultValue());

    settings = JobSettings.local(kafka.bootstrapServers(), data, checkpointInterval, PARALLELISM);
    settings.put("kafka.topic-pattern", Topics.RAW_TOPIC_PATTERN);
    settings.put("max-record-bytes", Integer.toString(MAX_RECORD_BYTES));
    settings.put("pii.hmac-key", PII_KEY);
    settings.put("quality.checks", checks.toAbsolutePath().toString());
    qualitySettings = new HashMap<>(settings);
    qualitySettings.put("bounded", "true");
    QualitySettings.of(JobConfig.of(JobCatalog.QUALITY_MONITOR.spec, qualitySettings));
  }

  /** Submits bronze-ingest, silver-transform and gold-aggregate, unbounded. */
  StreamingJobs submitStreamingJobs() throws Exception {
    StreamingJobs jobs =
        new StreamingJobs(
            submit(JobCatalog.BRONZE_INGEST, settings), submit(JobCatalog.SILVER_TRANSFORM, settings), submit(JobCatalog.GOLD_AGGREGATE, settings));
    System.out.printf(
        "  flink   local MiniCluster; bronze-ingest, silver-transform and gold-aggregate running (parallelism %d, checkpoint every %s)%n",
        PARALLELISM, settings.get("checkpoint.interval"));
    return jobs;
  }

  Running submit(JobCatalog job, Map<String, String> jobSettings) throws Exception {
    JobConfig config = JobConfig.of(job.spec, jobSettings);
    StreamExecutionEnvironment env = LocalFlink.environment(JobEnvironment.flinkConfiguration(config));
    job.definition.define(env, config);
    return new Running(job.spec, config, flink.submit(env, job.spec.name()));
  }

  /** Sends the plan's records from another thread; the future completes when every one is acknowledged. */
  CompletableFuture<Void> generate(DataGenerator.Plan plan, DataGenerator.Sent sent) {
    return CompletableFuture.runAsync(
        () -> {
          try (var producer = kafka.producer()) {
            DataGenerator.run(producer, plan, sent);
          }
        });
  }

  /** Throws with the job's failure if one of the streaming jobs has ended: they run until cancelled. */
  void checkStillRunning(StreamingJobs jobs) throws Exception {
    for (Running job : jobs.all()) {
      if (flink.status(job.id()).isGloballyTerminalState()) {
        flink.await(job.id());
        throw new IllegalStateException(job.spec().name() + " stopped unexpectedly");
      }
    }
  }
}
