package io.medallion.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.medallion.common.config.ConfigOptions;
import io.medallion.common.config.JobArgs;
import io.medallion.common.config.JobConfig;
import io.medallion.common.config.JobSpec;
import io.medallion.common.flink.JobEnvironment;
import io.medallion.common.quality.QualityChecks;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.aws.AwsClientProperties;
import org.apache.iceberg.aws.s3.S3FileIOProperties;
import org.apache.paimon.options.CatalogOptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each FlinkDeployment starts a job the build knows, and that job accepts what the pod gives it: its
 * job.args and the mounted config file go through the job's own parser with exactly the
 * environment the manifest provides, so a renamed or mistyped key, or a secret the pod lacks, fails
 * here and not at start on the cluster. Settings the job's configuration and the manifest could
 * both make have one owner.
 */
class JobConfigContractTest {
  /** The job configuration's reference to an environment variable (shared/DESIGN.md §6). */
  private static final Pattern ENV_REFERENCE = Pattern.compile("\\$\\{ENV:([A-Za-z_][A-Za-z0-9_]*)}");
  /** A Kafka broker's default transaction.max.timeout.ms: a longer producer timeout fails InitProducerId. */
  private static final Duration BROKER_MAX_TRANSACTION_TIMEOUT = Duration.ofMinutes(15);

  static Stream<String> overlays() {
    return Deploy.overlays().stream();
  }

  static Stream<Arguments> deployments() {
    return Deploy.overlays().stream()
        .flatMap(overlay -> Deploy.ofKind(Deploy.render(overlay), Deploy.FLINK_DEPLOYMENT).stream()
            .map(deployment -> Arguments.of(overlay, Deploy.name(deployment))));
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void everyJobIsDeployedOnceUnderItsName(String overlay) {
    assertThat(Deploy.ofKind(Deploy.render(overlay), Deploy.FLINK_DEPLOYMENT).stream().map(Deploy::name))
        .containsExactlyInAnyOrderElementsOf(Deploy.JOBS.keySet().stream().map(JobSpec::name).toList());
  }

  @ParameterizedTest
  @MethodSource("deployments")
  void theJobAcceptsItsArgumentsConfigAndEnvironment(String overlay, String name, @TempDir Path container) {
    Job job = job(overlay, name, container);
    if (job.spec().needs().contains(JobSpec.Needs.QUALITY_CHECKS)) {
      Path checks = job.pod().materialize(job.config().get(ConfigOptions.QUALITY_CHECKS), container);
      assertThat(QualityChecks.load(checks, job.config().get(ConfigOptions.QUALITY_WINDOW))).isNotEmpty();
    }
  }

  @ParameterizedTest
  @MethodSource("deployments")
  void everyEnvironmentReferenceInTheMountedConfigIsProvided(String overlay, String name) {
    FlinkPod pod = pod(overlay, name);
    Set<String> provided = pod.env().keySet();
    for (String configMap : pod.mountedConfigMaps()) {
      Deploy.named(pod.resources(), "ConfigMap", configMap).get("data").fields().forEachRemaining(data -> {
        Matcher reference = ENV_REFERENCE.matcher(data.getValue().asText());
        while (reference.find()) {
          assertThat(provided).as("%s %s: ${ENV:%s} in %s/%s", overlay, name, reference.group(1), configMap, data.getKey()).contains(reference.group(1));
        }
      });
    }
  }

  /** A Secret an overlay renders must hold the key; one it only names must be in the README's instructions. */
  @ParameterizedTest
  @MethodSource("deployments")
  void everySecretTheEnvironmentNamesExistsOrIsDocumented(String overlay, String name) {
    FlinkPod pod = pod(overlay, name);
    String readme = Deploy.read(Deploy.README);
    for (FlinkPod.EnvSource source : pod.env().values()) {
      if (!source.fromSecret()) {
        continue;
      }
      boolean rendered = Deploy.ofKind(pod.resources(), "Secret").stream().anyMatch(s -> Deploy.name(s).equals(source.secret()));
      if (rendered) {
        assertThat(pod.secretValue(source.secret(), source.key())).as("%s %s: %s", overlay, name, source).isPresent();
      } else {
        assertThat(readme).as("README.md tells how to create %s with key %s", source.secret(), source.key())
            .contains(source.secret()).contains(source.key());
      }
    }
  }

  /**
   * The job's configuration wins over the cluster's (StreamContextEnvironment merges it last), so a
   * key both set is decided silently by the job: each belongs to one side. The job owns the
   * checkpoint interval and timeout and its pipeline options; the manifest owns state locations,
   * state backend, restarts and parallelism (job.parallelism, which the operator passes as
   * parallelism.default, and which the autoscaler overrides).
   */
  @ParameterizedTest
  @MethodSource("deployments")
  void theJobConfigurationAndTheManifestSetDisjointFlinkOptions(String overlay, String name, @TempDir Path container) {
    Job job = job(overlay, name, container);
    Set<String> manifest = new HashSet<>(FlinkConfigurationTest.flinkConfiguration(job.pod().deployment()).keySet());
    if (job.pod().deployment().at("/spec/job").has("parallelism")) {
      manifest.add(CoreOptions.DEFAULT_PARALLELISM.key());
    }
    Set<String> fromJob = JobEnvironment.flinkConfiguration(job.config()).toMap().keySet();
    assertThat(fromJob).as("%s %s: Flink options its config sets", overlay, name).doesNotContainAnyElementsOf(manifest);
  }

  @ParameterizedTest
  @MethodSource("deployments")
  void timeoutsAndLatenessFitTheCheckpointsAndRestarts(String overlay, String name, @TempDir Path container) {
    Job job = job(overlay, name, container);
    Duration interval = job.config().get(ConfigOptions.CHECKPOINT_INTERVAL);
    Duration maxBackoff = Configuration.fromMap(FlinkConfigurationTest.flinkConfiguration(job.pod().deployment()))
        .get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF);
    Duration transactions = job.config().get(ConfigOptions.KAFKA_TRANSACTION_TIMEOUT);
    // A transaction a later checkpoint commits must outlive the checkpoint interval and a restart.
    assertThat(transactions).as("kafka.transaction-timeout").isGreaterThan(interval.plus(maxBackoff)).isLessThan(BROKER_MAX_TRANSACTION_TIMEOUT);
    // The monitor sees dead letters when bronze and silver commit them, one checkpoint late.
    assertThat(job.config().get(ConfigOptions.QUALITY_ALLOWED_LATENESS)).as("quality.allowed-lateness").isGreaterThan(interval);
  }

