package io.medallion.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/** The JSON lines every bench appends to its results file: one per run, with the machine it ran on. */
final class BenchResults {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final OperatingSystemMXBean OS = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private BenchResults() {}

  /** A run's line with its time, job and machine (cores, memory, JVM, heap, OS); the caller adds the rest. */
  static ObjectNode line(String job) {
    ObjectNode line = JSON.createObjectNode();
    line.put("time", Instant.now().toString());
    line.put("job", job);
    ObjectNode machine = line.putObject("machine");
    machine.put("cores", Runtime.getRuntime().availableProcessors());
    machine.put("memory_mib", OS.getTotalMemorySize() >> 20);
    machine.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    machine.put("max_heap_mib", Runtime.getRuntime().maxMemory() >> 20);
    machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    machine.put("cpu", cpuModel());
    return line;
  }

  /**
   * The processor's model name from Linux's /proc/cpuinfo, or "unknown": two virtual machines of the
   * same size can differ by half in CPU per record (31 against 47 µs for silver), so a figure is
   * only comparable with the processor beside it.
   */
  static String cpuModel() {
    Path cpuinfo = Path.of("/proc/cpuinfo");
    try {
      if (Files.isReadable(cpuinfo)) {
        for (String line : Files.readAllLines(cpuinfo)) {
          if (line.startsWith("model name")) {
            return line.substring(line.indexOf(':') + 1).trim();
          }
        }
      }
    } catch (IOException unreadable) {
      return "unknown";
    }
    return "unknown";
  }

  static void append(Path results, ObjectNode line) throws IOException {
    Files.writeString(results, JSON.writeValueAsString(line) + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }
}
