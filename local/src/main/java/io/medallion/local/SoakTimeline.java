package io.medallion.local;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a soak run measured at each sample, and its verdict on the trends. The rules compare the
 * last third of the samples with the first third, so a start-up that fills caches and buffers
 * counts against the run's beginning, not against its end:
 *
 * <ul>
 *   <li>heap flat: the largest live heap (after a full GC) of the last third is at most {@code
 *       heapGrowth} times the largest of the first third;
 *   <li>checkpoints bounded, per job: the largest checkpoint of the last third is at most {@code
 *       checkpointGrowth} times the largest of the first third, plus {@link #CHECKPOINT_SLACK_BYTES}
 *       (a few KB of offsets and committables vary from one checkpoint to the next). A job whose
 *       state must grow with the ids it remembers (silver's deduplication keeps every event id for
 *       longer than any soak) may grow in proportion to them, and no faster.
 * </ul>
 */
final class SoakTimeline {
  static final long CHECKPOINT_SLACK_BYTES = 1 << 20;

  /** One job at one sample: its last checkpoint's size, restarts so far and its counters (replays included). */
  record JobSample(long checkpointBytes, long restarts, long recordsIn, long recordsOut) {}

  /**
   * @param remembered per job, what its state may grow in proportion to (valid events sent so far for
   *     silver); a job missing here must keep its state flat
   */
  record Sample(Duration elapsed, long liveHeapBytes, long recordsSent, int faults, Map<String, JobSample> jobs, Map<String, Long> remembered) {}

  /** One rule's outcome and the sentence that says why. */
  record Check(String name, boolean passed, String reason) {}

  private final List<String> jobNames;
  private final double heapGrowth;
  private final double checkpointGrowth;
  private final List<Sample> samples = new ArrayList<>();

  SoakTimeline(List<String> jobNames, double heapGrowth, double checkpointGrowth) {
    this.jobNames = List.copyOf(jobNames);
    this.heapGrowth = heapGrowth;
    this.checkpointGrowth = checkpointGrowth;
  }

  void add(Sample sample) {
    samples.add(sample);
  }

  List<Sample> samples() {
    return List.copyOf(samples);
  }

  /** The line printed as each sample is taken. */
  String line(Sample sample) {
    StringBuilder line =
        new StringBuilder(String.format("  %s  sent %,d | heap %,d MB | faults %d", clock(sample.elapsed()), sample.recordsSent(), mib(sample.liveHeapBytes()), sample.faults()));
    for (String job : jobNames) {
      JobSample s = sample.jobs().get(job);
      line.append(String.format(" | %s in %,d out %,d, checkpoint %s, restarts %d", job, s.recordsIn(), s.recordsOut(), bytes(s.checkpointBytes()), s.restarts()));
    }
    return line.toString();
  }

  void printTable(PrintStream out) {
    StringBuilder header = new StringBuilder(String.format("%-7s %8s %10s", "time", "heap MB", "sent"));
    for (String job : jobNames) {
      header.append(String.format(" %18s", job + " ckpt"));
    }
    for (String job : jobNames) {
      header.append(String.format(" %10s", abbreviation(job) + " restarts"));
    }
    out.println(header.append(String.format(" %7s", "faults")));
    for (Sample sample : samples) {
      StringBuilder row = new StringBuilder(String.format("%-7s %8d %10d", clock(sample.elapsed()), mib(sample.liveHeapBytes()), sample.recordsSent()));
      for (String job : jobNames) {
        row.append(String.format(" %18d", sample.jobs().get(job).checkpointBytes()));
      }
      for (String job : jobNames) {
        row.append(String.format(" %10d", sample.jobs().get(job).restarts()));
      }
      out.println(row.append(String.format(" %7d", sample.faults())));
    }
  }

  Check heapFlat() {
    if (samples.size() < 3) {
      return tooFewSamples("heap flat");
    }
    long first = firstThird().stream().mapToLong(Sample::liveHeapBytes).max().orElseThrow();
    long last = lastThird().stream().mapToLong(Sample::liveHeapBytes).max().orElseThrow();
    boolean flat = last <= heapGrowth * first;
    return new Check(
        "heap flat",
        flat,
        String.format(
            "largest live heap of the last third %,d MB %s %.2f × the first third's %,d MB", mib(last), flat ? "<=" : ">", heapGrowth, mib(first)));
  }

  List<Check> checkpointsBounded() {
    if (samples.size() < 3) {
      return List.of(tooFewSamples("checkpoints bounded"));
    }
    List<Check> checks = new ArrayList<>();
    Sample endOfFirstThird = firstThird().get(firstThird().size() - 1);
    Sample end = samples.get(samples.size() - 1);
    for (String job : jobNames) {
      long first = firstThird().stream().mapToLong(s -> s.jobs().get(job).checkpointBytes()).max().orElseThrow();
      long last = lastThird().stream().mapToLong(s -> s.jobs().get(job).checkpointBytes()).max().orElseThrow();
      Long rememberedThen = endOfFirstThird.remembered().get(job);
      double growth = rememberedThen == null || rememberedThen == 0 ? 1 : (double) end.remembered().get(job) / rememberedThen;
      long allowed = (long) (checkpointGrowth * first * growth) + CHECKPOINT_SLACK_BYTES;
      boolean bounded = last <= allowed;
      String scaled = growth == 1 ? "" : String.format(" (× %.2f, the growth of the ids it remembers)", growth);
      checks.add(
          new Check(
              "checkpoints bounded: " + job,
              bounded,
              String.format(
                  "largest checkpoint of the last third %s %s %.1f × the first third's %s%s + %s = %s",
                  bytes(last), bounded ? "<=" : ">", checkpointGrowth, bytes(first), scaled, bytes(CHECKPOINT_SLACK_BYTES), bytes(allowed))));
    }
    return checks;
  }

  /** Every TaskManager loss restarts every job: a job that restarted less often did not lose its tasks. */
  Check everyJobRestarted(int taskManagerLosses) {
    Sample end = samples.isEmpty() ? null : samples.get(samples.size() - 1);
    List<String> restartedTooRarely = jobNames.stream().filter(job -> end == null || end.jobs().get(job).restarts() < taskManagerLosses).toList();
    return new Check(
        "faults took effect",
        restartedTooRarely.isEmpty(),
        restartedTooRarely.isEmpty()
            ? taskManagerLosses + " TaskManager losses; every job restarted at least as often"
            : "restarted fewer times than the " + taskManagerLosses + " TaskManager losses: " + String.join(", ", restartedTooRarely));
  }

  private List<Sample> firstThird() {
    return samples.subList(0, samples.size() / 3);
  }

  private List<Sample> lastThird() {
    return samples.subList(samples.size() - samples.size() / 3, samples.size());
  }

  private Check tooFewSamples(String name) {
    return new Check(name, false, "not judged: " + samples.size() + " samples, at least 3 are needed (a shorter --sample-every, or a longer --duration)");
  }

  private static String abbreviation(String job) {
    return job.substring(0, job.indexOf('-') < 0 ? job.length() : job.indexOf('-'));
  }

  static String clock(Duration elapsed) {
    return String.format("%02d:%02d", elapsed.toMinutes(), elapsed.toSecondsPart());
  }

  private static long mib(long bytes) {
    return bytes >> 20;
  }

  static String bytes(long bytes) {
    return bytes >= 10 << 20 ? String.format("%,d MB", bytes >> 20) : bytes >= 10 << 10 ? String.format("%,d KB", bytes >> 10) : String.format("%,d B", bytes);
  }
}
