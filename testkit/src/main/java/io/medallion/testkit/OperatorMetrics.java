package io.medallion.testkit;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.api.common.JobID;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.OperatorMetricGroup;
import org.apache.flink.runtime.testutils.InMemoryReporter;

/** Counters and gauges that a MiniCluster job's operators reported to Flink's {@link InMemoryReporter}. */
public final class OperatorMetrics {

  private OperatorMetrics() {}

  /**
   * The sum over all subtasks of the operators whose name matches {@code operatorPattern} (a regular
   * expression) of the counters whose identifier ends with {@code suffix}, e.g. {@code
   * medallion.recordsIn} or {@code error_code.MISSING_FIELD.deadLetters}.
   */
  public static long sum(InMemoryReporter reporter, JobID job, String operatorPattern, String suffix) {
    // After a restart the reporter keeps the failed attempt's groups beside the new ones, under the
    // same identifiers: count each prefix once, or every counter would be counted once per attempt.
    Set<String> prefixes = new HashSet<>();
    for (OperatorMetricGroup operator : reporter.findOperatorMetricGroups(job, operatorPattern)) {
      prefixes.add(operator.getMetricIdentifier(""));
    }
    long total = 0;
    for (Map.Entry<MetricGroup, Map<String, Metric>> group : reporter.getMetricsByGroup().entrySet()) {
      for (Map.Entry<String, Metric> metric : group.getValue().entrySet()) {
        String identifier = group.getKey().getMetricIdentifier(metric.getKey());
        if (identifier.endsWith(suffix) && metric.getValue() instanceof Counter counter && prefixes.stream().anyMatch(identifier::startsWith)) {
          total += counter.getCount();
        }
      }
    }
    return total;
  }

  /**
   * The values of the gauges of the operators whose name matches {@code operatorPattern}, by their
   * identifier after the operator's own groups when it starts with {@code prefix}, e.g. {@code
   * medallion.check.volume.scope.topic=raw.events,event_type=*.status}.
   */
  public static Map<String, Object> gauges(InMemoryReporter reporter, JobID job, String operatorPattern, String prefix) {
    Map<String, Object> values = new TreeMap<>();
    for (OperatorMetricGroup operator : reporter.findOperatorMetricGroups(job, operatorPattern)) {
      String operatorPrefix = operator.getMetricIdentifier("");
      for (Map.Entry<MetricGroup, Map<String, Metric>> group : reporter.getMetricsByGroup().entrySet()) {
        for (Map.Entry<String, Metric> metric : group.getValue().entrySet()) {
          String identifier = group.getKey().getMetricIdentifier(metric.getKey());
          if (identifier.startsWith(operatorPrefix + prefix) && metric.getValue() instanceof Gauge<?> gauge) {
            values.put(identifier.substring(operatorPrefix.length()), gauge.getValue());
          }
        }
      }
    }
    return values;
  }

  /**
   * How often {@code job} restarted: its {@code numRestarts} gauge. With restarts allowed, a job
   * that failed on a poison record may still finish; only this count shows that it failed.
   */
  public static long restarts(InMemoryReporter reporter, JobID job) {
    Map<String, Metric> restarts = reporter.findMetrics(job, ".*\\.numRestarts");
    if (restarts.isEmpty()) {
      throw new AssertionError("job " + job + " reported no numRestarts");
    }
    return restarts.values().stream().mapToLong(m -> ((Number) ((Gauge<?>) m).getValue()).longValue()).max().orElseThrow();
  }
}
