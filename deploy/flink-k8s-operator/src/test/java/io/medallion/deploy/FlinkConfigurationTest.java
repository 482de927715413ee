package io.medallion.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.reflect.Field;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigConstants;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.HighAvailabilityOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.metrics.prometheus.PrometheusReporterFactory;
import org.apache.flink.metrics.reporter.MetricReporterFactory;
import org.apache.flink.runtime.executiongraph.failover.RestartBackoffTimeStrategyFactoryLoader;
import org.apache.flink.runtime.state.StateBackendLoader;
import org.apache.flink.util.TimeUtils;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every flinkConfiguration key of every FlinkDeployment is one Flink 2.0.2 declares (many 1.x keys
 * are gone), or a documented key of an S3 file system plugin or of the operator, and its value
 * parses; what Flink builds from it is what the manifests promise; and the operator's own
 * validation (DefaultValidator of operator 1.15) accepts each deployment.
 */
class FlinkConfigurationTest {
  /**
   * Read by the Flink Kubernetes Operator 1.15, not by Flink (operator documentation, Operations:
   * Configuration and Autoscaler), with the parser of their value type.
   */
  private static final Map<String, Class<?>> OPERATOR_KEYS = Map.of(
      "kubernetes.operator.periodic.savepoint.interval", java.time.Duration.class,
      "kubernetes.operator.deployment.rollback.enabled", Boolean.class,
      "job.autoscaler.enabled", Boolean.class,
      "job.autoscaler.scaling.enabled", Boolean.class,
      "job.autoscaler.metrics.window", java.time.Duration.class,
      "job.autoscaler.stabilization.interval", java.time.Duration.class,
      "job.autoscaler.target.utilization", Double.class);

  /**
   * Read by Flink's S3 file system plugins, which are not on this class path (Flink documentation,
   * File Systems: Amazon S3; flink-s3-fs-hadoop passes s3.* on as fs.s3a.*).
   */
  private static final Map<String, Class<?>> S3_PLUGIN_KEYS = Map.of("s3.endpoint", String.class, "s3.path.style.access", Boolean.class);

