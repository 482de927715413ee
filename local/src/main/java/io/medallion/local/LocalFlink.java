package io.medallion.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * One in-process Flink cluster (a MiniCluster) that several jobs can be submitted to, the way
 * they would be submitted to a real cluster: each job is built in its own environment.
 */
final class LocalFlink implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final MiniCluster cluster;
  private final HttpClient http = HttpClient.newHttpClient();

  LocalFlink(int slots) throws Exception {
    Configuration config = new Configuration();
    config.set(RestOptions.BIND_PORT, "0");
    config.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.ofMebiBytes(128));
    // Metrics read through the REST API are at most this old (default 10 s).
    config.set(MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL, Duration.ofMillis(200));
    cluster =
        new MiniCluster(
            new MiniClusterConfiguration.Builder()
                .setConfiguration(config)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(slots)
                .build());
    cluster.start();
  }

  /** Submits what was defined on {@code env} (see {@link #environment}) and returns its id. */
  JobID submit(StreamExecutionEnvironment env, String jobName) throws Exception {
    var graph = env.getStreamGraph();
    graph.setJobName(jobName);
    return cluster.submitJob(graph).get().getJobID();
  }

  /** An environment whose job settings are {@code jobConfiguration}; submit it with {@link #submit}. */
  static StreamExecutionEnvironment environment(Configuration jobConfiguration) {
    return new StreamExecutionEnvironment(jobConfiguration);
  }

  /**
   * The sum over all subtasks of every operator metric of the job whose name ends with {@code
   * suffix} (e.g. {@code medallion.recordsIn}), read through the cluster's REST API.
   */
  long sumOfMetric(JobID job, String suffix) throws Exception {
    URI rest = cluster.getRestAddress().get();
    long total = 0;
    for (JsonNode vertex : getJson(rest.resolve("/jobs/" + job)).path("vertices")) {
      String vertexPath = "/jobs/" + job + "/vertices/" + vertex.path("id").asText() + "/subtasks/metrics";
      List<String> ids = new ArrayList<>();
      for (JsonNode metric : getJson(rest.resolve(vertexPath))) {
        if (metric.path("id").asText().endsWith(suffix)) {
          ids.add(metric.path("id").asText());
        }
      }
      if (!ids.isEmpty()) {
        for (JsonNode value : getJson(rest.resolve(vertexPath + "?agg=sum&get=" + String.join(",", ids)))) {
          total += value.path("sum").asLong();
        }
      }
    }
    return total;
  }

  private JsonNode getJson(URI uri) throws Exception {
    HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("GET " + uri + " answered " + response.statusCode());
    }
    return JSON.readTree(response.body());
  }

  JobStatus status(JobID job) throws Exception {
    return cluster.getJobStatus(job).get();
  }

  /** Waits for the job to end; throws if it failed. */
  JobResult await(JobID job) throws Exception {
    JobResult result = cluster.requestJobResult(job).get();
    if (result.getSerializedThrowable().isPresent()) {
      throw new IllegalStateException(
          "job " + job + " failed", result.getSerializedThrowable().get().deserializeError(getClass().getClassLoader()));
    }
    return result;
  }

  void cancel(JobID job) throws Exception {
    cluster.cancelJob(job).get();
    cluster.requestJobResult(job).get();
  }

  @Override
  public void close() throws Exception {
    cluster.close();
  }
}
