package io.medallion.testkit;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.medallion.common.config.JobArgs;
import io.medallion.common.config.JobConfig;
import io.medallion.common.config.JobSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A job's configuration for a {@link KafkaBroker#startSecured secured} broker, the way an operator
 * writes it: a YAML file whose {@code kafka.properties} select SASL_SSL with SCRAM-SHA-512 and take
 * the SASL password and the trust store password from {@code ${ENV:…}}, loaded as the job's
 * {@code main} loads it ({@code --config FILE}). The test supplies the environment.
 */
public final class SecuredKafkaSettings {
  public static final String SASL_PASSWORD_VARIABLE = "KAFKA_SASL_PASSWORD";
  public static final String TRUST_STORE_PASSWORD_VARIABLE = "KAFKA_TRUSTSTORE_PASSWORD";

  private static final ObjectMapper JSON = new ObjectMapper();

  private SecuredKafkaSettings() {}

  /**
   * The {@code kafka.properties.*} settings for {@code user}, trusting the CA in {@code trustStore};
   * both passwords only as environment references.
   */
  public static Map<String, String> kafkaProperties(String user, Path trustStore) {
    Map<String, String> settings = new LinkedHashMap<>();
    KafkaBroker.saslSslClientProperties(user, reference(SASL_PASSWORD_VARIABLE), trustStore, reference(TRUST_STORE_PASSWORD_VARIABLE))
        .forEach((key, value) -> settings.put("kafka.properties." + key, value));
    return settings;
  }

  /** What the references of {@link #kafkaProperties} resolve against; mutable, for the job's other secrets. */
  public static Map<String, String> environment(String saslPassword, String trustStorePassword) {
    Map<String, String> environment = new HashMap<>();
    environment.put(SASL_PASSWORD_VARIABLE, saslPassword);
    environment.put(TRUST_STORE_PASSWORD_VARIABLE, trustStorePassword);
    return environment;
  }

  /** Writes {@code settings} (dotted keys) as a new YAML file in {@code dir} and loads it for {@code job} with {@code environment}. */
  public static JobConfig load(JobSpec job, Map<String, String> settings, Path dir, Map<String, String> environment) {
    StringBuilder yaml = new StringBuilder();
    try {
      for (Map.Entry<String, String> setting : settings.entrySet()) {
        // A JSON string is a YAML scalar: quotes, backslashes and ${…} survive as written.
        yaml.append(setting.getKey()).append(": ").append(JSON.writeValueAsString(setting.getValue())).append('\n');
      }
      Path file = Files.createTempFile(dir, job.name() + "-", ".yaml");
      Files.writeString(file, yaml);
      return JobArgs.load(job, new String[] {"--config", file.toString()}, environment);
    } catch (IOException e) {
      throw new UncheckedIOException("writing a configuration file in " + dir + " failed", e);
    }
  }

  private static String reference(String variable) {
    return "${ENV:" + variable + "}";
  }
}
