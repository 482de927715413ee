package io.medallion.local;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.management.OperatingSystemMXBean;
import io.medallion.common.config.ConfigOptions;
import io.medallion.common.config.JobConfig;
import io.medallion.common.flink.JobEnvironment;
import io.medallion.common.flink.StageMetrics;
import io.medallion.common.iceberg.BronzeEventsTable;
import io.medallion.common.iceberg.IcebergCatalogs;
import io.medallion.common.paimon.PaimonCatalogs;
import io.medallion.common.paimon.PaimonTables;
import io.medallion.common.gold.GoldTable;
import io.medallion.common.quality.QualityMetricsTable;
import io.medallion.common.silver.SilverTable;
import io.medallion.testkit.IcebergTables;
import io.medallion.testkit.JobSettings;
import io.medallion.testkit.KafkaBroker;
import io.medallion.testkit.PaimonReads;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;
import org.apache.flink.api.common.JobID;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Measure a job catching up on a pre-filled topic.",
      "An in-process broker is filled with realistic",
      "events first, then the job runs (exactly-once, checkpointed) on a local MiniCluster from the",
      "earliest offsets, after warm-up rounds on their own topics so that the measured round runs",
      "JIT-compiled code: warm-up rounds go on until the JIT compiler takes less than",
      "--warmup-jit-share of a round's CPU (at most --warmup-rounds). gold-aggregate reads silver tables that silver-transform fills from the",
      "topic first (not measured), and aggregates them bounded: every window fires at the end.",
      "quality-monitor judges nine checks of every kind over the topic, bounded, once per window.",
      "With --sql (the default), the equivalent Flink SQL pipeline of bronze, silver and gold then runs bounded over the",
      "same topic (gold: the same silver tables) on the same cluster and settings, after one warm-up round of its own,",
      "and ours/SQL is reported: the ratio of their rates from the first to the last record read.",
      "`bench all` measures the four jobs in turn in one JVM and ends with a table of them.",
      "Run it in several fresh JVMs and report the median: two shared cores are noisy."
    })
final class BenchCommand implements Callable<Integer> {
  private static final String TOPIC = "raw.bench";
  private static final String ALL = "all";
  /** How long after the last record the rows may take to be committed before the run counts as failed. */
  private static final Duration COMMIT_TIMEOUT = Duration.ofMinutes(3);
  /** How often a round reads its job's latest checkpoint's state sizes. */
  private static final Duration STATE_SAMPLE_INTERVAL = Duration.ofSeconds(1);
  /**
   * The quality monitor's checks in a bench: one of each kind of metric and condition, over every
   * record of the bench topic, so each of the replay's ten windows is judged on each check.
   */
  private static final String QUALITY_CHECKS =
      """
      checks:
        - {name: valid-ratio, metric: valid_ratio, threshold: {min: 0.95}}
        - {name: dead-letter-rate, metric: dead_letter_rate, threshold: {max: 0.05}}
        - {name: amount-rule, metric: rule_violation_rate, rule: transaction.amount.non_negative, threshold: {max: 0.01}}
        - {name: volume, metric: record_count, anomaly: {method: ewma-zscore, warm-up: 3}, severity: warn}
        - {name: volume-step, metric: record_count, anomaly: {method: relative-change, max-change: 0.5}, severity: warn}
        - {name: lag-p95, metric: event_time_lag_p95, threshold: {max: 30s}, severity: warn}
        - {name: duplicates, metric: duplicate_ratio, threshold: {max: 0.05}, severity: warn}
        - {name: email-missing, scope: {event-type: user_action}, metric: missing_rate, field: payload.email, threshold: {max: 0.5}, severity: warn}
        - {name: v1-share, metric: schema_version_share, schema-version: 1, threshold: {min: 0.99}}
      """;
  private static final int QUALITY_CHECK_COUNT = 9;
  private static final OperatingSystemMXBean OS = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  @Parameters(index = "0", description = "the job to measure: bronze-ingest, silver-transform, gold-aggregate, quality-monitor, or all of them in turn")
  String job;

