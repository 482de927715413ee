package io.medallion.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.medallion.common.audit.LedgerAudit;
import io.medallion.common.audit.LedgerRow;
import io.medallion.common.audit.LedgerTable;
import io.medallion.common.config.ConfigOptions;
import io.medallion.common.config.JobConfig;
import io.medallion.common.deadletter.DeadLetterHeaders;
import io.medallion.common.flink.StageMetrics;
import io.medallion.common.gold.EventTimeWindows;
import io.medallion.common.gold.GoldTable;
import io.medallion.common.iceberg.BronzeEventsTable;
import io.medallion.common.iceberg.IcebergCatalogs;
import io.medallion.common.paimon.PaimonCatalogs;
import io.medallion.common.quality.QualityMetricsTable;
import io.medallion.common.silver.SilverTable;
import io.medallion.local.LocalLakehouse.Running;
import io.medallion.local.LocalLakehouse.StreamingJobs;
import io.medallion.silver.DeduplicateFunction;
import io.medallion.testkit.IcebergTables;
import io.medallion.testkit.KafkaBroker;
import io.medallion.testkit.PaimonReads;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobStatus;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.paimon.Snapshot;
import org.apache.paimon.table.FileStoreTable;

/**
 * The end of a {@code demo} or {@code soak} run: waits until every layer has committed what its
 * job processed, runs the bounded quality monitor over it, stops the streaming jobs and prints what
 * each layer holds, whether it reconciles with what was sent, and the audit ledger.
 */
final class LayerReconciliation {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final LocalLakehouse lakehouse;
  private final KafkaBroker kafka;
  private final LocalFlink flink;
  private final StreamingJobs jobs;
  private final long timeoutSeconds;
  /** When the time to catch up started, by {@link System#nanoTime()}. */
  private final long start;

  LayerReconciliation(LocalLakehouse lakehouse, StreamingJobs jobs, long timeoutSeconds, long start) {
    this.lakehouse = lakehouse;
    this.kafka = lakehouse.kafka;
    this.flink = lakehouse.flink;
    this.jobs = jobs;
    this.timeoutSeconds = timeoutSeconds;
    this.start = start;
  }

  boolean timedOut() {
    return (System.nanoTime() - start) / 1e9 > timeoutSeconds;
  }

  /**
   * Waits until {@code committed} holds for what bronze and silver committed and gold accounts for
   * every silver event, runs the quality monitor bounded, cancels the streaming jobs and prints the
   * summary of each layer and the audit ledger; true if every layer reconciles and the ledger balances.
   */
  boolean finish(DataGenerator.Sent sent, Predicate<Layers> committed) throws Exception {
    Layers layers = awaitCommitted(committed);
    GoldLayer goldLayer = awaitGold();
    // The demo's replay compresses ten minutes into seconds, and bronze and silver write a record's dead
    // letter at their next checkpoint: minutes of replayed time later, and out of order. A monitor
    // reading the raw topics as they are sent would have closed the letter's window by then (it
    // judges each window once and drops later input). Started now and bounded, it reads every
    // letter before its raw input moves the windows on, judges every window at the end of its
    // input, commits and stops.
    Running quality = lakehouse.submit(JobCatalog.QUALITY_MONITOR, lakehouse.qualitySettings);
    System.out.printf("%n  flink   quality-monitor running, bounded: it reads the raw topics and every dead letter, judges every window and stops%n");
    QualityLayer qualityLayer = awaitQuality(quality);
    for (Running job : jobs.all()) {
      flink.cancel(job.id());
    }
    System.out.println();
    boolean layersReconciled = summary(sent, layers);
    boolean goldReconciled = goldSummary(goldLayer);
    boolean qualityReconciled = qualitySummary(qualityLayer);
    boolean audited = auditSummary();
    System.out.println("tables          " + lakehouse.data.resolve("iceberg") + " (Iceberg: bronze.events, quality.metrics, audit.ledger)");
    System.out.println("                " + lakehouse.data.resolve("paimon") + " (Paimon: silver.*, gold.*; Iceberg metadata of gold under iceberg/)");
    System.out.println("ask them        bin/medallion query \"SELECT * FROM paimon.gold.system_health ORDER BY window_start DESC LIMIT 5\"");
    System.out.println("                bin/medallion query \"SELECT check_name, window_start, observed, status FROM iceberg.quality.metrics WHERE status <> 'ok'\"");
    return layersReconciled && goldReconciled && qualityReconciled && audited;
  }

