package io.medallion.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.management.OperatingSystemMXBean;
import io.medallion.common.config.ConfigOptions;
import io.medallion.common.config.JobConfig;
import io.medallion.common.config.Parsers;
import io.medallion.common.deadletter.Stage;
import io.medallion.common.flink.JobEnvironment;
import io.medallion.common.gold.GoldTable;
import io.medallion.common.iceberg.BronzeEventsTable;
import io.medallion.common.iceberg.IcebergCatalogs;
import io.medallion.common.kafka.Topics;
import io.medallion.common.paimon.PaimonCatalogs;
import io.medallion.common.paimon.PaimonTables;
import io.medallion.common.silver.SilverTable;
import io.medallion.testkit.IcebergTables;
import io.medallion.testkit.JobSettings;
import io.medallion.testkit.KafkaBroker;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;
import org.apache.flink.api.common.JobID;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

@Command(
    name = "bench-freshness",
    mixinStandardHelpOptions = true,
    description = {
      "Measure freshness: how long after it is produced a record is visible in bronze, silver and gold.",
      "An in-process broker, and bronze-ingest, silver-transform and gold-aggregate running unbounded",
      "together on one local MiniCluster (exactly-once, checkpointed); a producer sends the realistic mix at",
      "a fixed rate for the warm-up, then for the measured duration. Afterwards the tables' snapshots are",
      "read back: a row's latency is the commit time of the snapshot that first made it visible minus its",
      "record's Kafka timestamp (set when it was produced); gold rows count from their window's latest event.",
      "Rows produced during the warm-up are not measured. Figures print as a table and append as a JSON line."
    })