  @Option(names = "--events", defaultValue = "2000000", description = "valid events in the measured round (default ${DEFAULT-VALUE})")
  long events;

  @Option(names = "--warmup-rounds", defaultValue = "5", description = "at most this many unmeasured rounds first (default ${DEFAULT-VALUE})")
  int warmupRounds;

  @Option(names = "--warmup-events", defaultValue = "500000", description = "valid events per warm-up round (default ${DEFAULT-VALUE})")
  long warmupEvents;

  @Option(
      names = "--warmup-jit-share",
      defaultValue = "0.1",
      description = "warm-up ends after a round whose JIT compiler CPU is below this share of the round's CPU (default ${DEFAULT-VALUE})")
  double warmupJitShare;

  @Option(names = "--partitions", defaultValue = "2", description = "partitions of each raw topic (default ${DEFAULT-VALUE})")
  int partitions;

  @Option(names = "--parallelism", defaultValue = "2", description = "job parallelism (default ${DEFAULT-VALUE})")
  int parallelism;

  @Option(names = "--checkpoint-interval", defaultValue = "10s", description = "checkpoint interval (default ${DEFAULT-VALUE})")
  String checkpointInterval;

  @Option(names = "--bad-ratio", defaultValue = "0.01", description = "bad records per event (default ${DEFAULT-VALUE})")
  double badRatio;

  @Option(
      names = "--sql",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description = "also measure the equivalent Flink SQL pipeline of bronze, silver and gold (default ${DEFAULT-VALUE}; --no-sql skips it)")
  boolean sql;

  @Option(names = "--set", description = "extra job configuration, key=value (dotted key); repeatable")
  Map<String, String> extra = new LinkedHashMap<>();

  @Option(names = "--results", defaultValue = "medallion-bench-results.jsonl", description = "JSON lines file each run is appended to (default ./${DEFAULT-VALUE})")
  Path results;

  @Option(names = "--data-dir", defaultValue = "medallion-bench", description = "tables and checkpoints; emptied first (default ./${DEFAULT-VALUE})")
  Path dataDir;

  /** One bounded run of the job over one pre-filled topic. */
  private record Round(String topic, DataGenerator.Sent sent, Path data) {}

  /** What one round measured: processing covers first to last record decoded, end to end submit to commit. */
  /**
   * Processing runs from the first to the last record decoded; committed from the first record until
   * every row is committed, so it includes the work a sink defers to checkpoints (Paimon flushes and
   * compacts there) and the wait for the next checkpoint; end to end from submission.
   */
  private record Result(
      long records,
      double processingSeconds,
      double committedSeconds,
      double endToEndSeconds,
      double processingCpuSeconds,
      double committedCpuSeconds,
      double jitSeconds,
      double stealShare,
      long rows,
      StatePeak state) {
    double jitShare() {
      return jitSeconds / processingCpuSeconds;
    }

  }

  /** Pre-fills the round's topic (and for gold, its silver tables). */
  private Round round(KafkaBroker kafka, LocalFlink flink, JobCatalog measured, String topic, long validEvents, long seed) throws Exception {
    Round round = new Round(topic, prefill(kafka, topic, validEvents, seed), dataDir.toAbsolutePath().normalize().resolve(topic));
    if (measured == JobCatalog.GOLD_AGGREGATE) {
      fillSilver(kafka, flink, round);
    }
    return round;
  }

  @Override
  public Integer call() throws Exception {
    List<JobCatalog> jobs = job.equals(ALL) ? List.of(JobCatalog.values()) : List.of(JobCatalog.byName(job));
    Directories.empty(dataDir.toAbsolutePath().normalize());
    try (KafkaBroker kafka = KafkaBroker.start();
        LocalFlink flink = new LocalFlink(parallelism)) {
      kafka.createTopics(1, ConfigOptions.QUALITY_ALERTS_TOPIC.defaultValue());
      ConfigOptions.QUALITY_DEAD_LETTER_TOPICS.defaultValue().forEach(topic -> kafka.createTopics(1, topic));
      for (JobCatalog writer : List.of(JobCatalog.BRONZE_INGEST, JobCatalog.SILVER_TRANSFORM, JobCatalog.GOLD_AGGREGATE)) {
        kafka.createTopics(1, writer.spec.stage().defaultTopic());
      }
      List<Summary> summaries = new ArrayList<>();
      for (JobCatalog measured : jobs) {
        summaries.add(measure(kafka, flink, measured));
      }
      if (summaries.size() > 1) {
        printTable(summaries);
      }
      return summaries.stream().allMatch(Summary::complete) ? 0 : 1;
    }
  }

