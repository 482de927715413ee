package io.medallion.common.config;

import io.medallion.common.deadletter.DeadLetterRateBreaker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Every configuration key that any medallion job knows (shared/DESIGN.md §6). One file can serve
 * all jobs: a job ignores keys it does not use, but a key that no job knows is an error.
 */
public final class ConfigOptions {

  public static final ConfigOption<String> KAFKA_BOOTSTRAP_SERVERS =
      option("kafka.bootstrap-servers", Parsers::string, "host:port[,host:port]", null, "Kafka brokers to connect to.");
  public static final ConfigOption<List<String>> KAFKA_TOPICS =
      option("kafka.topics", Parsers::list, "a list of topic names", null, "Raw topics to read; or use kafka.topic-pattern.");
  public static final ConfigOption<Pattern> KAFKA_TOPIC_PATTERN =
      option("kafka.topic-pattern", Parsers::regex, "a regular expression", null, "Regex of raw topics to read, e.g. raw\\..*");
  public static final ConfigOption<String> KAFKA_GROUP_ID =
      option("kafka.group-id", Parsers::string, "a consumer group id", null, "Consumer group; defaults to the job name.");
  public static final ConfigOption<StartingOffsets> KAFKA_STARTING_OFFSETS =
      option(
          "kafka.starting-offsets",
          Parsers::startingOffsets,
          "earliest|latest|committed-or-earliest|committed-or-latest|timestamp:<ms>",
          StartingOffsets.parse("committed-or-earliest"),
          "Where to start without a checkpoint.");
  public static final ConfigOption<Duration> KAFKA_TRANSACTION_TIMEOUT =
      option(
          "kafka.transaction-timeout",
          Parsers::duration,
          "a duration",
          Duration.ofMinutes(10),
          "Producer transaction timeout of exactly-once sinks; must stay below the broker's transaction.max.timeout.ms (15m by default) and well above checkpoint interval + restart time.");
  public static final ConfigOption<Duration> KAFKA_PARTITION_DISCOVERY =
      option(
          "kafka.partition-discovery-interval",
          Parsers::duration,
          "a duration",
          Duration.ofMinutes(1),
          "How often new topics matching the pattern and new partitions are picked up (unbounded runs).");

  public static final ConfigOption<String> DLQ_TOPIC =
      option("dlq.topic", Parsers::string, "a topic name", null, "Dead-letter topic; defaults to dlq.<stage> of the job.");

  // The circuit breaker's keys are siblings, not dlq.max-rate.window: a key that is both a value and
  // a prefix of others cannot be written as nested YAML maps (Flink 2.0 renamed state.backend to
  // state.backend.type for the same reason), and nested maps must stay equivalent to dotted keys.
  public static final ConfigOption<Double> DLQ_MAX_RATE =
      option(
          "dlq.max-rate",
          Parsers::ratio,
          "a ratio from 0 to 1, e.g. 0.05",
          null,
          "bronze, silver and gold: the circuit breaker; more than this share of a dlq.rate-window dead-lettered trips dlq.rate-action. Unset: no limit.");
  public static final ConfigOption<Long> DLQ_RATE_WINDOW =
      option(
          "dlq.rate-window",
          Parsers::positiveLong,
          "a number of input records",
          1000L,
          "The circuit breaker's window: this many input records of one subtask (a count, not a duration, so a catch-up or replay is judged as the live run was).");
  public static final ConfigOption<DeadLetterRateBreaker.Action> DLQ_RATE_ACTION =
      option(
          "dlq.rate-action",
          Parsers::rateAction,
          "alert or fail",
          DeadLetterRateBreaker.Action.ALERT,
          "What a tripped circuit breaker does: alert logs a warning and counts deadLetterRateTrips; fail stops the job without restarts.");

  public static final ConfigOption<Duration> CHECKPOINT_INTERVAL =
      option("checkpoint.interval", Parsers::duration, "a duration", Duration.ofSeconds(30), "Checkpoint (and table commit) interval.");
  public static final ConfigOption<String> CHECKPOINT_DIR =
      option("checkpoint.dir", Parsers::string, "a URI", null, "Where checkpoints are kept, e.g. file:///var/lib/medallion/checkpoints or s3://bucket/path.");
  public static final ConfigOption<Duration> CHECKPOINT_TIMEOUT =
      option("checkpoint.timeout", Parsers::duration, "a duration", Duration.ofMinutes(10), "A checkpoint that takes longer fails.");

  public static final ConfigOption<Integer> PARALLELISM =
      option("parallelism", Parsers::positiveInt, "a whole number >= 1", null, "Job parallelism; defaults to the cluster's.");
  public static final ConfigOption<Boolean> BOUNDED =
      option("bounded", Parsers::bool, "true or false", false, "Stop at the offsets that are latest when the job starts.");
  public static final ConfigOption<Long> MAX_RECORD_BYTES =
      option("max-record-bytes", Parsers::positiveLong, "a number of bytes", 1_048_576L, "Larger records are dead-lettered as RECORD_TOO_LARGE.");

