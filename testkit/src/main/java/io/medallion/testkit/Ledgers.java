package io.medallion.testkit;

import io.medallion.common.audit.LedgerAudit;
import io.medallion.common.audit.LedgerRow;
import io.medallion.common.audit.LedgerTable;
import io.medallion.common.config.JobConfig;
import io.medallion.common.iceberg.IcebergCatalogs;
import io.medallion.common.kafka.KafkaRangeCounter;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;

/** The audit of a test's {@code audit.ledger}, against the testkit broker, as lines a test can compare exactly. */
public final class Ledgers {

  private Ledgers() {}

  /** Reconciles every committed ledger row of the Iceberg catalog in {@code config} with the broker. */
  public static LedgerAudit.Report audit(JobConfig config, KafkaBroker kafka) {
    List<LedgerRow> rows = LedgerRow.readAll(IcebergCatalogs.loader(config).loadCatalog().loadTable(LedgerTable.IDENTIFIER));
    try (KafkaRangeCounter counter = new KafkaRangeCounter(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      return LedgerAudit.reconcile(rows, counter);
    }
  }

  /**
   * One line per source partition of {@code job}'s runs: {@code source/partition read=… written=…
   * dead=… dropped=… late=…}, with {@code /-} for a source that is not a Kafka topic.
   */
  public static List<String> lines(LedgerAudit.Report report, String job) {
    return report.of(job).stream()
        .map(
            line ->
                line.key().source() + "/" + (line.key().partition() < 0 ? "-" : Integer.toString(line.key().partition()))
                    + " read=" + line.recordsRead() + " written=" + line.rowsWritten() + " dead=" + line.deadLettered()
                    + " dropped=" + line.duplicatesDropped() + " late=" + line.late())
        .toList();
  }
}
