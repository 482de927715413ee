package io.medallion.bronze;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.medallion.bronze.BronzeIngestITCase.BronzeRow;
import io.medallion.bronze.BronzeIngestITCase.Letter;
import io.medallion.common.config.JobConfig;
import io.medallion.common.deadletter.DeadLetterHeaders;
import io.medallion.common.flink.JobEnvironment;
import io.medallion.common.flink.LakeSinks;
import io.medallion.common.iceberg.BronzeEventsTable;
import io.medallion.common.iceberg.IcebergCatalogs;
import io.medallion.common.kafka.KafkaConnectors;
import io.medallion.testkit.BadRecords;
import io.medallion.testkit.ChaosRun;
import io.medallion.testkit.ChaosSuite;
import io.medallion.testkit.EventFactory;
import io.medallion.testkit.IcebergTables;
import io.medallion.testkit.JobSettings;
import io.medallion.testkit.KafkaBroker;
import io.medallion.testkit.Ledgers;
import io.medallion.testkit.TestSources;
import io.medallion.testkit.WarehouseFileSystem;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobID;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.flink.TableLoader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;

/** Bronze keeps every row and dead letter exactly once through the faults of the chaos suite. */
class BronzeChaosITCase extends ChaosSuite {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_RECORD_BYTES = 4096;

  @Override
  protected int parallelismBeforeSavepoint() {
    return 2;
  }