  public static final ConfigOption<Duration> VALIDATION_MAX_FUTURE_SKEW =
      option("validation.max-future-skew", Parsers::duration, "a duration", Duration.ofMinutes(5), "Events further in the future are TIMESTAMP_OUT_OF_RANGE.");
  public static final ConfigOption<Duration> VALIDATION_MAX_AGE =
      option("validation.max-age", Parsers::duration, "a duration", Duration.ofDays(7), "Older events are TIMESTAMP_OUT_OF_RANGE.");

  public static final ConfigOption<String> SOURCE =
      option(
          "source",
          Parsers::source,
          "kafka or bronze",
          "kafka",
          "silver-transform's input: the raw Kafka topics, or bronze.events in Iceberg to rebuild silver (command line: --source bronze).");
  public static final ConfigOption<Boolean> BRONZE_STREAMING =
      option(
          "bronze.streaming",
          Parsers::bool,
          "true or false",
          false,
          "With source bronze: false reads the current snapshot and stops; true then follows new snapshots.");

  public static final ConfigOption<Duration> WATERMARK_MAX_OUT_OF_ORDERNESS =
      option(
          "watermark.max-out-of-orderness",
          Parsers::durationOrZero,
          "a duration, 0s or more",
          Duration.ofSeconds(5),
          "silver and quality-monitor: how far an event time may trail the newest one seen; the event-time watermark (silver's table commits carry it to gold) trails by this much.");
  public static final ConfigOption<Duration> WATERMARK_IDLE_TIMEOUT =
      option(
          "watermark.idle-timeout",
          Parsers::duration,
          "a duration",
          Duration.ofSeconds(30),
          "silver and quality-monitor: an input without events for this long stops holding the watermark back.");

  public static final ConfigOption<Duration> GOLD_WINDOW_SIZE =
      option("gold.window-size", Parsers::duration, "a duration", Duration.ofMinutes(1), "gold: size of the tumbling event-time windows.");
  public static final ConfigOption<Duration> GOLD_ALLOWED_LATENESS =
      option(
          "gold.allowed-lateness",
          Parsers::durationOrZero,
          "a duration, 0s or more",
          Duration.ofMinutes(2),
          "gold: how long after its end a window still takes events (each replaces the window's row); later events are dead-lettered as LATE_EVENT.");
  public static final ConfigOption<String> GOLD_CONSUMER_ID =
      option(
          "gold.consumer-id",
          Parsers::string,
          "a Paimon consumer id",
          null,
          "gold: the consumer id gold reads the silver tables under, so their snapshot expiry waits for it; defaults to the job name.");
  public static final ConfigOption<Duration> GOLD_DISCOVERY_INTERVAL =
      option(
          "gold.discovery-interval",
          Parsers::duration,
          "a duration",
          Duration.ofSeconds(1),
          "gold: how often new silver snapshots are looked for.");

  public static final ConfigOption<String> QUALITY_CHECKS =
      option("quality.checks", Parsers::string, "a file path", null, "quality-monitor: the YAML file of declarative checks.");
  public static final ConfigOption<Duration> QUALITY_WINDOW =
      option("quality.window", Parsers::duration, "a duration", Duration.ofMinutes(1), "quality-monitor: the window of a check that names none.");
  public static final ConfigOption<Duration> QUALITY_ALLOWED_LATENESS =
      option(
          "quality.allowed-lateness",
          Parsers::durationOrZero,
          "a duration, 0s or more",
          Duration.ofSeconds(30),
          "quality-monitor: how long after its end a window still takes records before its checks are judged; later records are dropped and counted (numLateRecordsDropped).");
  public static final ConfigOption<List<String>> QUALITY_DEAD_LETTER_TOPICS =
      option(
          "quality.dead-letter-topics",
          Parsers::list,
          "a list of topic names",
          List.of("dlq.bronze", "dlq.silver", "dlq.gold"),
          "quality-monitor: the dead-letter topics whose letters count for their source topics' dead-letter rates.");
  public static final ConfigOption<String> QUALITY_ALERTS_TOPIC =
      option("quality.alerts-topic", Parsers::string, "a topic name", "quality.alerts", "quality-monitor: where alerts are written (JSON, exactly once).");
  public static final ConfigOption<Duration> QUALITY_DUPLICATE_RETENTION =
      option(
          "quality.duplicate-retention",
          Parsers::duration,
          "a duration",
          Duration.ofDays(1),
          "quality-monitor: how long an event id is remembered for the duplicate ratio (state TTL).");