  /** Warm-up rounds, then the measured round of one job; prints its figures and appends its JSON line. */
  private Summary measure(KafkaBroker kafka, LocalFlink flink, JobCatalog measured) throws Exception {
    String name = measured.spec.name();
    String topic = TOPIC + "." + name;
    int warmups = 0;
    Round lastWarmup = null;
    while (warmups < warmupRounds) {
      warmups++;
      lastWarmup = round(kafka, flink, measured, topic + ".warmup-" + warmups, warmupEvents, warmups);
      Result warmup = run(kafka, flink, measured, lastWarmup);
      System.out.printf(
          "%s warm-up %d: %,d records processed at %,.0f records/s, JIT compiler %.0f %% of the CPU, steal %.0f %%%n",
          name, warmups, warmup.records, warmup.records / warmup.processingSeconds, 100 * warmup.jitShare(), 100 * warmup.stealShare);
      // Without /proc there is no JIT figure: all rounds run.
      if (JitCpu.available() && warmup.jitShare() < warmupJitShare) {
        break;
      }
    }
    Round round = round(kafka, flink, measured, topic, events, 0);
    resetPeaks();
    Result result = run(kafka, flink, measured, round);
    long expectedRows = expectedRows(measured, round);
    System.out.printf(
        "%s: processed %,d records in %.1f s = %,.0f records/s (first to last record decoded)%n",
        name, result.records, result.processingSeconds, result.records / result.processingSeconds);
    System.out.printf(
        "  until committed %.1f s = %,.0f records/s (first record to every row committed: the flush and commit after the last record, and the wait for the next checkpoint)%n",
        result.committedSeconds, result.records / result.committedSeconds);
    System.out.printf(
        "  end to end %.1f s = %,.0f records/s (submit to every row committed: start-up too)%n",
        result.endToEndSeconds, result.records / result.endToEndSeconds);
    System.out.printf(
        "  cpu until the last record: %.1f s of process time, %.1f µs per record (broker and job share the JVM), JIT compiler %.0f %% of it; until committed %.1f µs per record; steal %.0f %% of the machine's CPU (time the hypervisor gave other guests)%n",
        result.processingCpuSeconds, result.processingCpuSeconds * 1e6 / result.records, 100 * result.jitShare(), result.committedCpuSeconds * 1e6 / result.records, 100 * result.stealShare);
    System.out.printf(
        "  state: largest checkpoint %,d KiB, %,.0f bytes per record; its largest task %,d KiB (%s)%n",
        result.state.totalBytes() >> 10, (double) result.state.totalBytes() / result.records, result.state.largestTaskBytes() >> 10, result.state.largestTask());
    // Read before the SQL equivalent runs: these peaks are our job's.
    long peakHeapMiB = peakHeapBytes() >> 20;
    long peakHeapAfterGcMiB = HeapAfterGc.peakBytes() >> 20;
    long peakResidentMiB = peakResidentKiB() >> 10;
    RawLimits.Rates limits = null;
    double ours = result.records / result.processingSeconds;
    if (measured != JobCatalog.GOLD_AGGREGATE) {
      limits = RawLimits.measure(kafka.bootstrapServers(), round.topic, partitions, ConfigOptions.MAX_RECORD_BYTES.defaultValue());
      System.out.printf(
          "  raw limits on the same topic: plain consumers %,.0f records/s, consumers decoding with no sink %,.0f records/s (a thread per partition); %s processed %.2f× and %.2f× of them%n",
          limits.consumed(), limits.decoded(), name, ours / limits.consumed(), ours / limits.decoded());
    }
    Optional<JobCatalog.Definition> sqlEquivalent = sql ? SqlEquivalents.of(measured) : Optional.empty();
    SqlResult sqlResult = null;
    if (sqlEquivalent.isPresent()) {
      if (lastWarmup != null) {
        runSql(kafka, flink, measured, sqlEquivalent.get(), lastWarmup);
      }
      sqlResult = runSql(kafka, flink, measured, sqlEquivalent.get(), round);
      System.out.printf(
          "  Flink SQL equivalent: %,.0f records/s (first to last record read), until committed %,.0f records/s, %,d rows written; ours/SQL = %.2f×, until committed %.2f×%n",
          sqlResult.perSecond(), sqlResult.committedPerSecond(), sqlResult.rows, ours / sqlResult.perSecond(),
          (result.records / result.committedSeconds) / sqlResult.committedPerSecond());
    }
    System.out.printf(
        "  memory: peak heap used %,d MiB, peak heap right after a collection %,d MiB, peak resident set %,d MiB (JVM %s, max heap %,d MiB, %d cores)%n",
        peakHeapMiB, peakHeapAfterGcMiB, peakResidentMiB, System.getProperty("java.version"),
        Runtime.getRuntime().maxMemory() >> 20, Runtime.getRuntime().availableProcessors());
    System.out.printf(
        "  settings: parallelism %d, %d partitions, checkpoint every %s, exactly-once sinks, %d warm-up rounds of %,d events%s; %,d rows written (expected %,d)%n",
        parallelism, partitions, checkpointInterval, warmups, warmupEvents, extra.isEmpty() ? "" : ", " + extra, result.rows, expectedRows);
    appendResult(name, result, expectedRows, warmups, limits, sqlResult, peakHeapMiB, peakHeapAfterGcMiB, peakResidentMiB);
    System.out.println("  appended to " + results.toAbsolutePath().normalize() + " (a JSON line per run)");
    return new Summary(
        name,
        ours,
        result.records / result.committedSeconds,
        result.processingCpuSeconds * 1e6 / result.records,
        result.stealShare,
        peakHeapAfterGcMiB,
        peakResidentMiB,
        result.state.totalBytes(),
        limits == null ? Double.NaN : ours / limits.consumed(),
        sqlResult == null ? Double.NaN : ours / sqlResult.perSecond(),
        result.rows == expectedRows);
  }

