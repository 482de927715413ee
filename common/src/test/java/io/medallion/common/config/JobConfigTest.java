package io.medallion.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medallion.common.deadletter.DeadLetterRateBreaker;
import io.medallion.common.deadletter.Stage;
import io.medallion.common.quality.Metric;
import io.medallion.common.quality.QualityCheck;
import io.medallion.common.quality.QualityChecks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobConfigTest {
  private static final JobSpec BRONZE =
      new JobSpec("bronze-ingest", Stage.BRONZE, EnumSet.of(JobSpec.Needs.KAFKA_SOURCE, JobSpec.Needs.ICEBERG));

  @TempDir Path dir;

  private Path yaml(String text) throws Exception {
    Path file = dir.resolve("medallion.yaml");
    Files.writeString(file, text);
    return file;
  }

  @Test
  void readsNestedAndDottedKeysAppliesOverridesAndDefaults() throws Exception {
    Path file =
        yaml(
            """
            kafka:
              bootstrap-servers: 127.0.0.1:9092
              topics: [raw.events, raw.payments]
              properties: {security.protocol: PLAINTEXT}
            dlq.topic: dlq.custom
            iceberg.catalog: {type: hadoop, warehouse: file:///tmp/wh}
            checkpoint: {interval: 10s}
            max-record-bytes: 2048
            """);

    JobConfig config = JobConfig.load(BRONZE, file, List.of("checkpoint.interval=2s", "bounded=true"), Map.of());

    assertThat(config.get(ConfigOptions.KAFKA_BOOTSTRAP_SERVERS)).isEqualTo("127.0.0.1:9092");
    assertThat(config.get(ConfigOptions.KAFKA_TOPICS)).containsExactly("raw.events", "raw.payments");
    assertThat(config.withPrefix(ConfigOptions.KAFKA_PROPERTIES_PREFIX)).isEqualTo(Map.of("security.protocol", "PLAINTEXT"));
    assertThat(config.dlqTopic()).isEqualTo("dlq.custom");
    assertThat(config.withPrefix(ConfigOptions.ICEBERG_CATALOG_PREFIX))
        .isEqualTo(Map.of("type", "hadoop", "warehouse", "file:///tmp/wh"));
    assertThat(config.get(ConfigOptions.CHECKPOINT_INTERVAL)).isEqualTo(Duration.ofSeconds(2));
    assertThat(config.get(ConfigOptions.BOUNDED)).isTrue();
    assertThat(config.get(ConfigOptions.MAX_RECORD_BYTES)).isEqualTo(2048L);
    assertThat(config.get(ConfigOptions.VALIDATION_MAX_AGE)).isEqualTo(Duration.ofDays(7));
    assertThat(config.get(ConfigOptions.KAFKA_STARTING_OFFSETS)).hasToString("committed-or-earliest");
    assertThat(config.groupId()).isEqualTo("bronze-ingest");
  }

  @Test
  void defaultsTheDeadLetterTopicToTheJobsStage() {
    JobConfig config =
        JobConfig.load(
            BRONZE,
            null,
            List.of("kafka.bootstrap-servers=k:9092", "kafka.topic-pattern=raw\\..*", "iceberg.catalog.warehouse=/w"),
            Map.of());
    assertThat(config.dlqTopic()).isEqualTo("dlq.bronze");
    assertThat(config.get(ConfigOptions.KAFKA_TOPIC_PATTERN).pattern()).isEqualTo("raw\\..*");
  }

  @Test
  void namesEveryBadKeyInOneError() throws Exception {
    Path file =
        yaml(
            """
            kafka:
              topcs: [raw.events]
              starting-offsets: somewhere
            checkpoint.interval: often
            parallelism: 0
            bounded: maybe
            iceberg.catalog.type: cassandra
            unknown-section: {x: 1}
            """);

    assertThatThrownBy(() -> JobConfig.load(BRONZE, file, List.of("max-record-bytes=lots", "nonsense"), Map.of()))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .containsExactlyInAnyOrder(
                        "--set nonsense: expected key=value",
                        "kafka.topcs: unknown key (did you mean kafka.topics?)",
                        "unknown-section.x: unknown key",
                        "kafka.starting-offsets: 'somewhere' is not one of earliest, latest, committed-or-earliest,"
                            + " committed-or-latest, timestamp:<epoch ms>; expected"
                            + " earliest|latest|committed-or-earliest|committed-or-latest|timestamp:<ms>",
                        "checkpoint.interval: 'often' is not a duration (like 500ms, 30s, 5m, 7d); expected a duration",
                        "parallelism: '0' must be at least 1; expected a whole number >= 1",
                        "bounded: 'maybe' is not true or false; expected true or false",
                        "max-record-bytes: 'lots' is not a whole number; expected a number of bytes",
                        "kafka.bootstrap-servers: required by bronze-ingest",
                        "kafka.topics / kafka.topic-pattern: one of them is required by bronze-ingest",
                        "iceberg.catalog.type: 'cassandra' is not one of hadoop, rest, jdbc, hive"))
        .hasMessageStartingWith("Invalid configuration (11 problems):");
  }

  @Test
  void refusesIcebergRetentionShorterThanACheckpointsLifetimeUnlessMaintenanceIsOff() {
    List<String> base =
        List.of(
            "kafka.bootstrap-servers=k:9092",
            "kafka.topics=raw.a",
            "iceberg.catalog.warehouse=/w",
            "checkpoint.interval=30s",
            "checkpoint.timeout=5m",
            "iceberg.maintenance.snapshot-max-age=9m",
            "iceberg.maintenance.orphan-min-age=599s");
    assertThatThrownBy(() -> JobConfig.load(BRONZE, null, base, Map.of()))
        .isInstanceOf(ConfigException.class)
        .extracting(e -> ((ConfigException) e).problems())
        .isEqualTo(
            List.of(
                "iceberg.maintenance.snapshot-max-age: 9m is shorter than checkpoint.timeout + 10 × checkpoint.interval (600s)"
                    + ": a restore could miss the job's last commit or the files of its last checkpoint",
                "iceberg.maintenance.orphan-min-age: 599s is shorter than checkpoint.timeout + 10 × checkpoint.interval (600s)"
                    + ": a restore could miss the job's last commit or the files of its last checkpoint"));
    List<String> atTheFloor = new ArrayList<>(base.subList(0, 5));
    atTheFloor.addAll(List.of("iceberg.maintenance.snapshot-max-age=10m", "iceberg.maintenance.orphan-min-age=10m"));
    assertThat(JobConfig.load(BRONZE, null, atTheFloor, Map.of()).get(ConfigOptions.ICEBERG_MAINTENANCE_ORPHAN_MIN_AGE))
        .isEqualTo(Duration.ofMinutes(10));
    List<String> off = new ArrayList<>(base);
    off.add("iceberg.maintenance.enabled=false");
    assertThat(JobConfig.load(BRONZE, null, off, Map.of()).get(ConfigOptions.ICEBERG_MAINTENANCE_ENABLED)).isFalse();
  }

  @Test
  void refusesPaimonRetentionShorterThanACheckpointsLifetime() {
    List<String> base =
        List.of(
            "kafka.bootstrap-servers=k:9092",
            "paimon.catalog.warehouse=/w",
            "checkpoint.interval=30s",
            "checkpoint.timeout=5m",
            "paimon.maintenance.snapshot-time-retained=9m",
            "paimon.maintenance.consumer-expiration=599s",
            "paimon.maintenance.orphan-min-age=1s");
    String tooShort = " is shorter than checkpoint.timeout + 10 × checkpoint.interval (600s)"
        + ": a restore could miss the job's last commit or the files of its last checkpoint";
    assertThatThrownBy(() -> JobConfig.load(GOLD, null, base, Map.of()))
        .isInstanceOf(ConfigException.class)
        .extracting(e -> ((ConfigException) e).problems())
        .isEqualTo(
            List.of(
                "paimon.maintenance.snapshot-time-retained: 9m" + tooShort,
                "paimon.maintenance.consumer-expiration: 599s" + tooShort,
                "paimon.maintenance.orphan-min-age: 1s" + tooShort));
    List<String> atTheFloor = new ArrayList<>(base.subList(0, 4));
    atTheFloor.addAll(
        List.of(
            "paimon.maintenance.snapshot-time-retained=10m",
            "paimon.maintenance.consumer-expiration=10m",
            "paimon.maintenance.orphan-min-age=10m",
            "paimon.maintenance.snapshot-retain-min=2"));
    JobConfig floor = JobConfig.load(GOLD, null, atTheFloor, Map.of());
    assertThat(floor.get(ConfigOptions.PAIMON_MAINTENANCE_ORPHAN_MIN_AGE)).isEqualTo(Duration.ofMinutes(10));
    assertThat(floor.get(ConfigOptions.PAIMON_MAINTENANCE_SNAPSHOT_RETAIN_MIN)).isEqualTo(2);
    // Without orphan removal its minimum age no longer matters; expiry always runs, so it still does.
    List<String> noOrphanRemoval = new ArrayList<>(atTheFloor);
    noOrphanRemoval.set(6, "paimon.maintenance.orphan-min-age=1s");
    noOrphanRemoval.add("paimon.maintenance.enabled=false");
    assertThat(JobConfig.load(GOLD, null, noOrphanRemoval, Map.of()).get(ConfigOptions.PAIMON_MAINTENANCE_ENABLED)).isFalse();
  }

  @Test
  void rejectsFewerThanTwoRetainedPaimonSnapshots() {
    // Paimon's Iceberg metadata of gold's tables needs the snapshot before the newest (PaimonMaintenanceTest).
    for (String retainMin : List.of("0", "1")) {
      assertThatThrownBy(
              () ->
                  JobConfig.load(
                      GOLD,
                      null,
                      List.of("kafka.bootstrap-servers=k:9092", "paimon.catalog.warehouse=/w", "paimon.maintenance.snapshot-retain-min=" + retainMin),
                      Map.of()))
          .isInstanceOf(ConfigException.class)
          .extracting(e -> ((ConfigException) e).problems())
          .isEqualTo(List.of("paimon.maintenance.snapshot-retain-min: '" + retainMin + "' must be at least 2; expected a whole number >= 2"));
    }
  }

  @Test
  void rejectsBothTopicsAndAPattern() {
    assertThatThrownBy(
            () ->
                JobConfig.load(
                    BRONZE,
                    null,
                    List.of(
                        "kafka.bootstrap-servers=k:9092",
                        "kafka.topics=raw.a",
                        "kafka.topic-pattern=raw.*",
                        "iceberg.catalog.warehouse=/w"),
                    Map.of()))
        .hasMessageContaining("kafka.topics / kafka.topic-pattern: set only one of them");
  }

  @Test
  void resolvesSecretsFromTheEnvironmentAndNeverShowsThem() throws Exception {
    Path file =
        yaml(
            """
            kafka:
              bootstrap-servers: 127.0.0.1:9092
              topics: [raw.events]
              properties:
                sasl.jaas.config: "org.apache.kafka.common.security.scram.ScramLoginModule required username=\\"svc\\" password=\\"${ENV:KAFKA_SASL_PASSWORD}\\";"
                security.protocol: SASL_SSL
            iceberg.catalog: {warehouse: "s3://bucket/${ENV:WAREHOUSE_PREFIX}"}
            pii.hmac-key: ${ENV:MEDALLION_PII_KEY}
            """);

    JobConfig config =
        JobConfig.load(
            BRONZE,
            file,
            List.of(),
            Map.of("KAFKA_SASL_PASSWORD", "hunter2-sasl", "MEDALLION_PII_KEY", "pii-key-42", "WAREHOUSE_PREFIX", "lake"));

    assertThat(config.withPrefix(ConfigOptions.KAFKA_PROPERTIES_PREFIX).get("sasl.jaas.config"))
        .contains("password=\"hunter2-sasl\"");
    assertThat(config.get(ConfigOptions.PII_HMAC_KEY)).isEqualTo("pii-key-42");
    assertThat(config.toString())
        .doesNotContain("hunter2-sasl")
        .doesNotContain("pii-key-42")
        .doesNotContain("lake")
        .contains("pii.hmac-key=******")
        .contains("kafka.properties.sasl.jaas.config=******")
        .contains("kafka.properties.security.protocol=SASL_SSL");
  }

  @Test
  void redactsSecretValuesAndTheQuotedPartsOfThemFromAnyText() {
    JobConfig config =
        JobConfig.load(
            BRONZE,
            null,
            List.of(
                "kafka.bootstrap-servers=127.0.0.1:9092",
                "kafka.topics=raw.events",
                "iceberg.catalog.warehouse=file:///tmp/w",
                "kafka.properties.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"svc\" password=\"${ENV:KAFKA_SASL_PASSWORD}\";",
                "kafka.properties.ssl.truststore.password=trust-me-7"),
            Map.of("KAFKA_SASL_PASSWORD", "hunter2-sasl"));

    assertThat(config.redact("Invalid login module control flag 'hunter2-sasl' in JAAS config; store password trust-me-7 is wrong"))
        .isEqualTo("Invalid login module control flag '******' in JAAS config; store password ****** is wrong");
    // A quoted part shorter than four characters (the user name here) is left alone.
    assertThat(config.redact("user svc")).isEqualTo("user svc");
    assertThat(config.redact(null)).isNull();
  }

  @Test
  void namesAMissingEnvironmentVariableAndHidesSecretValuesInErrors() {
    assertThatThrownBy(
            () ->
                JobConfig.load(
                    SILVER,
                    null,
                    List.of(
                        "kafka.bootstrap-servers=k:9092",
                        "kafka.topics=raw.a",
                        "paimon.catalog.warehouse=/w",
                        "pii.hmac-key=${ENV:NOT_SET_ANYWHERE}",
                        "kafka.transaction-timeout=${ENV:TIMEOUT}"),
                    Map.of("TIMEOUT", "secret-ish-garbage")))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .containsExactlyInAnyOrder(
                        "pii.hmac-key: environment variable NOT_SET_ANYWHERE is not set",
                        "kafka.transaction-timeout: the value is not a duration (like 500ms, 30s, 5m, 7d);"
                            + " expected a duration"))
        .message()
        .doesNotContain("secret-ish-garbage");
  }

  @Test
  void ignoresKeysOfOtherJobsButNotKeysNoJobKnows() {
    JobConfig config =
        JobConfig.load(
            BRONZE,
            null,
            List.of(
                "kafka.bootstrap-servers=k:9092",
                "kafka.topics=raw.a",
                "iceberg.catalog.warehouse=/w",
                "paimon.catalog.warehouse=/p",
                "validation.max-age=3d"),
            Map.of());
    assertThat(config.withPrefix(ConfigOptions.PAIMON_CATALOG_PREFIX)).containsEntry("warehouse", "/p");
  }

  private static final JobSpec SILVER =
      new JobSpec("silver-transform", Stage.SILVER, EnumSet.of(JobSpec.Needs.KAFKA_SOURCE, JobSpec.Needs.PAIMON, JobSpec.Needs.PII_KEY));

  @Test
  void aRebuildFromBronzeNeedsTheIcebergCatalogInsteadOfRawTopics() {
    assertThatThrownBy(
            () -> JobArgs.load(SILVER, new String[] {"--source", "bronze", "--set", "kafka.bootstrap-servers=k:9092"}, Map.of()))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .containsExactlyInAnyOrder(
                        "iceberg.catalog.warehouse: required by silver-transform",
                        "paimon.catalog.warehouse: required by silver-transform",
                        "pii.hmac-key: required by silver-transform"));

    JobConfig rebuild =
        JobArgs.load(
            SILVER,
            new String[] {
              "--source", "BRONZE", "--set", "kafka.bootstrap-servers=k:9092", "--set", "iceberg.catalog.warehouse=/i",
              "--set", "paimon.catalog.warehouse=/p", "--set", "pii.hmac-key=${ENV:KEY}"
            },
            Map.of("KEY", "k"));
    assertThat(rebuild.get(ConfigOptions.SOURCE)).isEqualTo("bronze");
    assertThat(rebuild.get(ConfigOptions.BRONZE_STREAMING)).isFalse();
    assertThat(rebuild.toString()).contains("pii.hmac-key=******").doesNotContain("pii.hmac-key=k");
    assertThatThrownBy(() -> JobArgs.load(SILVER, new String[] {"--source", "s3"}, Map.of()))
        .hasMessageContaining("source: 's3' is not kafka or bronze");
  }

  @Test
  void aSecretThatOnlyAnotherJobUsesNeedNotBeSet() {
    List<String> shared =
        List.of(
            "kafka.bootstrap-servers=k:9092", "kafka.topic-pattern=raw\\..*", "iceberg.catalog.warehouse=/i",
            "paimon.catalog.warehouse=/p", "pii.hmac-key=${ENV:MEDALLION_PII_KEY}");
    JobConfig bronze = JobConfig.load(BRONZE, null, shared, Map.of());
    assertThat(bronze.getOptional(ConfigOptions.PII_HMAC_KEY)).isEmpty();
    assertThatThrownBy(() -> JobConfig.load(SILVER, null, shared, Map.of()))
        .hasMessageContaining("pii.hmac-key: environment variable MEDALLION_PII_KEY is not set");
  }

  private static final JobSpec GOLD = new JobSpec("gold-aggregate", Stage.GOLD, EnumSet.of(JobSpec.Needs.PAIMON));

  @Test
  void goldWindowsDefaultToOneMinuteWithTwoMinutesOfLatenessAndZeroMeansNone() {
    List<String> base = List.of("kafka.bootstrap-servers=k:9092", "paimon.catalog.warehouse=/p");
    JobConfig defaults = JobConfig.load(GOLD, null, base, Map.of());
    assertThat(defaults.get(ConfigOptions.GOLD_WINDOW_SIZE)).isEqualTo(Duration.ofMinutes(1));
    assertThat(defaults.get(ConfigOptions.GOLD_ALLOWED_LATENESS)).isEqualTo(Duration.ofMinutes(2));
    assertThat(defaults.getOptional(ConfigOptions.GOLD_CONSUMER_ID)).isEmpty();
    assertThat(defaults.dlqTopic()).isEqualTo("dlq.gold");

    List<String> noLateness = new ArrayList<>(base);
    noLateness.addAll(List.of("gold.allowed-lateness=0s", "watermark.max-out-of-orderness=0s"));
    JobConfig strict = JobConfig.load(GOLD, null, noLateness, Map.of());
    assertThat(strict.get(ConfigOptions.GOLD_ALLOWED_LATENESS)).isZero();
    assertThat(strict.get(ConfigOptions.WATERMARK_MAX_OUT_OF_ORDERNESS)).isZero();

    List<String> bad = new ArrayList<>(base);
    bad.addAll(List.of("gold.window-size=0s", "gold.allowed-lateness=-1m", "watermark.idle-timeout=soon"));
    assertThatThrownBy(() -> JobConfig.load(GOLD, null, bad, Map.of()))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e -> assertThat(e.problems()).hasSize(3).anySatisfy(p -> assertThat(p).startsWith("gold.window-size"))
                .anySatisfy(p -> assertThat(p).startsWith("gold.allowed-lateness"))
                .anySatisfy(p -> assertThat(p).startsWith("watermark.idle-timeout")));
  }

  @Test
  void theDeadLetterCircuitBreakerIsOffUnlessAMaxRateIsSetAndItsKeysNestLikeAnyOther() throws Exception {
    List<String> base = List.of("kafka.bootstrap-servers=k:9092", "paimon.catalog.warehouse=/p");
    assertThat(JobConfig.load(GOLD, null, base, Map.of()).deadLetterRateLimit()).isEmpty();

    Path file =
        yaml(
            """
            dlq: {topic: dlq.custom, max-rate: 0.05, rate-window: 500, rate-action: FAIL}
            """);
    assertThat(JobConfig.load(GOLD, file, base, Map.of()).deadLetterRateLimit())
        .contains(new DeadLetterRateBreaker.Limit(0.05, 500, DeadLetterRateBreaker.Action.FAIL));

    List<String> rateOnly = new ArrayList<>(base);
    rateOnly.add("dlq.max-rate=0");
    assertThat(JobConfig.load(GOLD, null, rateOnly, Map.of()).deadLetterRateLimit())
        .contains(new DeadLetterRateBreaker.Limit(0, 1000, DeadLetterRateBreaker.Action.ALERT));

    List<String> bad = new ArrayList<>(base);
    bad.addAll(List.of("dlq.max-rate=5%", "dlq.rate-window=0", "dlq.rate-action=stop"));
    assertThatThrownBy(() -> JobConfig.load(GOLD, null, bad, Map.of()))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .containsExactlyInAnyOrder(
                        "dlq.max-rate: '5%' is not a number; expected a ratio from 0 to 1, e.g. 0.05",
                        "dlq.rate-window: '0' must be at least 1; expected a number of input records",
                        "dlq.rate-action: 'stop' is not alert or fail; expected alert or fail"));
    List<String> aboveOne = new ArrayList<>(base);
    aboveOne.add("dlq.max-rate=1.5");
    assertThatThrownBy(() -> JobConfig.load(GOLD, null, aboveOne, Map.of()))
        .hasMessageEndingWith("dlq.max-rate: '1.5' is not from 0 to 1; expected a ratio from 0 to 1, e.g. 0.05");
  }

  private static final JobSpec QUALITY =
      new JobSpec("quality-monitor", null, EnumSet.of(JobSpec.Needs.KAFKA_SOURCE, JobSpec.Needs.ICEBERG, JobSpec.Needs.QUALITY_CHECKS));

  @Test
  void theLocalConfigurationFileServesEveryJob() {
    Path root = Path.of("..");
    Path file = root.resolve(Path.of("config", "local.yaml"));
    Map<String, String> environment = Map.of("MEDALLION_PII_KEY", "k");
    for (JobSpec job : List.of(BRONZE, SILVER, GOLD, QUALITY)) {
      JobConfig config = JobConfig.load(job, file, List.of(), environment);
      assertThat(config.get(ConfigOptions.CHECKPOINT_INTERVAL)).as(job.name()).isEqualTo(Duration.ofSeconds(10));
    }
    assertThat(JobConfig.load(GOLD, file, List.of(), environment).get(ConfigOptions.GOLD_ALLOWED_LATENESS)).isEqualTo(Duration.ofMinutes(2));
    // The check file is named relative to the repository root, where bin/medallion is run from; it
    // has no freshness check, which the monitor parses but does not evaluate yet.
    JobConfig quality = JobConfig.load(QUALITY, file, List.of(), environment);
    assertThat(QualityChecks.load(root.resolve(quality.get(ConfigOptions.QUALITY_CHECKS)), quality.get(ConfigOptions.QUALITY_WINDOW)))
        .extracting(QualityCheck::metric)
        .doesNotContain(Metric.FRESHNESS);
  }
}
