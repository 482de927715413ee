package io.medallion.gold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.medallion.common.config.JobConfig;
import io.medallion.common.deadletter.DeadLetterHeaders;
import io.medallion.common.flink.JobEnvironment;
import io.medallion.common.gold.GoldTable;
import io.medallion.common.kafka.KafkaStartupCheck.KafkaStartupException;
import io.medallion.common.paimon.PaimonCatalogs;
import io.medallion.testkit.JobSettings;
import io.medallion.testkit.KafkaBroker;
import io.medallion.testkit.KafkaBrokerExtension;
import io.medallion.testkit.MiniClusters;
import io.medallion.testkit.PaimonReads;
import io.medallion.testkit.SecuredKafkaSettings;
import io.medallion.testkit.TestCertificates;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.paimon.catalog.Catalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * gold-aggregate with its Kafka edge, the transactional dead-letter sink (and the start-up check),
 * on a broker that only speaks SASL_SSL, the passwords from {@code ${ENV:…}}. Silver is written
 * directly ({@link SilverCommits}), so the test decides which watermark a late event meets.
 */
class GoldAggregateSaslSslITCase {
  private static final String USER = "gold-svc";
  private static final String SASL_PASSWORD = "sasl-" + UUID.randomUUID();
  private static final String DLQ = "dlq.sasl-gold";

  private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
  /** The job's defaults: 1-minute windows, 2 minutes of allowed lateness. */
  private static final Duration SIZE = Duration.ofMinutes(1);
  private static final Duration LATENESS = Duration.ofMinutes(2);
  /** The watermark silver commits with the first and the second batch. */
  private static final List<Instant> WATERMARKS = List.of(minute(5), minute(8));

  @RegisterExtension static final MiniClusterExtension FLINK = MiniClusters.extension();

  @RegisterExtension static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.secured(Map.of(USER, SASL_PASSWORD));

  @TempDir Path dir;

  private static Instant minute(double minutes) {
    return T0.plusMillis(Math.round(minutes * 60_000));
  }

  private JobConfig config(String saslPassword) {
    TestCertificates tls = KAFKA.certificates();
    Map<String, String> settings = JobSettings.local(KAFKA.broker().bootstrapServers(), dir, "500ms", MiniClusters.PARALLELISM);
    settings.putAll(SecuredKafkaSettings.kafkaProperties(USER, tls.trustStore()));
    settings.put("dlq.topic", DLQ);
    settings.put("gold.discovery-interval", "200ms");
    return SecuredKafkaSettings.load(GoldAggregateJob.SPEC, settings, dir, SecuredKafkaSettings.environment(saslPassword, tls.trustStorePassword()));
  }

  /** Event number {@code n} at {@code time}: the four silver tables in turn. */
  private static SilverEvent event(int n, Instant time) {
    return switch (n % 4) {
      case 0 -> SilverEvent.transaction(n, time, "m-" + n % 3, "EUR", n + ".50", n % 8 == 0 ? "declined" : "captured");
      case 1 -> SilverEvent.userAction(n, time, "u-" + n % 3, n % 3 == 0 ? "purchase" : "view", "/p/" + n % 5);
      case 2 -> SilverEvent.metric(n, time, "cpu.load", n * 0.25, Map.of("host", "n" + n % 2));
      default -> SilverEvent.system(n, time, "svc-" + n % 2, n % 3 == 0 ? "ERROR" : "INFO");
    };
  }

