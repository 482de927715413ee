package io.medallion.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medallion.common.config.JobConfig;
import io.medallion.common.flink.JobEnvironment;
import io.medallion.common.iceberg.IcebergCatalogs;
import io.medallion.common.kafka.KafkaStartupCheck.KafkaStartupException;
import io.medallion.testkit.JobSettings;
import io.medallion.testkit.KafkaBroker;
import io.medallion.testkit.KafkaBrokerExtension;
import io.medallion.testkit.MiniClusters;
import io.medallion.testkit.SecuredKafkaSettings;
import io.medallion.testkit.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * quality-monitor bounded over {@link DefectScenario} on a broker that only speaks SASL_SSL, the
 * passwords from {@code ${ENV:…}}: both Kafka sources (raw and dead-letter topics), the
 * transactional alerts sink and the start-up check go through that listener.
 */
class QualityMonitorSaslSslITCase {
  private static final String USER = "quality-svc";
  private static final String SASL_PASSWORD = "sasl-" + UUID.randomUUID();
  private static final String RAW = "raw.sasl-quality";
  private static final String DLQ = "dlq.sasl-quality";
  private static final String ALERTS = "sasl-quality-alerts";

  @RegisterExtension static final MiniClusterExtension FLINK = MiniClusters.extension();

  @RegisterExtension static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.secured(Map.of(USER, SASL_PASSWORD));

  @TempDir Path dir;

  private JobConfig config(String saslPassword) throws Exception {
    TestCertificates tls = KAFKA.certificates();
    Path checks = Files.writeString(dir.resolve("checks.yaml"), DefectScenario.checks(RAW));
    Map<String, String> settings = JobSettings.local(KAFKA.broker().bootstrapServers(), dir, "1s", MiniClusters.PARALLELISM);
    settings.putAll(SecuredKafkaSettings.kafkaProperties(USER, tls.trustStore()));
    settings.put("kafka.topics", RAW);
    settings.put("quality.checks", checks.toString());
    settings.put("quality.dead-letter-topics", DLQ);
    settings.put("quality.alerts-topic", ALERTS);
    settings.put("bounded", "true");
    return SecuredKafkaSettings.load(QualityMonitorJob.SPEC, settings, dir, SecuredKafkaSettings.environment(saslPassword, tls.trustStorePassword()));
  }

  @Test
  void judgesEveryCheckAndAlertsOverSaslSsl() throws Exception {
    KafkaBroker kafka = KAFKA.broker();
    kafka.createTopics(1, RAW, DLQ, ALERTS);
    DefectScenario scenario = new DefectScenario(RAW, DLQ, 13);
    kafka.produce(scenario.rawRecords(0, DefectScenario.MINUTES, 0));
    kafka.produce(scenario.deadLetters());

    JobConfig config = config(SASL_PASSWORD);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(JobEnvironment.flinkConfiguration(config));
    QualityMonitorJob.define(env, config);
    env.execute("quality-monitor-sasl-ssl-it");

    assertThat(DefectScenario.windowRows(IcebergCatalogs.loader(config).loadCatalog())).containsExactlyInAnyOrderElementsOf(scenario.expectedRows());
    assertThat(DefectScenario.alerts(kafka, ALERTS)).containsExactlyInAnyOrderElementsOf(DefectScenario.expectedAlerts());
  }

  @Test
  void aWrongPasswordStopsTheJobAtStartNamingTheUser() throws Exception {
    JobConfig config = config("wrong-" + UUID.randomUUID());
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(JobEnvironment.flinkConfiguration(config));

    assertThatThrownBy(() -> QualityMonitorJob.define(env, config))
        .isInstanceOf(KafkaStartupException.class)
        .hasMessage(
            "quality-monitor: Kafka at " + KAFKA.broker().bootstrapServers() + " rejected the credentials of user '" + USER
                + "' (SASL/SCRAM-SHA-512): check the username and password in kafka.properties.sasl.jaas.config")
        .hasNoCause();
  }
}