  /**
   * The demo's sign that the tables hold what the jobs processed: they match the jobs' counters.
   * Only without restarts: the counters of a failed attempt stay in the sums, and its records are
   * processed again after the restore.
   */
  Predicate<Layers> matchesCounters() {
    return layers ->
        layers.bronzeRows() == flink.sumOfCounter(jobs.bronze().id(), StageMetrics.ROWS_OUT)
            && total(layers.bronzeLetters) == flink.sumOfCounter(jobs.bronze().id(), StageMetrics.DEAD_LETTERS)
            && layers.silverTotal() == silverRows(flink, jobs.silver())
            && total(layers.silverLetters) == flink.sumOfCounter(jobs.silver().id(), StageMetrics.DEAD_LETTERS)
            && layers.duplicatesDropped == flink.sumOfCounter(jobs.silver().id(), DeduplicateFunction.DUPLICATES_DROPPED);
  }

  /** Rows of silver the job has processed so far (its counters; see {@link #matchesCounters}). */
  static long silverRows(LocalFlink flink, Running silver) {
    return flink.sumOfCounter(silver.id(), StageMetrics.ROWS_OUT) - flink.sumOfCounter(silver.id(), DeduplicateFunction.DUPLICATES_DROPPED);
  }

  /** Whether bronze and silver have read {@code expected} records (by their counters; see {@link #matchesCounters}). */
  static boolean caughtUp(LocalFlink flink, StreamingJobs jobs, long expected) {
    return flink.sumOfCounter(jobs.bronze().id(), StageMetrics.RECORDS_IN) >= expected
        && flink.sumOfCounter(jobs.silver().id(), StageMetrics.RECORDS_IN) >= expected;
  }

  /**
   * What the tables and dead-letter topics hold, as readers see it (committed only), and the
   * duplicates silver dropped by its audit ledger, which is committed with the same checkpoints.
   */
  record Layers(
      Map<String, Long> bronzeRowsByType,
      long bronzeDistinctIds,
      Map<String, Long> bronzeLetters,
      Map<SilverTable, Long> silverRows,
      Map<String, Long> silverLetters,
      long duplicatesDropped) {

    long bronzeRows() {
      return bronzeRowsByType.values().stream().mapToLong(Long::longValue).sum();
    }

    long silverTotal() {
      return silverRows.values().stream().mapToLong(Long::longValue).sum();
    }

    boolean bronzeBalancedWith(DataGenerator.Sent sent) {
      return bronzeRows() == sent.valid.get() + sent.duplicates.get() && bronzeLetters.equals(sentByCode(sent));
    }

    boolean silverBalancedWith(DataGenerator.Sent sent) {
      return silverTotal() == sent.valid.get() && duplicatesDropped == sent.duplicates.get() && silverLetters.equals(sentByCode(sent));
    }

    /** Every record sent is in exactly one place per layer: a row, a dropped duplicate or a dead letter. */
    boolean balancedWith(DataGenerator.Sent sent) {
      return bronzeBalancedWith(sent) && silverBalancedWith(sent);
    }
  }

  private static Map<String, Long> sentByCode(DataGenerator.Sent sent) {
    Map<String, Long> byCode = new TreeMap<>();
    sent.badByCode.forEach((code, n) -> byCode.put(code.name(), n.get()));
    return byCode;
  }