  /** One job's line of the table {@code bench all} ends with. */
  private record Summary(
      String job,
      double processedPerSecond,
      double committedPerSecond,
      double cpuMicrosPerRecord,
      double stealShare,
      long heapAfterGcMiB,
      long residentMiB,
      long stateBytes,
      double ofRawConsumer,
      double oursPerSql,
      boolean complete) {}

  private void printTable(List<Summary> summaries) {
    System.out.println();
    System.out.printf(
        "%-17s %13s %16s %12s %6s %14s %9s %12s %13s %9s %5s%n",
        "job", "records/s", "until committed", "µs CPU/rec", "steal", "heap after GC", "RSS", "state", "of raw reads", "ours/SQL", "rows");
    for (Summary s : summaries) {
      System.out.printf(
          "%-17s %,13.0f %,16.0f %12.1f %5.0f%% %10d MiB %5d MiB %8d KiB %13s %9s %5s%n",
          s.job,
          s.processedPerSecond,
          s.committedPerSecond,
          s.cpuMicrosPerRecord,
          100 * s.stealShare,
          s.heapAfterGcMiB,
          s.residentMiB,
          s.stateBytes >> 10,
          Double.isNaN(s.ofRawConsumer) ? "-" : String.format("%.2f×", s.ofRawConsumer),
          Double.isNaN(s.oursPerSql) ? "-" : String.format("%.2f×", s.oursPerSql),
          s.complete ? "ok" : "WRONG");
    }
    System.out.printf(
        "machine: %d cores (%s), %,d MiB, JVM %s, max heap %,d MiB; parallelism %d, %d partitions, checkpoint every %s, %,d events per measured round%n",
        Runtime.getRuntime().availableProcessors(), BenchResults.cpuModel(), OS.getTotalMemorySize() >> 20, System.getProperty("java.version"), Runtime.getRuntime().maxMemory() >> 20,
        parallelism, partitions, checkpointInterval, events);
  }

