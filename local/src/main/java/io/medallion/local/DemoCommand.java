package io.medallion.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.medallion.common.config.ConfigOptions;
import io.medallion.common.config.JobConfig;
import io.medallion.common.config.JobSpec;
import io.medallion.common.deadletter.DeadLetterHeaders;
import io.medallion.common.deadletter.Stage;
import io.medallion.common.flink.JobEnvironment;
import io.medallion.common.flink.StageMetrics;
import io.medallion.common.gold.EventTimeWindows;
import io.medallion.common.gold.GoldTable;
import io.medallion.common.iceberg.BronzeEventsTable;
import io.medallion.common.audit.LedgerAudit;
import io.medallion.common.iceberg.IcebergCatalogs;
import io.medallion.common.kafka.Topics;
import io.medallion.common.paimon.PaimonCatalogs;
import io.medallion.common.quality.QualityMetricsTable;
import io.medallion.common.silver.SilverTable;
import io.medallion.quality.QualitySettings;
import io.medallion.silver.DeduplicateFunction;
import io.medallion.testkit.IcebergTables;
import io.medallion.testkit.JobSettings;
import io.medallion.testkit.KafkaBroker;
import io.medallion.testkit.PaimonReads;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.iceberg.catalog.Catalog;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.paimon.Snapshot;
import org.apache.paimon.table.FileStoreTable;
import picocli.CommandLine.Command;
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
  private static final int MAX_RECORD_BYTES = 65_536;
  private static final String PII_KEY = "demo-only-pseudonymization-key";
  private static final int PARALLELISM = 2;
  /**
   * --incident: the producer of transactions cuts off 30 % of its records for minutes 3 to 5 of the
   * ten, and at minute 7 every producer stops for 10 s of wall-clock time.
   */
  private static final DataGenerator.Incident INCIDENT =
      new DataGenerator.Incident("transaction", Duration.ofMinutes(3), Duration.ofMinutes(5), 0.3, Duration.ofMinutes(7), Duration.ofSeconds(10));
  /** What the live freshness monitor of --incident calls silent: well below the incident's silence. */
  private static final Duration MAX_SILENCE = Duration.ofSeconds(5);
  private static final ObjectMapper JSON = new ObjectMapper();

  @Option(names = "--events", defaultValue = "20000", description = "distinct events, valid unless --incident breaks some (default ${DEFAULT-VALUE})")
  long events;

  @Option(names = "--rate", defaultValue = "10000", description = "records per second, 0 = unthrottled (default ${DEFAULT-VALUE})")
  double rate;

  @Option(names = "--bad-ratio", defaultValue = "0.01", description = "bad records per event (default ${DEFAULT-VALUE})")
  double badRatio;

  @Option(names = "--duplicate-ratio", defaultValue = "0.02", description = "duplicates per event (default ${DEFAULT-VALUE})")
  double duplicateRatio;

  @Option(names = "--data-dir", defaultValue = "medallion-data", description = "where tables and checkpoints go; emptied first (default ./${DEFAULT-VALUE})")
  Path dataDir;

  @Option(names = "--timeout-seconds", defaultValue = "600", description = "give up if the layers have not caught up by then (default ${DEFAULT-VALUE})")
  long timeoutSeconds;

  // bin/medallion sets medallion.home to the repository, so the demo finds its checks from any directory.
  @Option(
      names = "--checks",
      defaultValue = "${sys:medallion.home:-.}/config/quality-checks.yaml",
      description = "the quality monitor's check file (default: config/quality-checks.yaml of the repository)")
  Path checks;

  @Option(
      names = "--incident",
      description =
          "replay an incident: from minute 3 to 5 of the ten, 30%% of the transactions arrive cut off, so the quality"
              + " monitor's valid-ratio alert of raw.transactions fires, then resolves; at minute 7 the producers stop for"
              + " 10 s, so a second, live monitor's freshness alerts of the raw topics fire, then resolve")
  boolean incident;

  /** A job of the demo, its configuration and its id on the local cluster. */
  private record Running(JobSpec spec, JobConfig config, JobID id) {}

  @Override
  public Integer call() throws Exception {
    Path data = dataDir.toAbsolutePath().normalize();
    Directories.empty(data);
    System.out.printf(
        "medallion demo: %,d events, %.1f%% bad, %.1f%% duplicates, %s%n",
        events, badRatio * 100, duplicateRatio * 100, rate > 0 ? String.format("%,.0f records/s", rate) : "unthrottled");
    if (incident) {
      System.out.printf(
          "  incident  %.0f%% of the %s events from minute %d to %d are sent cut off; at minute %d the producers stop for %d s%n",
          INCIDENT.brokenShare() * 100, INCIDENT.eventType(), INCIDENT.from().toMinutes(), INCIDENT.to().toMinutes(),
          INCIDENT.silentAt().toMinutes(), INCIDENT.silence().toSeconds());
    }

    // A job's operators share its slots: one slot per parallel subtask, for each of the four jobs.
    try (KafkaBroker kafka = KafkaBroker.start();
        LocalFlink flink = new LocalFlink(4 * PARALLELISM)) {
      System.out.println("  kafka   in-process KRaft broker at " + kafka.bootstrapServers());
      kafka.createTopics(2, Topics.RAW_TOPICS.toArray(String[]::new));
      kafka.createTopics(1, Stage.BRONZE.defaultTopic(), Stage.SILVER.defaultTopic(), Stage.GOLD.defaultTopic());
      kafka.createTopics(1, ConfigOptions.QUALITY_ALERTS_TOPIC.defaultValue());

      Map<String, String> settings = JobSettings.local(kafka.bootstrapServers(), data, "2s", PARALLELISM);
      settings.put("kafka.topic-pattern", Topics.RAW_TOPIC_PATTERN);
      settings.put("max-record-bytes", Integer.toString(MAX_RECORD_BYTES));
      settings.put("pii.hmac-key", PII_KEY);
      settings.put("quality.checks", checks.toAbsolutePath().toString());
      Map<String, String> qualitySettings = new HashMap<>(settings);
      qualitySettings.put("bounded", "true");
      // The quality monitor runs once the layers have committed (see there); a mistake in its
      // check file stops the demo now rather than then.
      QualitySettings.of(JobConfig.of(JobCatalog.QUALITY_MONITOR.spec, qualitySettings));
      Running bronze = submit(flink, JobCatalog.BRONZE_INGEST, settings);
      Running silver = submit(flink, JobCatalog.SILVER_TRANSFORM, settings);
      Running gold = submit(flink, JobCatalog.GOLD_AGGREGATE, settings);
      System.out.printf(
          "  flink   local MiniCluster; bronze-ingest, silver-transform and gold-aggregate running (parallelism %d, checkpoint every 2s)%n",
          PARALLELISM);
      Running freshness = incident ? submitFreshnessMonitor(flink, settings, data) : null;

      DataGenerator.Plan plan =
          new DataGenerator.Plan(events, rate, badRatio, duplicateRatio, 42, null, MAX_RECORD_BYTES + 10_000, incident ? INCIDENT : null);
      DataGenerator.Sent sent = new DataGenerator.Sent();
      CompletableFuture<Void> generator =
          CompletableFuture.runAsync(
              () -> {
                try (var producer = kafka.producer()) {
                  DataGenerator.run(producer, plan, sent);
                }
              });

      long expected = DataGenerator.expectedRecords(plan);
      long start = System.nanoTime();
      while (!(generator.isDone() && caughtUp(flink, bronze, silver, expected) && freshness == null)) {
        if (generator.isCompletedExceptionally()) {
          generator.join();
        }
        // The end of the replay is silence too: the live monitor stops, committing what it found,
        // as soon as it has read every record, before that silence lasts max-silence.
        if (freshness != null && generator.isDone() && flink.sumOfCounter(freshness.id, StageMetrics.RECORDS_IN) >= expected) {
          flink.stop(freshness.id, data.resolve("savepoints"));
          freshness = null;
        }
        for (Running job : new Running[] {bronze, silver, gold}) {
          if (flink.status(job.id).isGloballyTerminalState()) {
            flink.await(job.id);
            throw new IllegalStateException(job.spec.name() + " stopped unexpectedly");
          }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        progress(String.format(
            "  %5.1fs  produced %,d/%,d | bronze %,d in, %,d rows, %,d dead | silver %,d in, %,d rows, %,d dead, %,d duplicates | gold %,d in, %,d rows, %,d late",
            seconds, sent.records.get(), expected,
            flink.sumOfCounter(bronze.id, StageMetrics.RECORDS_IN), flink.sumOfCounter(bronze.id, StageMetrics.ROWS_OUT),
            flink.sumOfCounter(bronze.id, StageMetrics.DEAD_LETTERS),
            flink.sumOfCounter(silver.id, StageMetrics.RECORDS_IN), silverRows(flink, silver),
            flink.sumOfCounter(silver.id, StageMetrics.DEAD_LETTERS), flink.sumOfCounter(silver.id, DeduplicateFunction.DUPLICATES_DROPPED),
            flink.sumOfCounter(gold.id, StageMetrics.RECORDS_IN), flink.sumOfCounter(gold.id, StageMetrics.ROWS_OUT),
            flink.sumOfCounter(gold.id, StageMetrics.DEAD_LETTERS)));
        if (seconds > timeoutSeconds) {
          System.out.printf("%nmedallion demo: layers did not catch up within %d s%n", timeoutSeconds);
          return 1;
        }
        LockSupport.parkNanos(250_000_000L);
      }
      // Everything is processed; what is committed shows at the next checkpoint.
      long duplicatesDropped = flink.sumOfCounter(silver.id, DeduplicateFunction.DUPLICATES_DROPPED);
      Layers layers = awaitCommitted(kafka, flink, bronze, silver, start);
      GoldLayer goldLayer = awaitGold(kafka, gold, start);
      // The replay compresses ten minutes into seconds, and bronze and silver write a record's dead
      // letter at their next checkpoint: minutes of replayed time later, and out of order. A monitor
      // reading the raw topics as they are sent would have closed the letter's window by then (it
      // judges each window once and drops later input). Started now and bounded, it reads every
      // letter before its raw input moves the windows on, judges every window at the end of its
      // input, commits and stops.
      Running quality = submit(flink, JobCatalog.QUALITY_MONITOR, qualitySettings);
      System.out.printf("%n  flink   quality-monitor running, bounded: it reads the raw topics and every dead letter, judges every window and stops%n");
      QualityLayer qualityLayer = awaitQuality(kafka, flink, quality, start);
      flink.cancel(bronze.id);
      flink.cancel(silver.id);
      flink.cancel(gold.id);
      System.out.println();
      int silverAndBronze = summary(sent, layers, duplicatesDropped);
      boolean goldReconciled = goldSummary(goldLayer);
      boolean qualityReconciled = qualitySummary(qualityLayer);
      boolean audited = auditSummary(kafka, settings);
      System.out.println("tables          " + data.resolve("iceberg") + " (Iceberg: bronze.events, quality.metrics)");
      System.out.println("                " + data.resolve("paimon") + " (Paimon: silver.*, gold.*; Iceberg metadata of gold under iceberg/)");
      System.out.println("ask them        bin/medallion query \"SELECT * FROM paimon.gold.system_health ORDER BY window_start DESC LIMIT 5\"");
      System.out.println("                bin/medallion query \"SELECT check_name, window_start, observed, status FROM iceberg.quality.metrics WHERE status <> 'ok'\"");
      return goldReconciled && qualityReconciled && audited && silverAndBronze == 0 ? 0 : 1;
    }
  }

  /**
   * The freshness checks of --incident run live, beside the layers: freshness is wall-clock silence,
   * which the bounded monitor started at the end cannot see. One check per raw topic, in its own
   * consumer group and transactional ids, into the same table and alerts topic.
   */
  private static Running submitFreshnessMonitor(LocalFlink flink, Map<String, String> settings, Path data) throws Exception {
    StringBuilder checks = new StringBuilder("checks:\n");
    for (String topic : Topics.RAW_TOPICS) {
      checks.append(String.format("  - {name: silent.%s, scope: {topic: %s}, metric: freshness, max-silence: %ds}%n", topic, topic, MAX_SILENCE.toSeconds()));
    }
    Path file = data.resolve("freshness-checks.yaml");
    Files.writeString(file, checks);
    Map<String, String> live = new HashMap<>(settings);
    live.put("quality.checks", file.toString());
    live.put("kafka.group-id", JobCatalog.QUALITY_MONITOR.spec.name() + "-freshness");
    Running running = submit(flink, JobCatalog.QUALITY_MONITOR, live);
    System.out.printf("  flink   quality-monitor running live with freshness checks only (max-silence %ds per raw topic)%n", MAX_SILENCE.toSeconds());
    return running;
  }

  private static Running submit(LocalFlink flink, JobCatalog job, Map<String, String> settings) throws Exception {
    JobConfig config = JobConfig.of(job.spec, settings);
    StreamExecutionEnvironment env = LocalFlink.environment(JobEnvironment.flinkConfiguration(config));
    job.definition.define(env, config);
    return new Running(job.spec, config, flink.submit(env, job.spec.name()));
  }

  private static long silverRows(LocalFlink flink, Running silver) {
    return flink.sumOfCounter(silver.id, StageMetrics.ROWS_OUT) - flink.sumOfCounter(silver.id, DeduplicateFunction.DUPLICATES_DROPPED);
  }

  private static boolean caughtUp(LocalFlink flink, Running bronze, Running silver, long expected) {
    return flink.sumOfCounter(bronze.id, StageMetrics.RECORDS_IN) >= expected
        && flink.sumOfCounter(silver.id, StageMetrics.RECORDS_IN) >= expected;
  }

  /** What the tables and dead-letter topics hold, as readers see it (committed only). */
  private record Layers(
      Map<String, Long> bronzeRowsByType,
      long bronzeDistinctIds,
      Map<String, Long> bronzeLetters,
      Map<SilverTable, Long> silverRows,
      Map<String, Long> silverLetters) {

    long bronzeRows() {
      return bronzeRowsByType.values().stream().mapToLong(Long::longValue).sum();
    }

    long silverTotal() {
      return silverRows.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /** Waits until the tables and topics hold what the jobs processed: the next checkpoint commits it. */
  private Layers awaitCommitted(KafkaBroker kafka, LocalFlink flink, Running bronze, Running silver, long start) throws Exception {
    while (true) {
      Layers layers = read(kafka, bronze, silver);
      boolean committed =
          layers.bronzeRows() == flink.sumOfCounter(bronze.id, StageMetrics.ROWS_OUT)
              && total(layers.bronzeLetters) == flink.sumOfCounter(bronze.id, StageMetrics.DEAD_LETTERS)
              && layers.silverTotal() == silverRows(flink, silver)
              && total(layers.silverLetters) == flink.sumOfCounter(silver.id, StageMetrics.DEAD_LETTERS);
      if (committed) {
        return layers;
      }
      if ((System.nanoTime() - start) / 1e9 > timeoutSeconds) {
        throw new IllegalStateException("the last checkpoint did not commit within " + timeoutSeconds + " s");
      }
      LockSupport.parkNanos(500_000_000L);
    }
  }

  private static Layers read(KafkaBroker kafka, Running bronze, Running silver) throws Exception {
    Catalog iceberg = IcebergCatalogs.loader(bronze.config).loadCatalog();
    Map<String, Long> rowsByType = new TreeMap<>();
    Map<String, Integer> copiesById = new HashMap<>();
    if (IcebergTables.rowCount(iceberg, BronzeEventsTable.IDENTIFIER) > 0) {
      try (CloseableIterable<Record> rows =
          IcebergGenerics.read(iceberg.loadTable(BronzeEventsTable.IDENTIFIER)).select("event_id", "event_type").build()) {
        for (Record row : rows) {
          rowsByType.merge((String) row.getField("event_type"), 1L, Long::sum);
          copiesById.merge((String) row.getField("event_id"), 1, Integer::sum);
        }
      }
    }
    Map<SilverTable, Long> silverRows = new LinkedHashMap<>();
    try (org.apache.paimon.catalog.Catalog paimon = PaimonCatalogs.create(silver.config)) {
      for (SilverTable table : SilverTable.values()) {
        silverRows.put(table, (long) PaimonReads.readAll(paimon.getTable(table.identifier())).size());
      }
    }
    return new Layers(
        rowsByType, copiesById.size(), lettersByCode(kafka, bronze.config.dlqTopic()), silverRows, lettersByCode(kafka, silver.config.dlqTopic()));
  }

  private static Map<String, Long> lettersByCode(KafkaBroker kafka, String topic) {
    Map<String, Long> byCode = new TreeMap<>();
    for (ConsumerRecord<byte[], byte[]> letter : kafka.readCommitted(topic)) {
      Header code = letter.headers().lastHeader(DeadLetterHeaders.ERROR_CODE);
      byCode.merge(code == null ? "(none)" : new String(code.value(), StandardCharsets.UTF_8), 1L, Long::sum);
    }
    return byCode;
  }

  private static long total(Map<?, Long> counts) {
    return counts.values().stream().mapToLong(Long::longValue).sum();
  }

  private int summary(DataGenerator.Sent sent, Layers layers, long duplicatesDropped) {
    Map<String, Long> sentByCode = new TreeMap<>();
    sent.badByCode.forEach((code, n) -> sentByCode.put(code.name(), n.get()));
    Map<String, Long> silverByTable = new LinkedHashMap<>();
    layers.silverRows.forEach((table, n) -> silverByTable.put(table.qualifiedName(), n));

    System.out.println("== Summary ==");
    System.out.printf(
        "raw topics      %,d records: %,d events, %,d duplicates, %,d bad%n",
        sent.records.get(), sent.valid.get(), sent.duplicates.get(), sent.bad());
    System.out.printf(
        "bronze.events   %,d rows, %,d distinct event_ids (%,d duplicate copies kept: bronze is the raw archive)%n",
        layers.bronzeRows(), layers.bronzeDistinctIds, layers.bronzeRows() - layers.bronzeDistinctIds);
    System.out.println("                by event_type: " + format(layers.bronzeRowsByType));
    System.out.printf("dlq.bronze      %,d dead letters%n", total(layers.bronzeLetters));
    System.out.println("                by error code: " + format(layers.bronzeLetters));
    System.out.printf("silver          %,d rows (%,d duplicates dropped)%n", layers.silverTotal(), duplicatesDropped);
    System.out.println("                " + format(silverByTable));
    System.out.printf("dlq.silver      %,d dead letters%n", total(layers.silverLetters));
    System.out.println("                by error code: " + format(layers.silverLetters));

    boolean bronzeBalanced =
        layers.bronzeRows() == sent.valid.get() + sent.duplicates.get() && layers.bronzeLetters.equals(sentByCode);
    boolean silverBalanced =
        layers.silverTotal() == sent.valid.get() && duplicatesDropped == sent.duplicates.get() && layers.silverLetters.equals(sentByCode);
    System.out.println(
        bronzeBalanced && silverBalanced
            ? "reconciled      every record sent is in exactly one place per layer: a row, a dropped duplicate or a dead letter"
            : "NOT reconciled  sent " + sent.valid.get() + " events, " + sent.duplicates.get() + " duplicates, bad " + sentByCode);
    return bronzeBalanced && silverBalanced ? 0 : 1;
  }

  /**
   * What gold holds, and where each silver event of a gold table is: counted in a gold row, dead-
   * lettered as late, or in a window that has not closed yet (its end is past the watermark that
   * silver committed last, so later events may still join it).
   */
  private record GoldLayer(
      Map<GoldTable, List<Map<String, Object>>> rows,
      Map<GoldTable, Long> silverRows,
      Map<GoldTable, Long> counted,
      Map<GoldTable, Long> late,
      Map<GoldTable, Long> open,
      Map<String, Long> letters,
      Instant watermark) {

    boolean reconciled() {
      return Arrays.stream(GoldTable.values())
          .allMatch(t -> counted.get(t) + late.get(t) + open.get(t) == silverRows.get(t));
    }
  }

  /** Waits until gold accounts for every silver event: the windows the last watermark closed have fired and committed. */
  private GoldLayer awaitGold(KafkaBroker kafka, Running gold, long start) throws Exception {
    while (true) {
      GoldLayer layer = readGold(kafka, gold);
      if (layer.reconciled()) {
        return layer;
      }
      if ((System.nanoTime() - start) / 1e9 > timeoutSeconds) {
        System.out.printf("%ngold did not account for every silver event within %d s%n", timeoutSeconds);
        return layer;
      }
      LockSupport.parkNanos(500_000_000L);
    }
  }

  private static GoldLayer readGold(KafkaBroker kafka, Running gold) throws Exception {
    Duration windowSize = gold.config.get(ConfigOptions.GOLD_WINDOW_SIZE);
    Map<String, Long> lateByTable = new HashMap<>();
    Map<String, Long> letters = new TreeMap<>();
    for (ConsumerRecord<byte[], byte[]> letter : kafka.readCommitted(gold.config.dlqTopic())) {
      lateByTable.merge(header(letter, DeadLetterHeaders.SOURCE_TOPIC), 1L, Long::sum);
      letters.merge(header(letter, DeadLetterHeaders.ERROR_CODE), 1L, Long::sum);
    }
    Map<GoldTable, List<Map<String, Object>>> rows = new EnumMap<>(GoldTable.class);
    Map<GoldTable, Long> silverRows = new EnumMap<>(GoldTable.class);
    Map<GoldTable, Long> counted = new EnumMap<>(GoldTable.class);
    Map<GoldTable, Long> late = new EnumMap<>(GoldTable.class);
    Map<GoldTable, Long> open = new EnumMap<>(GoldTable.class);
    Instant lowestWatermark = null;
    try (org.apache.paimon.catalog.Catalog paimon = PaimonCatalogs.create(gold.config)) {
      for (GoldTable table : GoldTable.values()) {
        List<Map<String, Object>> goldRows = PaimonReads.readAll(paimon.getTable(table.identifier()));
        rows.put(table, goldRows);
        counted.put(table, goldRows.stream().mapToLong(row -> GoldRows.events(table, row)).sum());
        late.put(table, lateByTable.getOrDefault(table.source().qualifiedName(), 0L));
        FileStoreTable silver = (FileStoreTable) paimon.getTable(table.source().identifier());
        Snapshot latest = silver.snapshotManager().latestSnapshot();
        Instant watermark = latest == null || latest.watermark() == null ? Instant.MIN : Instant.ofEpochMilli(latest.watermark());
        lowestWatermark = lowestWatermark == null || watermark.isBefore(lowestWatermark) ? watermark : lowestWatermark;
        List<Map<String, Object>> events = PaimonReads.readAll(silver);
        silverRows.put(table, (long) events.size());
        open.put(
            table,
            events.stream()
                .map(e -> (Instant) e.get("event_time"))
                .filter(time -> EventTimeWindows.end(time, windowSize).minusMillis(1).isAfter(watermark))
                .count());
      }
    }
    return new GoldLayer(rows, silverRows, counted, late, open, letters, lowestWatermark);
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null ? "(none)" : new String(header.value(), StandardCharsets.UTF_8);
  }

  private static boolean goldSummary(GoldLayer gold) {
    long rows = gold.rows.values().stream().mapToLong(List::size).sum();
    System.out.printf(
        "gold            %,d rows: %,d events counted in closed windows, %,d late, %,d in windows still open (watermark %s)%n",
        rows, total(gold.counted), total(gold.late), total(gold.open), gold.watermark);
    Map<String, Long> rowsByTable = new LinkedHashMap<>();
    gold.rows.forEach((table, tableRows) -> rowsByTable.put(table.qualifiedName(), (long) tableRows.size()));
    System.out.println("                " + format(rowsByTable));
    System.out.printf("dlq.gold        %,d dead letters%n", total(gold.letters));
    System.out.println("                by error code: " + (gold.letters.isEmpty() ? "-" : format(gold.letters)));
    for (GoldTable table : GoldTable.values()) {
      gold.rows.get(table).stream()
          .sorted(Comparator.comparing((Map<String, Object> row) -> (Instant) row.get(GoldTable.WINDOW_START)).reversed())
          .limit(2)
          .forEach(row -> System.out.printf("  %-24s %s%n", table.qualifiedName(), sample(row)));
    }
    System.out.println(
        gold.reconciled()
            ? "reconciled      gold: every silver event is counted in one window, dead-lettered as late, or waits in an open window"
            : "NOT reconciled  gold: counted " + gold.counted + ", late " + gold.late + ", open " + gold.open + ", silver " + gold.silverRows);
    return gold.reconciled();
  }

  /** A row of {@code quality.metrics}: one check judged over one window of one scope. */
  private record MetricRow(
      String check, String scope, Instant windowStart, Instant windowEnd, Double observed, Double expectedMin, Double expectedMax, String status) {

    Alert alert(String alertStatus) {
      return new Alert(check, scope, windowStart, windowEnd, alertStatus, observed, expectedMin, expectedMax);
    }
  }

  /** An alert of {@code quality.alerts}, or one that a change of a check's status in {@code quality.metrics} calls for. */
  private record Alert(
      String check, String scope, Instant windowStart, Instant windowEnd, String status, Double observed, Double expectedMin, Double expectedMax) {}

  /** What the monitor committed: the rows of quality.metrics and the alerts of quality.alerts. */
  private record QualityLayer(List<MetricRow> rows, List<Alert> alerts) {

    /** Exactly once: every alert that the rows call for, and no other, is in quality.alerts once. */
    boolean reconciled() {
      List<Alert> expected = transitions(rows);
      return alerts.size() == expected.size() && alerts.containsAll(expected);
    }
  }

  /** Waits until the bounded monitor has finished: it commits its last windows and alerts as it stops. */
  private QualityLayer awaitQuality(KafkaBroker kafka, LocalFlink flink, Running quality, long start) throws Exception {
    while (!flink.status(quality.id).isGloballyTerminalState()) {
      if ((System.nanoTime() - start) / 1e9 > timeoutSeconds) {
        System.out.printf("%nquality-monitor did not finish within %d s%n", timeoutSeconds);
        flink.cancel(quality.id);
        return readQuality(kafka, quality);
      }
      LockSupport.parkNanos(500_000_000L);
    }
    flink.await(quality.id);
    if (flink.status(quality.id) != JobStatus.FINISHED) {
      System.out.printf("%nquality-monitor ended %s: %s%n", flink.status(quality.id), flink.latestFailure(quality.id).orElse("no failure recorded"));
    }
    return readQuality(kafka, quality);
  }

  private static QualityLayer readQuality(KafkaBroker kafka, Running quality) throws Exception {
    List<MetricRow> rows = new ArrayList<>();
    for (Record row : IcebergTables.readAll(IcebergCatalogs.loader(quality.config).loadCatalog(), QualityMetricsTable.IDENTIFIER)) {
      rows.add(
          new MetricRow(
              (String) row.getField("check_name"),
              (String) row.getField("scope"),
              ((OffsetDateTime) row.getField("window_start")).toInstant(),
              ((OffsetDateTime) row.getField("window_end")).toInstant(),
              (Double) row.getField("observed"),
              (Double) row.getField("expected_min"),
              (Double) row.getField("expected_max"),
              (String) row.getField("status")));
    }
    List<Alert> alerts = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> record : kafka.readCommitted(quality.config.get(ConfigOptions.QUALITY_ALERTS_TOPIC))) {
      JsonNode alert = JSON.readTree(record.value());
      alerts.add(
          new Alert(
              alert.get("check").asText(),
              alert.get("scope").asText(),
              Instant.parse(alert.get("window_start").asText()),
              Instant.parse(alert.get("window_end").asText()),
              alert.get("status").asText(),
              doubleOrNull(alert.get("observed")),
              doubleOrNull(alert.path("expected").get("min")),
              doubleOrNull(alert.path("expected").get("max"))));
    }
    return new QualityLayer(rows, alerts);
  }

  private static Double doubleOrNull(JsonNode value) {
    return value == null || value.isNull() ? null : value.asDouble();
  }

  /**
   * The alerts the rows call for, as the monitor decides them: a check's alert fires when its
   * status turns from ok to failing (warn or fail) and resolves when it turns back; a window
   * without a value changes nothing.
   */
  private static List<Alert> transitions(List<MetricRow> rows) {
    Map<String, List<MetricRow>> byCheckAndScope = new HashMap<>();
    for (MetricRow row : rows) {
      if (row.observed != null) {
        byCheckAndScope.computeIfAbsent(row.check + " " + row.scope, k -> new ArrayList<>()).add(row);
      }
    }
    List<Alert> alerts = new ArrayList<>();
    for (List<MetricRow> history : byCheckAndScope.values()) {
      // A freshness check's firing and resolving rows start at the same last record: end decides.
      history.sort(Comparator.comparing(MetricRow::windowStart).thenComparing(MetricRow::windowEnd));
      boolean failing = false;
      for (MetricRow row : history) {
        boolean fails = !row.status.equals("ok");
        if (fails != failing) {
          alerts.add(row.alert(fails ? "firing" : "resolved"));
        }
        failing = fails;
      }
    }
    return alerts;
  }

  private static boolean qualitySummary(QualityLayer quality) {
    List<Instant> judged = quality.rows.stream().map(MetricRow::windowStart).distinct().sorted().toList();
    System.out.printf("quality.metrics %,d rows", quality.rows.size());
    if (!judged.isEmpty()) {
      System.out.printf(
          ": %d checks judged over %d windows, [%s, %s)",
          quality.rows.stream().map(MetricRow::check).distinct().count(), judged.size(), time(judged.get(0)),
          time(quality.rows.stream().map(MetricRow::windowEnd).max(Comparator.naturalOrder()).orElseThrow()));
    }
    System.out.println();
    Map<String, Long> byStatus = new TreeMap<>();
    quality.rows.forEach(row -> byStatus.merge(row.status, 1L, Long::sum));
    System.out.println("                by status: " + (byStatus.isEmpty() ? "-" : format(byStatus)));
    System.out.printf("quality.alerts  %d alerts (read_committed)%n", quality.alerts.size());
    quality.alerts.stream()
        .sorted(Comparator.comparing(Alert::windowStart).thenComparing(Alert::check).thenComparing(Alert::scope))
        .forEach(
            alert -> System.out.printf(
                "  %-30s %-36s [%s, %s) %-8s observed %s vs expected %s%n",
                alert.check, alert.scope, time(alert.windowStart), time(alert.windowEnd), alert.status,
                decimal(alert.observed), expected(alert.expectedMin, alert.expectedMax)));
    System.out.println(
        quality.reconciled()
            ? "reconciled      quality: every change of a check's status in quality.metrics is one alert in quality.alerts"
            : "NOT reconciled  quality: alerts " + quality.alerts + ", status changes in quality.metrics " + transitions(quality.rows));
    return quality.reconciled();
  }

  /** What `bin/medallion audit` prints for the demo's warehouse: every job's ledger against the broker. */
  private static boolean auditSummary(KafkaBroker kafka, Map<String, String> settings) {
    System.out.println();
    System.out.println("== Audit ledger (bin/medallion audit) ==");
    Catalog catalog =
        IcebergCatalogs.loader(JobConfig.of(JobCatalog.BRONZE_INGEST.spec, settings)).loadCatalog();
    LedgerAudit.Report report =
        AuditCommand.reconcile(catalog, Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()), null);
    PrintWriter out = new PrintWriter(System.out, true);
    AuditCommand.print(report, out);
    out.flush();
    return report.balanced();
  }

  private static String time(Instant instant) {
    return LocalTime.ofInstant(instant, ZoneOffset.UTC).toString();
  }

  private static String decimal(Double value) {
    return value == null ? "-" : String.format(Math.abs(value) >= 100 ? "%,.0f" : "%.3f", value);
  }

  /** The range a value was judged against; a null end is unbounded. */
  private static String expected(Double min, Double max) {
    if (min != null && max != null) {
      return "[" + decimal(min) + ", " + decimal(max) + "]";
    }
    return min != null ? ">= " + decimal(min) : max != null ? "<= " + decimal(max) : "-";
  }

  /** A gold row on one line: the window as times of day, decimals and doubles rounded for reading. */
  private static String sample(Map<String, Object> row) {
    StringBuilder line = new StringBuilder();
    row.forEach(
        (column, value) -> {
          if (column.equals(GoldTable.WINDOW_END)) {
            return;
          }
          Object shown = value;
          if (column.equals(GoldTable.WINDOW_START)) {
            shown = "[" + LocalTime.ofInstant((Instant) value, ZoneOffset.UTC) + ", "
                + LocalTime.ofInstant((Instant) row.get(GoldTable.WINDOW_END), ZoneOffset.UTC) + ")";
          } else if (value instanceof Double d) {
            shown = String.format("%.2f", d);
          }
          line.append(line.isEmpty() ? "" : " ").append(column.equals(GoldTable.WINDOW_START) ? "window" : column).append('=').append(shown);
        });
    return line.toString();
  }

  private static String format(Map<String, Long> counts) {
    return counts.entrySet().stream()
        .map(e -> String.format("%s %,d", e.getKey(), e.getValue()))
        .collect(Collectors.joining(" | "));
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