final class FreshnessBenchCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final OperatingSystemMXBean OS = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private static final String PII_KEY = "bench-only-pseudonymization-key";

  /** Durations as the jobs' configuration writes them: 250ms, 10s, 2m. */
  static final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      return Parsers.duration(value);
    }
  }

  @Option(names = "--rate", defaultValue = "20000", description = "records per second (default ${DEFAULT-VALUE})")
  double rate;

  @Option(names = "--duration", defaultValue = "60s", converter = DurationConverter.class, description = "measured period, after the warm-up (default ${DEFAULT-VALUE})")
  Duration duration;

  @Option(names = "--warmup", defaultValue = "15s", converter = DurationConverter.class, description = "unmeasured period first, at the same rate (default ${DEFAULT-VALUE})")
  Duration warmup;

  @Option(names = "--checkpoint-interval", defaultValue = "10s", description = "checkpoint interval of all three jobs (default ${DEFAULT-VALUE})")
  String checkpointInterval;

  @Option(
      names = "--gold-window",
      defaultValue = "10s",
      description = "gold's window size (default ${DEFAULT-VALUE}, not the production 1m: a 1-minute run would close one window or none)")
  String goldWindow;

  @Option(names = "--partitions", defaultValue = "2", description = "partitions of each raw topic (default ${DEFAULT-VALUE})")
  int partitions;

  @Option(names = "--parallelism", defaultValue = "2", description = "parallelism of each job (default ${DEFAULT-VALUE})")
  int parallelism;

  @Option(names = "--bad-ratio", defaultValue = "0.01", description = "bad records per event (default ${DEFAULT-VALUE})")
  double badRatio;

  @Option(names = "--duplicate-ratio", defaultValue = "0.02", description = "re-sent events per event (default ${DEFAULT-VALUE})")
  double duplicateRatio;

  @Option(
      names = "--drain-timeout",
      defaultValue = "180s",
      converter = DurationConverter.class,
      description = "after the last record, how long the tables may take to hold everything (default ${DEFAULT-VALUE})")
  Duration drainTimeout;

  @Option(names = "--set", description = "extra job configuration, key=value (dotted key); repeatable")
  Map<String, String> extra = new LinkedHashMap<>();

  @Option(names = "--results", defaultValue = "medallion-bench-results.jsonl", description = "JSON lines file each run is appended to (default ./${DEFAULT-VALUE})")
  Path results;

  @Option(names = "--data-dir", defaultValue = "medallion-freshness", description = "tables and checkpoints; emptied first (default ./${DEFAULT-VALUE})")
  Path dataDir;

  /** One row of the report: a table or a layer, and the latencies of the rows measured in it. */
  private record Line(String name, Latencies latencies, long expected) {}

  @Override
  public Integer call() throws Exception {
    Path data = dataDir.toAbsolutePath().normalize();
    Directories.empty(data);
    double loadBefore = OS.getSystemLoadAverage();
    try (KafkaBroker kafka = KafkaBroker.start();
        LocalFlink flink = new LocalFlink(3 * parallelism)) {
      kafka.createTopics(partitions, Topics.RAW_TOPICS.toArray(String[]::new));
      kafka.createTopics(1, Stage.BRONZE.defaultTopic(), Stage.SILVER.defaultTopic(), Stage.GOLD.defaultTopic());
      Map<String, String> settings = JobSettings.local(kafka.bootstrapServers(), data, checkpointInterval, parallelism);
      settings.put("kafka.topic-pattern", Topics.RAW_TOPIC_PATTERN);
      settings.put("pii.hmac-key", PII_KEY);
      settings.put("gold.window-size", goldWindow);
      settings.putAll(extra);
      List<JobID> jobs = new ArrayList<>();
      JobConfig silverConfig = null;
      JobConfig bronzeConfig = null;
      for (JobCatalog job : List.of(JobCatalog.BRONZE_INGEST, JobCatalog.SILVER_TRANSFORM, JobCatalog.GOLD_AGGREGATE)) {
        JobConfig config = JobConfig.of(job.spec, settings);
        StreamExecutionEnvironment env = LocalFlink.environment(JobEnvironment.flinkConfiguration(config));
        job.definition.define(env, config);
        jobs.add(flink.submit(env, job.spec.name()));
        bronzeConfig = job == JobCatalog.BRONZE_INGEST ? config : bronzeConfig;
        silverConfig = job == JobCatalog.SILVER_TRANSFORM ? config : silverConfig;
      }
      Duration windowSize = silverConfig.get(ConfigOptions.GOLD_WINDOW_SIZE);
      System.out.printf(
          "bench-freshness: %,.0f records/s for %s warm-up + %s measured; bronze-ingest, silver-transform and gold-aggregate unbounded on one MiniCluster (parallelism %d, checkpoint every %s, gold windows of %s)%n",
          rate, text(warmup), text(duration), parallelism, checkpointInterval, text(windowSize));

      CompletableFuture<LiveTraffic.Sent> producing =
          CompletableFuture.supplyAsync(() -> LiveTraffic.run(kafka.producer(), rate, warmup, duration, badRatio, duplicateRatio, 42));
      while (!producing.isDone()) {
        requireRunning(flink, jobs);
        LockSupport.parkNanos(500_000_000L);
      }
      LiveTraffic.Sent sent = producing.join();
      long measuredFrom = sent.firstMillis + warmup.toMillis();
      System.out.printf(
          "produced %,d records (%,d events, %,d duplicates, %,d bad); measured period: %,d records at %,.0f records/s achieved%n",
          sent.records(), sent.events, sent.duplicates, sent.bad, sent.measuredRecords(), sent.measuredRate());

      long drainStart = System.nanoTime();
      org.apache.iceberg.catalog.Catalog iceberg = IcebergCatalogs.loader(bronzeConfig).loadCatalog();
      boolean caughtUp;
      try (org.apache.paimon.catalog.Catalog paimon = PaimonCatalogs.create(silverConfig)) {
        caughtUp =
            await(flink, jobs, drainStart, () -> IcebergTables.rowCount(iceberg, BronzeEventsTable.IDENTIFIER) == sent.events + sent.duplicates)
                && await(flink, jobs, drainStart, () -> silverRows(paimon) == sent.events);
        TableFreshness.Silver silverFreshness = TableFreshness.silver(paimon, sent, measuredFrom, windowSize);
        TableFreshness.Gold gold = new TableFreshness.Gold(paimon, silverFreshness.goldGroups());
        caughtUp &=
            await(
                flink,
                jobs,
                drainStart,
                () -> {
                  gold.advance();
                  return gold.closedWindowsComplete();
                });
        double drainSeconds = (System.nanoTime() - drainStart) / 1e9;
        for (JobID job : jobs) {
          flink.cancel(job);
        }
        double loadAfter = OS.getSystemLoadAverage();

        List<Line> lines = new ArrayList<>();
        lines.add(new Line(BronzeEventsTable.IDENTIFIER.toString(), TableFreshness.bronze(iceberg, measuredFrom), sent.measuredEvents + sent.measuredDuplicates));
        // Every event first produced in the measured period has its silver row; a gold row's count is known once its window closes.
        lines.add(new Line("silver", all(silverFreshness.latencies().values()), sent.measuredEvents));
        silverFreshness.latencies().forEach((table, latencies) -> lines.add(new Line(table.qualifiedName(), latencies, -1)));
        Map<GoldTable, Latencies> goldLatencies = new LinkedHashMap<>();
        long goldRowsAfterWarmup = 0;
        for (GoldTable table : GoldTable.values()) {
          goldLatencies.put(table, gold.latencies(table, measuredFrom));
          goldRowsAfterWarmup += gold.rowsAfter(table, measuredFrom);
        }
        lines.add(new Line("gold", all(goldLatencies.values()), goldRowsAfterWarmup));
        goldLatencies.forEach((table, latencies) -> lines.add(new Line(table.qualifiedName(), latencies, gold.rowsAfter(table, measuredFrom))));

        System.out.printf("%-26s %12s %9s %9s %9s %9s%n", "freshness (ms)", "rows", "p50", "p95", "max", "min");
        for (Line line : lines) {
          System.out.printf(
              "%-26s %12s %9d %9d %9d %9d%n",
              line.name, String.format("%,d", line.latencies.count()), line.latencies.percentile(0.5), line.latencies.percentile(0.95),
              line.latencies.max(), line.latencies.min());
        }
        System.out.printf(
            "rows measured: bronze %,d of %,d records produced after the warm-up, silver %,d of %,d events, gold %,d of %,d rows whose latest event came after it (the rest in windows that had not closed)%n",
            lines.get(0).latencies.count(), lines.get(0).expected, lines.get(1).latencies.count(), lines.get(1).expected,
            lines.get(6).latencies.count(), lines.get(6).expected);
        System.out.printf(
            "settings: %d partitions per raw topic, %.0f%% bad, %.0f%% duplicates%s; drained in %.1f s after the last record%s; load average %.2f before, %.2f after (%d cores)%n",
            partitions, badRatio * 100, duplicateRatio * 100, extra.isEmpty() ? "" : ", " + extra, drainSeconds, caughtUp ? "" : " (NOT caught up)",
            loadBefore, loadAfter, Runtime.getRuntime().availableProcessors());
        appendResult(sent, measuredFrom, lines, caughtUp, drainSeconds, loadBefore, loadAfter, windowSize);
        System.out.println("appended to " + results.toAbsolutePath().normalize() + " (a JSON line per run)");
        boolean complete = lines.get(0).latencies.count() == lines.get(0).expected && lines.get(1).latencies.count() == lines.get(1).expected;
        return caughtUp && complete ? 0 : 1;
      }
    }
  }

  private static Latencies all(Iterable<Latencies> tables) {
    Latencies all = new Latencies();
    tables.forEach(all::addAll);
    return all;
  }

  private static long silverRows(org.apache.paimon.catalog.Catalog paimon) throws Exception {
    long rows = 0;
    for (SilverTable table : SilverTable.values()) {
      rows += PaimonTables.rowCount(paimon.getTable(table.identifier()));
    }
    return rows;
  }

  /** A condition the tables reach by themselves; polled, because they change only at checkpoints. */
  private interface Check {
    boolean holds() throws Exception;
  }

  /** Waits until the check holds or the drain timeout (from {@code drainStart}) has passed; false then. */
  private boolean await(LocalFlink flink, List<JobID> jobs, long drainStart, Check check) throws Exception {
    while (!check.holds()) {
      requireRunning(flink, jobs);
      if (System.nanoTime() - drainStart > drainTimeout.toNanos()) {
        return false;
      }
      LockSupport.parkNanos(500_000_000L);
    }
    return true;
  }

  private static void requireRunning(LocalFlink flink, List<JobID> jobs) throws Exception {
    for (JobID job : jobs) {
      if (flink.status(job).isGloballyTerminalState()) {
        flink.await(job);
        throw new IllegalStateException("job " + job + " ended while it should have been running");
      }
    }
  }

  private void appendResult(
      LiveTraffic.Sent sent, long measuredFrom, List<Line> lines, boolean caughtUp, double drainSeconds, double loadBefore, double loadAfter, Duration windowSize)
      throws Exception {
    ObjectNode line = JSON.createObjectNode();
    line.put("time", Instant.now().toString());
    line.put("job", "freshness");
    ObjectNode machine = line.putObject("machine");
    machine.put("cores", Runtime.getRuntime().availableProcessors());
    machine.put("memory_mib", OS.getTotalMemorySize() >> 20);
    machine.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    machine.put("max_heap_mib", Runtime.getRuntime().maxMemory() >> 20);
    machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    machine.put("load_average_before", loadBefore);
    machine.put("load_average_after", loadAfter);
    ObjectNode settings = line.putObject("settings");
    settings.put("jobs", "bronze-ingest, silver-transform, gold-aggregate");
    settings.put("rate", rate);
    settings.put("warmup_seconds", warmup.toMillis() / 1e3);
    settings.put("duration_seconds", duration.toMillis() / 1e3);
    settings.put("checkpoint_interval", checkpointInterval);
    settings.put("gold_window", text(windowSize));
    settings.put("partitions", partitions);
    settings.put("parallelism", parallelism);
    settings.put("bad_ratio", badRatio);
    settings.put("duplicate_ratio", duplicateRatio);
    settings.put("drain_timeout_seconds", drainTimeout.toSeconds());
    ObjectNode jobSettings = settings.putObject("job_settings");
    extra.forEach(jobSettings::put);
    ObjectNode figures = line.putObject("results");
    figures.put("records", sent.records());
    figures.put("events", sent.events);
    figures.put("duplicates", sent.duplicates);
    figures.put("bad", sent.bad);
    figures.put("measured_records", sent.measuredRecords());
    figures.put("measured_events", sent.measuredEvents);
    figures.put("measured_duplicates", sent.measuredDuplicates);
    figures.put("achieved_per_second", Math.round(sent.measuredRate()));
    figures.put("measured_from_epoch_ms", measuredFrom);
    figures.put("run_ms", System.currentTimeMillis() - sent.firstMillis);
    figures.put("caught_up", caughtUp);
    figures.put("drain_seconds", drainSeconds);
    ObjectNode freshness = figures.putObject("freshness_ms");
    for (Line table : lines) {
      ObjectNode entry = freshness.putObject(table.name);
      entry.put("rows", table.latencies.count());
      if (table.expected >= 0) {
        entry.put("expected_rows", table.expected);
      }
      entry.put("p50", table.latencies.percentile(0.5));
      entry.put("p95", table.latencies.percentile(0.95));
      entry.put("max", table.latencies.max());
      entry.put("min", table.latencies.min());
    }
    Files.writeString(results, JSON.writeValueAsString(line) + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  private static String text(Duration duration) {
    return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + "s" : duration.toMillis() + "ms";
  }
}
