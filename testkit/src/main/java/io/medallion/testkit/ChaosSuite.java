package io.medallion.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.table.data.RowData;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.testutils.junit.SharedObjectsExtension;
import org.apache.flink.testutils.junit.SharedReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chaos suite every job passes, as JUnit 5 tests: an exception after a completed checkpoint,
 * three failures in a row, a Kafka broker restart mid-stream, a TaskManager loss, the warehouse
 * unwritable for 20 s, and a stop with a savepoint and a resume from it at another parallelism.
 * A job's ChaosITCase extends it and runs its own course for each {@link ChaosCase}: its input in
 * parts around the disturbance ({@link ChaosRun}), the failures the case asks for injected into one
 * of its operators ({@link ChaosCase#failureInjection}), and afterwards the exact rows, dead letters
 * and a balanced audit ledger asserted.
 *
 * <p>Each class gets one broker and one MiniCluster of two TaskManagers (so that losing one hits
 * the running job, which restarts on the other).
 */
public abstract class ChaosSuite {
  @RegisterExtension protected static final MiniClusterExtension FLINK = MiniClusters.twoTaskManagers(new Configuration());

  @RegisterExtension protected static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

  @RegisterExtension protected final SharedObjectsExtension shared = SharedObjectsExtension.create();

  @TempDir protected Path dir;

  /** The checkpoint after which {@link #survivesAnExceptionAfterACompletedCheckpoint} throws: not the first. */
  static final long FAILING_CHECKPOINT = 3;

  /**
   * One case of the suite.
   *
   * @param name unique in the class; tests name their topics, groups and tables after it
   * @param parallelism the job's parallelism (before a resume)
   * @param failures how many failures the job's injection throws, {@code afterCheckpoint} or on one row
   * @param afterCheckpoint when positive, the single failure strikes after this checkpoint completes
   * @param restartAttempts the job's restart budget (Paimon's committer fails once on purpose after
   *     each restore, shared/PITFALLS.md: budgets count those too)
   * @param thrown how many failures the injection has thrown, shared with the restarted tasks
   * @param disturbance what strikes the running job
   */
  public record ChaosCase(
      String name,
      int parallelism,
      int failures,
      long afterCheckpoint,
      int restartAttempts,
      SharedReference<AtomicInteger> thrown,
      UnaryOperator<ChaosRun> disturbance) {

    /**
     * The map to put in front of the operator that fails: it throws {@link #failures} times, after
     * checkpoint {@link #afterCheckpoint}, or on the row whose string column {@code position} equals
     * {@code value}, each time it comes again. {@link #thrown} counts the failures.
     */
    public MapFunction<RowData, RowData> failureInjection(int position, String value) {
      return afterCheckpoint > 0 ? new FailAfterCheckpoint(afterCheckpoint, thrown) : new FailTimes(position, value, failures, thrown);
    }
  }

  /** Runs the job's course for {@code chaosCase}, asserts its exact outputs and ledger, and returns the last job's id. */
  protected abstract JobID run(ChaosCase chaosCase) throws Exception;

  /** The parallelism the job is stopped at with a savepoint; it resumes at the other one of 1 and 2. */
  protected abstract int parallelismBeforeSavepoint();

  @Test
  void survivesAnExceptionAfterACompletedCheckpoint(@InjectMiniCluster MiniCluster miniCluster) throws Exception {
    SharedReference<AtomicInteger> thrown = shared.add(new AtomicInteger());
    // The rest of the input waits for the failure: a bounded job would otherwise end before checkpoint 3.
    assertRestarted(
        miniCluster,
        run(new ChaosCase("after-checkpoint", MiniClusters.PARALLELISM, 1, FAILING_CHECKPOINT, 4, thrown, chaos -> chaos.injectedFailureStruckWhen(() -> thrown.get().get() == 1))));
  }

  @Test
  void survivesThreeFailuresInARow(@InjectMiniCluster MiniCluster miniCluster) throws Exception {
    assertRestarted(miniCluster, run(fault("thrice", 3, 10, Faults.none())));
  }

  @Test
  void survivesAKafkaBrokerRestartMidStream() throws Exception {
    run(fault("broker", 0, 10, Faults.brokerRestart(KAFKA.broker())));
  }

  @Test
  void survivesTheLossOfATaskManager(@InjectMiniCluster MiniCluster miniCluster) throws Exception {
    try {
      assertRestarted(miniCluster, run(fault("tm-loss", 0, 6, Faults.taskManagerLoss(miniCluster))));
    } finally {
      miniCluster.startTaskManager();
    }
  }

  @Test
  void survivesTheWarehouseUnwritableForTwentySeconds(@InjectMiniCluster MiniCluster miniCluster) throws Exception {
    // Every write attempt fails while the warehouse refuses writes: the budget is time, not attempts.
    assertRestarted(miniCluster, run(fault("unwritable", 0, 500, Faults.warehouseUnwritableFor(Duration.ofSeconds(20)))));
  }

  @Test
  void resumesFromASavepointAtAnotherParallelism() throws Exception {
    int before = parallelismBeforeSavepoint();
    assertTrue(before == 1 || before == 2, "the job stops at parallelism 1 or 2, not " + before);
    run(new ChaosCase("rescale", before, 0, 0, 4, shared.add(new AtomicInteger()), chaos -> chaos.rescaleThroughSavepoint(dir.resolve("savepoints"), 3 - before)));
  }

  /** A case at parallelism 2 where {@code fault} strikes the running job, and {@code failures} on a row. */
  private ChaosCase fault(String name, int failures, int restartAttempts, Faults.Fault fault) {
    return new ChaosCase(name, MiniClusters.PARALLELISM, failures, 0, restartAttempts, shared.add(new AtomicInteger()), chaos -> chaos.fault(fault));
  }

  private static void assertRestarted(MiniCluster miniCluster, JobID job) throws Exception {
    assertTrue(Faults.restarted(miniCluster, job), "the job restarted");
  }

  /** For a case's {@code run}: the injection threw exactly the failures the case asked for. */
  protected static void assertInjected(ChaosCase chaosCase) {
    assertEquals(chaosCase.failures(), chaosCase.thrown().get().get(), "injected failures");
  }
}
