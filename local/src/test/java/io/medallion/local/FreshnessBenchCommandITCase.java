package io.medallion.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.medallion.common.config.JobConfig;
import io.medallion.common.iceberg.BronzeEventsTable;
import io.medallion.common.iceberg.IcebergCatalogs;
import io.medallion.common.paimon.PaimonCatalogs;
import io.medallion.common.silver.SilverTable;
import io.medallion.gold.GoldAggregateJob;
import io.medallion.testkit.IcebergTables;
import io.medallion.testkit.JobSettings;
import io.medallion.testkit.PaimonReads;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The freshness harness end to end for a few seconds at a low rate: its own broker and
 * MiniCluster, the three jobs live together. The latencies mean nothing at this size and are not
 * asserted; which rows were measured is, against the tables read back here.
 */
class FreshnessBenchCommandITCase {
  @TempDir Path dir;

  @Test
  void measuresEveryRowProducedAfterTheWarmUpAndNoOther() throws Exception {
    Path results = dir.resolve("results.jsonl");
    Path data = dir.resolve("data");
    String report =
        run(
            "bench-freshness", "--rate", "300", "--warmup", "2s", "--duration", "5s", "--checkpoint-interval", "1s",
            "--gold-window", "1s", "--set", "watermark.max-out-of-orderness=2s", "--data-dir", data.toString(), "--results", results.toString());

    List<String> lines = Files.readAllLines(results);
    assertThat(lines).hasSize(1);
    JsonNode line = new ObjectMapper().readTree(lines.get(0));
    assertThat(line.get("job").asText()).isEqualTo("freshness");
    assertThat(line.at("/settings/checkpoint_interval").asText()).isEqualTo("1s");
    assertThat(line.at("/settings/gold_window").asText()).isEqualTo("1s");
    assertThat(line.at("/results/caught_up").asBoolean()).isTrue();
    long measuredFrom = line.at("/results/measured_from_epoch_ms").asLong();
    long runMillis = line.at("/results/run_ms").asLong();

    // What the tables hold from after the warm-up, by the Kafka timestamps bronze archived.
    JobConfig config = JobConfig.of(GoldAggregateJob.SPEC, JobSettings.local("127.0.0.1:9", data, "1s", 2));
    Map<String, Long> producedAt = new HashMap<>();
    long bronzeAfterWarmup = 0;
    for (Record row : IcebergTables.readAll(IcebergCatalogs.loader(config).loadCatalog(), BronzeEventsTable.IDENTIFIER)) {
      long produced = ((OffsetDateTime) row.getField("kafka_timestamp")).toInstant().toEpochMilli();
      producedAt.put(row.getField("kafka_topic") + "/" + row.getField("kafka_partition") + "/" + row.getField("kafka_offset"), produced);
      bronzeAfterWarmup += produced >= measuredFrom ? 1 : 0;
    }
    long silverAfterWarmup = 0;
    try (org.apache.paimon.catalog.Catalog paimon = PaimonCatalogs.create(config)) {
      for (SilverTable table : SilverTable.values()) {
        for (Map<String, Object> row : PaimonReads.readAll(paimon.getTable(table.identifier()))) {
          Long produced = producedAt.get(row.get("source_topic") + "/" + row.get("source_partition") + "/" + row.get("source_offset"));
          assertThat(produced).as("bronze archived the record of silver row %s", row.get("event_id")).isNotNull();
          silverAfterWarmup += produced >= measuredFrom ? 1 : 0;
        }
      }
    }
    JsonNode freshness = line.at("/results/freshness_ms");
    assertThat(bronzeAfterWarmup).isPositive().isEqualTo(line.at("/results/measured_events").asLong() + line.at("/results/measured_duplicates").asLong());
    assertThat(freshness.at("/bronze.events/rows").asLong()).isEqualTo(bronzeAfterWarmup);
    assertThat(freshness.at("/silver/rows").asLong()).isPositive().isEqualTo(silverAfterWarmup).isEqualTo(line.at("/results/measured_events").asLong());
    assertThat(freshness.at("/gold/rows").asLong()).isPositive().isLessThanOrEqualTo(freshness.at("/gold/expected_rows").asLong());
    freshness.fields().forEachRemaining(
        table -> {
          if (table.getValue().get("rows").asLong() > 0) {
            assertThat(table.getValue().get("min").asLong()).as(table.getKey()).isNotNegative();
            assertThat(table.getValue().get("max").asLong()).as(table.getKey()).isLessThanOrEqualTo(runMillis);
          }
        });
    assertThat(report)
        .contains("freshness (ms)")
        .contains(String.format("rows measured: bronze.events %,d of %,d; silver %,d of %,d;", bronzeAfterWarmup, bronzeAfterWarmup, silverAfterWarmup, silverAfterWarmup));
  }

  private static String run(String... command) {
    PrintStream original = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      assertThat(Medallion.commandLine().execute(command)).as(out.toString(StandardCharsets.UTF_8)).isZero();
    } finally {
      System.setOut(original);
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
