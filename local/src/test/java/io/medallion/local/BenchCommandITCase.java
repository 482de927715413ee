package io.medallion.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bench harness end to end on a tiny input, so that it keeps working: its own broker and
 * MiniCluster, a warm-up round and a measured one of every job, every row committed. Its figures mean nothing
 * at this size and are not asserted.
 */
class BenchCommandITCase {
  @TempDir Path dir;

  @Test
  void benchesEveryJobOnATinyTopicAndChecksEveryRowItExpects() throws Exception {
    Path results = dir.resolve("results.jsonl");
    String report =
        bench(
            "all", "--events", "2000", "--warmup-rounds", "1", "--warmup-events", "1000", "--checkpoint-interval", "1s",
            "--data-dir", dir.resolve("data").toString(), "--results", results.toString());

    assertThat(report)
        .contains("quality-monitor warm-up 1: 1,010 records processed at")
        .contains("quality-monitor: processed 2,020 records in")
        .contains("JIT compiler")
        .contains("raw limits on the same topic: plain consumers")
        .contains("Flink SQL equivalent: ")
        .contains("1 warm-up rounds of 1,000 events; 90 rows written (expected 90)");
    List<String> table = report.lines().dropWhile(l -> !l.startsWith("job ")).toList();
    assertThat(table.subList(1, 5)).extracting(l -> l.split(" +")[0]).containsExactly("bronze-ingest", "silver-transform", "gold-aggregate", "quality-monitor");
    assertThat(table.subList(1, 5)).allSatisfy(l -> assertThat(l).endsWith(" ok"));
    // The quality monitor has no SQL equivalent.
    assertThat(table.subList(1, 4)).allSatisfy(l -> assertThat(l).matches(".* [0-9.]+× +ok"));
    assertThat(table.get(4)).matches(".* - +ok");

    List<JsonNode> lines = new ArrayList<>();
    for (String line : Files.readAllLines(results)) {
      lines.add(new ObjectMapper().readTree(line));
    }
    assertThat(lines).extracting(l -> l.get("job").asText()).containsExactly("bronze-ingest", "silver-transform", "gold-aggregate", "quality-monitor");
    for (JsonNode line : lines) {
      assertThat(line.at("/machine/cores").asInt()).isEqualTo(Runtime.getRuntime().availableProcessors());
      assertThat(line.at("/settings/events").asLong()).isEqualTo(2000);
      assertThat(line.at("/settings/parallelism").asInt()).isEqualTo(2);
      assertThat(line.at("/settings/warmup_rounds").asInt()).isEqualTo(1);
      assertThat(line.at("/results/rows").asLong()).isEqualTo(line.at("/results/expected_rows").asLong());
      assertThat(line.at("/results/processed_per_second").asLong()).isPositive();
      assertThat(line.at("/results/steal_share").asDouble()).isBetween(0.0, 1.0);
      assertThat(line.at("/machine/cpu").asText()).isEqualTo(BenchResults.cpuModel()).isNotEqualTo("unknown");
    }
    // Gold's input is silver's rows: the 2,000 valid events; the others read the topic's 2,020 records.
    assertThat(lines).extracting(l -> l.at("/results/records").asLong()).containsExactly(2020L, 2020L, 2000L, 2020L);
    assertThat(lines.get(3).at("/results/rows").asLong()).isEqualTo(90);
    assertThat(lines.get(0).at("/results/raw_consumer_per_second").asLong()).isPositive();
    assertThat(lines.subList(0, 3))
        .allSatisfy(
            l -> {
              assertThat(l.at("/results/sql_per_second").asLong()).isPositive();
              assertThat(l.at("/results/sql_until_committed_per_second").asLong()).isPositive();
              assertThat(l.at("/results/sql_rows").asLong()).isPositive();
              assertThat(l.at("/results/ours_per_sql").asDouble()).isPositive().isFinite();
            });
    assertThat(lines.get(3).at("/results").has("sql_per_second")).isFalse();
    // Bronze and silver run until a checkpoint commits their rows; the bounded ones may end before their first.
    assertThat(lines.subList(0, 2)).allSatisfy(l -> assertThat(l.at("/results/peak_checkpoint_bytes").asLong()).isPositive());
  }

  private static String bench(String... args) {
    PrintStream original = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      String[] command = new String[args.length + 1];
      command[0] = "bench";
      System.arraycopy(args, 0, command, 1, args.length);
      assertThat(Medallion.commandLine().execute(command)).as(out.toString(StandardCharsets.UTF_8)).isZero();
    } finally {
      System.setOut(original);
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