  public static final ConfigOption<Boolean> ICEBERG_MAINTENANCE_ENABLED =
      option(
          "iceberg.maintenance.enabled",
          Parsers::bool,
          "true or false",
          true,
          "Unbounded jobs that write an Iceberg table also maintain it (Iceberg's Flink TableMaintenance): expire snapshots, delete orphan files, compact small files.");
  public static final ConfigOption<Duration> ICEBERG_MAINTENANCE_INTERVAL =
      option(
          "iceberg.maintenance.interval",
          Parsers::duration,
          "a duration",
          Duration.ofMinutes(1),
          "How often the table is checked for maintenance that is due; each task runs at most this often.");
  public static final ConfigOption<Duration> ICEBERG_MAINTENANCE_SNAPSHOT_MAX_AGE =
      option(
          "iceberg.maintenance.snapshot-max-age",
          Parsers::duration,
          "a duration",
          Duration.ofDays(1),
          "Snapshots older than this are expired, except the newest retain-last; at least checkpoint.timeout + 10 × checkpoint.interval, so the job's own latest commit, which a restore looks up, is never expired.");
  public static final ConfigOption<Integer> ICEBERG_MAINTENANCE_RETAIN_LAST =
      option("iceberg.maintenance.retain-last", Parsers::positiveInt, "a whole number >= 1", 10, "The newest snapshots kept whatever their age.");
  public static final ConfigOption<Duration> ICEBERG_MAINTENANCE_ORPHAN_MIN_AGE =
      option(
          "iceberg.maintenance.orphan-min-age",
          Parsers::duration,
          "a duration",
          Duration.ofDays(3),
          "Files that no snapshot refers to are deleted once older than this; at least checkpoint.timeout + 10 × checkpoint.interval, because the files of a checkpoint not yet committed belong to no snapshot.");
  public static final ConfigOption<Duration> ICEBERG_MAINTENANCE_ORPHAN_INTERVAL =
      option(
          "iceberg.maintenance.orphan-interval",
          Parsers::duration,
          "a duration",
          Duration.ofHours(1),
          "How often the table's location is listed for orphan files (a listing of every file: keep it rare on object stores).");
  public static final ConfigOption<Integer> ICEBERG_MAINTENANCE_COMPACT_AFTER_FILES =
      option(
          "iceberg.maintenance.compact-after-files",
          Parsers::positiveInt,
          "a whole number >= 1",
          50,
          "Small data files are rewritten into larger ones once this many were added since the last compaction.");

  public static final ConfigOption<Boolean> PAIMON_MAINTENANCE_ENABLED =
      option(
          "paimon.maintenance.enabled",
          Parsers::bool,
          "true or false",
          true,
          "Unbounded silver and gold jobs delete the orphan files of the Paimon tables they write (Paimon expires snapshots at each commit regardless).");
  public static final ConfigOption<Duration> PAIMON_MAINTENANCE_SNAPSHOT_TIME_RETAINED =
      option(
          "paimon.maintenance.snapshot-time-retained",
          Parsers::duration,
          "a duration",
          Duration.ofDays(1),
          "silver and gold: snapshots (and silver's changelog) older than this are expired at commit, except the newest snapshot-retain-min and those a consumer has not read; at least checkpoint.timeout + 10 × checkpoint.interval.");
  public static final ConfigOption<Integer> PAIMON_MAINTENANCE_SNAPSHOT_RETAIN_MIN =
      option(
          "paimon.maintenance.snapshot-retain-min",
          Parsers.intAtLeast(2),
          "a whole number >= 2",
          10,
          "silver and gold: the newest snapshots kept whatever their age; at least 2, because gold's tables publish Iceberg metadata, whose expiry in Paimon 1.4 leaves the metadata naming deleted manifest lists (and fails every later commit) once the snapshot before the newest may expire.");
  public static final ConfigOption<Duration> PAIMON_MAINTENANCE_CONSUMER_EXPIRATION =
      option(
          "paimon.maintenance.consumer-expiration",
          Parsers::duration,
          "a duration",
          Duration.ofDays(7),
          "silver: a consumer (gold) whose position has not moved for this long stops holding back snapshot expiry; longer than gold may be down, and at least checkpoint.timeout + 10 × checkpoint.interval.");
  public static final ConfigOption<Duration> PAIMON_MAINTENANCE_ORPHAN_MIN_AGE =
      option(
          "paimon.maintenance.orphan-min-age",
          Parsers::duration,
          "a duration",
          Duration.ofDays(1),
          "Files that no snapshot refers to are deleted once older than this; at least checkpoint.timeout + 10 × checkpoint.interval, because the files of a checkpoint not yet committed belong to no snapshot.");
  public static final ConfigOption<Duration> PAIMON_MAINTENANCE_ORPHAN_INTERVAL =
      option(
          "paimon.maintenance.orphan-interval",
          Parsers::duration,
          "a duration",
          Duration.ofHours(1),
          "How often the Paimon tables' files are listed for orphans, at a completed checkpoint (a listing of every file: keep it rare on object stores).");

