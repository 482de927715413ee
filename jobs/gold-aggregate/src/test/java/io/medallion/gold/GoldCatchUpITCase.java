package io.medallion.gold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.medallion.common.config.JobConfig;
import io.medallion.common.flink.JobEnvironment;
import io.medallion.common.flink.StageMetrics;
import io.medallion.common.gold.GoldTable;
import io.medallion.common.paimon.PaimonCatalogs;
import io.medallion.common.paimon.PaimonTables;
import io.medallion.common.silver.SilverTable;
import io.medallion.silver.SilverTransformJob;
import io.medallion.testkit.EventFactory;
import io.medallion.testkit.JobSettings;
import io.medallion.testkit.KafkaBroker;
import io.medallion.testkit.KafkaBrokerExtension;
import io.medallion.testkit.MiniClusters;
import io.medallion.testkit.OperatorMetrics;
import io.medallion.testkit.PaimonReads;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.paimon.Snapshot;
import org.apache.paimon.catalog.Catalog;
import org.apache.paimon.table.FileStoreTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A catch-up: a day of history in Kafka, processed by the real silver job while gold follows
 * silver's snapshots as they are committed. Gold's windows advance by the watermarks silver
 * commits with its snapshots, so however far the history is behind the wall clock, no event that
 * came in order is dead-lettered as late, and gold ends with exactly the rows of every window of
 * the day.
 *
 * <p>Observed while writing it: the watermark of a silver snapshot trails its rows by up to the
 * rows read since silver's last periodic watermark (a whole 4-hour slice here), and the watermark
 * that catches up comes with the next checkpoint's commit, which has no rows when no new events
 * came. Paimon's changelog reader skips such snapshots; gold's source takes their watermark
 * ({@code ChangelogWatermarkReadBuilder}), so the day's last windows close without later events.
 */
class GoldCatchUpITCase {
  private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

  /**
   * Gold and silver run at once, each at the parallelism the other ITCases use (2, as many
   * readers as the raw topic has partitions, as in the benchmark set-up): so two slots each.
   */
  @RegisterExtension
  static final MiniClusterExtension FLINK =
      MiniClusters.extension(METRICS.addToConfiguration(new Configuration()), 2 * MiniClusters.PARALLELISM);

  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

  @TempDir Path dir;

  private static final String RAW_TOPIC = "raw.c-history";
  /**
   * The day reaches Kafka in slices of 4 hours, each produced once silver has committed the one
   * before, so silver commits the day in at least this many snapshots per table and gold reads
   * each while later ones are still being written. (One bounded silver run over the whole day is
   * too quick to follow on this machine: it committed 53 transactions, then the other 1,389 in one
   * snapshot. A bounded run per slice, each on its own topic, was tried too: from the second run
   * on, a run's Kafka source now and then finished its splits at once without a record, so silver
   * missed whole slices.)
   */
  private static final int SLICES = 6;
  private static final String SILVER_DLQ = "dlq.c-silver";
  private static final String GOLD_DLQ = "dlq.c-gold";
  private static final int PARTITIONS = 2;

  /** The day of history. */
  private static final Instant D0 = Instant.parse("2026-11-20T00:00:00Z");
  private static final Duration DAY = Duration.ofDays(1);
  /** A pair of events of one type every 30 s: each type twice every 2 minutes. */
  private static final Duration PAIR_EVERY = Duration.ofSeconds(30);
  private static final long JITTER_MILLIS = 2_000;
  /** After the day: one event per type and partition, so every table's watermark passes the day's end. */
  private static final Instant AFTER_DAY = D0.plus(DAY).plus(Duration.ofMinutes(10));
  /** Every record's Kafka timestamp, just after the last event time: all events are within silver's range rule. */
  private static final Instant RECORDED = AFTER_DAY.plus(Duration.ofMinutes(5));

  private static final Duration SIZE = Duration.ofMinutes(1);

  private Map<String, String> settings(String dlqTopic) {
    Map<String, String> settings = JobSettings.local(KAFKA.broker().bootstrapServers(), dir, "500ms", MiniClusters.PARALLELISM);
    settings.put("dlq.topic", dlqTopic);
    return settings;
  }

  /**
   * The history in produce order, by slice: pairs of events of one type, the types in turn, every
   * 30 s through the day; each event up to 2 s after its pair's time, so a pair's second event is
   * often the earlier. A pair goes to one partition, each type's pairs alternate between the two.
   * Then the events after the day, as a slice of its own.
   */
  private static List<List<ProducerRecord<byte[], byte[]>>> history() {
    EventFactory factory = new EventFactory(20261120L, D0, DAY);
    SplittableRandom jitter = new SplittableRandom(11);
    List<List<ProducerRecord<byte[], byte[]>>> slices = new ArrayList<>();
    for (int slice = 0; slice < SLICES; slice++) {
      slices.add(new ArrayList<>());
    }
    long pairs = DAY.dividedBy(PAIR_EVERY);
    for (long k = 0; k < pairs; k++) {
      int slice = (int) (k * SLICES / pairs);
      String type = EventFactory.EVENT_TYPES.get((int) (k % EventFactory.EVENT_TYPES.size()));
      int partition = (int) (k / EventFactory.EVENT_TYPES.size() % PARTITIONS);
      Instant base = D0.plus(PAIR_EVERY.multipliedBy(k));
      for (int i = 0; i < 2; i++) {
        slices.get(slice).add(record(partition, factory.next(type, base.plusMillis(jitter.nextLong(JITTER_MILLIS)))));
      }
    }
    List<ProducerRecord<byte[], byte[]>> afterDay = new ArrayList<>();
    int i = 0;
    for (String type : EventFactory.EVENT_TYPES) {
      for (int partition = 0; partition < PARTITIONS; partition++) {
        afterDay.add(record(partition, factory.next(type, AFTER_DAY.plusSeconds(i++))));
      }
    }
    slices.add(afterDay);
    return slices;
  }

