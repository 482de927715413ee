package io.medallion.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The soak mode end to end for 24 s: its own broker and MiniCluster, the three streaming
 * jobs, one TaskManager lost halfway, then the demo's reconciliation and the audit ledger. Seconds
 * show no trend of heap or state: the test allows any growth and asserts the fault and
 * the ledger, not the figures.
 */
class SoakCommandITCase {
  @TempDir Path dir;

  @Test
  void losesTheTaskManagerOnceAndStillAccountsForEveryRecord() {
    String report =
        soak(
            "--rate", "200", "--duration", "24s", "--fault-every", "12s", "--sample-every", "3s", "--checkpoint-interval", "1s",
            "--heap-growth", "100", "--checkpoint-growth", "100", "--timeout-seconds", "60", "--data-dir", dir.resolve("data").toString(),
            "--checks", Path.of("..", "config", "quality-checks.yaml").toAbsolutePath().normalize().toString());

    assertThat(report)
        .contains("medallion soak: 200 records/s for 00:24 (4,800 records, 1.0% bad, 2.0% duplicates); taskmanager every 00:12")
        .containsOnlyOnce("fault 1: the TaskManager is lost; a new one started")
        .doesNotContain("fault 2:")
        .contains("reconciled      every record sent is in exactly one place per layer: a row, a dropped duplicate or a dead letter")
        .contains("reconciled      gold: every silver event is counted in one window")
        .contains("reconciled      quality: every change of a check's status")
        .contains("every record read once and accounted for once.")
        .doesNotContain("IMBALANCED")
        .contains("faults injected 1 (1 TaskManager losses, 0 broker restarts)");

    List<String> timeline = report.lines().dropWhile(l -> !l.equals("== Soak timeline ==")).skip(2).takeWhile(l -> !l.isEmpty()).toList();
    // A sample every 3 s for 24 s, and one at the end.
    assertThat(timeline).hasSizeGreaterThanOrEqualTo(7);
    assertThat(timeline.get(0)).as("no fault before 12 s").endsWith(" 0");
    assertThat(timeline.get(timeline.size() - 1)).as("one fault by the end").endsWith(" 1");
    List<String> verdict = report.lines().dropWhile(l -> !l.equals("== Soak verdict ==")).skip(1).takeWhile(l -> !l.startsWith("faults injected")).toList();
    assertThat(verdict)
        .extracting(l -> l.substring(5).split("  +")[0])
        .containsExactly(
            "ledger balanced",
            "heap flat",
            "checkpoints bounded: bronze-ingest",
            "checkpoints bounded: silver-transform",
            "checkpoints bounded: gold-aggregate",
            "faults took effect");
    assertThat(verdict).allSatisfy(l -> assertThat(l).startsWith("ok "));
  }

  private static String soak(String... args) {
    PrintStream original = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      String[] command = new String[args.length + 1];
      command[0] = "soak";
      System.arraycopy(args, 0, command, 1, args.length);
      assertThat(Medallion.commandLine().execute(command)).as(out.toString(StandardCharsets.UTF_8)).isZero();
    } finally {
      System.setOut(original);
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
