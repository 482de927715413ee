package io.medallion.silver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.medallion.common.config.JobConfig;
import io.medallion.common.deadletter.DeadLetterHeaders;
import io.medallion.common.flink.JobEnvironment;
import io.medallion.common.kafka.KafkaStartupCheck.KafkaStartupException;
import io.medallion.common.paimon.PaimonCatalogs;
import io.medallion.common.silver.SilverTable;
import io.medallion.testkit.EventFactory;
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
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.paimon.catalog.Catalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * silver-transform against a broker that only speaks SASL_SSL, its password, trust store password
 * and PII key from {@code ${ENV:…}}: the raw source, the dead-letter sink and the start-up check
 * all go through that listener.
 */
class SilverTransformSaslSslITCase {
  private static final String USER = "silver-svc";
  private static final String SASL_PASSWORD = "sasl-" + UUID.randomUUID();
  private static final String RAW = "raw.sasl-silver";
  private static final String DLQ = "dlq.sasl-silver";
  /** Every record's Kafka timestamp: the reference of the timestamp-range rule. */
  private static final Instant RECORDED = Instant.parse("2026-11-22T12:00:00Z");

  @RegisterExtension static final MiniClusterExtension FLINK = MiniClusters.extension();

  @RegisterExtension static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.secured(Map.of(USER, SASL_PASSWORD));

  @TempDir Path dir;

  private JobConfig config(String saslPassword) {
    TestCertificates tls = KAFKA.certificates();
    Map<String, String> settings = JobSettings.local(KAFKA.broker().bootstrapServers(), dir, "300ms", MiniClusters.PARALLELISM);
    settings.putAll(SecuredKafkaSettings.kafkaProperties(USER, tls.trustStore()));
    settings.put("kafka.topics", RAW);
    settings.put("dlq.topic", DLQ);
    settings.put("pii.hmac-key", "${ENV:MEDALLION_PII_KEY}");
    settings.put("bounded", "true");
    Map<String, String> environment = SecuredKafkaSettings.environment(saslPassword, tls.trustStorePassword());
    environment.put("MEDALLION_PII_KEY", "pii-" + UUID.randomUUID());
    return SecuredKafkaSettings.load(SilverTransformJob.SPEC, settings, dir, environment);
  }

  /** A dead letter by its key (the bad record's) and error code. */
  record Letter(String key, String code) {}

  @Test
  void writesSilverAndDeadLettersOverSaslSsl() throws Exception {
    KafkaBroker kafka = KAFKA.broker();
    kafka.createTopics(2, RAW);
    kafka.createTopics(1, DLQ);
    EventFactory events = new EventFactory(31, RECORDED.minus(Duration.ofHours(2)), Duration.ofHours(2));
    List<ProducerRecord<byte[], byte[]>> sent = new ArrayList<>();
    Map<SilverTable, List<String>> expectedIds = new EnumMap<>(SilverTable.class);
    for (int i = 0; i < 12; i++) {
      ObjectNode event = events.next(EventFactory.EVENT_TYPES.get(i % EventFactory.EVENT_TYPES.size()));
      String id = event.get("event_id").asText();
      expectedIds.computeIfAbsent(SilverTable.forEventType(event.get("event_type").asText()).orElseThrow(), t -> new ArrayList<>()).add(id);
      sent.add(record(i % 2, id, EventFactory.bytes(event)));
    }
    ObjectNode unknownType = events.next("metric").put("event_type", "refund");
    ObjectNode badMetricName = events.next("metric");
    ((ObjectNode) badMetricName.get("payload")).put("name", "Bad Name");
    ObjectNode noUser = events.next("user_action");
    ((ObjectNode) noUser.get("payload")).remove("user_id");
    ObjectNode tooOld = events.next("system").put("event_timestamp", RECORDED.minus(Duration.ofDays(9)).toString());
    List<byte[]> bad =
        List.of(
            EventFactory.bytes(unknownType), EventFactory.bytes(badMetricName), EventFactory.bytes(noUser), EventFactory.bytes(tooOld),
            "{\"event_id\":".getBytes(StandardCharsets.UTF_8));
    List<Letter> expectedLetters =
        List.of(
            new Letter("bad-0", "UNKNOWN_EVENT_TYPE"), new Letter("bad-1", "INVALID_FIELD"), new Letter("bad-2", "MISSING_FIELD"),
            new Letter("bad-3", "TIMESTAMP_OUT_OF_RANGE"), new Letter("bad-4", "MALFORMED_JSON"));
    for (int i = 0; i < bad.size(); i++) {
      sent.add(record(i % 2, "bad-" + i, bad.get(i)));
    }
    kafka.produce(sent);

    JobConfig config = config(SASL_PASSWORD);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(JobEnvironment.flinkConfiguration(config));
    SilverTransformJob.define(env, config);
    env.execute("silver-transform-sasl-ssl-it");

    try (Catalog catalog = PaimonCatalogs.create(config.withPrefix("paimon.catalog."))) {
      for (SilverTable table : SilverTable.values()) {
        assertThat(PaimonReads.readAll(catalog.getTable(table.identifier())).stream().map(r -> (String) r.get("event_id")).toList())
            .as(table.qualifiedName())
            .containsExactlyInAnyOrderElementsOf(expectedIds.getOrDefault(table, List.of()));
      }
    }
    List<Letter> letters = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> letter : kafka.readCommitted(DLQ)) {
      Map<String, String> headers = new HashMap<>();
      letter.headers().forEach(h -> headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8)));
      letters.add(new Letter(new String(letter.key(), StandardCharsets.UTF_8), headers.get(DeadLetterHeaders.ERROR_CODE)));
    }
    assertThat(letters).containsExactlyInAnyOrderElementsOf(expectedLetters);
  }

  @Test
  void aWrongPasswordStopsTheJobAtStartNamingTheUser() throws Exception {
    JobConfig config = config("wrong-" + UUID.randomUUID());
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(JobEnvironment.flinkConfiguration(config));

    assertThatThrownBy(() -> SilverTransformJob.define(env, config))
        .isInstanceOf(KafkaStartupException.class)
        .hasMessage(
            "silver-transform: Kafka at " + KAFKA.broker().bootstrapServers() + " rejected the credentials of user '" + USER
                + "' (SASL/SCRAM-SHA-512): check the username and password in kafka.properties.sasl.jaas.config")
        .hasNoCause();
  }

  private static ProducerRecord<byte[], byte[]> record(int partition, String key, byte[] value) {
    return new ProducerRecord<>(RAW, partition, RECORDED.toEpochMilli(), key.getBytes(StandardCharsets.UTF_8), value);
  }
}