  static Stream<String> overlays() {
    return Deploy.overlays().stream();
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void everyKeyIsCurrentAndEveryValueParses(String overlay) throws Exception {
    Set<String> reporterKeys = reporterKeys();
    for (JsonNode deployment : Deploy.ofKind(Deploy.render(overlay), Deploy.FLINK_DEPLOYMENT)) {
      for (Map.Entry<String, String> entry : flinkConfiguration(deployment).entrySet()) {
        String key = entry.getKey();
        String where = overlay + " " + Deploy.name(deployment) + " " + key;
        ConfigOption<?> option = FlinkOptions.option(key);
        if (option != null) {
          assertThatCode(() -> Configuration.fromMap(Map.of(key, entry.getValue())).get(option)).as(where).doesNotThrowAnyException();
        } else if (key.startsWith(ConfigConstants.METRICS_REPORTER_PREFIX)) {
          String[] parts = key.substring(ConfigConstants.METRICS_REPORTER_PREFIX.length()).split("\\.", 2);
          assertThat(reporterKeys).as(where).contains(parts[1]);
        } else if (OPERATOR_KEYS.containsKey(key) || S3_PLUGIN_KEYS.containsKey(key)) {
          Class<?> type = OPERATOR_KEYS.getOrDefault(key, S3_PLUGIN_KEYS.get(key));
          assertThatCode(() -> parse(type, entry.getValue())).as(where).doesNotThrowAnyException();
        } else {
          assertThat(FlinkOptions.replacement(key)).as("%s: a deprecated key", where).isNull();
          throw new AssertionError(where + ": not an option of Flink 2.0.2, its S3 plugins or the operator");
        }
      }
    }
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void flinkBuildsTheStateBackendRestartStrategyAndReporterTheManifestsName(String overlay) throws Exception {
    for (JsonNode deployment : Deploy.ofKind(Deploy.render(overlay), Deploy.FLINK_DEPLOYMENT)) {
      Configuration flink = Configuration.fromMap(flinkConfiguration(deployment));
      assertThat(flink.get(StateBackendOptions.STATE_BACKEND)).isEqualTo(StateBackendLoader.ROCKSDB_STATE_BACKEND_NAME);
      assertThat(flink.get(CheckpointingOptions.INCREMENTAL_CHECKPOINTS)).isTrue();
      assertThat(flink.get(HighAvailabilityOptions.HA_MODE)).isEqualTo("kubernetes");
      assertThat(flink.get(HighAvailabilityOptions.HA_STORAGE_PATH)).startsWith("s3://");
      assertThat(RestartBackoffTimeStrategyFactoryLoader.createRestartBackoffTimeStrategyFactory(new Configuration(), flink, true).getClass().getSimpleName())
          .startsWith("ExponentialDelay");

      String reporter = flinkConfiguration(deployment).get(ConfigConstants.METRICS_REPORTER_PREFIX + "prom." + MetricOptions.REPORTER_FACTORY_CLASS.key());
      assertThat(reporter).isEqualTo(PrometheusReporterFactory.class.getName());
      assertThat(MetricReporterFactory.class.isAssignableFrom(Class.forName(reporter))).isTrue();
    }
  }

  /** The checks of the operator's DefaultValidator that a manifest can fail before it is applied. */
  @ParameterizedTest
  @MethodSource("overlays")
  void theOperatorAcceptsEveryDeployment(String overlay) {
    for (JsonNode deployment : Deploy.ofKind(Deploy.render(overlay), Deploy.FLINK_DEPLOYMENT)) {
      String name = overlay + " " + Deploy.name(deployment);
      JsonNode spec = deployment.get("spec");
      Configuration flink = Configuration.fromMap(flinkConfiguration(deployment));
      assertThat(spec.path("mode").asText()).as(name).isEqualTo("native");
      assertThat(spec.at("/job/jarURI").asText()).as(name).isNotBlank();
      assertThat(spec.at("/job/parallelism").asInt()).as(name).isPositive();
      assertThat(spec.at("/job/state").asText()).as("%s starts running", name).isEqualTo("running");
      assertThat(spec.at("/job/upgradeMode").asText()).as(name).isEqualTo("savepoint");
      // savepoint upgrades need both directories (and fall back to the last checkpoint when a job is unhealthy)
      assertThat(flink.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY)).as(name).startsWith("s3://");
      assertThat(flink.get(CheckpointingOptions.SAVEPOINT_DIRECTORY)).as(name).startsWith("s3://");
      assertThat(flinkConfiguration(deployment)).as("%s: keys the operator sets itself", name).doesNotContainKeys("kubernetes.namespace", "kubernetes.cluster-id");
      for (String component : List.of("jobManager", "taskManager")) {
        String memory = spec.at("/" + component + "/resource/memory").asText();
        assertThatCode(() -> MemorySize.parse(memory)).as("%s %s memory", name, component).doesNotThrowAnyException();
      }
    }
  }

  static Map<String, String> flinkConfiguration(JsonNode deployment) {
    Map<String, String> configuration = new TreeMap<>();
    deployment.at("/spec/flinkConfiguration").fields().forEachRemaining(e -> configuration.put(e.getKey(), e.getValue().asText()));
    return configuration;
  }

  /** What may follow metrics.reporter.<name>.: Flink's per-reporter options and the Prometheus factory's own arguments. */
  private static Set<String> reporterKeys() throws Exception {
    Set<String> keys = Arrays.stream(MetricOptions.class.getFields())
        .filter(f -> f.getType() == ConfigOption.class && f.getName().startsWith("REPORTER_"))
        .map(FlinkConfigurationTest::key)
        .filter(key -> !key.startsWith("metrics.") && !key.startsWith("<"))
        .collect(Collectors.toSet());
    Field port = PrometheusReporterFactory.class.getDeclaredField("ARG_PORT");
    port.setAccessible(true);
    keys.add((String) port.get(null));
    return keys;
  }

  private static String key(Field field) {
    try {
      return ((ConfigOption<?>) field.get(null)).key();
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Object parse(Class<?> type, String value) {
    if (type == java.time.Duration.class) {
      return TimeUtils.parseDuration(value);
    }
    if (type == Boolean.class) {
      if (!value.equals("true") && !value.equals("false")) {
        throw new IllegalArgumentException(value + " is not a boolean");
      }
      return Boolean.valueOf(value);
    }
    if (type == Double.class) {
      return Double.valueOf(value);
    }
    return value;
  }
}
