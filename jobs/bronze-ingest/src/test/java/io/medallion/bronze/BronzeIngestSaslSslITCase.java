package io.medallion.bronze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.medallion.common.config.JobConfig;
import io.medallion.common.deadletter.DeadLetterHeaders;
import io.medallion.common.flink.JobEnvironment;
import io.medallion.common.iceberg.BronzeEventsTable;
import io.medallion.common.iceberg.IcebergCatalogs;
import io.medallion.common.kafka.KafkaStartupCheck.KafkaStartupException;
import io.medallion.testkit.BadRecords;
import io.medallion.testkit.EventFactory;
import io.medallion.testkit.IcebergTables;
import io.medallion.testkit.JobSettings;
import io.medallion.testkit.KafkaBroker;
import io.medallion.testkit.KafkaBrokerExtension;
import io.medallion.testkit.MiniClusters;
import io.medallion.testkit.SecuredKafkaSettings;
import io.medallion.testkit.TestCertificates;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.iceberg.data.Record;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * bronze-ingest against a broker that only speaks SASL_SSL (SCRAM-SHA-512 over TLS with a CA made
 * for this class), configured the way an operator does it: a YAML file whose kafka.properties take
 * the password and the trust store password from {@code ${ENV:…}}. The Kafka source, the dead-letter
 * sink and the start-up check all go through that listener.
 */
class BronzeIngestSaslSslITCase {
  private static final String USER = "bronze-svc";
  // Made per run: a value that shows up in a log can only have come from this test.
  private static final String SASL_PASSWORD = "sasl-" + UUID.randomUUID();
  private static final String PII_KEY = "pii-" + UUID.randomUUID();
  private static final int MAX_RECORD_BYTES = 4096;
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension static final MiniClusterExtension FLINK = MiniClusters.extension();

  @RegisterExtension static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.secured(Map.of(USER, SASL_PASSWORD));

  @TempDir Path dir;

  /** What an operator writes: secrets only as environment references, resolved against {@code environment}. */
  private JobConfig config(String topic, String dlqTopic, Path trustStore, Map<String, String> environment) {
    Map<String, String> settings = JobSettings.local(KAFKA.broker().bootstrapServers(), dir, "300ms", MiniClusters.PARALLELISM);
    settings.putAll(SecuredKafkaSettings.kafkaProperties(USER, trustStore));
    settings.put("kafka.topics", topic);
    settings.put("dlq.topic", dlqTopic);
    settings.put("max-record-bytes", Integer.toString(MAX_RECORD_BYTES));
    settings.put("bounded", "true");
    // One file serves all jobs; bronze does not use the key, but loads it.
    settings.put("pii.hmac-key", "${ENV:MEDALLION_PII_KEY}");
    return SecuredKafkaSettings.load(BronzeIngestJob.SPEC, settings, dir, environment);
  }

  private static Map<String, String> environment(String saslPassword, String trustStorePassword) {
    Map<String, String> environment = SecuredKafkaSettings.environment(saslPassword, trustStorePassword);
    environment.put("MEDALLION_PII_KEY", PII_KEY);
    return environment;
  }

  /** A bronze row by its Kafka coordinates, for exact comparison. */
  record Row(String eventId, String topic, int partition, long offset, String key, String payload) {}

  /** A dead letter by key, code and source coordinates; its bytes are the source record's. */
  record Letter(String key, String code, String sourceTopic, String sourcePartition, String sourceOffset, List<Byte> value) {}

  @Test
  void ingestsOverSaslSslWithSecretsFromTheEnvironmentAndLogsNoSecret() throws Exception {
    KafkaBroker kafka = KAFKA.broker();
    kafka.createTopics(2, "raw.sasl-events");
    kafka.createTopics(1, "dlq.sasl-bronze");
    EventFactory events = new EventFactory(23, Instant.parse("2026-11-22T00:00:00Z"), Duration.ofHours(12));
    List<ObjectNode> valid = new ArrayList<>();
    List<ProducerRecord<byte[], byte[]>> sent = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      ObjectNode event = events.next();
      valid.add(event);
      sent.add(new ProducerRecord<>("raw.sasl-events", i % 2, bytes(event.get("event_id").asText()), EventFactory.bytes(event)));
    }
    List<BadRecords.Bad> bad = BadRecords.bronze(events, MAX_RECORD_BYTES + 100);
    for (int i = 0; i < bad.size(); i++) {
      sent.add(new ProducerRecord<>("raw.sasl-events", i % 2, bytes("bad-" + i), bad.get(i).value()));
    }
    List<RecordMetadata> landed = kafka.produce(sent);

