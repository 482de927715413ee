package io.medallion.local;

import io.medallion.common.audit.LedgerAudit;
import io.medallion.common.audit.LedgerRow;
import io.medallion.common.audit.LedgerTable;
import io.medallion.common.config.ConfigOptions;
import io.medallion.common.config.JobConfig;
import io.medallion.common.config.JobSpec;
import io.medallion.common.deadletter.Stage;
import io.medallion.common.iceberg.IcebergCatalogs;
import io.medallion.common.kafka.KafkaRangeCounter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.apache.iceberg.catalog.Catalog;
import org.apache.kafka.clients.CommonClientConfigs;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "audit",
    mixinStandardHelpOptions = true,
    description = {
      "Reconcile the audit ledger (Iceberg audit.ledger) that every job commits with its checkpoints.",
      "Per job run and source partition: the records read are exactly the records Kafka holds between the first and last offset"
          + " read (read_committed: transaction markers and aborted records excluded), every record read has one outcome"
          + " (written, dead-lettered, duplicate dropped or late), and every record a step forwarded was read by the next step.",
      "Exits 0 when everything balances, 1 on any imbalance."
    })
final class AuditCommand implements Callable<Integer> {
  /** Reads only the Iceberg catalog and Kafka client keys of a config file; no job runs. */
  private static final JobSpec AUDIT = new JobSpec("medallion-audit", Stage.BRONZE, EnumSet.of(JobSpec.Needs.ICEBERG));

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--config", description = "take the Iceberg catalog and Kafka (kafka.bootstrap-servers, kafka.properties.*) from this file")
  Path config;

  @Option(names = "--data-dir", defaultValue = "medallion-data", description = "without --config: the demo's tables under this directory (default ./${DEFAULT-VALUE})")
  Path dataDir;

  @Option(names = "--bootstrap-servers", description = "Kafka brokers, host:port[,host:port] (default: the config file's)")
  String bootstrapServers;

  @Option(names = "--job", description = "reconcile only this job (bronze-ingest, silver-transform, gold-aggregate, quality-monitor)")
  String job;

  @Mixin KafkaCommandConfig commandConfig;

  @Override
  public Integer call() throws IOException {
    JobConfig catalogs = catalogs();
    Map<String, String> kafka = new HashMap<>(catalogs.withPrefix(ConfigOptions.KAFKA_PROPERTIES_PREFIX));
    commandConfig.clientProperties().forEach((k, v) -> kafka.put(k.toString(), v.toString()));
    String servers = bootstrapServers != null ? bootstrapServers : catalogs.getOptional(ConfigOptions.KAFKA_BOOTSTRAP_SERVERS).orElse(null);
    if (servers == null) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--bootstrap-servers is required without a --config that names kafka.bootstrap-servers");
    }
    kafka.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, servers);

    Catalog catalog = IcebergCatalogs.loader(catalogs).loadCatalog();
    PrintWriter out = spec.commandLine().getOut();
    if (!catalog.tableExists(LedgerTable.IDENTIFIER)) {
      out.println("No audit ledger yet: " + LedgerTable.IDENTIFIER + " does not exist in this catalog (no job has run against it).");
      out.flush();
      return 1;
    }
    LedgerAudit.Report report = reconcile(catalog, kafka, job);
    print(report, out);
    out.flush();
    return report.balanced() ? 0 : 1;
  }

  private JobConfig catalogs() {
    if (config != null) {
      // The audit reads Kafka itself; a config without servers may still name them on the command line.
      List<String> overrides = bootstrapServers == null ? List.of() : List.of("kafka.bootstrap-servers=" + bootstrapServers);
      return JobConfig.load(AUDIT, config, overrides, System.getenv());
    }
    Map<String, String> settings = new HashMap<>();
    settings.put("iceberg.catalog.warehouse", dataDir.toAbsolutePath().normalize().resolve("iceberg").toUri().toString());
    settings.put("kafka.bootstrap-servers", bootstrapServers == null ? "unset:0" : bootstrapServers);
    return JobConfig.of(AUDIT, settings);
  }

  /** Reconciles the ledger in {@code catalog} (of one job, or of all when {@code job} is null) with Kafka. */
  static LedgerAudit.Report reconcile(Catalog catalog, Map<String, String> kafkaClient, String job) {
    List<LedgerRow> rows = LedgerRow.readAll(catalog.loadTable(LedgerTable.IDENTIFIER));
    if (job != null) {
      rows = rows.stream().filter(r -> r.job().equals(job)).toList();
    }
    try (KafkaRangeCounter counter = new KafkaRangeCounter(kafkaClient)) {
      return LedgerAudit.reconcile(rows, counter);
    }
  }

  /** The report as a table, a line per job run and source partition, then the verdict and every problem. */
  static void print(LedgerAudit.Report report, PrintWriter out) {
    String format = "%-16s %-8s %-28s %15s %9s %9s %9s %9s %8s %6s  %s%n";
    out.printf(format, "job", "run", "source/partition", "offsets", "in kafka", "read", "written", "dead", "dropped", "late", "dead letters by code");
    List<String> problems = new ArrayList<>();
    for (LedgerAudit.Line line : report.lines()) {
      LedgerAudit.PartitionKey key = line.key();
      String run = key.runId().substring(0, Math.min(8, key.runId().length()));
      out.printf(
          format,
          key.job(),
          run,
          key.source() + "/" + (key.partition() < 0 ? "-" : key.partition()),
          line.firstOffset() < 0 ? "-" : line.firstOffset() + ".." + line.lastOffset(),
          line.inKafka() == null ? "-" : line.inKafka(),
          line.recordsRead(),
          line.rowsWritten(),
          line.deadLettered(),
          line.duplicatesDropped(),
          line.late(),
          line.deadLettersByCode().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" ")));
      line.problems().forEach(p -> problems.add(key.job() + " " + run + " " + key.source() + "/" + key.partition() + ": " + p));
    }
    if (problems.isEmpty()) {
      out.println("Balanced: " + report.lines().size() + " partitions of " + report.lines().stream().map(l -> l.key().runId()).distinct().count()
          + " job runs, every record read once and accounted for once.");
    } else {
      out.println("IMBALANCED: " + problems.size() + " problems");
      problems.forEach(p -> out.println("  " + p));
    }
  }
}