  private static ProducerRecord<byte[], byte[]> record(int partition, ObjectNode event) {
    return new ProducerRecord<>(
        RAW_TOPIC, partition, RECORDED.toEpochMilli(), event.get("event_id").asText().getBytes(StandardCharsets.UTF_8), EventFactory.bytes(event));
  }

  @Test
  void aDayOfHistoryCatchesUpWithNoEventDeadLetteredAsLate() throws Exception {
    KafkaBroker kafka = KAFKA.broker();
    kafka.createTopics(PARTITIONS, RAW_TOPIC);
    kafka.createTopics(1, SILVER_DLQ, GOLD_DLQ);
    List<List<ProducerRecord<byte[], byte[]>>> history = history();
    Set<String> producedIds = new HashSet<>();

    Map<String, String> goldSettings = settings(GOLD_DLQ);
    goldSettings.put("gold.discovery-interval", "200ms");
    JobConfig goldConfig = JobConfig.of(GoldAggregateJob.SPEC, goldSettings);

    try (Catalog catalog = PaimonCatalogs.create(goldConfig.withPrefix("paimon.catalog."))) {
      // Gold first, as in a deployment where gold already runs when silver catches up.
      StreamExecutionEnvironment goldEnv = StreamExecutionEnvironment.getExecutionEnvironment(JobEnvironment.flinkConfiguration(goldConfig));
      GoldAggregateJob.define(goldEnv, goldConfig);
      // An empty first snapshot of every silver table (define created them), so gold starts on it
      // and reads each of silver's commits incrementally: see SilverCommits#commitEmpty for the
      // start-up race this avoids.
      SilverCommits silverCommits = new SilverCommits(catalog);
      silverCommits.commitEmpty();
      JobClient gold = goldEnv.executeAsync("gold-catch-up-it");
      try {
        await().atMost(Duration.ofSeconds(60)).until(() -> silverCommits.consumedByEveryTable(GoldAggregateJob.SPEC.name()));

        // The real silver job, committing a snapshot per table at every checkpoint, while the day arrives slice by slice.
        Map<String, String> silverSettings = settings(SILVER_DLQ);
        silverSettings.put("kafka.topics", RAW_TOPIC);
        silverSettings.put("pii.hmac-key", "catch-up-it-key");
        JobConfig silverConfig = JobConfig.of(SilverTransformJob.SPEC, silverSettings);
        StreamExecutionEnvironment silverEnv = StreamExecutionEnvironment.getExecutionEnvironment(JobEnvironment.flinkConfiguration(silverConfig));
        SilverTransformJob.define(silverEnv, silverConfig);
        JobClient silver = silverEnv.executeAsync("silver-catch-up-it");
        try {
          for (List<ProducerRecord<byte[], byte[]>> slice : history) {
            produceAndAwaitSilver(kafka, catalog, slice, producedIds);
          }
          // Every table's watermark passes the day (the events after it are in every table and
          // partition), and its latest snapshot is a commit without rows: gold must take the
          // watermark from such snapshots to close the day's last windows.
          await()
              .atMost(Duration.ofSeconds(60))
              .pollInterval(Duration.ofMillis(100))
              .until(() -> {
                for (SilverTable table : SilverTable.values()) {
                  Snapshot latest = ((FileStoreTable) catalog.getTable(table.identifier())).snapshotManager().latestSnapshot();
                  if (latest.watermark() == null
                      || latest.watermark() < D0.plus(DAY).toEpochMilli() - 1
                      || latest.commitKind() != Snapshot.CommitKind.APPEND
                      || latest.deltaRecordCount() != 0) {
                    return false;
                  }
                }
                return true;
              });
        } finally {
          silver.cancel().get();
        }

        assertThat(kafka.readCommitted(SILVER_DLQ)).as("silver's dead letters").isEmpty();
        List<SilverEvent> events = new ArrayList<>();
        Set<String> silverIds = new HashSet<>();
        Map<SilverTable, Instant> lastWatermark = new EnumMap<>(SilverTable.class);
        for (SilverTable table : SilverTable.values()) {
          for (Map<String, Object> row : PaimonReads.readAll(catalog.getTable(table.identifier()))) {
            events.add(silverEvent(table, events.size(), row));
            silverIds.add((String) row.get("event_id"));
          }
          List<Snapshot> snapshots = snapshots(catalog, table);
          List<Snapshot> withRows =
              snapshots.stream().filter(s -> s.commitKind() == Snapshot.CommitKind.APPEND && s.deltaRecordCount() > 0).toList();
          assertThat(withRows).as("silver commits of " + table.qualifiedName() + " that carry rows: " + describe(snapshots)).hasSizeGreaterThanOrEqualTo(SLICES);
          List<Long> watermarks = snapshots.stream().map(Snapshot::watermark).filter(w -> w != null).toList();
          assertThat(watermarks).as("watermarks of " + table.qualifiedName()).isSortedAccordingTo(Comparator.naturalOrder());
          // The watermark gold reads last: that of silver's last snapshot. Every window of the day is closed.
          Snapshot last = snapshots.get(snapshots.size() - 1);
          Instant watermark = Instant.ofEpochMilli(last.watermark());
          assertThat(watermark).as("watermark of the last snapshot of " + table.qualifiedName() + describe(snapshots)).isAfterOrEqualTo(D0.plus(DAY).minusMillis(1));
          lastWatermark.put(table, watermark);
        }
        assertThat(events).as("silver rows").hasSize(producedIds.size());
        assertThat(silverIds).as("silver's event ids").isEqualTo(producedIds);

        Map<GoldTable, List<Map<String, Object>>> expected = new EnumMap<>(GoldTable.class);
        for (GoldTable table : GoldTable.values()) {
          expected.put(table, ExpectedGold.rows(events, SIZE, lastWatermark.get(table.source())).get(table));
          // A pair of each type every 2 minutes, both in the pair's minute: 720 windows of the day.
          assertThat(expected.get(table).stream().map(r -> (Instant) r.get("window_start")).filter(start -> start.isBefore(D0.plus(DAY))).distinct().toList())
              .as("windows of the day of " + table.qualifiedName())
              .hasSize((int) (DAY.toMinutes() / 2));
        }
        await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(500))
            .untilAsserted(
                () -> {
                  assertThat(OperatorMetrics.sum(METRICS, gold.getJobID(), "event time .*", "medallion." + StageMetrics.RECORDS_IN))
                      .as("silver rows read by gold")
                      .isEqualTo(events.size());
                  for (GoldTable table : GoldTable.values()) {
                    assertThat(PaimonReads.readAll(catalog.getTable(table.identifier())))
                        .as(table.qualifiedName())
                        .containsExactlyInAnyOrderElementsOf(expected.get(table));
                  }
                });
        assertThat(OperatorMetrics.sum(METRICS, gold.getJobID(), "dead letters of .*", "error_code.LATE_EVENT." + StageMetrics.DEAD_LETTERS))
            .as("events gold judged late")
            .isZero();
        assertThat(kafka.readCommitted(GOLD_DLQ)).as("gold's dead letters").isEmpty();
      } finally {
        gold.cancel().get();
      }
    }
  }

  /** A silver row as the independent computation takes it: table, time and payload columns as plain values. */
  private static SilverEvent silverEvent(SilverTable table, int n, Map<String, Object> row) {
    Map<String, Object> payload = new HashMap<>(row);
    for (String envelope : List.of("event_date", "event_id", "event_time", "source_system", "schema_version", "metadata", "source_topic", "source_partition", "source_offset")) {
      payload.remove(envelope);
    }
    if (payload.get("amount") instanceof BigDecimal amount) {
      payload.put("amount", amount.setScale(SilverTable.AMOUNT_SCALE));
    }
    return new SilverEvent(table, n, (Instant) row.get("event_time"), payload);
  }

  private static void produceAndAwaitSilver(KafkaBroker kafka, Catalog catalog, List<ProducerRecord<byte[], byte[]>> slice, Set<String> producedIds) {
    kafka.produce(slice);
    slice.forEach(r -> producedIds.add(new String(r.key(), StandardCharsets.UTF_8)));
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> silverRows(catalog) == producedIds.size());
  }

  private static long silverRows(Catalog catalog) throws Exception {
    long rows = 0;
    for (SilverTable table : SilverTable.values()) {
      rows += PaimonTables.rowCount(catalog.getTable(table.identifier()));
    }
    return rows;
  }

  private static List<Snapshot> snapshots(Catalog catalog, SilverTable table) throws Exception {
    FileStoreTable paimon = (FileStoreTable) catalog.getTable(table.identifier());
    return paimon.snapshotManager().safelyGetAllSnapshots().stream().sorted(Comparator.comparingLong(Snapshot::id)).toList();
  }

  private static String describe(List<Snapshot> snapshots) {
    StringBuilder text = new StringBuilder();
    for (Snapshot s : snapshots) {
      text.append(String.format("%n  #%d %s rows %s changelog %s watermark %s", s.id(), s.commitKind(), s.deltaRecordCount(), s.changelogRecordCount(),
          s.watermark() == null ? null : Instant.ofEpochMilli(s.watermark())));
    }
    return text.toString();
  }
}
