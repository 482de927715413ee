package io.medallion.testkit;

import java.util.Map;
import org.apache.flink.api.common.JobID;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.OperatorMetricGroup;
import org.apache.flink.runtime.testutils.InMemoryReporter;

/** Sums of counters that a MiniCluster job's operators reported to Flink's {@link InMemoryReporter}. */
public final class OperatorMetrics {

  private OperatorMetrics() {}

  /**
   * The sum over all subtasks of the operators whose name matches {@code operatorPattern} (a regular
   * expression) of the counters whose identifier ends with {@code suffix}, e.g. {@code
   * medallion.recordsIn} or {@code error_code.MISSING_FIELD.deadLetters}.
   */
  public static long sum(InMemoryReporter reporter, JobID job, String operatorPattern, String suffix) {
    long total = 0;
    for (OperatorMetricGroup operator : reporter.findOperatorMetricGroups(job, operatorPattern)) {
      String prefix = operator.getMetricIdentifier("");
      for (Map.Entry<MetricGroup, Map<String, Metric>> group : reporter.getMetricsByGroup().entrySet()) {
        for (Map.Entry<String, Metric> metric : group.getValue().entrySet()) {
          String identifier = group.getKey().getMetricIdentifier(metric.getKey());
          if (identifier.startsWith(prefix) && identifier.endsWith(suffix) && metric.getValue() instanceof Counter counter) {
            total += counter.getCount();
          }
        }
      }
    }
    return total;
  }
}
