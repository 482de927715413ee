package io.medallion.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The machine's steal time from Linux's /proc/stat: time a virtual CPU was ready to run but the
 * hypervisor ran another guest. On a shared virtual machine it is what makes two identical benchmark
 * runs differ by a third, so every round reports it beside its rate.
 */
final class StealTime {
  private static final Path STAT = Path.of("/proc/stat");
  /** USER_HZ, the unit of /proc/stat: 100 on every Linux the JVM runs on. */
  private static final double TICKS_PER_SECOND = 100;

  private StealTime() {}

  /** Seconds of steal summed over all CPUs since boot; 0 where /proc/stat is missing or has no steal column. */
  static double seconds() {
    try {
      return Files.exists(STAT) ? stealTicks(Files.readAllLines(STAT).get(0)) / TICKS_PER_SECOND : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  /** The eighth value of the aggregate {@code cpu} line: user nice system idle iowait irq softirq steal. */
  static long stealTicks(String cpuLine) {
    String[] fields = cpuLine.trim().split("\\s+");
    return fields.length > 8 ? Long.parseLong(fields[8]) : 0;
  }

  /** The share of the machine's CPU capacity over {@code wallSeconds} that went to other guests. */
  static double share(double stealSeconds, double wallSeconds) {
    return stealSeconds / (wallSeconds * Runtime.getRuntime().availableProcessors());
  }
}
