package io.medallion.local;

import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.JobID;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * A metric reporter that keeps the counters of the local cluster's jobs in memory, so that the
 * commands running that cluster in this JVM can read them without the REST API's polling and
 * serialization. Flink instantiates reporters from their factory's class name, hence the static
 * registry; there is one local cluster per process.
 */
public final class InProcessMetrics implements MetricReporter, MetricReporterFactory {
  private static final String JOB_ID = "<job_id>";
  private static final Map<Counter, Registration> COUNTERS = new ConcurrentHashMap<>();

  private record Registration(String jobId, String name) {}

  /** The sum of every counter of {@code job} with the given name, e.g. {@code recordsIn}. */
  static long sum(JobID job, String name) {
    String id = job.toHexString();
    long total = 0;
    for (Map.Entry<Counter, Registration> entry : COUNTERS.entrySet()) {
      if (entry.getValue().jobId.equals(id) && entry.getValue().name.equals(name)) {
        total += entry.getKey().getCount();
      }
    }
    return total;
  }

  /** The settings that install this reporter in a cluster's configuration. */
  static Map<String, String> reporterSettings() {
    return Map.of("metrics.reporter.in-process.factory.class", InProcessMetrics.class.getName());
  }

  @Override
  public MetricReporter createMetricReporter(Properties properties) {
    return this;
  }

  @Override
  public void open(MetricConfig config) {}

  @Override
  public void close() {}

  @Override
  public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
    String jobId = group.getAllVariables().get(JOB_ID);
    if (metric instanceof Counter counter && jobId != null) {
      COUNTERS.put(counter, new Registration(jobId, name));
    }
  }

  @Override
  public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
    if (metric instanceof Counter counter) {
      COUNTERS.remove(counter);
    }
  }
}
