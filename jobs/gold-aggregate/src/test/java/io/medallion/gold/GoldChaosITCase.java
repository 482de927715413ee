package io.medallion.gold;

import static io.medallion.gold.GoldAggregateITCase.LATENESS;
import static io.medallion.gold.GoldAggregateITCase.SIZE;
import static io.medallion.gold.GoldAggregateITCase.WATERMARKS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.medallion.common.config.JobConfig;
import io.medallion.common.flink.JobEnvironment;
import io.medallion.common.flink.LakeSinks;
import io.medallion.common.flink.LakeSources;
import io.medallion.common.gold.GoldTable;
import io.medallion.common.kafka.KafkaConnectors;
import io.medallion.common.paimon.PaimonCatalogs;
import io.medallion.common.paimon.PaimonMaintenance;
import io.medallion.common.paimon.PaimonTables;
import io.medallion.common.silver.SilverTable;
import io.medallion.testkit.ChaosRun;
import io.medallion.testkit.ChaosSuite;
import io.medallion.testkit.JobSettings;
import io.medallion.testkit.KafkaBroker;
import io.medallion.testkit.Ledgers;
import io.medallion.testkit.PaimonReads;
import io.medallion.testkit.TestSources;
import io.medallion.testkit.WarehouseFileSystem;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.flink.api.common.JobID;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.paimon.CoreOptions;
import org.apache.paimon.catalog.Catalog;
import org.apache.paimon.table.Table;

/**
 * Gold keeps every window's row and every late dead letter exactly once through the faults of the
 * chaos testkit and a resume from a savepoint at another parallelism. Its input is the three silver
 * batches of {@link GoldAggregateITCase}, each committed with its watermark; a last, empty silver
 * snapshot with a later watermark ends gold's reading (Paimon's {@code scan.bounded.watermark}),
 * so the job finishes by itself and fires every window still open.
 */
class GoldChaosITCase extends ChaosSuite {
  /** The last batch's watermark: a snapshot with a later one ends gold's reading. */
  private static final Instant END = WATERMARKS.get(2);

  @Override
  protected int parallelismBeforeSavepoint() {
    return 1;
  }

