package io.medallion.local;

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
import java.time.Duration;
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
      "record's Kafka timestamp (set when it was produced); a gold row (group and window) counts from the latest",
      "of its events, at the first snapshot that holds it with all of them. Rows produced during the warm-up",
      "are not measured. Figures print as a table and append as a JSON line. --jobs bronze-ingest measures bronze alone."
    })
final class FreshnessBenchCommand implements Callable<Integer> {
  private static final OperatingSystemMXBean OS = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private static final String PII_KEY = "bench-only-pseudonymization-key";
  /** Latency percentiles are also shown per this much produce time, so a backlog that builds or drains is visible. */
  private static final Duration SLICE = Duration.ofSeconds(10);

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

  @Option(
      names = "--jobs",
      split = ",",
      defaultValue = "bronze-ingest,silver-transform,gold-aggregate",
      description = "the jobs to run: bronze-ingest, then optionally silver-transform, then optionally gold-aggregate (default ${DEFAULT-VALUE})")
  List<String> jobNames;

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
    List<JobCatalog> running = jobNames.stream().map(JobCatalog::byName).toList();
    boolean withSilver = running.contains(JobCatalog.SILVER_TRANSFORM);
    boolean withGold = running.contains(JobCatalog.GOLD_AGGREGATE);
    if (!running.contains(JobCatalog.BRONZE_INGEST) || (withGold && !withSilver) || running.contains(JobCatalog.QUALITY_MONITOR)) {
      throw new IllegalArgumentException("--jobs: bronze-ingest, then optionally silver-transform, then optionally gold-aggregate (gold reads silver)");
    }
    Path data = dataDir.toAbsolutePath().normalize();
    Directories.empty(data);
    double loadBefore = OS.getSystemLoadAverage();
    try (KafkaBroker kafka = KafkaBroker.start();
        LocalFlink flink = new LocalFlink(running.size() * parallelism)) {
      kafka.createTopics(partitions, Topics.RAW_TOPICS.toArray(String[]::new));
      kafka.createTopics(1, Stage.BRONZE.defaultTopic(), Stage.SILVER.defaultTopic(), Stage.GOLD.defaultTopic());
      Map<String, String> settings = JobSettings.local(kafka.bootstrapServers(), data, checkpointInterval, parallelism);
      settings.put("kafka.topic-pattern", Topics.RAW_TOPIC_PATTERN);
      settings.put("pii.hmac-key", PII_KEY);
      settings.put("gold.window-size", goldWindow);
      settings.putAll(extra);
      List<JobID> jobs = new ArrayList<>();
      Map<JobCatalog, JobConfig> configs = new LinkedHashMap<>();
      for (JobCatalog job : running) {
        JobConfig config = JobConfig.of(job.spec, settings);
        StreamExecutionEnvironment env = LocalFlink.environment(JobEnvironment.flinkConfiguration(config));
        job.definition.define(env, config);
        jobs.add(flink.submit(env, job.spec.name()));
        configs.put(job, config);
      }
      Duration windowSize = configs.get(JobCatalog.BRONZE_INGEST).get(ConfigOptions.GOLD_WINDOW_SIZE);
      System.out.printf(
          "bench-freshness: %,.0f records/s for %s warm-up + %s measured; %s unbounded on one MiniCluster (parallelism %d, checkpoint every %s%s)%n",
          rate, text(warmup), text(duration), String.join(", ", jobNames), parallelism, checkpointInterval, withGold ? ", gold windows of " + text(windowSize) : "");

      Cpu cpuStart = Cpu.now();
      CompletableFuture<LiveTraffic.Sent> producing =
          CompletableFuture.supplyAsync(() -> LiveTraffic.run(kafka.producer(), rate, warmup, duration, badRatio, duplicateRatio, 42));
      while (!producing.isDone()) {
        requireRunning(flink, jobs);
        LockSupport.parkNanos(500_000_000L);
      }
      LiveTraffic.Sent sent = producing.join();
      long measuredFrom = sent.firstMillis + warmup.toMillis();
      System.out.printf(
          "produced %,d records (%,d events, %,d duplicates, %,d bad; %,d not sent, the producer being over %s behind its schedule); measured period: %,d records at %,.0f records/s achieved%n",
          sent.records(), sent.events, sent.duplicates, sent.bad, sent.skipped, text(LiveTraffic.MAX_BEHIND), sent.measuredRecords(), sent.measuredRate());

      long drainStart = System.nanoTime();
      org.apache.iceberg.catalog.Catalog iceberg = IcebergCatalogs.loader(configs.get(JobCatalog.BRONZE_INGEST)).loadCatalog();
      List<Line> lines = new ArrayList<>();
      boolean caughtUp = await(flink, jobs, drainStart, () -> IcebergTables.rowCount(iceberg, BronzeEventsTable.IDENTIFIER) == sent.events + sent.duplicates);
      try (org.apache.paimon.catalog.Catalog paimon = PaimonCatalogs.create(configs.get(JobCatalog.BRONZE_INGEST))) {
        TableFreshness.Silver silverFreshness = null;
        TableFreshness.Gold gold = null;
        if (withSilver) {
          caughtUp = caughtUp && await(flink, jobs, drainStart, () -> silverRows(paimon) == sent.events);
          silverFreshness = TableFreshness.silver(paimon, sent, measuredFrom, windowSize);
        }
        if (withGold) {
          TableFreshness.Gold goldTables = new TableFreshness.Gold(paimon, silverFreshness.goldGroups());
          gold = goldTables;
          caughtUp =
              caughtUp
                  && await(
                      flink,
                      jobs,
                      drainStart,
                      () -> {
                        goldTables.advance();
                        return goldTables.closedWindowsComplete();
                      });
          // What gold holds by now, also when the layers below did not catch up.
          goldTables.advance();
        }
        double drainSeconds = (System.nanoTime() - drainStart) / 1e9;
        Cpu cpu = Cpu.now().minus(cpuStart);
        for (JobID job : jobs) {
          flink.cancel(job);
        }
        double loadAfter = OS.getSystemLoadAverage();

        lines.add(new Line(BronzeEventsTable.IDENTIFIER.toString(), TableFreshness.bronze(iceberg, measuredFrom), sent.measuredEvents + sent.measuredDuplicates));
        if (withSilver) {
          // Every event first produced in the measured period has its silver row.
          lines.add(new Line("silver", all(silverFreshness.latencies().values()), sent.measuredEvents));
          silverFreshness.latencies().forEach((table, latencies) -> lines.add(new Line(table.qualifiedName(), latencies, -1)));
        }
        if (withGold) {
          // A gold row is measured once its window has closed and it counts all its events.
          Map<GoldTable, Latencies> goldLatencies = new LinkedHashMap<>();
          long goldRowsAfterWarmup = 0;
          for (GoldTable table : GoldTable.values()) {
            goldLatencies.put(table, gold.latencies(table, measuredFrom));
            goldRowsAfterWarmup += gold.rowsAfter(table, measuredFrom);
          }
          lines.add(new Line("gold", all(goldLatencies.values()), goldRowsAfterWarmup));
          TableFreshness.Gold goldTables = gold;
          goldLatencies.forEach((table, latencies) -> lines.add(new Line(table.qualifiedName(), latencies, goldTables.rowsAfter(table, measuredFrom))));
        }

        System.out.printf("%-26s %12s %9s %9s %9s %9s%n", "freshness (ms)", "rows", "p50", "p95", "max", "min");
        for (Line line : lines) {
          System.out.printf(
              "%-26s %12s %9d %9d %9d %9d%n",
              line.name, String.format("%,d", line.latencies.count()), line.latencies.percentile(0.5), line.latencies.percentile(0.95),
              line.latencies.max(), line.latencies.min());
        }
        // The last slice takes the remainder, so a short run has at least one.
        int slices = (int) Math.max(1, duration.toMillis() / SLICE.toMillis());
        System.out.printf("p95 by %s of the measured period, by when the row was produced:%n", text(SLICE));
        for (Line line : lines) {
          if (line.expected >= 0) {
            StringBuilder trend = new StringBuilder(String.format("  %-24s", line.name));
            for (Latencies slice : line.latencies.bySlice(measuredFrom, SLICE.toMillis(), slices)) {
              trend.append(String.format(" %7s", slice.count() == 0 ? "-" : Long.toString(slice.percentile(0.95))));
            }
            System.out.println(trend);
          }
        }
        StringBuilder measured = new StringBuilder("rows measured:");
        for (Line line : lines) {
          if (line.expected >= 0) {
            measured.append(String.format(" %s %,d of %,d;", line.name, line.latencies.count(), line.expected));
          }
        }
        System.out.println(
            measured
                + " of the records produced after the warm-up (bronze), the events first produced after it (silver), the rows whose latest event came after it (gold: the rest are in windows that had not closed)");
        System.out.printf(
            "settings: %d partitions per raw topic, %.0f%% bad, %.0f%% duplicates%s; %s%n",
            partitions, badRatio * 100, duplicateRatio * 100, extra.isEmpty() ? "" : ", " + extra,
            caughtUp
                ? String.format("the tables held everything %.1f s after the last record", drainSeconds)
                : String.format("NOT caught up: gave up %.1f s after the last record (--drain-timeout %s); rows not visible by then are not measured", drainSeconds, text(drainTimeout)));
        System.out.printf(
            "machine: %d cores; from the first record until drained this JVM used %.1f cores, other processes %.1f; load average %.2f before, %.2f after%n",
            Runtime.getRuntime().availableProcessors(), cpu.ownCores(), cpu.otherCores(), loadBefore, loadAfter);
        appendResult(sent, measuredFrom, lines, caughtUp, drainSeconds, loadBefore, loadAfter, cpu, windowSize);
        System.out.println("appended to " + results.toAbsolutePath().normalize() + " (a JSON line per run)");
        boolean complete = lines.stream().limit(withSilver ? 2 : 1).allMatch(line -> line.latencies.count() == line.expected);
        return caughtUp && complete ? 0 : 1;
      }
    }
  }

  /**
   * CPU time of this JVM and of the whole machine (busy time in /proc/stat, 0 where there is none),
   * and the wall-clock time, so what others used meanwhile shows beside the figures.
   */
  private record Cpu(long ownNanos, long machineNanos, long wallNanos) {
    static Cpu now() throws java.io.IOException {
      long machine = 0;
      Path stat = Path.of("/proc/stat");
      if (Files.exists(stat)) {
        String[] fields = Files.readAllLines(stat).get(0).trim().split("\\s+");
        for (int i = 1; i < Math.min(fields.length, 9); i++) {
          // user nice system idle iowait irq softirq steal: all but idle and iowait are busy.
          machine += i == 4 || i == 5 ? 0 : Long.parseLong(fields[i]);
        }
      }
      // USER_HZ is 100 on Linux.
      return new Cpu(OS.getProcessCpuTime(), machine * 10_000_000L, System.nanoTime());
    }

    Cpu minus(Cpu start) {
      return new Cpu(ownNanos - start.ownNanos, machineNanos - start.machineNanos, wallNanos - start.wallNanos);
    }

    double ownCores() {
      return (double) ownNanos / wallNanos;
    }

    double otherCores() {
      return Math.max(0, (double) (machineNanos - ownNanos) / wallNanos);
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
      LiveTraffic.Sent sent, long measuredFrom, List<Line> lines, boolean caughtUp, double drainSeconds, double loadBefore, double loadAfter, Cpu cpu, Duration windowSize)
      throws Exception {
    ObjectNode line = BenchResults.line("freshness");
    ObjectNode machine = (ObjectNode) line.get("machine");
    machine.put("load_average_before", loadBefore);
    machine.put("load_average_after", loadAfter);
    machine.put("own_cores_used", cpu.ownCores());
    machine.put("other_processes_cores_used", cpu.otherCores());
    ObjectNode settings = line.putObject("settings");
    settings.put("jobs", String.join(",", jobNames));
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
    figures.put("skipped", sent.skipped);
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
      if (table.expected >= 0) {
        var trend = entry.putArray("p95_by_" + text(SLICE));
        for (Latencies slice : table.latencies.bySlice(measuredFrom, SLICE.toMillis(), (int) Math.max(1, duration.toMillis() / SLICE.toMillis()))) {
          trend.add(slice.percentile(0.95));
        }
      }
    }
    BenchResults.append(results, line);
  }

  private static String text(Duration duration) {
    return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + "s" : duration.toMillis() + "ms";
  }
}
