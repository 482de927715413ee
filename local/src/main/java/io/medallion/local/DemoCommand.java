package io.medallion.local;

import io.medallion.common.flink.StageMetrics;
import io.medallion.common.kafka.Topics;
import io.medallion.local.LocalLakehouse.Running;
import io.medallion.local.LocalLakehouse.StreamingJobs;
import io.medallion.silver.DeduplicateFunction;
import io.medallion.testkit.KafkaBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Run the whole lakehouse on an embedded default and print a summary per layer.",
      "Starts an in-process Kafka broker, a local Flink MiniCluster, the jobs and a data generator,",
      "and leaves the tables in --data-dir."
    })
final class DemoCommand implements Callable<Integer> {
  /**
   * --incident: the producer of transactions cuts off 30 % of its records for minutes 3 to 5 of the
   * ten, and at minute 7 every producer stops for 10 s of wall-clock time.
   */
  private static final DataGenerator.Incident INCIDENT =
      new DataGenerator.Incident("transaction", Duration.ofMinutes(3), Duration.ofMinutes(5), 0.3, Duration.ofMinutes(7), Duration.ofSeconds(10));
  /** What the live freshness monitor of --incident calls silent: well below the incident's silence. */
  private static final Duration MAX_SILENCE = Duration.ofSeconds(5);

  @Option(names = "--events", defaultValue = "20000", description = "distinct events, valid unless --incident breaks some (default ${DEFAULT-VALUE})")
  long events;

  @Option(names = "--rate", defaultValue = "10000", description = "records per second, 0 = unthrottled (default ${DEFAULT-VALUE})")
  double rate;

  @Option(
      names = "--incident",
      description =
          "replay an incident: from minute 3 to 5 of the ten, 30%% of the transactions arrive cut off, so the quality"
              + " monitor's valid-ratio alert of raw.transactions fires, then resolves; at minute 7 the producers stop for"
              + " 10 s, so a second, live monitor's freshness alerts of the raw topics fire, then resolve")
  boolean incident;

  @Mixin LakehouseOptions options;

