package io.medallion.testkit;

import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.ExceptionUtils;

/**
 * The course of every chaos ITCase: the job starts, the first part of the input arrives and is
 * committed by a checkpoint, the second part arrives, the disturbance strikes the running job (a
 * {@link Faults.Fault}, or a stop with a savepoint and a resume from it at another parallelism),
 * the rest arrives, and the job, bounded at the input's known end, finishes by itself. The test
 * keeps what is specific to its job: the topology, the parts and what the tables must hold after.
 *
 * <pre>{@code
 * JobID job = ChaosRun.of("bronze-chaos", flinkConfiguration, env -> BronzeIngestJob.build(env, ...))
 *     .first(() -> kafka.produce(parts.get(0)))
 *     .committedWhen(() -> rowCount() == firstRows)
 *     .then(() -> kafka.produce(parts.get(1)))
 *     .fault(Faults.brokerRestart(kafka))
 *     .rest(() -> kafka.produce(parts.get(2)))
 *     .toTheEnd();
 * }</pre>
 */
public final class ChaosRun {
  private static final int SAVEPOINT_ATTEMPTS = 20;
  private static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(90);

  /** One step of a run, e.g. producing a part of the input. */
  @FunctionalInterface
  public interface Step {
    void run() throws Exception;
  }

  /** Adds the job under test to an environment; called again, on a new one, for a resume from a savepoint. */
  @FunctionalInterface
  public interface Topology {
    void define(StreamExecutionEnvironment env) throws Exception;
  }

  private final String jobName;
  private final Configuration configuration;
  private final Topology topology;
  private Step first = () -> {};
  private Callable<Boolean> firstCommitted;
  private Step then = () -> {};
  private Faults.Fault fault = Faults.none();
  private Callable<Boolean> injectedFailureStruck;
  private Path savepoints;
  private int resumedParallelism;
  private Step rest = () -> {};
  private Callable<Boolean> resumedHasReadAll;

  private ChaosRun(String jobName, Configuration configuration, Topology topology) {
    this.jobName = jobName;
    this.configuration = configuration;
    this.topology = topology;
  }

  /** A run of {@code topology} with the job's Flink {@code configuration} (restarts on, see {@link TestSources#withRestarts}). */
  public static ChaosRun of(String jobName, Configuration configuration, Topology topology) {
    return new ChaosRun(jobName, configuration, topology);
  }

  /** The first part of the input, sent once the job has been submitted. */
  public ChaosRun first(Step step) {
    this.first = step;
    return this;
  }

  /** When the first part is committed (checkpointed): only then does the rest follow. */
  public ChaosRun committedWhen(Callable<Boolean> committed) {
    this.firstCommitted = committed;
    return this;
  }

  /** The second part, sent before the disturbance. */
  public ChaosRun then(Step step) {
    this.then = step;
    return this;
  }

  /** What strikes the running job after the second part. */
  public ChaosRun fault(Faults.Fault fault) {
    this.fault = fault;
    return this;
  }

  /**
   * Instead of an outside fault: the job's own injected failure, which strikes at a moment the job
   * chooses (e.g. when a checkpoint completes); the rest of the input waits until {@code struck}
   * holds, so a bounded job cannot end before it.
   */
  public ChaosRun injectedFailureStruckWhen(Callable<Boolean> struck) {
    this.injectedFailureStruck = struck;
    return this;
  }

  /**
   * Instead of a fault: the job stops with a savepoint (into {@code savepoints}, without draining)
   * and is defined again and resumed from it at {@code parallelism}.
   */
  public ChaosRun rescaleThroughSavepoint(Path savepoints, int parallelism) {
    this.savepoints = savepoints;
    this.resumedParallelism = parallelism;
    return this;
  }

  /**
   * For a resumed job whose bounded Kafka source would never finish: a restored {@code
   * KafkaSourceEnumerator} (flink-connector-kafka 4.0.1) finds every partition assigned already and
   * never signals "no more splits" (FLINK-33466, FLINK-31006). Once {@code readAll} holds, the
   * resumed job stops with a drained savepoint, which fires every window and commits every sink as
   * the end of input would.
   */
  public ChaosRun resumedStopsWhen(Callable<Boolean> readAll) {
    this.resumedHasReadAll = readAll;
    return this;
  }

  /** The rest of the input, after the disturbance. */
  public ChaosRun rest(Step step) {
    this.rest = step;
    return this;
  }

  /**
   * Stops the job with a savepoint. A task that is just finishing (a source at the end of its
   * known offsets) declines the savepoint and the job runs on; once it has finished, the savepoint
   * covers it (checkpoints after tasks finish), so the stop is asked for again.
   */
  private String stopWithSavepoint(JobClient job) throws Exception {
    for (int attempt = 1; ; attempt++) {
      try {
        return job.stopWithSavepoint(false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL).get();
      } catch (ExecutionException declined) {
        boolean closing = ExceptionUtils.findThrowableWithMessage(declined, "task is closing").isPresent();
        if (!closing || attempt == SAVEPOINT_ATTEMPTS || job.getJobStatus().get() != JobStatus.RUNNING) {
          throw declined;
        }
      }
    }
  }

  /** Runs the course and waits until the job finishes; a failed job fails here. Returns the last job's id. */
  public JobID toTheEnd() throws Exception {
    if (firstCommitted == null) {
      throw new IllegalStateException("say when the first part is committed: the disturbance must follow a completed checkpoint");
    }
    JobClient job = submit(configuration, "");
    first.run();
    await().atMost(COMMIT_TIMEOUT).until(firstCommitted);
    then.run();
    // The job's own injected failures (Faults.none()) may have struck already; anything else must
    // strike a running job, or it would test a restart rather than the job.
    JobStatus status = job.getJobStatus().get();
    if (fault != Faults.none() && status != JobStatus.RUNNING) {
      throw new IllegalStateException("the disturbance must strike a running job, but it is " + status);
    }
    if (injectedFailureStruck != null) {
      await().atMost(COMMIT_TIMEOUT).until(injectedFailureStruck);
    } else if (savepoints == null) {
      fault.inject();
    } else {
      String savepoint = stopWithSavepoint(job);
      Configuration resumed = new Configuration(configuration);
      resumed.set(CoreOptions.DEFAULT_PARALLELISM, resumedParallelism);
      resumed.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
      job = submit(resumed, "-resumed");
    }
    rest.run();
    if (savepoints != null && resumedHasReadAll != null) {
      JobClient resumedJob = job;
      // A job that fails meanwhile ends the wait: its result below names the cause.
      await().atMost(COMMIT_TIMEOUT).until(() -> resumedJob.getJobStatus().get().isGloballyTerminalState() || resumedHasReadAll.call());
      if (!job.getJobStatus().get().isGloballyTerminalState()) {
        job.stopWithSavepoint(true, savepoints.toUri().toString(), SavepointFormatType.CANONICAL).get();
      }
    }
    job.getJobExecutionResult().get();
    return job.getJobID();
  }

  private JobClient submit(Configuration flink, String suffix) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
    topology.define(env);
    return env.executeAsync(jobName + suffix);
  }
}
