package io.medallion.quality;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.medallion.common.audit.LedgerAudit;
import io.medallion.common.config.JobConfig;
import io.medallion.common.deadletter.DeadLetterHeaders;
import io.medallion.common.flink.JobEnvironment;
import io.medallion.common.iceberg.IcebergCatalogs;
import io.medallion.testkit.BadRecords;
import io.medallion.testkit.EventFactory;
import io.medallion.testkit.JobSettings;
import io.medallion.testkit.KafkaBroker;
import io.medallion.testkit.Ledgers;
import io.medallion.testkit.KafkaBrokerExtension;
import io.medallion.testkit.MiniClusters;
import io.medallion.testkit.OperatorMetrics;
import io.medallion.testkit.TestSources;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The monitor bounded over {@link DefectScenario}: every window fires at the end of the input. */
class QualityMonitorITCase {
  private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

  @RegisterExtension
  static final MiniClusterExtension FLINK = MiniClusters.extension(METRICS.addToConfiguration(new Configuration()));
  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

  @TempDir Path dir;

  private static final String RAW = "raw.q-events";
  private static final String DLQ = "dlq.q-silver";
  private static final String ALERTS = "q-alerts";

  @Test
  void judgesEveryCheckPerWindowAndAlertsOnlyOnTransitions() throws Exception {
    KafkaBroker kafka = KAFKA.broker();
    kafka.createTopics(1, RAW, DLQ, ALERTS);
    DefectScenario scenario = new DefectScenario(RAW, DLQ, 11);
    kafka.produce(scenario.rawRecords(0, DefectScenario.MINUTES, 0));
    kafka.produce(scenario.deadLetters());

    Path checks = dir.resolve("checks.yaml");
    Files.writeString(checks, DefectScenario.checks(RAW));
    Map<String, String> settings = JobSettings.local(kafka.bootstrapServers(), dir, "1s", MiniClusters.PARALLELISM);
    settings.put("kafka.topics", RAW);
    settings.put("quality.checks", checks.toString());
    settings.put("quality.dead-letter-topics", DLQ);
    settings.put("quality.alerts-topic", ALERTS);
    settings.put("bounded", "true");
    JobConfig config = JobConfig.of(QualityMonitorJob.SPEC, settings);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(JobEnvironment.flinkConfiguration(config));
    QualityMonitorJob.define(env, config);
    env.execute("quality-monitor-it");

    assertThat(DefectScenario.windowRows(IcebergCatalogs.loader(config).loadCatalog())).containsExactlyInAnyOrderElementsOf(scenario.expectedRows());
    assertThat(DefectScenario.alerts(kafka, ALERTS)).containsExactlyInAnyOrderElementsOf(DefectScenario.expectedAlerts());

    // A bounded run counts its last records at the end of input and commits them with its last checkpoint.
    LedgerAudit.Report audit = Ledgers.audit(config, kafka);
    assertThat(audit.lines()).allSatisfy(line -> assertThat(line.problems()).isEmpty());
    List<String> everyRecordOnce = new ArrayList<>();
    for (String topic : List.of(DLQ, RAW)) {
      int records = kafka.readCommitted(topic).size();
      everyRecordOnce.add(topic + "/0 read=" + records + " written=" + records + " dead=0 dropped=0 late=0");
    }
    assertThat(Ledgers.lines(audit, QualityMonitorJob.SPEC.name())).containsExactlyElementsOf(everyRecordOnce);
  }

  private static final int MAX_RECORD_BYTES = 100_000;