  @Override
  public Integer call() throws Exception {
    Path data = options.emptyDataDir();
    System.out.printf(
        "medallion demo: %,d events, %.1f%% bad, %.1f%% duplicates, %s%n",
        events, options.badRatio * 100, options.duplicateRatio * 100, rate > 0 ? String.format("%,.0f records/s", rate) : "unthrottled");
    if (incident) {
      System.out.printf(
          "  incident  %.0f%% of the %s events from minute %d to %d are sent cut off; at minute %d the producers stop for %d s%n",
          INCIDENT.brokenShare() * 100, INCIDENT.eventType(), INCIDENT.from().toMinutes(), INCIDENT.to().toMinutes(),
          INCIDENT.silentAt().toMinutes(), INCIDENT.silence().toSeconds());
    }

    try (KafkaBroker kafka = KafkaBroker.start();
        LocalFlink flink = new LocalFlink(LocalLakehouse.SLOTS)) {
      LocalLakehouse lakehouse = new LocalLakehouse(kafka, flink, data, options.checks, "2s");
      StreamingJobs jobs = lakehouse.submitStreamingJobs();
      Running freshness = incident ? submitFreshnessMonitor(lakehouse) : null;

      DataGenerator.Plan plan =
          new DataGenerator.Plan(
              events, rate, options.badRatio, options.duplicateRatio, 42, null, LocalLakehouse.MAX_RECORD_BYTES + 10_000, incident ? INCIDENT : null);
      DataGenerator.Sent sent = new DataGenerator.Sent();
      CompletableFuture<Void> generator = lakehouse.generate(plan, sent);

      long expected = DataGenerator.expectedRecords(plan);
      long start = System.nanoTime();
      LayerReconciliation reconciliation = new LayerReconciliation(lakehouse, jobs, options.timeoutSeconds, start);
      while (!(generator.isDone() && LayerReconciliation.caughtUp(flink, jobs, expected) && freshness == null)) {
        if (generator.isCompletedExceptionally()) {
          generator.join();
        }
        // The end of the replay is silence too: the live monitor stops, committing what it found,
        // as soon as it has read every record, before that silence lasts max-silence.
        if (freshness != null && generator.isDone() && flink.sumOfCounter(freshness.id(), StageMetrics.RECORDS_IN) >= expected) {
          flink.stop(freshness.id(), data.resolve("savepoints"));
          freshness = null;
        }
        lakehouse.checkStillRunning(jobs);
        double seconds = (System.nanoTime() - start) / 1e9;
        progress(String.format(
            "  %5.1fs  produced %,d/%,d | bronze %,d in, %,d rows, %,d dead | silver %,d in, %,d rows, %,d dead, %,d duplicates | gold %,d in, %,d rows, %,d late",
            seconds, sent.records.get(), expected,
            flink.sumOfCounter(jobs.bronze().id(), StageMetrics.RECORDS_IN), flink.sumOfCounter(jobs.bronze().id(), StageMetrics.ROWS_OUT),
            flink.sumOfCounter(jobs.bronze().id(), StageMetrics.DEAD_LETTERS),
            flink.sumOfCounter(jobs.silver().id(), StageMetrics.RECORDS_IN), LayerReconciliation.silverRows(flink, jobs.silver()),
            flink.sumOfCounter(jobs.silver().id(), StageMetrics.DEAD_LETTERS),
            flink.sumOfCounter(jobs.silver().id(), DeduplicateFunction.DUPLICATES_DROPPED),
            flink.sumOfCounter(jobs.gold().id(), StageMetrics.RECORDS_IN), flink.sumOfCounter(jobs.gold().id(), StageMetrics.ROWS_OUT),
            flink.sumOfCounter(jobs.gold().id(), StageMetrics.DEAD_LETTERS)));
        if (reconciliation.timedOut()) {
          System.out.printf("%nmedallion demo: layers did not catch up within %d s%n", options.timeoutSeconds);
          return 1;
        }
        LockSupport.parkNanos(250_000_000L);
      }
      // Everything is processed, and no job restarted: the tables match the counters once the next checkpoint commits.
      return reconciliation.finish(sent, reconciliation.matchesCounters()) ? 0 : 1;
    }
  }

  /**
   * The freshness checks of --incident run live, beside the layers: freshness is wall-clock silence,
   * which the bounded monitor started at the end cannot see. One check per raw topic, in its own
   * consumer group and transactional ids, into the same table and alerts topic.
   */
  private static Running submitFreshnessMonitor(LocalLakehouse lakehouse) throws Exception {
    StringBuilder checks = new StringBuilder("checks:\n");
    for (String topic : Topics.RAW_TOPICS) {
      checks.append(String.format("  - {name: silent.%s, scope: {topic: %s}, metric: freshness, max-silence: %ds}%n", topic, topic, MAX_SILENCE.toSeconds()));
    }
    Path file = lakehouse.data.resolve("freshness-checks.yaml");
    Files.writeString(file, checks);
    Map<String, String> live = new HashMap<>(lakehouse.settings);
    live.put("quality.checks", file.toString());
    live.put("kafka.group-id", JobCatalog.QUALITY_MONITOR.spec.name() + "-freshness");
    Running running = lakehouse.submit(JobCatalog.QUALITY_MONITOR, live);
    System.out.printf("  flink   quality-monitor running live with freshness checks only (max-silence %ds per raw topic)%n", MAX_SILENCE.toSeconds());
    return running;
  }

  private long lastProgressLine;

  /** Rewrites one line on a terminal; elsewhere (CI, a pipe) prints a line every few seconds. */
  private void progress(String line) {
    if (System.console() != null) {
      System.out.print("\r" + line);
    } else if (System.nanoTime() - lastProgressLine > 3_000_000_000L) {
      System.out.println(line);
      lastProgressLine = System.nanoTime();
    }
  }
}
