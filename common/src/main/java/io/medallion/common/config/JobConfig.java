package io.medallion.common.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.medallion.common.deadletter.DeadLetterRateBreaker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The resolved, validated configuration of one job (shared/DESIGN.md §6).
 *
 * <p>Precedence: a {@code --set key=value} beats the YAML file, which beats the declared default.
 * Nested maps and dotted keys are the same key ({@code dlq: {topic: x}} ≡ {@code dlq.topic: x}).
 * {@code ${ENV:NAME}} anywhere in a value is replaced by that environment variable, and such values
 * are secret. {@link #toString()} masks every secret, so the object can be logged.
 */
public final class JobConfig {
  private static final Pattern ENV_REFERENCE = Pattern.compile("\\$\\{ENV:([A-Za-z_][A-Za-z0-9_]*)}");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final String MASK = "******";
  private static final Pattern QUOTED = Pattern.compile("\"([^\"]*)\"");

  private final JobSpec job;
  private final Map<String, String> values;
  private final Set<String> secretKeys;
  private final Map<String, Object> parsed;

  private JobConfig(JobSpec job, Map<String, String> values, Set<String> secretKeys, Map<String, Object> parsed) {
    this.job = job;
    this.values = Collections.unmodifiableMap(values);
    this.secretKeys = Set.copyOf(secretKeys);
    this.parsed = Collections.unmodifiableMap(parsed);
  }

  /**
   * Loads and validates a job's configuration.
   *
   * @param file the YAML file, or null for defaults and overrides only
   * @param overrides {@code key=value} strings from {@code --set}, applied in order
   * @param environment where {@code ${ENV:NAME}} references are looked up
   * @throws ConfigException naming every bad key, if anything is wrong
   */
  public static JobConfig load(
      JobSpec job, Path file, List<String> overrides, Map<String, String> environment) {
    List<String> problems = new ArrayList<>();
    Map<String, String> raw = new LinkedHashMap<>();
    if (file != null) {
      readYaml(file, raw, problems);
    }
    for (String override : overrides) {
      int eq = override.indexOf('=');
      if (eq <= 0) {
        problems.add("--set " + override + ": expected key=value");
      } else {
        raw.put(override.substring(0, eq).trim(), override.substring(eq + 1));
      }
    }
    return validate(job, raw, environment, problems);
  }

  /** Loads from {@code key=value} pairs only; convenient for tests and the local runner. */
  public static JobConfig of(JobSpec job, Map<String, String> settings) {
    List<String> overrides = new ArrayList<>();
    settings.forEach((k, v) -> overrides.add(k + "=" + v));
    return load(job, null, overrides, System.getenv());
  }

  private static void readYaml(Path file, Map<String, String> into, List<String> problems) {
    JsonNode root;
    try {
      root = YAML.readTree(Files.readAllBytes(file));
    } catch (IOException e) {
      problems.add("config file " + file + ": cannot be read: " + e.getMessage());
      return;
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      return;
    }
    if (!root.isObject()) {
      problems.add("config file " + file + ": must be a YAML mapping of keys to values");
      return;
    }
    flatten("", root, into);
  }

  private static void flatten(String prefix, JsonNode node, Map<String, String> into) {
    Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      String key = prefix + field.getKey();
      JsonNode value = field.getValue();
      if (value.isObject()) {
        flatten(key + ".", value, into);
      } else if (value.isArray()) {
        List<String> items = new ArrayList<>();
        value.forEach(item -> items.add(item.asText()));
        into.put(key, String.join(",", items));
      } else if (!value.isNull()) {
        into.put(key, value.asText());
      }
    }
  }

  private static JobConfig validate(
      JobSpec job, Map<String, String> raw, Map<String, String> environment, List<String> problems) {
    Map<String, String> values = new TreeMap<>();
    Set<String> secretKeys = new HashSet<>();
    Set<String> unresolvedKeys = new HashSet<>();
    for (Map.Entry<String, String> entry : raw.entrySet()) {
      String key = entry.getKey();
      if (!ConfigOptions.BY_KEY.containsKey(key) && !isPassThrough(key)) {
        problems.add(key + ": unknown key" + suggestion(key));
        continue;
      }
      Matcher m = ENV_REFERENCE.matcher(entry.getValue());
      StringBuilder resolved = new StringBuilder();
      boolean fromEnv = false;
      boolean unresolved = false;
      while (m.find()) {
        fromEnv = true;
        String variable = environment.get(m.group(1));
        if (variable == null) {
          unresolved = true;
          // One file serves every job: a secret that this job does not use need not be set for it.
          if (usedBy(job, key, raw)) {
            problems.add(key + ": environment variable " + m.group(1) + " is not set");
          }
          variable = "";
        }
        m.appendReplacement(resolved, Matcher.quoteReplacement(variable));
      }
      m.appendTail(resolved);
      if (unresolved && !usedBy(job, key, raw)) {
        continue;
      }
      if (unresolved) {
        // Reported above: present, so not "required" again, but with no value to parse.
        unresolvedKeys.add(key);
      }
      values.put(key, resolved.toString());
      if (fromEnv || ConfigOptions.isSecretKey(key)) {
        secretKeys.add(key);
      }
    }

    Map<String, Object> parsed = new LinkedHashMap<>();
    for (ConfigOption<?> option : ConfigOptions.ALL) {
      String text = values.get(option.key());
      if (text == null || unresolvedKeys.contains(option.key())) {
        continue;
      }
      try {
        parsed.put(option.key(), option.parse(text));
      } catch (IllegalArgumentException e) {
        String shown = secretKeys.contains(option.key()) ? "the value" : "'" + text + "'";
        problems.add(option.key() + ": " + shown + " " + e.getMessage() + "; expected " + option.expected());
      }
    }
    checkJobNeeds(job, values, problems);
    checkIcebergRetention(job, values, parsed, problems);
    checkPaimonRetention(job, values, parsed, problems);
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return new JobConfig(job, values, secretKeys, parsed);
  }

  private static void checkJobNeeds(JobSpec job, Map<String, String> values, List<String> problems) {
    // Every job writes dead letters or alerts to Kafka.
    requireKey(values, ConfigOptions.KAFKA_BOOTSTRAP_SERVERS, job, problems);
    // A rebuild from bronze reads Iceberg instead of the raw topics.
    boolean fromBronze =
        job.needs().contains(JobSpec.Needs.KAFKA_SOURCE)
            && ConfigOptions.SOURCE_BRONZE.equalsIgnoreCase(values.getOrDefault(ConfigOptions.SOURCE.key(), ""));
    if (job.needs().contains(JobSpec.Needs.KAFKA_SOURCE) && !fromBronze) {
      boolean topics = values.containsKey(ConfigOptions.KAFKA_TOPICS.key());
      boolean pattern = values.containsKey(ConfigOptions.KAFKA_TOPIC_PATTERN.key());
      if (topics == pattern) {
        problems.add(
            "kafka.topics / kafka.topic-pattern: "
                + (topics ? "set only one of them" : "one of them is required by " + job.name()));
      }
    }
    if (job.needs().contains(JobSpec.Needs.ICEBERG) || fromBronze) {
      String type = values.getOrDefault(ConfigOptions.ICEBERG_CATALOG_PREFIX + "type", "hadoop");
      switch (type) {
        case "hadoop" -> requireKey(values, ConfigOptions.ICEBERG_CATALOG_PREFIX + "warehouse", job, problems);
        case "rest", "hive" -> requireKey(values, ConfigOptions.ICEBERG_CATALOG_PREFIX + "uri", job, problems);
        case "jdbc" -> {
          requireKey(values, ConfigOptions.ICEBERG_CATALOG_PREFIX + "uri", job, problems);
          requireKey(values, ConfigOptions.ICEBERG_CATALOG_PREFIX + "warehouse", job, problems);
        }
        default -> problems.add("iceberg.catalog.type: '" + type + "' is not one of hadoop, rest, jdbc, hive");
      }
    }
    if (job.needs().contains(JobSpec.Needs.PAIMON)) {
      requireKey(values, ConfigOptions.PAIMON_CATALOG_PREFIX + "warehouse", job, problems);
    }
    if (job.needs().contains(JobSpec.Needs.PII_KEY)) {
      requireKey(values, ConfigOptions.PII_HMAC_KEY, job, problems);
    }
    if (job.needs().contains(JobSpec.Needs.QUALITY_CHECKS)) {
      requireKey(values, ConfigOptions.QUALITY_CHECKS, job, problems);
    }
  }

  /**
   * Iceberg's Flink committer finds, on restore, the last checkpoint it committed by walking back the
   * table's snapshots (it commits at least every tenth checkpoint, empty or not), and the files of a
   * checkpoint not yet committed belong to no snapshot: expiring or deleting sooner than a
   * checkpoint's lifetime could duplicate rows or lose files on restore.
   */
  private static void checkIcebergRetention(JobSpec job, Map<String, String> values, Map<String, Object> parsed, List<String> problems) {
    if (!job.needs().contains(JobSpec.Needs.ICEBERG) || !valueOf(ConfigOptions.ICEBERG_MAINTENANCE_ENABLED, parsed)) {
      return;
    }
    requireCheckpointLifetime(
        List.of(ConfigOptions.ICEBERG_MAINTENANCE_SNAPSHOT_MAX_AGE, ConfigOptions.ICEBERG_MAINTENANCE_ORPHAN_MIN_AGE), values, parsed, problems);
  }

  /**
   * Paimon's committer commits the files of a completed checkpoint when notified of it, or, when
   * the notification was lost to a failure, at the restore; until then they belong to no snapshot,
   * so orphan removal must spare them. gold's position in a silver table protects that table's
   * snapshots from expiry only once the checkpoint holding it has completed and been notified, so
   * age must protect them until then; and a consumer refreshed at each checkpoint must outlive the
   * gap between two. The same floor as Iceberg's: one rule for every table.
   */
  private static void checkPaimonRetention(JobSpec job, Map<String, String> values, Map<String, Object> parsed, List<String> problems) {
    if (!job.needs().contains(JobSpec.Needs.PAIMON)) {
      return;
    }
    List<ConfigOption<Duration>> retentions = new ArrayList<>(
        List.of(ConfigOptions.PAIMON_MAINTENANCE_SNAPSHOT_TIME_RETAINED, ConfigOptions.PAIMON_MAINTENANCE_CONSUMER_EXPIRATION));
    if (valueOf(ConfigOptions.PAIMON_MAINTENANCE_ENABLED, parsed)) {
      retentions.add(ConfigOptions.PAIMON_MAINTENANCE_ORPHAN_MIN_AGE);
    }
    requireCheckpointLifetime(retentions, values, parsed, problems);
  }

  private static void requireCheckpointLifetime(
      List<ConfigOption<Duration>> retentions, Map<String, String> values, Map<String, Object> parsed, List<String> problems) {
    Duration floor =
        valueOf(ConfigOptions.CHECKPOINT_TIMEOUT, parsed).plus(valueOf(ConfigOptions.CHECKPOINT_INTERVAL, parsed).multipliedBy(10));
    for (ConfigOption<Duration> retention : retentions) {
      Duration value = valueOf(retention, parsed);
      if (value.compareTo(floor) < 0) {
        problems.add(
            retention.key() + ": " + values.getOrDefault(retention.key(), value.toString())
                + " is shorter than checkpoint.timeout + 10 × checkpoint.interval (" + (floor.toMillis() % 1000 == 0 ? floor.toSeconds() + "s" : floor.toMillis() + "ms")
                + "): a restore could miss the job's last commit or the files of its last checkpoint");
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static <T> T valueOf(ConfigOption<T> option, Map<String, Object> parsed) {
    return parsed.containsKey(option.key()) ? (T) parsed.get(option.key()) : option.defaultValue();
  }

  private static void requireKey(Map<String, String> values, Object key, JobSpec job, List<String> problems) {
    if (!values.containsKey(key.toString())) {
      problems.add(key + ": required by " + job.name());
    }
  }

  /** Whether the job reads this key: the PII key, the Iceberg and the Paimon catalog only where needed. */
  private static boolean usedBy(JobSpec job, String key, Map<String, String> raw) {
    if (key.equals(ConfigOptions.PII_HMAC_KEY.key())) {
      return job.needs().contains(JobSpec.Needs.PII_KEY);
    }
    if (key.startsWith(ConfigOptions.ICEBERG_CATALOG_PREFIX)) {
      return job.needs().contains(JobSpec.Needs.ICEBERG)
          || ConfigOptions.SOURCE_BRONZE.equalsIgnoreCase(raw.getOrDefault(ConfigOptions.SOURCE.key(), "").trim());
    }
    if (key.startsWith(ConfigOptions.PAIMON_CATALOG_PREFIX)) {
      return job.needs().contains(JobSpec.Needs.PAIMON);
    }
    return true;
  }

  private static boolean isPassThrough(String key) {
    return ConfigOptions.PASS_THROUGH_PREFIXES.stream()
        .anyMatch(prefix -> key.startsWith(prefix) && key.length() > prefix.length());
  }

  private static String suggestion(String key) {
    String best = null;
    int bestDistance = 4;
    for (String known : ConfigOptions.BY_KEY.keySet()) {
      int d = editDistance(key, known);
      if (d < bestDistance) {
        bestDistance = d;
        best = known;
      }
    }
    return best == null ? "" : " (did you mean " + best + "?)";
  }

  private static int editDistance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] swap = prev;
      prev = cur;
      cur = swap;
    }
    return prev[b.length()];
  }

  public JobSpec job() {
    return job;
  }

  /** The value of an option, or its default (which may be null). */
  @SuppressWarnings("unchecked")
  public <T> T get(ConfigOption<T> option) {
    Object value = parsed.get(option.key());
    return value != null ? (T) value : option.defaultValue();
  }

  public <T> Optional<T> getOptional(ConfigOption<T> option) {
    return Optional.ofNullable(get(option));
  }

  /** Every key below a pass-through prefix, with the prefix removed. */
  public Map<String, String> withPrefix(String prefix) {
    Map<String, String> result = new LinkedHashMap<>();
    values.forEach(
        (key, value) -> {
          if (key.startsWith(prefix)) {
            result.put(key.substring(prefix.length()), value);
          }
        });
    return result;
  }

  /** The dead-letter topic: {@code dlq.topic}, or {@code dlq.<stage>} of this job. */
  public String dlqTopic() {
    if (job.stage() == null) {
      throw new IllegalStateException(job.name() + " writes no dead letters");
    }
    return getOptional(ConfigOptions.DLQ_TOPIC).orElse(job.stage().defaultTopic());
  }

  /** The dead-letter circuit breaker's limit, when {@code dlq.max-rate} is set. */
  public Optional<DeadLetterRateBreaker.Limit> deadLetterRateLimit() {
    return getOptional(ConfigOptions.DLQ_MAX_RATE)
        .map(rate -> new DeadLetterRateBreaker.Limit(rate, get(ConfigOptions.DLQ_RATE_WINDOW), get(ConfigOptions.DLQ_RATE_ACTION)));
  }

  /** The consumer group: {@code kafka.group-id}, or the job name. */
  public String groupId() {
    return getOptional(ConfigOptions.KAFKA_GROUP_ID).orElse(job.name());
  }

  /**
   * {@code text} with every secret value masked, and every quoted part of one (the password in a
   * JAAS configuration): for messages that quote a library's error, which may quote a setting.
   */
  public String redact(String text) {
    if (text == null) {
      return null;
    }
    String result = text;
    for (String key : secretKeys) {
      String secret = values.get(key);
      if (secret == null || secret.isEmpty()) {
        continue;
      }
      result = result.replace(secret, MASK);
      Matcher quoted = QUOTED.matcher(secret);
      while (quoted.find()) {
        if (quoted.group(1).length() >= 4) {
          result = result.replace(quoted.group(1), MASK);
        }
      }
    }
    return result;
  }

  /** Every set key with its value, secrets masked: safe to log. */
  @Override
  public String toString() {
    StringBuilder text = new StringBuilder(job.name()).append(" config {");
    String separator = "";
    for (Map.Entry<String, String> entry : values.entrySet()) {
      text.append(separator)
          .append(entry.getKey())
          .append('=')
          .append(secretKeys.contains(entry.getKey()) ? MASK : entry.getValue());
      separator = ", ";
    }
    return text.append('}').toString();
  }
}