  /** One JSON line per measured run: the machine, every setting and every figure printed above. */
  private void appendResult(
      String name, Result result, long expectedRows, int warmups, RawLimits.Rates limits, SqlResult sqlResult, long peakHeapMiB, long peakHeapAfterGcMiB, long peakResidentMiB) throws IOException {
    ObjectNode line = BenchResults.line(name);
    ObjectNode settings = line.putObject("settings");
    settings.put("events", events);
    settings.put("bad_ratio", badRatio);
    settings.put("partitions", partitions);
    settings.put("parallelism", parallelism);
    settings.put("checkpoint_interval", checkpointInterval);
    settings.put("warmup_rounds", warmups);
    settings.put("warmup_events", warmupEvents);
    settings.put("warmup_jit_share", warmupJitShare);
    settings.put("sql", sql);
    ObjectNode jobSettings = settings.putObject("job_settings");
    extra.forEach(jobSettings::put);
    ObjectNode figures = line.putObject("results");
    figures.put("records", result.records);
    figures.put("processed_per_second", Math.round(result.records / result.processingSeconds));
    figures.put("until_committed_per_second", Math.round(result.records / result.committedSeconds));
    figures.put("end_to_end_per_second", Math.round(result.records / result.endToEndSeconds));
    figures.put("cpu_microseconds_per_record", result.processingCpuSeconds * 1e6 / result.records);
    figures.put("cpu_microseconds_per_record_until_committed", result.committedCpuSeconds * 1e6 / result.records);
    figures.put("jit_share", result.jitShare());
    figures.put("steal_share", result.stealShare);
    figures.put("peak_heap_mib", peakHeapMiB);
    figures.put("peak_heap_after_gc_mib", peakHeapAfterGcMiB);
    figures.put("peak_resident_mib", peakResidentMiB);
    figures.put("rows", result.rows);
    figures.put("peak_checkpoint_bytes", result.state.totalBytes());
    figures.put("peak_checkpoint_largest_task", result.state.largestTask());
    figures.put("peak_checkpoint_largest_task_bytes", result.state.largestTaskBytes());
    figures.put("expected_rows", expectedRows);
    if (limits != null) {
      figures.put("raw_consumer_per_second", Math.round(limits.consumed()));
      figures.put("raw_decode_per_second", Math.round(limits.decoded()));
    }
    if (sqlResult != null) {
      figures.put("sql_per_second", Math.round(sqlResult.perSecond()));
      figures.put("sql_until_committed_per_second", Math.round(sqlResult.committedPerSecond()));
      figures.put("sql_rows", sqlResult.rows);
      figures.put("ours_per_sql", (result.records / result.processingSeconds) / sqlResult.perSecond());
      figures.put("ours_per_sql_until_committed", (result.records / result.committedSeconds) / sqlResult.committedPerSecond());
    }
    BenchResults.append(results, line);
  }

  private DataGenerator.Sent prefill(KafkaBroker kafka, String topic, long validEvents, long seed) {
    kafka.createTopics(partitions, topic);
    DataGenerator.Sent sent = new DataGenerator.Sent();
    long start = System.nanoTime();
    try (var producer = kafka.producer()) {
      DataGenerator.run(producer, new DataGenerator.Plan(validEvents, 0, badRatio, 0, seed, topic, 0, null), sent);
    }
    System.out.printf("pre-filled %s: %,d records (%,d bad) in %.1f s%n", topic, sent.records.get(), sent.bad(), seconds(start));
    return sent;
  }