    TestCertificates tls = KAFKA.certificates();
    List<String> secrets = List.of(SASL_PASSWORD, tls.trustStorePassword(), tls.keyStorePassword(), PII_KEY);
    JobConfig config;
    LogCapture logs;
    try (LogCapture capture = LogCapture.start(secrets, List.of("sasl.jaas.config", "security.protocol = SASL_SSL"))) {
      logs = capture;
      config = config("raw.sasl-events", "dlq.sasl-bronze", tls.trustStore(), environment(SASL_PASSWORD, tls.trustStorePassword()));
      StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(JobEnvironment.flinkConfiguration(config));
      BronzeIngestJob.define(env, config);
      env.execute("bronze-ingest-sasl-ssl-it");
    }

    List<Row> expectedRows = new ArrayList<>();
    for (int i = 0; i < valid.size(); i++) {
      ObjectNode event = valid.get(i);
      expectedRows.add(
          new Row(event.get("event_id").asText(), landed.get(i).topic(), landed.get(i).partition(), landed.get(i).offset(),
              event.get("event_id").asText(), JSON.writeValueAsString(event.get("payload"))));
    }
    List<Row> rows = new ArrayList<>();
    for (Record r : IcebergTables.readAll(IcebergCatalogs.loader(config).loadCatalog(), BronzeEventsTable.IDENTIFIER)) {
      rows.add(
          new Row((String) r.getField("event_id"), (String) r.getField("kafka_topic"), (Integer) r.getField("kafka_partition"),
              (Long) r.getField("kafka_offset"), (String) r.getField("record_key"), (String) r.getField("payload")));
    }
    assertThat(rows).containsExactlyInAnyOrderElementsOf(expectedRows);

    List<Letter> expectedLetters = new ArrayList<>();
    for (int i = 0; i < bad.size(); i++) {
      RecordMetadata at = landed.get(valid.size() + i);
      expectedLetters.add(
          new Letter("bad-" + i, bad.get(i).code().name(), at.topic(), Integer.toString(at.partition()), Long.toString(at.offset()),
              list(bad.get(i).value())));
    }
    List<Letter> letters = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : kafka.readCommitted("dlq.sasl-bronze")) {
      Map<String, String> headers = new HashMap<>();
      for (Header h : r.headers()) {
        headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
      }
      letters.add(
          new Letter(new String(r.key(), StandardCharsets.UTF_8), headers.get(DeadLetterHeaders.ERROR_CODE), headers.get(DeadLetterHeaders.SOURCE_TOPIC),
              headers.get(DeadLetterHeaders.SOURCE_PARTITION), headers.get(DeadLetterHeaders.SOURCE_OFFSET), list(r.value())));
    }
    assertThat(letters).containsExactlyInAnyOrderElementsOf(expectedLetters);

    // The capture saw the whole run, the Kafka clients' configuration dumps included...
    assertThat(logs.events()).isGreaterThan(1000);
    assertThat(logs.markerLines()).anyMatch(line -> line.contains("security.protocol = SASL_SSL") && line.contains("sasl.jaas.config = [hidden]"));
    assertThat(logs.markerLines()).anyMatch(line -> line.contains("kafka.properties.sasl.jaas.config=******"));
    // ...and no secret anywhere in it.
    assertThat(logs.leaks()).isEmpty();
  }

  @Test
  void aWrongPasswordStopsTheJobAtStartNamingTheUser() throws Exception {
    TestCertificates tls = KAFKA.certificates();
    String wrong = "wrong-" + UUID.randomUUID();
    JobConfig config = config("raw.sasl-unused", "dlq.sasl-unused", tls.trustStore(), environment(wrong, tls.trustStorePassword()));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(JobEnvironment.flinkConfiguration(config));

    assertThatThrownBy(() -> BronzeIngestJob.define(env, config))
        .isInstanceOf(KafkaStartupException.class)
        .hasMessage(
            "bronze-ingest: Kafka at " + KAFKA.broker().bootstrapServers() + " rejected the credentials of user '" + USER
                + "' (SASL/SCRAM-SHA-512): check the username and password in kafka.properties.sasl.jaas.config")
        .hasNoCause();
  }

  @Test
  void aCertificateFromAnotherCaStopsTheJobAtStartNamingTheTrustStore() throws Exception {
    // A trust store that holds a different CA than the one that signed the broker's certificate.
    TestCertificates other = TestCertificates.create(dir, "other");
    JobConfig config = config("raw.sasl-unused", "dlq.sasl-unused", other.trustStore(), environment(SASL_PASSWORD, other.trustStorePassword()));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(JobEnvironment.flinkConfiguration(config));

    assertThatThrownBy(() -> BronzeIngestJob.define(env, config))
        .isInstanceOf(KafkaStartupException.class)
        .hasMessage(
            "bronze-ingest: the TLS certificate of Kafka at " + KAFKA.broker().bootstrapServers()
                + " is not trusted by kafka.properties.ssl.truststore.location " + other.trustStore()
                + ": it must hold the CA that signed the broker's certificate")
        .hasNoCause();
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static List<Byte> list(byte[] value) {
    List<Byte> list = new ArrayList<>(value.length);
    for (byte b : value) {
      list.add(b);
    }
    return list;
  }
}
