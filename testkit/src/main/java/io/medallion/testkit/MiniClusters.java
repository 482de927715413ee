package io.medallion.testkit;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

/** The shared MiniCluster of an ITCase class: one TaskManager with two slots (parallelism 2), or as many as a test asks for. */
public final class MiniClusters {
  public static final int PARALLELISM = 2;

  private MiniClusters() {}

  /** Restarts are off: a failure fails the test, unless a failover test turns them on per job. */
  public static MiniClusterExtension extension() {
    return extension(new Configuration());
  }

  /** With extra cluster settings, e.g. an in-memory metric reporter. */
  public static MiniClusterExtension extension(Configuration extra) {
    return extension(extra, PARALLELISM);
  }

  /**
   * With extra cluster settings and {@code slots} slots, e.g. for two jobs of parallelism {@link
   * #PARALLELISM} that run at the same time.
   */
  public static MiniClusterExtension extension(Configuration extra, int slots) {
    Configuration config = new Configuration(extra);
    config.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    return new MiniClusterExtension(
        new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(slots)
            .setConfiguration(config)
            .build());
  }

  /**
   * Two TaskManagers of {@link #PARALLELISM} slots each, with a job's slots spread over both: a test
   * that loses one ({@code @InjectMiniCluster MiniCluster}, {@code terminateTaskManager(0)}) hits
   * the running job, which can restart on the other. Restarts are off as in {@link #extension()}.
   */
  public static MiniClusterExtension twoTaskManagers(Configuration extra) {
    Configuration config = new Configuration(extra);
    config.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    config.set(TaskManagerOptions.TASK_MANAGER_LOAD_BALANCE_MODE, TaskManagerOptions.TaskManagerLoadBalanceMode.SLOTS);
    return new MiniClusterExtension(
        new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(2)
            .setNumberSlotsPerTaskManager(PARALLELISM)
            .setConfiguration(config)
            .build());
  }
}
