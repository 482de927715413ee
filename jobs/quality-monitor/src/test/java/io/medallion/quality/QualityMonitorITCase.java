package io.medallion.quality;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.common.audit.LedgerAudit;
import io.medallion.common.config.JobConfig;
import io.medallion.common.flink.JobEnvironment;
import io.medallion.common.iceberg.IcebergCatalogs;
import io.medallion.testkit.JobSettings;
import io.medallion.testkit.KafkaBroker;
import io.medallion.testkit.Ledgers;
import io.medallion.testkit.KafkaBrokerExtension;
import io.medallion.testkit.MiniClusters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The monitor bounded over {@link DefectScenario}: every window fires at the end of the input. */
class QualityMonitorITCase {
  @RegisterExtension static final MiniClusterExtension FLINK = MiniClusters.extension();
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
}
