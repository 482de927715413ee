package io.medallion.local;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.runtime.checkpoint.CompletedCheckpointStats;
import org.apache.flink.runtime.checkpoint.TaskStateStats;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.ErrorInfo;
import org.apache.flink.runtime.executiongraph.AccessExecutionJobVertex;
import org.apache.flink.runtime.jobmaster.JobResult;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.nio.file.Path;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * One in-process Flink cluster (a MiniCluster) that several jobs can be submitted to, the way
 * they would be submitted to a real cluster: each job is built in its own environment.
 */
final class LocalFlink implements AutoCloseable {
  /** Enough for silver's four Paimon writers of a subtask (64 MB write buffer each) in one slot. */
  private static final long MANAGED_MEMORY_MIB_PER_SLOT = 256;
  private final MiniCluster cluster;
  /** The index of the live TaskManager: the cluster never reuses the index of one it terminated. */
  private int taskManager;

  LocalFlink(int slots) throws Exception {
    Configuration config = new Configuration();
    config.set(RestOptions.BIND_PORT, "0");
    // Off heap: Paimon's writer buffers (64 MB per table and subtask) live here, not on the heap.
    config.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.ofMebiBytes(MANAGED_MEMORY_MIB_PER_SLOT * slots));
    InProcessMetrics.reporterSettings().forEach(config::setString);
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

  /** The sum over all subtasks of the job's counters with this name, e.g. {@code recordsIn}. */
  long sumOfCounter(JobID job, String name) {
    return InProcessMetrics.sum(job, name);
  }

  /** The records the job's sources have read so far (their operators' {@code numRecordsIn}). */
  long recordsReadBySources(JobID job) {
    return InProcessMetrics.sumOfSources(job, "numRecordsIn");
  }

  /**
   * Each task's state in the job's latest completed checkpoint, in bytes by task name (the chained
   * operators' names); empty before the first checkpoint completes.
   */
  Map<String, Long> checkpointedStateBytes(JobID job) throws Exception {
    AccessExecutionGraph graph = cluster.getExecutionGraph(job).get();
    CheckpointStatsSnapshot stats = graph.getCheckpointStatsSnapshot();
    CompletedCheckpointStats latest = stats == null ? null : stats.getHistory().getLatestCompletedCheckpoint();
    Map<String, Long> bytes = new LinkedHashMap<>();
    if (latest != null) {
      for (AccessExecutionJobVertex task : graph.getVerticesTopologically()) {
        TaskStateStats state = latest.getTaskStateStats(task.getJobVertexId());
        if (state != null) {
          bytes.put(task.getName(), state.getStateSize());
        }
      }
    }
    return bytes;
  }

  /**
   * Loses the TaskManager, as when its machine dies, and starts a new one with as many slots: every
   * job running on it fails and restarts from its latest checkpoint once the new one has registered.
   */
  void replaceTaskManager() throws Exception {
    cluster.terminateTaskManager(taskManager).get();
    cluster.startTaskManager();
    taskManager++;
  }

  /** How often the job has restarted since it was submitted (its {@code numRestarts}). */
  long restarts(JobID job) {
    return InProcessMetrics.restarts(job);
  }

  /** The stack trace of the job's latest failure, if it failed since submission, even if it has restarted since. */
  Optional<String> latestFailure(JobID job) throws Exception {
    return Optional.ofNullable(cluster.getExecutionGraph(job).get().getFailureInfo()).map(ErrorInfo::getExceptionAsString);
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

  /** Stops the job with a savepoint into {@code directory}: its sinks commit everything they took, then it ends. */
  void stop(JobID job, Path directory) throws Exception {
    cluster.stopWithSavepoint(job, directory.toUri().toString(), false, SavepointFormatType.CANONICAL).get();
    cluster.requestJobResult(job).get();
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
