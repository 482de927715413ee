package io.medallion.local;

import io.medallion.common.config.ConfigOptions;
import io.medallion.common.config.JobArgs;
import io.medallion.common.config.JobConfig;
import io.medallion.common.flink.JobEnvironment;
import java.util.ArrayList;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = "Run one job on a local Flink MiniCluster against the configured Kafka and warehouse.")
final class RunCommand implements Callable<Integer> {
  private static final int DEFAULT_PARALLELISM = 2;

  @Parameters(index = "0", description = "the job: ${COMPLETION-CANDIDATES}", completionCandidates = JobNames.class)
  String job;

  /** The same --config, --set and --source as the job jars take. */
  @Mixin JobArgs jobArgs = new JobArgs();

  static final class JobNames extends ArrayList<String> {
    private static final long serialVersionUID = 1L;

    JobNames() {
      super(JobCatalog.names());
    }
  }

  @Override
  public Integer call() throws Exception {
    JobCatalog entry = JobCatalog.byName(job);
    JobConfig jobConfig = jobArgs.load(entry.spec, System.getenv());
    Configuration flink = JobEnvironment.flinkConfiguration(jobConfig);
    int parallelism = jobConfig.getOptional(ConfigOptions.PARALLELISM).orElse(DEFAULT_PARALLELISM);
    flink.set(CoreOptions.DEFAULT_PARALLELISM, parallelism);
    try (LocalFlink cluster = new LocalFlink(parallelism)) {
      StreamExecutionEnvironment env = LocalFlink.environment(flink);
      entry.definition.define(env, jobConfig);
      JobID id = cluster.submit(env, entry.spec.name());
      System.out.printf(
          "%s: running on a local MiniCluster (parallelism %d, job %s)%s%n",
          entry.spec.name(), parallelism, id, jobConfig.get(ConfigOptions.BOUNDED) ? "; stops at the latest offsets" : "; Ctrl-C to stop");
      Thread stopper = new Thread(() -> cancelQuietly(cluster, id), "medallion-stop");
      Runtime.getRuntime().addShutdownHook(stopper);
      cluster.await(id);
      Runtime.getRuntime().removeShutdownHook(stopper);
      System.out.printf("%s: finished%n", entry.spec.name());
    }
    return 0;
  }

  private static void cancelQuietly(LocalFlink cluster, JobID id) {
    try {
      cluster.cancel(id);
    } catch (Exception e) {
      // The JVM is exiting: a job that already ended cannot be cancelled, and that is fine.
      System.err.println("medallion: stopping " + id + ": " + e.getMessage());
    }
  }
}