  /**
   * Issue #8: poison in both of the monitor's inputs. The raw topic holds valid events, every
   * hostile record of issue #9 (tombstone, blanks, byte order marks, NUL bytes, UTF-16, values
   * beyond each decoding limit) and two events whose event time no epoch millisecond reaches; the
   * dead-letter topic holds letters without headers, with header values that are not UTF-8, null
   * or 70 KB long, with an empty value and a tombstone. The bounded monitor, restarts allowed,
   * must count each in its window without one restart, and read each once.
   */
  @Test
  void countsPoisonRecordsAndPoisonDeadLettersWithoutARestart() throws Exception {
    String raw = "raw.qp-events";
    String dlq = "dlq.qp-silver";
    String alerts = "qp-alerts";
    KafkaBroker kafka = KAFKA.broker();
    kafka.createTopics(1, raw, dlq, alerts);
    Instant t0 = DefectScenario.T0;
    EventFactory events = new EventFactory(23, t0, Duration.ZERO);
    List<byte[]> values = new ArrayList<>();
    int valid = 5;
    for (int i = 0; i < valid; i++) {
      values.add(EventFactory.bytes(events.next("transaction", t0.plusSeconds(i))));
    }
    BadRecords.hostile(events, MAX_RECORD_BYTES).forEach(bad -> values.add(bad.value()));
    // Both decode (ISO-8601 allows nine-digit years) and break silver's timestamp rule; their lag
    // in milliseconds does not fit a long.
    ObjectNode farPast = events.next("transaction", t0);
    farPast.put("event_timestamp", "-999999999-01-01T00:00:00Z");
    values.add(EventFactory.bytes(farPast));
    ObjectNode farFuture = events.next("transaction", t0);
    farFuture.put("event_timestamp", "+999999999-12-31T23:59:59Z");
    values.add(EventFactory.bytes(farFuture));
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      records.add(new ProducerRecord<>(raw, 0, t0.plusSeconds(i).toEpochMilli(), null, values.get(i)));
    }
    kafka.produce(records);

    byte[] notUtf8 = {(byte) 0xC3, (byte) 0x28, (byte) 0xFF};
    byte[] rawTopic = raw.getBytes(StandardCharsets.UTF_8);
    byte[] malformed = "MALFORMED_JSON".getBytes(StandardCharsets.UTF_8);
    List<ProducerRecord<byte[], byte[]>> letters = new ArrayList<>();
    letters.add(letter(dlq, 0, null, "{oops", DeadLetterHeaders.ERROR_CODE, malformed, DeadLetterHeaders.SOURCE_TOPIC, rawTopic));
    letters.add(letter(dlq, 1, null, "no headers"));
    letters.add(letter(dlq, 2, null, "{oops", DeadLetterHeaders.ERROR_CODE, notUtf8, DeadLetterHeaders.SOURCE_TOPIC, rawTopic));
    letters.add(letter(dlq, 3, null, "{oops", DeadLetterHeaders.ERROR_CODE, malformed, DeadLetterHeaders.SOURCE_TOPIC, notUtf8));
    letters.add(letter(dlq, 4, null, "", DeadLetterHeaders.ERROR_CODE, malformed, DeadLetterHeaders.SOURCE_TOPIC, rawTopic));
    letters.add(letter(dlq, 5, "tombstone", null, DeadLetterHeaders.ERROR_CODE, malformed, DeadLetterHeaders.SOURCE_TOPIC, rawTopic));
    letters.add(letter(dlq, 6, null, "{oops", DeadLetterHeaders.ERROR_CODE, null, DeadLetterHeaders.SOURCE_TOPIC, rawTopic));
    // Longer than the 64 KiB a DataOutput string holds.
    byte[] longCode = "X".repeat(70_000).getBytes(StandardCharsets.UTF_8);
    letters.add(letter(dlq, 7, null, "{oops", DeadLetterHeaders.ERROR_CODE, longCode, DeadLetterHeaders.SOURCE_TOPIC, rawTopic));
    kafka.produce(letters);

