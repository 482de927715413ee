package io.medallion.local;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time of this JVM's JIT compiler threads, read from Linux's /proc (the JVM reports compilation
 * only as elapsed time, which on a busy machine counts the threads' waiting too). A benchmark round
 * whose CPU still goes largely to the compiler measures the JVM warming up, not the job.
 */
final class JitCpu {
  private static final Path TASKS = Path.of("/proc/self/task");
  /** Clock ticks per second of /proc's times: USER_HZ, 100 on every Linux the JVM runs on. */
  private static final double TICKS_PER_SECOND = 100;

  private JitCpu() {}

  /** Whether this system exposes per-thread CPU times. */
  static boolean available() {
    return Files.isDirectory(TASKS);
  }

  /** User plus system CPU seconds of the compiler threads alive now; 0 where /proc is missing. */
  static double seconds() {
    if (!available()) {
      return 0;
    }
    long ticks = 0;
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
      for (Path task : tasks) {
        try {
          String name = Files.readString(task.resolve("comm"));
          if (name.startsWith("C2 CompilerThre") || name.startsWith("C1 CompilerThre")) {
            ticks += cpuTicks(Files.readString(task.resolve("stat")));
          }
        } catch (IOException threadEnded) {
          // A thread that ended between listing and reading has no time left to count.
        }
      }
    } catch (IOException e) {
      return 0;
    }
    return ticks / TICKS_PER_SECOND;
  }

  /** utime + stime, fields 14 and 15 of a stat line, counted after the parenthesized name. */
  static long cpuTicks(String stat) {
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
  }
}
