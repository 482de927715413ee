package io.medallion.bronze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.medallion.common.config.JobConfig;
import io.medallion.common.flink.DeadLetterRateGuard.DeadLetterRateExceededException;
import io.medallion.common.flink.JobEnvironment;
import io.medallion.common.flink.StageMetrics;
import io.medallion.common.iceberg.BronzeEventsTable;
import io.medallion.common.iceberg.IcebergCatalogs;
import io.medallion.testkit.EventFactory;
import io.medallion.testkit.IcebergTables;
import io.medallion.testkit.JobSettings;
import io.medallion.testkit.KafkaBroker;
import io.medallion.testkit.KafkaBrokerExtension;
import io.medallion.testkit.MiniClusters;
import io.medallion.testkit.OperatorMetrics;
import io.medallion.testkit.TestSources;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ExceptionUtils;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The dead-letter circuit breaker (dlq.max-rate) against a real broker: it trips above the rate, and not at it. */
class DeadLetterRateBreakerITCase {
  private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

  @RegisterExtension
  static final MiniClusterExtension FLINK = MiniClusters.extension(METRICS.addToConfiguration(new Configuration()));

  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

  private static final byte[] MALFORMED = "{\"event_id\": ".getBytes(StandardCharsets.UTF_8);

  @TempDir Path dir;

  private final EventFactory events = new EventFactory(3, Instant.parse("2026-11-20T00:00:00Z"), Duration.ofDays(1));

  private JobConfig config(String topic, String dlqTopic, String action) {
    Map<String, String> settings = JobSettings.local(KAFKA.broker().bootstrapServers(), dir, "300ms", MiniClusters.PARALLELISM);
    settings.put("kafka.topics", topic);
    settings.put("dlq.topic", dlqTopic);
    settings.put("bounded", "true");
    settings.put("dlq.max-rate", "0.5");
    settings.put("dlq.rate-window", "10");
    settings.put("dlq.rate-action", action);
    return JobConfig.of(BronzeIngestJob.SPEC, settings);
  }

  /** One partition, so one subtask sees every record in this order; 'x' is a malformed record, '.' a valid event. */
  private List<String> produce(String topic, String fates) {
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    List<String> validIds = new ArrayList<>();
    for (int i = 0; i < fates.length(); i++) {
      byte[] value = MALFORMED;
      if (fates.charAt(i) == '.') {
        ObjectNode event = events.next();
        validIds.add(event.get("event_id").asText());
        value = EventFactory.bytes(event);
      }
      records.add(new ProducerRecord<>(topic, 0, ("k" + i).getBytes(StandardCharsets.UTF_8), value));
    }
    KAFKA.broker().produce(records);
    return validIds;
  }

  private static List<String> deadLetterKeys(String dlqTopic) {
    return KAFKA.broker().readCommitted(dlqTopic).stream().map(r -> new String(r.key(), StandardCharsets.UTF_8)).toList();
  }

  private static long counter(JobID job, String suffix) {
    return OperatorMetrics.sum(METRICS, job, "decode envelope", "medallion." + suffix);
  }

  @Test
  void failsTheJobOnceWithOneMessageWhenAWindowIsAboveTheRate() throws Exception {
    KafkaBroker kafka = KAFKA.broker();
    kafka.createTopics(1, "raw.brk-broken", "dlq.brk-broken");
    produce("raw.brk-broken", "x.x.x.x.xx");
    JobConfig config = config("raw.brk-broken", "dlq.brk-broken", "fail");
    // Restarts on: the breaker must stop the job anyway, not send it round a restart loop.
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(TestSources.withRestarts(JobEnvironment.flinkConfiguration(config), 100));
    BronzeIngestJob.define(env, config);

    Throwable failure = catchThrowable(() -> env.execute("breaker-fails-it"));

    assertThat(ExceptionUtils.findThrowable(failure, SuppressRestartsException.class))
        .hasValueSatisfying(
            suppress ->
                assertThat(suppress.getCause())
                    .isInstanceOf(DeadLetterRateExceededException.class)
                    .hasMessage(
                        "bronze-ingest dead-lettered 6 of 10 input records (ratio 0.6), above dlq.max-rate 0.5 over"
                            + " dlq.rate-window 10: the producer's output is likely broken; the job stops (dlq.rate-action fail)."));
    assertThat(ExceptionUtils.findThrowableWithMessage(failure, "The failure is not recoverable")).as("no restart").isPresent();
  }

  @Test
  void writesEveryRowAndDeadLetterWhenEveryWindowIsExactlyAtTheRate() throws Exception {
    // Two windows of 10, each 5 dead letters: 0.5, not above dlq.max-rate 0.5.
    runToTheEnd("brk-at-limit", "x.x.x.x.x." + ".x.x.x.x.x", "fail", List.of("k0", "k2", "k4", "k6", "k8", "k11", "k13", "k15", "k17", "k19"), 0);
  }

  @Test
  void alertsAndGoesOnWhenTheActionIsAlert() throws Exception {
    // Windows of 6/10 (trips) and 5/10 (does not).
    runToTheEnd("brk-alert", "x.x.x.x.xx" + "x.x.x.x.x.", "alert", List.of("k0", "k2", "k4", "k6", "k8", "k9", "k10", "k12", "k14", "k16", "k18"), 1);
  }

  /** Runs bronze over {@code pattern} to its end and checks every row, every dead letter and the trips. */
  private void runToTheEnd(String name, String pattern, String action, List<String> expectedLetters, long trips) throws Exception {
    KafkaBroker kafka = KAFKA.broker();
    kafka.createTopics(1, "raw." + name, "dlq." + name);
    List<String> validIds = produce("raw." + name, pattern);
    JobConfig config = config("raw." + name, "dlq." + name, action);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(JobEnvironment.flinkConfiguration(config));
    BronzeIngestJob.define(env, config);

    JobID job = env.execute(name + "-it").getJobID();

    assertThat(IcebergTables.readAll(IcebergCatalogs.loader(config).loadCatalog(), BronzeEventsTable.IDENTIFIER))
        .extracting(r -> (String) r.getField("event_id"))
        .containsExactlyInAnyOrderElementsOf(validIds);
    assertThat(deadLetterKeys("dlq." + name)).containsExactlyInAnyOrderElementsOf(expectedLetters);
    assertThat(counter(job, StageMetrics.RECORDS_IN)).isEqualTo(20);
    assertThat(counter(job, StageMetrics.DEAD_LETTER_RATE_TRIPS)).isEqualTo(trips);
  }

}