    Path checks = dir.resolve("checks.yaml");
    Files.writeString(
        checks,
        """
        checks:
          - {name: records, scope: {topic: %1$s}, metric: record_count, threshold: {min: 1}}
          - {name: valid-ratio, scope: {topic: %1$s}, metric: valid_ratio, threshold: {min: 0.9}}
          - {name: lag, scope: {topic: %1$s}, metric: event_time_lag_max, threshold: {max: 60s}}
          - {name: dead-letters, scope: {topic: %1$s}, metric: dead_letter_rate, threshold: {max: 0.05}}
          - {name: malformed, scope: {topic: %1$s}, metric: dead_letter_rate, error-code: MALFORMED_JSON, threshold: {max: 0.05}}
          - {name: any-dead-letters, metric: dead_letter_rate, threshold: {max: 0.05}}
        """
            .formatted(raw));
    Map<String, String> settings = JobSettings.local(kafka.bootstrapServers(), dir, "1s", MiniClusters.PARALLELISM);
    settings.put("kafka.topics", raw);
    settings.put("quality.checks", checks.toString());
    settings.put("quality.dead-letter-topics", dlq);
    settings.put("quality.alerts-topic", alerts);
    settings.put("max-record-bytes", Integer.toString(MAX_RECORD_BYTES));
    settings.put("bounded", "true");
    JobConfig config = JobConfig.of(QualityMonitorJob.SPEC, settings);
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(TestSources.withRestarts(JobEnvironment.flinkConfiguration(config), 3));
    QualityMonitorJob.define(env, config);
    JobID job = env.execute("quality-monitor-poison-it").getJobID();
    assertThat(OperatorMetrics.restarts(METRICS, job)).isZero();

    // Letters 0, 2 and 4 to 7 name the raw topic; 0, 4 and 5 say MALFORMED_JSON. Letter 1 counts
    // for its own topic and letter 3 for a topic named by undecodable bytes: only the check of
    // every topic sees them. Only the valid events pass silver's rules; the far-past event's lag
    // is the largest, and saturates.
    double count = records.size();
    String scope = "topic=" + raw + ",event_type=*";
    String everyTopic = "topic=*,event_type=*";
    assertThat(DefectScenario.windowRows(IcebergCatalogs.loader(config).loadCatalog()))
        .containsExactlyInAnyOrder(
            DefectScenario.row("records", "record_count", scope, 0, count, 1.0, null, "ok", "fail"),
            DefectScenario.row("valid-ratio", "valid_ratio", scope, 0, valid / count, 0.9, null, "fail", "fail"),
            DefectScenario.row("lag", "event_time_lag_max", scope, 0, Long.MAX_VALUE / 1000.0, null, 60.0, "fail", "fail"),
            DefectScenario.row("dead-letters", "dead_letter_rate", scope, 0, 6 / count, null, 0.05, "fail", "fail"),
            DefectScenario.row("malformed", "dead_letter_rate", scope, 0, 3 / count, null, 0.05, "fail", "fail"),
            DefectScenario.row("any-dead-letters", "dead_letter_rate", everyTopic, 0, letters.size() / count, null, 0.05, "fail", "fail"));
    String firing = " firing window " + t0 + " observed %s first fired " + DefectScenario.minute(1);
    assertThat(DefectScenario.alerts(kafka, alerts))
        .containsExactlyInAnyOrder(
            "valid-ratio" + firing.formatted(valid / count),
            "lag" + firing.formatted(Long.MAX_VALUE / 1000.0),
            "dead-letters" + firing.formatted(6 / count),
            "malformed" + firing.formatted(3 / count),
            "any-dead-letters" + firing.formatted(letters.size() / count));

    LedgerAudit.Report audit = Ledgers.audit(config, kafka);
    assertThat(audit.lines()).allSatisfy(line -> assertThat(line.problems()).isEmpty());
    assertThat(Ledgers.lines(audit, QualityMonitorJob.SPEC.name()))
        .containsExactly(
            dlq + "/0 read=" + letters.size() + " written=" + letters.size() + " dead=0 dropped=0 late=0",
            raw + "/0 read=" + records.size() + " written=" + records.size() + " dead=0 dropped=0 late=0");
  }

  /** A dead letter failed {@code second} seconds into the first window, with {@code headers} as name, value pairs. */
  private static ProducerRecord<byte[], byte[]> letter(String topic, int second, String key, String value, Object... headers) {
    ProducerRecord<byte[], byte[]> letter =
        new ProducerRecord<>(
            topic,
            0,
            DefectScenario.T0.plusSeconds(30 + second).toEpochMilli(),
            key == null ? null : key.getBytes(StandardCharsets.UTF_8),
            value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    for (int i = 0; i < headers.length; i += 2) {
      letter.headers().add(new RecordHeader((String) headers[i], (byte[]) headers[i + 1]));
    }
    return letter;
  }
}