  /**
   * Waits until what bronze and silver committed satisfies {@code committed}; past the timeout,
   * returns what they hold then, for the summary to show.
   */
  private Layers awaitCommitted(Predicate<Layers> committed) throws Exception {
    while (true) {
      Layers layers = read();
      if (committed.test(layers)) {
        return layers;
      }
      if (timedOut()) {
        System.out.printf("%nbronze and silver did not commit what the summary below expects within %d s%n", timeoutSeconds);
        return layers;
      }
      LockSupport.parkNanos(500_000_000L);
    }
  }

  private Layers read() throws Exception {
    Catalog iceberg = IcebergCatalogs.loader(jobs.bronze().config()).loadCatalog();
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
    try (org.apache.paimon.catalog.Catalog paimon = PaimonCatalogs.create(jobs.silver().config())) {
      for (SilverTable table : SilverTable.values()) {
        silverRows.put(table, (long) PaimonReads.readAll(paimon.getTable(table.identifier())).size());
      }
    }
    long duplicatesDropped = 0;
    if (iceberg.tableExists(LedgerTable.IDENTIFIER)) {
      String silverJob = jobs.silver().spec().name();
      duplicatesDropped =
          LedgerRow.readAll(iceberg.loadTable(LedgerTable.IDENTIFIER)).stream()
              .filter(row -> row.job().equals(silverJob))
              .mapToLong(LedgerRow::duplicatesDropped)
              .sum();
    }
    return new Layers(
        rowsByType,
        copiesById.size(),
        lettersByCode(jobs.bronze().config().dlqTopic()),
        silverRows,
        lettersByCode(jobs.silver().config().dlqTopic()),
        duplicatesDropped);
  }