  /**
   * The catalogs take iceberg.catalog.* and paimon.catalog.* as they are and ignore a key they do
   * not know, so a misspelt key would pass the job's parser: each must be a key Iceberg or Paimon
   * declares. Iceberg's are its own constants (inlined by the compiler: S3FileIOProperties cannot
   * be initialized without the AWS SDK, which only the image has); Paimon's S3 file IO is not on
   * this class path either (Paimon documentation, Filesystems: S3). A new key goes here first.
   */
  @ParameterizedTest
  @MethodSource("deployments")
  void catalogKeysAreOnesTheCatalogsRead(String overlay, String name, @TempDir Path container) throws Exception {
    JobConfig config = job(overlay, name, container).config();
    Set<String> iceberg = Set.of(
        "type",
        CatalogProperties.URI,
        CatalogProperties.WAREHOUSE_LOCATION,
        CatalogProperties.FILE_IO_IMPL,
        S3FileIOProperties.ENDPOINT,
        S3FileIOProperties.PATH_STYLE_ACCESS,
        S3FileIOProperties.ACCESS_KEY_ID,
        S3FileIOProperties.SECRET_ACCESS_KEY,
        AwsClientProperties.CLIENT_REGION);
    Map<String, String> icebergKeys = config.withPrefix(ConfigOptions.ICEBERG_CATALOG_PREFIX);
    assertThat(iceberg).as("%s %s", overlay, name).containsAll(icebergKeys.keySet());
    if (icebergKeys.containsKey(CatalogProperties.FILE_IO_IMPL)) {
      Class.forName(icebergKeys.get(CatalogProperties.FILE_IO_IMPL), false, getClass().getClassLoader());
    }

    Set<String> paimon = Set.of(CatalogOptions.WAREHOUSE.key(), "s3.endpoint", "s3.access-key", "s3.secret-key", "s3.path.style.access");
    assertThat(paimon).as("%s %s", overlay, name).containsAll(config.withPrefix(ConfigOptions.PAIMON_CATALOG_PREFIX).keySet());
  }

  private record Job(JobSpec spec, FlinkPod pod, JobConfig config) {}

  /** The job of a FlinkDeployment, configured as it would be in its pod. */
  private static Job job(String overlay, String name, Path container) {
    FlinkPod pod = pod(overlay, name);
    JobSpec spec = Deploy.JOBS.keySet().stream().filter(s -> s.name().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError(overlay + ": FlinkDeployment " + name + " is no job of the build"));
    List<String> args = new ArrayList<>();
    for (JsonNode arg : pod.deployment().at("/spec/job/args")) {
      String text = arg.asText();
      args.add(pod.configMapFile(text).isPresent() ? pod.materialize(text, container).toString() : text);
    }
    return new Job(spec, pod, JobArgs.load(spec, args.toArray(String[]::new), environment(pod)));
  }

  /** The pod's environment: literal values, and Secret values where the overlay renders the Secret. */
  private static Map<String, String> environment(FlinkPod pod) {
    Map<String, String> env = new LinkedHashMap<>();
    pod.env().values().forEach(source -> env.put(source.name(), source.fromSecret()
        ? pod.secretValue(source.secret(), source.key()).orElse("<" + source.secret() + "/" + source.key() + ">")
        : source.value()));
    return env;
  }

  private static FlinkPod pod(String overlay, String name) {
    List<ObjectNode> resources = Deploy.render(overlay);
    return new FlinkPod(Deploy.named(resources, Deploy.FLINK_DEPLOYMENT, name), resources);
  }
}