  /** Runs silver-transform over the round's topic to the end, so gold has its input. */
  private void fillSilver(KafkaBroker kafka, LocalFlink flink, Round round) throws Exception {
    JobConfig config = JobConfig.of(JobCatalog.SILVER_TRANSFORM.spec, settings(kafka, round, JobCatalog.SILVER_TRANSFORM, Map.of("bounded", "true")));
    StreamExecutionEnvironment env = LocalFlink.environment(JobEnvironment.flinkConfiguration(config));
    JobCatalog.SILVER_TRANSFORM.definition.define(env, config);
    long start = System.nanoTime();
    flink.await(flink.submit(env, JobCatalog.SILVER_TRANSFORM.spec.name()));
    System.out.printf("filled silver from %s in %.1f s%n", round.topic, seconds(start));
  }

  private Map<String, String> settings(KafkaBroker kafka, Round round, JobCatalog job, Map<String, String> jobSettings) {
    Map<String, String> settings = JobSettings.local(kafka.bootstrapServers(), round.data, checkpointInterval, parallelism);
    settings.put("kafka.topics", round.topic);
    // Every round is its own deployment: its own consumer group and transactional ids.
    settings.put("kafka.group-id", job.spec.name() + "-" + round.topic);
    settings.put("pii.hmac-key", "bench-only-pseudonymization-key");
    settings.putAll(jobSettings);
    settings.putAll(extra);
    return settings;
  }

