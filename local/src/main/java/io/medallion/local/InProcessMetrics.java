package io.medallion.local;

import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.JobID;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;
import org.apache.flink.runtime.metrics.MetricNames;

/**
 * A metric reporter that keeps the counters of the local cluster's jobs in memory, so that the
 * commands running that cluster in this JVM can read them without the REST API's polling and
 * serialization. Flink instantiates reporters from their factory's class name, hence the static
 * registry; there is one local cluster per process.
 */
public final class InProcessMetrics implements MetricReporter, MetricReporterFactory {
  private static final String JOB_ID = "<job_id>";
  private static final String OPERATOR_NAME = "<operator_name>";
  /** How Flink names a source's operator; its {@code numRecordsIn} counts the records its reader emitted. */
  private static final String SOURCE_PREFIX = "Source: ";
  /** Flink's {@code numRestarts} gauge of each running job, by job id. */
  private static final Map<String, Gauge<?>> RESTARTS = new ConcurrentHashMap<>();
  private static final Map<Counter, Registration> COUNTERS = new ConcurrentHashMap<>();
  /**
   * The final counts of tasks that have finished: a bounded job's tasks finish one by one, and a
   * sum over the live counters alone would fall back when the first of them does.
   */
  private static final Map<Registration, Long> FINISHED = new ConcurrentHashMap<>();

  /** A counter's job, operator (empty for a task's counters) and name. */
  private record Registration(String jobId, String operator, String name) {
    boolean ofSource() {
      return operator.startsWith(SOURCE_PREFIX);
    }
  }

  /**
   * The sum of every counter of {@code job} with the given name, e.g. {@code recordsIn}, those of
   * finished tasks included (and so, after a restart, those of the failed attempt as well).
   */
  static long sum(JobID job, String name) {
    return sum(job, name, false);
  }

  /**
   * The sum of {@code job}'s source operators' counters with this name, e.g. {@code numRecordsIn}:
   * the records its sources read, for jobs (Flink SQL's) whose operators count no {@code recordsIn} of ours.
   */
  static long sumOfSources(JobID job, String name) {
    return sum(job, name, true);
  }

  /** How often the job has restarted since its submission; 0 for a job that is not running. */
  static long restarts(JobID job) {
    Gauge<?> restarts = RESTARTS.get(job.toHexString());
    return restarts == null ? 0 : ((Number) restarts.getValue()).longValue();
  }

  private static long sum(JobID job, String name, boolean sourcesOnly) {
    String id = job.toHexString();
    long total = 0;
    for (Map.Entry<Registration, Long> entry : FINISHED.entrySet()) {
      if (counts(entry.getKey(), id, name, sourcesOnly)) {
        total += entry.getValue();
      }
    }
    for (Map.Entry<Counter, Registration> entry : COUNTERS.entrySet()) {
      if (counts(entry.getValue(), id, name, sourcesOnly)) {
        total += entry.getKey().getCount();
      }
    }
    return total;
  }

  private static boolean counts(Registration registration, String jobId, String name, boolean sourcesOnly) {
    return registration.jobId.equals(jobId) && registration.name.equals(name) && (!sourcesOnly || registration.ofSource());
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
      COUNTERS.put(counter, new Registration(jobId, group.getAllVariables().getOrDefault(OPERATOR_NAME, ""), name));
    } else if (metric instanceof Gauge<?> gauge && jobId != null && name.equals(MetricNames.NUM_RESTARTS)) {
      RESTARTS.put(jobId, gauge);
    }
  }

  @Override
  public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
    if (metric instanceof Gauge<?> gauge) {
      RESTARTS.values().remove(gauge);
    }
    if (metric instanceof Counter counter) {
      Registration registration = COUNTERS.remove(counter);
      if (registration != null) {
        FINISHED.merge(registration, counter.getCount(), Long::sum);
      }
    }
  }
}
