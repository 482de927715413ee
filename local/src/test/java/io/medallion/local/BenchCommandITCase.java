package io.medallion.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bench harness end to end on a tiny input, so that it keeps working: its own broker and
 * MiniCluster, a warm-up round and a measured one, every row committed. Its figures mean nothing
 * at this size and are not asserted.
 */
class BenchCommandITCase {
  @TempDir Path dir;

  @Test
  void benchesTheQualityMonitorOnATinyTopicAndChecksEveryRowItExpects() {
    String report = bench("quality-monitor", "--events", "2000", "--warmup-rounds", "1", "--warmup-events", "1000", "--data-dir", dir.toString());

    assertThat(report)
        .contains("warm-up 1: 1,010 records processed at")
        .contains("quality-monitor: processed 2,020 records in")
        .contains("JIT compiler")
        .contains("raw limits on the same topic: plain consumers")
        .contains("1 warm-up rounds of 1,000 events; 90 rows written (expected 90)");
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