  public static final ConfigOption<String> PII_HMAC_KEY =
      new ConfigOption<>("pii.hmac-key", Parsers::string, "a secret", null, true, "Key of the HMAC-SHA256 pseudonymization of email and ip_address (silver).");

  /** Pass-through maps: any key below these prefixes is accepted and handed on unchanged. */
  public static final String KAFKA_PROPERTIES_PREFIX = "kafka.properties.";
  public static final String ICEBERG_CATALOG_PREFIX = "iceberg.catalog.";
  public static final String PAIMON_CATALOG_PREFIX = "paimon.catalog.";
  public static final String FLINK_PREFIX = "flink.";

  public static final List<String> PASS_THROUGH_PREFIXES =
      List.of(KAFKA_PROPERTIES_PREFIX, ICEBERG_CATALOG_PREFIX, PAIMON_CATALOG_PREFIX, FLINK_PREFIX);

  public static final List<ConfigOption<?>> ALL =
      List.of(
          KAFKA_BOOTSTRAP_SERVERS,
          KAFKA_TOPICS,
          KAFKA_TOPIC_PATTERN,
          KAFKA_GROUP_ID,
          KAFKA_STARTING_OFFSETS,
          KAFKA_TRANSACTION_TIMEOUT,
          KAFKA_PARTITION_DISCOVERY,
          DLQ_TOPIC,
          DLQ_MAX_RATE,
          DLQ_RATE_WINDOW,
          DLQ_RATE_ACTION,
          CHECKPOINT_INTERVAL,
          CHECKPOINT_DIR,
          CHECKPOINT_TIMEOUT,
          PARALLELISM,
          BOUNDED,
          MAX_RECORD_BYTES,
          VALIDATION_MAX_FUTURE_SKEW,
          VALIDATION_MAX_AGE,
          SOURCE,
          BRONZE_STREAMING,
          WATERMARK_MAX_OUT_OF_ORDERNESS,
          WATERMARK_IDLE_TIMEOUT,
          GOLD_WINDOW_SIZE,
          GOLD_ALLOWED_LATENESS,
          GOLD_CONSUMER_ID,
          GOLD_DISCOVERY_INTERVAL,
          QUALITY_CHECKS,
          QUALITY_WINDOW,
          QUALITY_ALLOWED_LATENESS,
          QUALITY_DEAD_LETTER_TOPICS,
          QUALITY_ALERTS_TOPIC,
          QUALITY_DUPLICATE_RETENTION,
          ICEBERG_MAINTENANCE_ENABLED,
          ICEBERG_MAINTENANCE_INTERVAL,
          ICEBERG_MAINTENANCE_SNAPSHOT_MAX_AGE,
          ICEBERG_MAINTENANCE_RETAIN_LAST,
          ICEBERG_MAINTENANCE_ORPHAN_MIN_AGE,
          ICEBERG_MAINTENANCE_ORPHAN_INTERVAL,
          ICEBERG_MAINTENANCE_COMPACT_AFTER_FILES,
          PAIMON_MAINTENANCE_ENABLED,
          PAIMON_MAINTENANCE_SNAPSHOT_TIME_RETAINED,
          PAIMON_MAINTENANCE_SNAPSHOT_RETAIN_MIN,
          PAIMON_MAINTENANCE_CONSUMER_EXPIRATION,
          PAIMON_MAINTENANCE_ORPHAN_MIN_AGE,
          PAIMON_MAINTENANCE_ORPHAN_INTERVAL,
          PII_HMAC_KEY);

  static final Map<String, ConfigOption<?>> BY_KEY =
      ALL.stream().collect(Collectors.toUnmodifiableMap(ConfigOption::key, Function.identity()));

  private static final List<String> SECRET_KEY_WORDS =
      List.of("password", "secret", "jaas", "token", "credential", "hmac", "private", "key.password");

  /** The value of {@link #SOURCE} that rebuilds silver from bronze. */
  public static final String SOURCE_BRONZE = "bronze";

  private ConfigOptions() {}

  /** Whether a value under this key must never be shown: declared secret, or a pass-through key that names a credential. */
  public static boolean isSecretKey(String key) {
    ConfigOption<?> option = BY_KEY.get(key);
    if (option != null) {
      return option.secret();
    }
    String lower = key.toLowerCase(java.util.Locale.ROOT);
    return SECRET_KEY_WORDS.stream().anyMatch(lower::contains) || lower.endsWith("access-key") || lower.endsWith("secret-key");
  }

  private static <T> ConfigOption<T> option(
      String key, Function<String, T> parser, String expected, T defaultValue, String description) {
    return new ConfigOption<>(key, parser, expected, defaultValue, false, description);
  }
}
