package io.medallion.common.kafka;

import io.medallion.common.config.ConfigOptions;
import io.medallion.common.config.JobConfig;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * Connects to Kafka once before a job is defined, with the job's own client settings
 * ({@code kafka.properties.*}: security.protocol, sasl.*, ssl.*), so that wrong credentials, an
 * untrusted broker certificate or an unreachable broker stop the job at start with a message that
 * says which setting to fix. Without it, the Kafka source and the dead-letter sink would retry or
 * restart inside the running job. Messages never contain a password or the JAAS configuration.
 */
public final class KafkaStartupCheck {
  /** How long the broker may take to answer; authentication and TLS failures come back at once. */
  public static final Duration TIMEOUT = Duration.ofSeconds(30);

  private static final Pattern JAAS_USERNAME = Pattern.compile("username\\s*=\\s*\"([^\"]*)\"");

  private KafkaStartupCheck() {}

  /** Asks the configured brokers to describe the cluster; throws {@link KafkaStartupException} saying why not. */
  public static void check(JobConfig config) {
    check(config, TIMEOUT);
  }

  static void check(JobConfig config, Duration timeout) {
    Properties props = KafkaConnectors.clientProperties(config);
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.get(ConfigOptions.KAFKA_BOOTSTRAP_SERVERS));
    props.put(AdminClientConfig.CLIENT_ID_CONFIG, config.job().name() + "-startup-check");
    int millis = (int) timeout.toMillis();
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Integer.toString(millis));
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Integer.toString(millis));
    Admin admin;
    try {
      admin = Admin.create(props);
    } catch (KafkaException e) {
      throw new KafkaStartupException(
          config.job().name() + " cannot create a Kafka client from kafka.properties: " + config.redact(rootMessage(e)));
    }
    try (admin) {
      admin.describeCluster(new DescribeClusterOptions().timeoutMs(millis)).nodes().get();
    } catch (ExecutionException e) {
      throw explain(config, e.getCause(), timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaStartupException(config.job().name() + ": interrupted while connecting to Kafka");
    }
  }

  private static KafkaStartupException explain(JobConfig config, Throwable failure, Duration timeout) {
    String job = config.job().name();
    String servers = config.get(ConfigOptions.KAFKA_BOOTSTRAP_SERVERS);
    Map<String, String> client = config.withPrefix(ConfigOptions.KAFKA_PROPERTIES_PREFIX);
    String protocol = client.getOrDefault(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "PLAINTEXT");
    if (failure instanceof SaslAuthenticationException) {
      String mechanism = client.getOrDefault(SaslConfigs.SASL_MECHANISM, SaslConfigs.DEFAULT_SASL_MECHANISM);
      Matcher user = JAAS_USERNAME.matcher(client.getOrDefault(SaslConfigs.SASL_JAAS_CONFIG, ""));
      return new KafkaStartupException(
          job + ": Kafka at " + servers + " rejected the credentials of user " + (user.find() ? "'" + user.group(1) + "'" : "(none named)")
              + " (SASL/" + mechanism + "): check the username and password in kafka.properties.sasl.jaas.config");
    }
    if (failure instanceof SslAuthenticationException) {
      if (causedBy(failure, CertPathBuilderException.class) || causedBy(failure, CertPathValidatorException.class)) {
        String trustStore = client.get(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG);
        return new KafkaStartupException(
            job + ": the TLS certificate of Kafka at " + servers + " is not trusted by "
                + (trustStore == null ? "the JVM's default trust store (kafka.properties.ssl.truststore.location is not set)" : "kafka.properties.ssl.truststore.location " + trustStore)
                + ": it must hold the CA that signed the broker's certificate");
      }
      if (causedBy(failure, CertificateException.class)) {
        return new KafkaStartupException(
            job + ": the TLS certificate of Kafka at " + servers + " was refused: " + config.redact(rootMessage(failure)));
      }
      return new KafkaStartupException(
          job + ": the TLS handshake with Kafka at " + servers + " failed (security.protocol=" + protocol + "): " + config.redact(rootMessage(failure)));
    }
    if (failure instanceof TimeoutException) {
      return new KafkaStartupException(
          job + ": no Kafka broker at " + servers + " answered within " + timeout.toSeconds() + " s (security.protocol=" + protocol
              + "): check kafka.bootstrap-servers, and that the broker's listener there speaks " + protocol);
    }
    return new KafkaStartupException(job + ": connecting to Kafka at " + servers + " failed: " + config.redact(rootMessage(failure)));
  }

  private static boolean causedBy(Throwable failure, Class<? extends Throwable> type) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  private static String rootMessage(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName() + ": " + root.getMessage();
  }

  /**
   * Kafka is unusable with this job's settings. The message names the setting to check; the Kafka
   * client's own exception is left out on purpose, as it may quote configuration values.
   */
  public static final class KafkaStartupException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    KafkaStartupException(String message) {
      super(message);
    }
  }
}
