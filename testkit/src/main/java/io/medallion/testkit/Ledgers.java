package io.medallion.testkit;

import io.medallion.common.audit.LedgerAudit;
import io.medallion.common.audit.LedgerRow;
import io.medallion.common.audit.LedgerTable;
import io.medallion.common.config.JobConfig;
import io.medallion.common.iceberg.IcebergCatalogs;
import io.medallion.common.kafka.KafkaRangeCounter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.CommonClientConfigs;
import org.awaitility.Awaitility;

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
   * Reconciles the ledger and fails with every problem listed unless it balances.
   *
   * @return the balanced report
   */
  public static LedgerAudit.Report balanced(JobConfig config, KafkaBroker kafka) {
    LedgerAudit.Report report = audit(config, kafka);
    List<String> problems = new ArrayList<>();
    report.lines().forEach(line -> line.problems().forEach(p -> problems.add(line.key() + ": " + p)));
    if (!problems.isEmpty()) {
      throw new AssertionError("the audit ledger does not balance:\n  " + String.join("\n  ", problems));
    }
    return report;
  }

  /**
   * Waits until the committed ledger balances and has exactly the {@code expected} {@link #lines}
   * of {@code job}, in any order: a running job commits its counts with its next checkpoint.
   */
  public static void awaitLines(JobConfig config, KafkaBroker kafka, String job, List<String> expected) {
    List<String> want = expected.stream().sorted().toList();
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              List<String> got = lines(balanced(config, kafka), job).stream().sorted().toList();
              if (!got.equals(want)) {
                throw new AssertionError("ledger of " + job + ":\n  " + String.join("\n  ", got) + "\nexpected:\n  " + String.join("\n  ", want));
              }
            });
  }

  /** The records {@code job} read per {@code source/partition}, summed over all its runs (e.g. before and after a savepoint). */
  public static Map<String, Long> readPerPartition(LedgerAudit.Report report, String job) {
    Map<String, Long> read = new TreeMap<>();
    report.of(job).forEach(line -> read.merge(line.key().source() + "/" + line.key().partition(), line.recordsRead(), Long::sum));
    return read;
  }

  /** The records each partition of {@code topics} holds, as a read_committed consumer sees them, keyed {@code topic/partition}. */
  public static Map<String, Long> recordsPerPartition(KafkaBroker kafka, String... topics) {
    Map<String, Long> records = new TreeMap<>();
    for (String topic : topics) {
      kafka.readCommitted(topic).forEach(r -> records.merge(topic + "/" + r.partition(), 1L, Long::sum));
    }
    return records;
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
