package io.medallion.local;

import com.sun.management.OperatingSystemMXBean;
import io.medallion.bronze.BronzeIngestJob;
import io.medallion.common.config.JobConfig;
import io.medallion.common.flink.JobEnvironment;
import io.medallion.common.iceberg.BronzeEventsTable;
import io.medallion.common.iceberg.IcebergCatalogs;
import io.medallion.testkit.IcebergTables;
import io.medallion.testkit.KafkaBroker;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.JobID;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Measure a job catching up on a pre-filled topic: an in-process broker is filled with realistic",
      "events first, then the job runs bounded (exactly-once, checkpointed) on a local MiniCluster.",
      "Run it several times in fresh JVMs and report the median: two shared cores are noisy."
    })
final class BenchCommand implements Callable<Integer> {
  private static final String TOPIC = "raw.bench";

  @Parameters(index = "0", description = "the job to measure: bronze-ingest")
  String job;

  @Option(names = "--events", defaultValue = "1000000", description = "valid events to pre-fill (default ${DEFAULT-VALUE})")
  long events;

  @Option(names = "--partitions", defaultValue = "2", description = "partitions of the raw topic (default ${DEFAULT-VALUE})")
  int partitions;

  @Option(names = "--parallelism", defaultValue = "2", description = "job parallelism (default ${DEFAULT-VALUE})")
  int parallelism;

  @Option(names = "--checkpoint-interval", defaultValue = "10s", description = "checkpoint interval (default ${DEFAULT-VALUE})")
  String checkpointInterval;

  @Option(names = "--bad-ratio", defaultValue = "0.01", description = "bad records per event (default ${DEFAULT-VALUE})")
  double badRatio;

  @Option(names = "--set", description = "extra job configuration, key=value (dotted key); repeatable")
  Map<String, String> extra = new LinkedHashMap<>();

  @Option(names = "--data-dir", defaultValue = "medallion-bench", description = "tables and checkpoints; emptied first (default ./${DEFAULT-VALUE})")
  Path dataDir;

  @Override
  public Integer call() throws Exception {
    if (!job.equals(BronzeIngestJob.SPEC.name())) {
      throw new IllegalArgumentException("bench knows " + BronzeIngestJob.SPEC.name() + " only, not '" + job + "'");
    }
    Path data = dataDir.toAbsolutePath().normalize();
    Directories.empty(data);
    try (KafkaBroker kafka = KafkaBroker.start();
        LocalFlink flink = new LocalFlink(parallelism)) {
      kafka.createTopics(partitions, TOPIC);
      kafka.createTopics(1, BronzeIngestJob.SPEC.stage().defaultTopic());
      DataGenerator.Plan plan = new DataGenerator.Plan(events, 0, badRatio, 0, 7, TOPIC, 0);
      DataGenerator.Sent sent = new DataGenerator.Sent();
      long fillStart = System.nanoTime();
      try (var producer = kafka.producer()) {
        DataGenerator.run(producer, plan, sent);
      }
      double fillSeconds = seconds(fillStart);
      System.out.printf("pre-filled %s: %,d records (%,d bad) in %.1f s%n", TOPIC, sent.records.get(), sent.bad(), fillSeconds);

      Map<String, String> settings = LocalSettings.forJobs(kafka.bootstrapServers(), data, checkpointInterval, parallelism);
      settings.put("kafka.topics", TOPIC);
      settings.put("bounded", "true");
      settings.putAll(extra);
      JobConfig config = JobConfig.of(BronzeIngestJob.SPEC, settings);
      StreamExecutionEnvironment env = LocalFlink.environment(JobEnvironment.flinkConfiguration(config));
      BronzeIngestJob.define(env, config);

      resetPeaks();
      OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
      long cpuStart = os.getProcessCpuTime();
      long runStart = System.nanoTime();
      JobID id = flink.submit(env, BronzeIngestJob.SPEC.name());
      flink.await(id);
      double runSeconds = seconds(runStart);
      double cpuSeconds = (os.getProcessCpuTime() - cpuStart) / 1e9;

      long rows = IcebergTables.rowCount(IcebergCatalogs.loader(config).loadCatalog(), BronzeEventsTable.IDENTIFIER);
      long expectedRows = sent.valid.get() + sent.duplicates.get();
      System.out.printf(
          "%s: %,d records in %.1f s = %,.0f records/s (submit to finish, job start-up included)%n",
          job, sent.records.get(), runSeconds, sent.records.get() / runSeconds);
      System.out.printf(
          "  cpu %.1f s of process time (%.2f cores busy on average, broker and job in one JVM), %.1f µs per record%n",
          cpuSeconds, cpuSeconds / runSeconds, cpuSeconds * 1e6 / sent.records.get());
      System.out.printf(
          "  memory: peak heap used %,d MiB, peak resident set %,d MiB (JVM %s, max heap %,d MiB, %d cores)%n",
          peakHeapBytes() >> 20, peakResidentKiB() >> 10, System.getProperty("java.version"),
          Runtime.getRuntime().maxMemory() >> 20, Runtime.getRuntime().availableProcessors());
      System.out.printf(
          "  settings: parallelism %d, %d partitions, checkpoint every %s, exactly-once sinks%s; bronze.events %,d rows (expected %,d)%n",
          parallelism, partitions, checkpointInterval, extra.isEmpty() ? "" : ", " + extra, rows, expectedRows);
      return rows == expectedRows ? 0 : 1;
    }
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  private static void resetPeaks() {
    System.gc();
    ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
  }

  private static long peakHeapBytes() {
    List<MemoryPoolMXBean> pools = ManagementFactory.getMemoryPoolMXBeans();
    return pools.stream().filter(p -> p.getType() == MemoryType.HEAP).mapToLong(p -> p.getPeakUsage().getUsed()).sum();
  }

  /** VmHWM of /proc/self/status: the peak resident set of the whole process, in KiB (0 where unknown). */
  private static long peakResidentKiB() throws IOException {
    Path status = Path.of("/proc/self/status");
    if (!Files.exists(status)) {
      return 0;
    }
    for (String line : Files.readAllLines(status)) {
      if (line.startsWith("VmHWM:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return 0;
  }
}