  /**
   * Runs the job unbounded, as in production, from the earliest offsets: the processing rate runs
   * from the first to the last record decoded (sampled from the in-process metric reporter), end to end until the
   * checkpoint after it has committed every row to the table. Then the job is cancelled. Gold
   * runs bounded over the silver tables: its input is every silver row, and it ends once the
   * windows that fire at the end are committed.
   */
  private Result run(KafkaBroker kafka, LocalFlink flink, JobCatalog measured, Round round) throws Exception {
    boolean gold = measured == JobCatalog.GOLD_AGGREGATE;
    boolean quality = measured == JobCatalog.QUALITY_MONITOR;
    JobConfig config =
        JobConfig.of(
            measured.spec,
            settings(
                kafka,
                round,
                measured,
                gold
                    ? Map.of("bounded", "true")
                    : quality
                        ? Map.of(
                            "bounded", "true",
                            "quality.checks", round.data.resolve("checks.yaml").toString(),
                            // Its own, empty dead-letter topic: in bench all, the other jobs' letters are stamped with today's time.
                            "quality.dead-letter-topics", deadLetterTopic(kafka, round))
                        : Map.of()));
    if (quality) {
      Files.createDirectories(round.data);
      Files.writeString(round.data.resolve("checks.yaml"), QUALITY_CHECKS);
    }
    StreamExecutionEnvironment env = LocalFlink.environment(JobEnvironment.flinkConfiguration(config));
    measured.definition.define(env, config);

    long total = gold ? round.sent.valid.get() : round.sent.records.get();
    long expectedRows = expectedRows(measured, round);
    long cpuStart = OS.getProcessCpuTime();
    double jitStart = JitCpu.seconds();
    double stealStart = StealTime.seconds();
    long start = System.nanoTime();
    JobID id = flink.submit(env, measured.spec.name());
    long firstSeen = 0;
    long seen = 0;
    StatePeak state = new StatePeak();
    long stateSampled = start;
    while (seen < total) {
      long now = System.nanoTime();
      seen = flink.sumOfCounter(id, StageMetrics.RECORDS_IN);
      firstSeen = firstSeen == 0 && seen > 0 ? now : firstSeen;
      if (now - stateSampled > STATE_SAMPLE_INTERVAL.toNanos()) {
        requireRunning(flink, id);
        state.sample(flink.checkpointedStateBytes(id));
        stateSampled = now;
      }
      LockSupport.parkNanos(20_000_000L);
    }
    long allSeen = System.nanoTime();
    double processingCpuSeconds = (OS.getProcessCpuTime() - cpuStart) / 1e9;
    double jitSeconds = JitCpu.seconds() - jitStart;
    // Over the same span as the CPU time: from submission to the last record.
    double stealShare = StealTime.share(StealTime.seconds() - stealStart, (allSeen - start) / 1e9);
    long rows = 0;
    long deadline = allSeen + COMMIT_TIMEOUT.toNanos();
    if (gold || quality) {
      state.sample(flink.checkpointedStateBytes(id));
      flink.await(id);
      rows = committedRows(measured, config);
      long finished = System.nanoTime();
      return new Result(
          total, (allSeen - firstSeen) / 1e9, (finished - firstSeen) / 1e9, (finished - start) / 1e9, processingCpuSeconds, (OS.getProcessCpuTime() - cpuStart) / 1e9, jitSeconds, stealShare, rows, state);
    }
    while (rows < expectedRows) {
      requireRunning(flink, id);
      state.sample(flink.checkpointedStateBytes(id));
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "only " + rows + " of " + expectedRows + " rows were committed within " + COMMIT_TIMEOUT + " after the last record");
      }
      LockSupport.parkNanos(100_000_000L);
      rows = committedRows(measured, config);
    }
    long committed = System.nanoTime();
    double committedCpuSeconds = (OS.getProcessCpuTime() - cpuStart) / 1e9;
    // The checkpoint that committed the last rows.
    state.sample(flink.checkpointedStateBytes(id));
    flink.cancel(id);
    return new Result(
        total, (allSeen - firstSeen) / 1e9, (committed - firstSeen) / 1e9, (committed - start) / 1e9, processingCpuSeconds, committedCpuSeconds, jitSeconds, stealShare, rows, state);
  }

  /** What the SQL equivalent of a round measured, timed as ours: from the first record read. */
  private record SqlResult(long records, double processingSeconds, double committedSeconds, long rows) {
    double perSecond() {
      return records / processingSeconds;
    }

    double committedPerSecond() {
      return records / committedSeconds;
    }
  }

  /**
   * Runs the SQL equivalent bounded over the round's topic (gold: over the silver tables our round
   * read), with the job's settings, into its own tables. Its sources count only the records they
   * emit (the JSON format skips a malformed one unseen), so reading ends at the last increase of
   * that count, sampled as ours is; the job then ends with a final checkpoint that commits every row.
   */
  private SqlResult runSql(KafkaBroker kafka, LocalFlink flink, JobCatalog measured, JobCatalog.Definition equivalent, Round round) throws Exception {
    Map<String, String> sqlSettings = Map.of("bounded", "true", "kafka.group-id", "sql-" + measured.spec.name() + "-" + round.topic);
    JobConfig config = JobConfig.of(measured.spec, settings(kafka, round, measured, sqlSettings));
    StreamExecutionEnvironment env = LocalFlink.environment(JobEnvironment.flinkConfiguration(config));
    equivalent.define(env, config);
    long start = System.nanoTime();
    JobID id = flink.submit(env, "sql-" + measured.spec.name());
    long firstRead = 0;
    long lastRead = 0;
    long read = 0;
    while (!flink.status(id).isGloballyTerminalState()) {
      long now = System.nanoTime();
      long count = flink.recordsReadBySources(id);
      firstRead = firstRead == 0 && count > 0 ? now : firstRead;
      lastRead = count > read ? now : lastRead;
      read = count;
      LockSupport.parkNanos(20_000_000L);
    }
    flink.await(id);
    long finished = System.nanoTime();
    if (firstRead == 0) {
      throw new IllegalStateException("the SQL equivalent of " + measured.spec.name() + " ended in " + seconds(start) + " s without reading a record");
    }
    long records = measured == JobCatalog.GOLD_AGGREGATE ? round.sent.valid.get() : round.sent.records.get();
    return new SqlResult(records, (lastRead - firstRead) / 1e9, (finished - firstRead) / 1e9, sqlRows(measured, config));
  }

  /** The rows the SQL equivalent committed; for gold, the silver events its rows count. */
  private static long sqlRows(JobCatalog measured, JobConfig config) throws Exception {
    if (measured == JobCatalog.BRONZE_INGEST) {
      return IcebergTables.rowCount(IcebergCatalogs.loader(config).loadCatalog(), SqlEquivalents.bronzeIdentifier());
    }
    long rows = 0;
    try (org.apache.paimon.catalog.Catalog catalog = PaimonCatalogs.create(config)) {
      if (measured == JobCatalog.GOLD_AGGREGATE) {
        for (GoldTable table : GoldTable.values()) {
          rows += PaimonReads.readAll(catalog.getTable(SqlEquivalents.goldIdentifier(table))).stream().mapToLong(row -> GoldRows.events(table, row)).sum();
        }
      } else {
        for (SilverTable table : SilverTable.values()) {
          rows += PaimonTables.rowCount(catalog.getTable(SqlEquivalents.silverIdentifier(table)));
        }
      }
    }
    return rows;
  }

  private static String deadLetterTopic(KafkaBroker kafka, Round round) {
    String topic = round.topic + ".dead-letters";
    kafka.createTopics(1, topic);
    return topic;
  }

  /** Bronze keeps every valid record; silver one row per distinct valid event; gold counts each of those once. */
  private static long expectedRows(JobCatalog measured, Round round) {
    if (measured == JobCatalog.QUALITY_MONITOR) {
      return QUALITY_CHECK_COUNT * DataGenerator.EVENT_TIME_SPAN.toMinutes();
    }
    return measured == JobCatalog.BRONZE_INGEST ? round.sent.valid.get() + round.sent.duplicates.get() : round.sent.valid.get();
  }

  private static long committedRows(JobCatalog measured, JobConfig config) throws Exception {
    if (measured == JobCatalog.QUALITY_MONITOR) {
      return IcebergTables.rowCount(IcebergCatalogs.loader(config).loadCatalog(), QualityMetricsTable.IDENTIFIER);
    }
    if (measured == JobCatalog.BRONZE_INGEST) {
      return IcebergTables.rowCount(IcebergCatalogs.loader(config).loadCatalog(), BronzeEventsTable.IDENTIFIER);
    }
    if (measured == JobCatalog.GOLD_AGGREGATE) {
      long events = 0;
      try (org.apache.paimon.catalog.Catalog catalog = PaimonCatalogs.create(config)) {
        for (GoldTable table : GoldTable.values()) {
          events += PaimonReads.readAll(catalog.getTable(table.identifier())).stream().mapToLong(row -> GoldRows.events(table, row)).sum();
        }
      }
      return events;
    }
    long rows = 0;
    try (org.apache.paimon.catalog.Catalog catalog = PaimonCatalogs.create(config)) {
      for (SilverTable table : SilverTable.values()) {
        rows += PaimonTables.rowCount(catalog.getTable(table.identifier()));
      }
    }
    return rows;
  }

  /** Throws if the job ended, or failed at all: a round with a restart in it measures the restart. */
  private static void requireRunning(LocalFlink flink, JobID id) throws Exception {
    Optional<String> failure = flink.latestFailure(id);
    if (failure.isPresent()) {
      if (!flink.status(id).isGloballyTerminalState()) {
        flink.cancel(id);
      }
      throw new IllegalStateException("the job failed during the round (a measured round must not restart): " + failure.get());
    }
    if (flink.status(id).isGloballyTerminalState()) {
      flink.await(id);
      throw new IllegalStateException("the job ended before it had processed every record");
    }
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  private static void resetPeaks() {
    System.gc();
    ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
    HeapAfterGc.reset();
  }

  private static long peakHeapBytes() {
    return ManagementFactory.getMemoryPoolMXBeans().stream()
        .filter(p -> p.getType() == MemoryType.HEAP)
        .mapToLong(p -> p.getPeakUsage().getUsed())
        .sum();
  }

  /** VmHWM of /proc/self/status: the peak resident set of the whole process, in KiB (0 where unknown). */
  private static long peakResidentKiB() throws IOException {
    Path status = Path.of("/proc/self/status");
    if (!Files.exists(status)) {
      return 0;
    }
    for (String line : Files.readAllLines(status)) {
      if (line.startsWith("VmHWM:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return 0;
  }
}
