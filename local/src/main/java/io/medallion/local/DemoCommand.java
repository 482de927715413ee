package io.medallion.local;

import io.medallion.bronze.BronzeIngestJob;
import io.medallion.common.config.JobConfig;
import io.medallion.common.deadletter.DeadLetterHeaders;
import io.medallion.common.deadletter.Stage;
import io.medallion.common.flink.JobEnvironment;
import io.medallion.common.iceberg.BronzeEventsTable;
import io.medallion.common.iceberg.IcebergCatalogs;
import io.medallion.common.kafka.Topics;
import io.medallion.testkit.IcebergTables;
import io.medallion.testkit.KafkaBroker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobID;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Run the lakehouse on an embedded default: an in-process Kafka broker, a local Flink MiniCluster,",
      "the jobs and a data generator; print a summary per layer and leave the tables in --data-dir."
    })
final class DemoCommand implements Callable<Integer> {
  private static final int MAX_RECORD_BYTES = 65_536;

  @Option(names = "--events", defaultValue = "20000", description = "valid, distinct events (default ${DEFAULT-VALUE})")
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

  @Override
  public Integer call() throws Exception {
    Path data = dataDir.toAbsolutePath().normalize();
    Directories.empty(data);
    System.out.printf(
        "medallion demo: %,d events, %.1f%% bad, %.1f%% duplicates, %s%n",
        events, badRatio * 100, duplicateRatio * 100, rate > 0 ? String.format("%,.0f records/s", rate) : "unthrottled");

    try (KafkaBroker kafka = KafkaBroker.start();
        LocalFlink flink = new LocalFlink(4)) {
      System.out.println("  kafka   in-process KRaft broker at " + kafka.bootstrapServers());
      kafka.createTopics(2, Topics.RAW_TOPICS.toArray(String[]::new));
      kafka.createTopics(1, Stage.BRONZE.defaultTopic());

      JobConfig bronze = bronzeConfig(kafka, data);
      StreamExecutionEnvironment env = LocalFlink.environment(JobEnvironment.flinkConfiguration(bronze));
      BronzeIngestJob.define(env, bronze);
      JobID bronzeJob = flink.submit(env, BronzeIngestJob.SPEC.name());
      System.out.println("  flink   local MiniCluster; bronze-ingest running (parallelism 2, checkpoint every 2s)");

      DataGenerator.Plan plan =
          new DataGenerator.Plan(events, rate, badRatio, duplicateRatio, 42, null, MAX_RECORD_BYTES + 10_000);
      DataGenerator.Sent sent = new DataGenerator.Sent();
      CompletableFuture<Void> generator =
          CompletableFuture.runAsync(
              () -> {
                try (var producer = kafka.producer()) {
                  DataGenerator.run(producer, plan, sent);
                }
              });

      Catalog catalog = IcebergCatalogs.loader(bronze).loadCatalog();
      Map<String, Long> lettersByCode = new TreeMap<>();
      long expected = DataGenerator.expectedRecords(plan);
      long startNanos = System.nanoTime();
      try (KafkaConsumer<byte[], byte[]> dlq = committedReader(kafka.bootstrapServers(), Stage.BRONZE.defaultTopic())) {
        long rows = 0;
        long letters = 0;
        while (!(generator.isDone() && rows + letters >= expected)) {
          if (generator.isCompletedExceptionally()) {
            generator.join();
          }
          for (ConsumerRecord<byte[], byte[]> letter : dlq.poll(Duration.ofMillis(500))) {
            lettersByCode.merge(header(letter, DeadLetterHeaders.ERROR_CODE), 1L, Long::sum);
          }
          letters = lettersByCode.values().stream().mapToLong(Long::longValue).sum();
          rows = IcebergTables.rowCount(catalog, BronzeEventsTable.IDENTIFIER);
          double seconds = (System.nanoTime() - startNanos) / 1e9;
          progress(String.format(
              "  %5.1fs  produced %,d/%,d | bronze.events %,d rows | dlq.bronze %,d dead letters",
              seconds, sent.records.get(), expected, rows, letters));
          if (flink.status(bronzeJob).isGloballyTerminalState()) {
            flink.await(bronzeJob);
            throw new IllegalStateException("bronze-ingest stopped unexpectedly");
          }
          if (seconds > timeoutSeconds) {
            System.out.println();
            System.out.printf("medallion demo: layers did not catch up within %d s%n", timeoutSeconds);
            return 1;
          }
        }
        System.out.println();
      }
      flink.cancel(bronzeJob);
      return summary(sent, catalog, lettersByCode, data);
    }
  }

  private JobConfig bronzeConfig(KafkaBroker kafka, Path data) {
    Map<String, String> settings = LocalSettings.forJobs(kafka.bootstrapServers(), data, "2s", 2);
    settings.put("kafka.topic-pattern", Topics.RAW_TOPIC_PATTERN);
    settings.put("max-record-bytes", Integer.toString(MAX_RECORD_BYTES));
    return JobConfig.of(BronzeIngestJob.SPEC, settings);
  }

  private int summary(DataGenerator.Sent sent, Catalog catalog, Map<String, Long> lettersByCode, Path data) throws IOException {
    Table table = catalog.loadTable(BronzeEventsTable.IDENTIFIER);
    Map<String, Long> rowsByType = new TreeMap<>();
    Map<String, Integer> copiesById = new HashMap<>();
    try (CloseableIterable<Record> rows = IcebergGenerics.read(table).select("event_id", "event_type").build()) {
      for (Record row : rows) {
        rowsByType.merge((String) row.getField("event_type"), 1L, Long::sum);
        copiesById.merge((String) row.getField("event_id"), 1, Integer::sum);
      }
    }
    long rows = rowsByType.values().stream().mapToLong(Long::longValue).sum();
    long duplicateRows = rows - copiesById.size();
    Map<String, Long> sentByCode = new TreeMap<>();
    sent.badByCode.forEach((code, n) -> sentByCode.put(code.name(), n.get()));

    System.out.println();
    System.out.println("== Summary ==");
    System.out.printf(
        "raw topics      %,d records: %,d events, %,d duplicates, %,d bad%n",
        sent.records.get(), sent.valid.get(), sent.duplicates.get(), sent.bad());
    System.out.printf(
        "bronze.events   %,d rows, %,d distinct event_ids (%,d duplicate copies kept: bronze is the raw archive)%n",
        rows, copiesById.size(), duplicateRows);
    System.out.println("                by event_type: " + format(rowsByType));
    System.out.printf("dlq.bronze      %,d dead letters%n", lettersByCode.values().stream().mapToLong(Long::longValue).sum());
    System.out.println("                by error code: " + format(lettersByCode));
    System.out.println("tables          " + data.resolve("iceberg") + " (Iceberg, Hadoop catalog: bronze.events)");

    boolean balanced =
        rows == sent.valid.get() + sent.duplicates.get() && lettersByCode.equals(sentByCode);
    System.out.println(
        balanced
            ? "reconciled      every record sent is in exactly one place: a bronze row or a dead letter"
            : "NOT reconciled  sent " + sentByCode + " bad and " + (sent.valid.get() + sent.duplicates.get()) + " valid records");
    return balanced ? 0 : 1;
  }

  private static String format(Map<String, Long> counts) {
    return counts.entrySet().stream()
        .map(e -> String.format("%s %,d", e.getKey(), e.getValue()))
        .collect(Collectors.joining(" | "));
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null ? "(none)" : new String(header.value(), StandardCharsets.UTF_8);
  }

  private static KafkaConsumer<byte[], byte[]> committedReader(String bootstrapServers, String topic) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> partitions =
        consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    return consumer;
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
