package io.medallion.testkit;

import java.time.Duration;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.runtime.minicluster.MiniCluster;

/** The faults the chaos ITCases inject into a running job, and how they check that it reacted. */
public final class Faults {

  private static final Fault NONE = () -> {};

  private Faults() {}

  /** Something that goes wrong while a job runs, after its first checkpointed commit. */
  @FunctionalInterface
  public interface Fault {
    void inject() throws Exception;
  }

  /** The broker stops and comes back on the same port with the same data. */
  public static Fault brokerRestart(KafkaBroker broker) {
    return broker::restart;
  }

  /** The first TaskManager of {@code cluster} dies; the caller starts a new one afterwards. */
  public static Fault taskManagerLoss(MiniCluster cluster) {
    return () -> cluster.terminateTaskManager(0).get();
  }

  /** No outside fault: the job's own injected failures (e.g. {@link FailTimes}) are the fault. */
  public static Fault none() {
    return NONE;
  }

  /**
   * The lake warehouses refuse every write for {@code duration}, then take writes again; the job's
   * warehouses must be on {@link WarehouseFileSystem} ({@link WarehouseFileSystem#onSwitchableWarehouses}).
   */
  public static Fault warehouseUnwritableFor(Duration duration) {
    return () -> WarehouseFileSystem.unwritableFor(duration.toMillis());
  }

  /** Whether the job has been through a restart since it was submitted. */
  public static boolean restarted(MiniCluster cluster, JobID job) throws Exception {
    return cluster.getExecutionGraph(job).get().getStatusTimestamp(JobStatus.RESTARTING) > 0;
  }
}