  /**
   * Runs bronze on 120 events and the bad records: the first 60 are committed by a checkpoint, the
   * next 30 are produced, the {@code disturbance} strikes (a fault, or a stop with a savepoint and a
   * resume at another parallelism), the last 30 follow, and the job ends at their offsets.
   * Then every row and dead letter must be there exactly once. Injected failures strike in front
   * of the Iceberg sink; those on a row hit the first valid event of the last 30.
   */
  @Override
  protected JobID run(ChaosCase chaosCase) throws Exception {
    String name = chaosCase.name();
    KafkaBroker kafka = KAFKA.broker();
    String topic = "raw." + name;
    String dlq = "dlq." + name;
    kafka.createTopics(2, topic);
    kafka.createTopics(1, dlq);
    EventFactory events = new EventFactory(name.hashCode(), Instant.parse("2026-11-21T00:00:00Z"), Duration.ofHours(6));
    List<BadRecords.Bad> bad = BadRecords.bronze(events, MAX_RECORD_BYTES + 100);

    List<List<ProducerRecord<byte[], byte[]>>> batches = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    Map<String, ObjectNode> valid = new HashMap<>();
    for (int i = 0; i < 120; i++) {
      ObjectNode event = events.next();
      valid.put(event.get("event_id").asText(), event);
      batches.get(i < 60 ? 0 : i < 90 ? 1 : 2)
          .add(BronzeIngestITCase.record(topic, i % 2, event.get("event_id").asText(), EventFactory.bytes(event)));
    }
    for (int i = 0; i < bad.size(); i++) {
      batches.get(i % 3).add(BronzeIngestITCase.record(topic, i % 2, "bad-" + i, bad.get(i).value()));
    }
    List<ProducerRecord<byte[], byte[]>> all = new ArrayList<>();
    batches.forEach(all::addAll);

    Map<String, String> settings =
        WarehouseFileSystem.onSwitchableWarehouses(JobSettings.local(kafka.bootstrapServers(), dir, "300ms", chaosCase.parallelism()));
    settings.put("kafka.topic-pattern", "raw\\." + name);
    settings.put("dlq.topic", dlq);
    settings.put("max-record-bytes", Integer.toString(MAX_RECORD_BYTES));
    settings.put("bounded", "false");
    JobConfig config = JobConfig.of(BronzeIngestJob.SPEC, settings);
    Catalog catalog = IcebergCatalogs.loader(config).loadCatalog();
    BronzeEventsTable.definition().ensure(catalog);
    String failOn = batches.get(2).stream()
        .map(r -> new String(r.key(), StandardCharsets.UTF_8)).filter(k -> !k.startsWith("bad-")).findFirst().orElseThrow();
    long firstValid = batches.get(0).stream().filter(r -> !new String(r.key(), StandardCharsets.UTF_8).startsWith("bad-")).count();

    Instant start = Instant.now();
    List<RecordMetadata> landed = new ArrayList<>();
    ChaosRun chaos =
        ChaosRun.of(
                "bronze-chaos-" + name,
                TestSources.withRestarts(JobEnvironment.flinkConfiguration(config), chaosCase.restartAttempts()),
                env ->
                    BronzeIngestJob.build(
                        env,
                        TestSources.rawUntil(kafka, topic, "bronze-chaos-" + name, all),
                        MAX_RECORD_BYTES,
                        null,
                        rows ->
                            LakeSinks.icebergAppend(
                                    TableLoader.fromCatalog(IcebergCatalogs.loader(config), BronzeEventsTable.IDENTIFIER), BronzeIngestJob.BRONZE_SINK_UID, true)
                                .accept(
                                    rows.map(chaosCase.failureInjection(BronzeEventsTable.EVENT_ID, failOn))
                                        .returns(InternalTypeInfo.of(BronzeEventsTable.ROW_TYPE))
                                        .uid("inject-failure")
                                        .name("inject failure")),
                        LakeSinks.sink(KafkaConnectors.deadLetterSink(config), BronzeIngestJob.DLQ_SINK_UID),
                        LakeSinks.ledger(config, BronzeIngestJob.SPEC.name())))
            .first(() -> landed.addAll(kafka.produce(batches.get(0))))
            .committedWhen(() -> IcebergTables.rowCount(catalog, BronzeEventsTable.IDENTIFIER) == firstValid)
            .then(() -> landed.addAll(kafka.produce(batches.get(1))))
            .rest(() -> landed.addAll(kafka.produce(batches.get(2))))
            .resumedStopsWhen(() -> TestSources.readToTheEnd(kafka, "bronze-chaos-" + name, topic, all));
    JobID job = chaosCase.disturbance().apply(chaos).toTheEnd();
    Instant end = Instant.now();

    assertInjected(chaosCase);
    List<BronzeRow> expectedRows = new ArrayList<>();
    List<Letter> expectedLetters = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      String key = new String(all.get(i).key(), StandardCharsets.UTF_8);
      if (key.startsWith("bad-")) {
        expectedLetters.add(
            BronzeIngestITCase.expectedLetter(all.get(i), landed.get(i), bad.get(Integer.parseInt(key.substring(4))), null, null));
      } else {
        ObjectNode event = valid.get(key);
        expectedRows.add(BronzeIngestITCase.expectedRow(event, JSON.writeValueAsString(event.get("payload")), all.get(i), landed.get(i)));
      }
    }
    assertThat(IcebergTables.readAll(catalog, BronzeEventsTable.IDENTIFIER).stream().map(BronzeIngestITCase::actualRow).toList())
        .containsExactlyInAnyOrderElementsOf(expectedRows);
    assertThat(readLetters(kafka, dlq, start, end)).containsExactlyInAnyOrderElementsOf(expectedLetters);
    // Every record read once over all runs (a resume from a savepoint is a run of its own), and the ledger balances.
    assertThat(Ledgers.readPerPartition(Ledgers.balanced(config, kafka), BronzeIngestJob.SPEC.name()))
        .isEqualTo(Ledgers.recordsPerPartition(kafka, topic));
    return job;
  }

  /** The committed letters, without the wall-clock and free-text headers. */
  private static List<Letter> readLetters(KafkaBroker kafka, String topic, Instant notBefore, Instant notAfter) {
    List<Letter> letters = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : kafka.readCommitted(topic)) {
      Map<String, String> headers = new LinkedHashMap<>();
      for (Header h : r.headers()) {
        headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
      }
      assertThat(Instant.parse(headers.remove(DeadLetterHeaders.FAILED_AT))).isBetween(notBefore, notAfter);
      assertThat(headers.remove(DeadLetterHeaders.ERROR_MESSAGE)).isNotBlank();
      headers.remove(DeadLetterHeaders.ERROR_CLASS);
      letters.add(new Letter(new String(r.key(), StandardCharsets.UTF_8), BronzeIngestITCase.bytes(r.value()), headers));
    }
    return letters;
  }
}