  private Map<String, Long> lettersByCode(String topic) {
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

  private static boolean summary(DataGenerator.Sent sent, Layers layers) {
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
    System.out.printf("silver          %,d rows (%,d duplicates dropped)%n", layers.silverTotal(), layers.duplicatesDropped);
    System.out.println("                " + format(silverByTable));
    System.out.printf("dlq.silver      %,d dead letters%n", total(layers.silverLetters));
    System.out.println("                by error code: " + format(layers.silverLetters));
    boolean balanced = layers.balancedWith(sent);
    System.out.println(
        balanced
            ? "reconciled      every record sent is in exactly one place per layer: a row, a dropped duplicate or a dead letter"
            : "NOT reconciled  sent " + sent.valid.get() + " events, " + sent.duplicates.get() + " duplicates, bad " + sentByCode(sent));
    return balanced;
  }

  /**
   * What gold holds, and where each silver event of a gold table is: counted in a gold row, dead-
   * lettered (late, or a value gold cannot aggregate), or in a window that has not closed yet (its end is past the watermark that
   * silver committed last, so later events may still join it).
   */
  private record GoldLayer(
      Map<GoldTable, List<Map<String, Object>>> rows,
      Map<GoldTable, Long> silverRows,
      Map<GoldTable, Long> counted,
      Map<GoldTable, Long> deadLettered,
      Map<GoldTable, Long> open,
      Map<String, Long> letters,
      Instant watermark) {

    boolean reconciled() {
      return Arrays.stream(GoldTable.values())
          .allMatch(t -> counted.get(t) + deadLettered.get(t) + open.get(t) == silverRows.get(t));
    }
  }

  /** Waits until gold accounts for every silver event: the windows the last watermark closed have fired and committed. */
  private GoldLayer awaitGold() throws Exception {
    while (true) {
      GoldLayer layer = readGold(kafka, jobs.gold());
      if (layer.reconciled()) {
        return layer;
      }
      if (timedOut()) {
        System.out.printf("%ngold did not account for every silver event within %d s%n", timeoutSeconds);
        return layer;
      }
      LockSupport.parkNanos(500_000_000L);
    }
  }

  private static GoldLayer readGold(KafkaBroker kafka, Running gold) throws Exception {
    Duration windowSize = gold.config().get(ConfigOptions.GOLD_WINDOW_SIZE);
    Map<String, Long> deadLetteredByTable = new HashMap<>();
    Map<String, Long> letters = new TreeMap<>();
    for (ConsumerRecord<byte[], byte[]> letter : kafka.readCommitted(gold.config().dlqTopic())) {
      deadLetteredByTable.merge(header(letter, DeadLetterHeaders.SOURCE_TOPIC), 1L, Long::sum);
      letters.merge(header(letter, DeadLetterHeaders.ERROR_CODE), 1L, Long::sum);
    }
    Map<GoldTable, List<Map<String, Object>>> rows = new EnumMap<>(GoldTable.class);
    Map<GoldTable, Long> silverRows = new EnumMap<>(GoldTable.class);
    Map<GoldTable, Long> counted = new EnumMap<>(GoldTable.class);
    Map<GoldTable, Long> deadLettered = new EnumMap<>(GoldTable.class);
    Map<GoldTable, Long> open = new EnumMap<>(GoldTable.class);
    Instant lowestWatermark = null;
    try (org.apache.paimon.catalog.Catalog paimon = PaimonCatalogs.create(gold.config())) {
      for (GoldTable table : GoldTable.values()) {
        List<Map<String, Object>> goldRows = PaimonReads.readAll(paimon.getTable(table.identifier()));
        rows.put(table, goldRows);
        counted.put(table, goldRows.stream().mapToLong(row -> GoldRows.events(table, row)).sum());
        deadLettered.put(table, deadLetteredByTable.getOrDefault(table.source().qualifiedName(), 0L));
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
    return new GoldLayer(rows, silverRows, counted, deadLettered, open, letters, lowestWatermark);
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null ? "(none)" : new String(header.value(), StandardCharsets.UTF_8);
  }

  private static boolean goldSummary(GoldLayer gold) {
    long rows = gold.rows.values().stream().mapToLong(List::size).sum();
    System.out.printf(
        "gold            %,d rows: %,d events counted in closed windows, %,d dead-lettered, %,d in windows still open (watermark %s)%n",
        rows, total(gold.counted), total(gold.deadLettered), total(gold.open), gold.watermark);
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
            ? "reconciled      gold: every silver event is counted in one window, dead-lettered, or waits in an open window"
            : "NOT reconciled  gold: counted " + gold.counted + ", dead-lettered " + gold.deadLettered + ", open " + gold.open + ", silver " + gold.silverRows);
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
  private QualityLayer awaitQuality(Running quality) throws Exception {
    while (!flink.status(quality.id()).isGloballyTerminalState()) {
      if (timedOut()) {
        System.out.printf("%nquality-monitor did not finish within %d s%n", timeoutSeconds);
        flink.cancel(quality.id());
        return readQuality(kafka, quality);
      }
      LockSupport.parkNanos(500_000_000L);
    }
    flink.await(quality.id());
    if (flink.status(quality.id()) != JobStatus.FINISHED) {
      System.out.printf("%nquality-monitor ended %s: %s%n", flink.status(quality.id()), flink.latestFailure(quality.id()).orElse("no failure recorded"));
    }
    return readQuality(kafka, quality);
  }

  private static QualityLayer readQuality(KafkaBroker kafka, Running quality) throws Exception {
    List<MetricRow> rows = new ArrayList<>();
    for (Record row : IcebergTables.readAll(IcebergCatalogs.loader(quality.config()).loadCatalog(), QualityMetricsTable.IDENTIFIER)) {
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
    for (ConsumerRecord<byte[], byte[]> record : kafka.readCommitted(quality.config().get(ConfigOptions.QUALITY_ALERTS_TOPIC))) {
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

  /** What `bin/medallion audit` prints for this run's warehouse: every job's ledger against the broker. */
  private boolean auditSummary() {
    System.out.println();
    System.out.println("== Audit ledger (bin/medallion audit) ==");
    Catalog catalog =
        IcebergCatalogs.loader(JobConfig.of(JobCatalog.BRONZE_INGEST.spec, lakehouse.settings)).loadCatalog();
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

}
