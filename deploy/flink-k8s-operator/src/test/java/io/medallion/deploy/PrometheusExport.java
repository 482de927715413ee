package io.medallion.deploy;

import io.medallion.common.flink.StageMetrics;
import io.medallion.quality.QualityMonitorJob;
import io.medallion.silver.DeduplicateFunction;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.ConfigConstants;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.checkpoint.DefaultCheckpointStatsTracker;
import org.apache.flink.runtime.clusterframework.types.ResourceID;
import org.apache.flink.runtime.executiongraph.ExecutionAttemptID;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.metrics.MetricNames;
import org.apache.flink.runtime.metrics.MetricRegistryConfiguration;
import org.apache.flink.runtime.metrics.MetricRegistryImpl;
import org.apache.flink.runtime.metrics.ReporterSetup;
import org.apache.flink.runtime.metrics.groups.InternalOperatorMetricGroup;
import org.apache.flink.runtime.metrics.groups.InternalSourceReaderMetricGroup;
import org.apache.flink.runtime.metrics.groups.JobManagerJobMetricGroup;
import org.apache.flink.runtime.metrics.groups.JobManagerMetricGroup;
import org.apache.flink.runtime.metrics.groups.TaskManagerMetricGroup;
import org.apache.paimon.flink.metrics.FlinkMetricRegistry;
import org.apache.paimon.operation.metrics.CommitMetrics;

/**
 * The metrics a medallion job's pods export, as Prometheus scrapes them: Flink's own metric registry
 * with the reporter the manifest configures, fed by the registration code of the jobs (and of Flink,
 * Iceberg and Paimon) wherever it can run outside a job, and read back from the reporter's HTTP
 * endpoint on 127.0.0.1. Names and label names, not values, are what tests use.
 */
final class PrometheusExport {
  private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})?\\s");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"");

  private PrometheusExport() {}

  /**
   * Every exported metric name with its label names.
   *
   * @param flinkConfiguration a FlinkDeployment's flinkConfiguration; its metrics.reporter.* keys
   *     configure the reporter, on a free port instead of the manifest's
   */
  static Map<String, Set<String>> scrape(Map<String, String> flinkConfiguration) throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    Configuration reporters = new Configuration();
    for (Map.Entry<String, String> entry : flinkConfiguration.entrySet()) {
      if (entry.getKey().startsWith(ConfigConstants.METRICS_REPORTER_PREFIX)) {
        reporters.setString(entry.getKey(), entry.getKey().endsWith(".port") ? Integer.toString(port) : entry.getValue());
      }
    }
    var setups = ReporterSetup.fromConfiguration(reporters, null);
    if (setups.size() != 1) {
      throw new IllegalStateException("expected one metric reporter from the manifest, Flink configured " + setups.size());
    }
    MetricRegistryImpl registry = new MetricRegistryImpl(MetricRegistryConfiguration.fromConfiguration(reporters, Long.MAX_VALUE), setups);
    try {
      register(registry);
      return parse(get("http://127.0.0.1:" + port + "/metrics"));
    } finally {
      registry.closeAsync().get();
    }
  }

  private static void register(MetricRegistryImpl registry) throws Exception {
    JobManagerJobMetricGroup job = JobManagerMetricGroup.createJobManagerMetricGroup(registry, "jobmanager").addJob(new JobID(), "a-job");
    // The scheduler registers the restart count; the checkpoint statistics register themselves.
    job.gauge(MetricNames.NUM_RESTARTS, () -> 0L);
    new DefaultCheckpointStatsTracker(1, job);

    InternalOperatorMetricGroup operator = TaskManagerMetricGroup.createTaskManagerMetricGroup(registry, "taskmanager", ResourceID.generate())
        .addJob(new JobID(), "a-job")
        .addTask(ExecutionAttemptID.randomId(), "a-task")
        .getOrAddOperator(new OperatorID(), "an-operator");
    new StageMetrics(operator);
    operator.addGroup(StageMetrics.GROUP).counter(DeduplicateFunction.DUPLICATES_DROPPED);
    operator.addGroup(StageMetrics.GROUP)
        .addGroup(QualityMonitorJob.CHECK_LABEL, "a-check")
        .addGroup(QualityMonitorJob.SCOPE_LABEL, "a-scope")
        .gauge(QualityMonitorJob.STATUS_GAUGE, () -> 0);
    // The Kafka source reports its lag through the source reader group.
    InternalSourceReaderMetricGroup.wrap(operator).setPendingRecordsGauge(() -> 0L);
    // The lake sinks' committers: Paimon's commit metrics and Iceberg's (package-private) committer metrics.
    new CommitMetrics(new FlinkMetricRegistry(operator), "a_db.a_table");
    Constructor<?> iceberg = Class.forName("org.apache.iceberg.flink.sink.IcebergFilesCommitterMetrics")
        .getDeclaredConstructor(MetricGroup.class, String.class);
    iceberg.setAccessible(true);
    iceberg.newInstance(operator, "a_db.a_table");
  }

  private static String get(String url) throws IOException, InterruptedException {
    HttpResponse<String> response = HttpClient.newHttpClient()
        .send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException(url + " answered " + response.statusCode());
    }
    return response.body();
  }

  private static Map<String, Set<String>> parse(String exposition) {
    Map<String, Set<String>> metrics = new TreeMap<>();
    for (String line : exposition.lines().toList()) {
      Matcher sample = SAMPLE.matcher(line);
      if (line.startsWith("#") || !sample.find()) {
        continue;
      }
      Set<String> labels = metrics.computeIfAbsent(sample.group(1), name -> new TreeSet<>());
      if (sample.group(3) != null) {
        Matcher label = LABEL.matcher(sample.group(3));
        while (label.find()) {
          labels.add(label.group(1));
        }
      }
    }
    return metrics;
  }
}