  /**
   * Runs gold over the three silver batches: the first batch's windows are committed, the second
   * batch is committed to silver, the disturbance strikes, the third batch and the end follow.
   * Injected failures strike in front of the transaction summary's sink; those on a row hit the row
   * of merchant {@code m-fail}'s window, which the second batch's watermark closes. Then every
   * gold table holds exactly the rows of every counted event's window and the dead-letter topic
   * each late event once.
   */
  @Override
  protected JobID run(ChaosCase chaosCase) throws Exception {
    String name = chaosCase.name();
    KafkaBroker kafka = KAFKA.broker();
    String dlq = "dlq.gold-" + name;
    kafka.createTopics(1, dlq);
    Map<String, String> settings = WarehouseFileSystem.onSwitchableWarehouses(JobSettings.local(kafka.bootstrapServers(), dir, "500ms", chaosCase.parallelism()));
    settings.put("dlq.topic", dlq);
    settings.put("kafka.group-id", "gold-chaos-" + name);
    JobConfig config = JobConfig.of(GoldAggregateJob.SPEC, settings);
    String consumerId = "gold-chaos-" + name;

    List<List<SilverEvent>> batches = GoldAggregateITCase.batches(true);
    List<Instant> watermarkBefore = new ArrayList<>();
    watermarkBefore.add(null);
    watermarkBefore.addAll(WATERMARKS.subList(0, 2));
    Map<Boolean, List<SilverEvent>> byLate = ExpectedGold.partitionLate(batches, watermarkBefore, SIZE, LATENESS);
    assertThat(byLate.get(true)).as("late events in the scenario").hasSize(12 + 8);
    Map<GoldTable, List<Map<String, Object>>> firstWindows = ExpectedGold.rows(batches.get(0), SIZE, WATERMARKS.get(0));

    try (Catalog catalog = PaimonCatalogs.create(config.withPrefix("paimon.catalog."))) {
      Map<SilverTable, Table> silver = new EnumMap<>(SilverTable.class);
      for (SilverTable table : SilverTable.values()) {
        silver.put(table, PaimonMaintenance.withRetention(PaimonTables.ensure(catalog, table.identifier(), table.schema()), config));
      }
      Map<GoldTable, Table> gold = new EnumMap<>(GoldTable.class);
      for (GoldTable table : GoldTable.values()) {
        gold.put(table, PaimonTables.ensure(catalog, table.identifier(), table.schema()));
      }
      SilverCommits silverCommits = new SilverCommits(catalog);
      // Gold starts on an empty snapshot and reads each later commit incrementally (see SilverCommits#commitEmpty).
      silverCommits.commitEmpty();
      JobID job =
          chaosCase
              .disturbance()
              .apply(
                  ChaosRun.of(
                      "gold-chaos-" + name,
                      TestSources.withRestarts(JobEnvironment.flinkConfiguration(config), chaosCase.restartAttempts()),
                      env -> {
                        Map<GoldTable, Consumer<DataStream<RowData>>> sinks = new EnumMap<>(GoldTable.class);
                        gold.forEach((table, paimon) -> sinks.put(table, LakeSinks.paimon(paimon, GoldAggregateJob.sinkUid(table))));
                        Consumer<DataStream<RowData>> summary = sinks.get(GoldTable.TRANSACTION_SUMMARY);
                        sinks.put(
                            GoldTable.TRANSACTION_SUMMARY,
                            rows ->
                                summary.accept(
                                    rows.map(chaosCase.failureInjection(0, "m-fail"))
                                        .returns(InternalTypeInfo.of(GoldTable.TRANSACTION_SUMMARY.flinkRowType()))
                                        .uid("inject-failure")
                                        .name("inject failure")));
                        GoldAggregateJob.build(
                            env,
                            table -> LakeSources.paimonChangelog(env, untilEnd(silver.get(table)), consumerId, Duration.ofMillis(200), false, GoldAggregateJob.sourceUid(table)),
                            GoldSettings.of(config),
                            sinks,
                            LakeSinks.sink(KafkaConnectors.deadLetterSink(config), GoldAggregateJob.DLQ_SINK_UID),
                            LakeSinks.ledger(config, GoldAggregateJob.SPEC.name()));
                      })
                      .first(() -> {
                        await().atMost(Duration.ofSeconds(60)).until(() -> silverCommits.consumedByEveryTable(consumerId));
                        silverCommits.commit(batches.get(0), WATERMARKS.get(0).toEpochMilli());
                      })
                      .committedWhen(() -> holdsExactly(catalog, firstWindows))
                      .then(() -> silverCommits.commit(batches.get(1), WATERMARKS.get(1).toEpochMilli()))
                      .rest(() -> {
                        // Silver lives in the same warehouse: like silver-transform, the test writes again once it can.
                        await().atMost(Duration.ofSeconds(60)).until(WarehouseFileSystem::writable);
                        silverCommits.commit(batches.get(2), WATERMARKS.get(2).toEpochMilli());
                        silverCommits.commit(List.of(), END.toEpochMilli() + 1);
                      }))
              .toTheEnd();

      assertInjected(chaosCase);
      // The end of input fired every window still open: every counted event is in its window's row.
      Map<GoldTable, List<Map<String, Object>>> expected = ExpectedGold.rows(byLate.get(false), SIZE, Instant.MAX);
      for (GoldTable table : GoldTable.values()) {
        assertThat(PaimonReads.readAll(catalog.getTable(table.identifier())))
            .as(table.qualifiedName())
            .containsExactlyInAnyOrderElementsOf(expected.get(table));
      }
      assertThat(kafka.readCommitted(dlq).stream().map(r -> new String(r.key(), StandardCharsets.UTF_8)).toList())
          .as("late events dead-lettered")
          .containsExactlyInAnyOrderElementsOf(byLate.get(true).stream().map(SilverEvent::id).toList());
      // Every silver row read once over all runs (a resume from a savepoint is a run of its own), and the ledger balances.
      Map<String, Long> silverRows = new TreeMap<>();
      batches.forEach(batch -> batch.forEach(e -> silverRows.merge(e.table().qualifiedName() + "/-1", 1L, Long::sum)));
      assertThat(Ledgers.readPerPartition(Ledgers.balanced(config, kafka), GoldAggregateJob.SPEC.name())).isEqualTo(silverRows);
      return job;
    }
  }

  /** The silver table, read until a snapshot's watermark passes {@link #END}. */
  private static Table untilEnd(Table silver) {
    return silver.copy(Map.of(CoreOptions.SCAN_BOUNDED_WATERMARK.key(), Long.toString(END.toEpochMilli())));
  }

  /** Whether every gold table holds exactly {@code expected} (rows are unique by primary key). */
  private static boolean holdsExactly(Catalog catalog, Map<GoldTable, List<Map<String, Object>>> expected) throws Exception {
    for (GoldTable table : GoldTable.values()) {
      List<Map<String, Object>> rows = PaimonReads.readAll(catalog.getTable(table.identifier()));
      if (rows.size() != expected.get(table).size() || !new HashSet<>(rows).equals(new HashSet<>(expected.get(table)))) {
        return false;
      }
    }
    return true;
  }
}