  @Test
  void aggregatesAndDeadLettersALateEventOverSaslSsl() throws Exception {
    KafkaBroker kafka = KAFKA.broker();
    kafka.createTopics(1, DLQ);
    List<SilverEvent> first = new ArrayList<>();
    for (int n = 0; n < 20; n++) {
      first.add(event(n, minute(n * 5.0 / 20)));
    }
    List<SilverEvent> second = new ArrayList<>();
    for (int n = 20; n < 32; n++) {
      second.add(event(n, minute(5 + (n - 20) * 3.0 / 12)));
    }
    // Minute 1's window closed at minute 4 (end + allowed lateness), before the first batch's watermark.
    SilverEvent late = event(100, minute(1.5));
    second.add(late);
    List<List<SilverEvent>> batches = List.of(first, second);
    Map<Boolean, List<SilverEvent>> byLate = ExpectedGold.partitionLate(batches, Arrays.asList(null, WATERMARKS.get(0)), SIZE, LATENESS);
    assertThat(byLate.get(true)).containsExactly(late);

    JobConfig config = config(SASL_PASSWORD);
    try (Catalog catalog = PaimonCatalogs.create(config.withPrefix("paimon.catalog."))) {
      StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(JobEnvironment.flinkConfiguration(config));
      GoldAggregateJob.define(env, config);
      SilverCommits silver = new SilverCommits(catalog);
      // Gold starts on an empty snapshot and reads each later commit incrementally (see SilverCommits#commitEmpty).
      silver.commitEmpty();
      JobClient job = env.executeAsync("gold-aggregate-sasl-ssl-it");
      try {
        await().atMost(Duration.ofSeconds(60)).until(() -> silver.consumedByEveryTable(GoldAggregateJob.SPEC.name()));
        silver.commit(first, WATERMARKS.get(0).toEpochMilli());
        // Gold's rows of the first batch show it has read the watermark the late event is judged by.
        awaitGold(catalog, ExpectedGold.rows(first, SIZE, WATERMARKS.get(0)));
        silver.commit(second, WATERMARKS.get(1).toEpochMilli());
        awaitGold(catalog, ExpectedGold.rows(byLate.get(false), SIZE, WATERMARKS.get(1)));
        await()
            .atMost(Duration.ofSeconds(60))
            .untilAsserted(() -> assertThat(kafka.readCommitted(DLQ).stream().map(r -> new String(r.key(), StandardCharsets.UTF_8))).containsExactly(late.id()));
      } finally {
        job.cancel().get();
      }
    }

    List<ConsumerRecord<byte[], byte[]>> letters = kafka.readCommitted(DLQ);
    assertThat(letters).hasSize(1);
    Map<String, String> headers = new HashMap<>();
    letters.get(0).headers().forEach(h -> headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8)));
    assertThat(headers)
        .containsEntry(DeadLetterHeaders.ERROR_CODE, "LATE_EVENT")
        .containsEntry(DeadLetterHeaders.STAGE, "gold")
        .containsEntry(DeadLetterHeaders.SOURCE_TOPIC, late.table().qualifiedName())
        .containsEntry(DeadLetterHeaders.SOURCE_OFFSET, Integer.toString(late.n()));
  }

  @Test
  void aWrongPasswordStopsTheJobAtStartNamingTheUser() throws Exception {
    JobConfig config = config("wrong-" + UUID.randomUUID());
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(JobEnvironment.flinkConfiguration(config));

    assertThatThrownBy(() -> GoldAggregateJob.define(env, config))
        .isInstanceOf(KafkaStartupException.class)
        .hasMessage(
            "gold-aggregate: Kafka at " + KAFKA.broker().bootstrapServers() + " rejected the credentials of user '" + USER
                + "' (SASL/SCRAM-SHA-512): check the username and password in kafka.properties.sasl.jaas.config")
        .hasNoCause();
  }

  private static void awaitGold(Catalog catalog, Map<GoldTable, List<Map<String, Object>>> expected) {
    await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(250))
        .untilAsserted(
            () -> {
              for (GoldTable table : GoldTable.values()) {
                assertThat(PaimonReads.readAll(catalog.getTable(table.identifier())))
                    .as(table.qualifiedName())
                    .isNotEmpty()
                    .containsExactlyInAnyOrderElementsOf(expected.get(table));
              }
            });
  }
}
