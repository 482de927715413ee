package io.medallion.common.quality;

import static java.util.stream.Collectors.joining;
import static java.util.stream.Collectors.toSet;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.medallion.common.config.ConfigException;
import io.medallion.common.config.Parsers;
import io.medallion.common.event.ErrorCode;
import io.medallion.common.silver.Rule;
import io.medallion.common.silver.Rules;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.DoublePredicate;
import java.util.regex.Pattern;

/**
 * Reads a check file: a YAML mapping whose {@code checks} list holds one entry per {@link
 * QualityCheck}. Every mistake in the file is reported at once, one line per entry and key, so a
 * file is fixed in one round; unknown keys are mistakes too, since a misspelt key would otherwise
 * leave a check silently weaker than written.
 */
public final class QualityChecks {
  // A repeated key would otherwise let the last value silently win.
  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory()).enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_.-]*");
  private static final Set<String> COMMON_KEYS = Set.of("name", "scope", "metric", "threshold", "anomaly", "window", "severity");
  private static final Set<String> PARAMETER_KEYS =
      Arrays.stream(Metric.Parameter.values()).map(Metric.Parameter::key).filter(Objects::nonNull).collect(toSet());
  /** Metrics in seconds: their thresholds may be written as durations. */
  private static final Set<Metric> IN_SECONDS = EnumSet.of(Metric.EVENT_TIME_LAG_P50, Metric.EVENT_TIME_LAG_P95, Metric.EVENT_TIME_LAG_MAX);
  private static final List<String> RULE_IDS = Rules.ALL.stream().map(Rule::id).toList();
  private static final List<String> ERROR_CODES = Arrays.stream(ErrorCode.values()).map(Enum::name).toList();
  // Boxed: they share conditionals with results that are null after a mistake, which must not unbox.
  private static final Double DEFAULT_ALPHA = 0.3;
  private static final Double DEFAULT_Z = 3.0;
  private static final Integer DEFAULT_WARM_UP = 10;

  private QualityChecks() {}

  /**
   * Parses the text of a check file.
   *
   * @param defaultWindow the window of checks that name none
   * @throws ConfigException naming every bad entry and key, if anything is wrong
   */
  public static List<QualityCheck> parse(String yaml, Duration defaultWindow) {
    JsonNode root;
    try {
      root = YAML.readTree(yaml);
    } catch (JsonProcessingException e) {
      throw new ConfigException(List.of(malformed(e)));
    }
    List<String> problems = new ArrayList<>();
    root.fieldNames().forEachRemaining(key -> {
      if (!key.equals("checks")) {
        problems.add(key + ": unknown key; known: checks");
      }
    });
    JsonNode list = value(root, "checks");
    if (list == null || !list.isArray() || list.isEmpty()) {
      problems.add("checks: " + (list == null ? "is required" : list.isArray() ? "is empty" : "must be a list of checks"));
      throw new ConfigException(problems);
    }
    List<QualityCheck> checks = new ArrayList<>();
    Map<String, Integer> names = new HashMap<>();
    for (int i = 0; i < list.size(); i++) {
      checks.add(new Entry(i, list.get(i), problems).parse(names, defaultWindow));
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return List.copyOf(checks);
  }

  /**
   * Reads and parses a check file.
   *
   * @throws ConfigException if the file cannot be read (naming it) or has any mistake
   */
  public static List<QualityCheck> load(Path file, Duration defaultWindow) {
    String yaml;
    try {
      yaml = Files.readString(file);
    } catch (IOException e) {
      throw new ConfigException(List.of("check file " + file + ": cannot be read: " + e));
    }
    return parse(yaml, defaultWindow);
  }

  /**
   * SnakeYAML's message spans lines, indenting its excerpts of the source; its unindented lines
   * are the sentences, and Jackson's location says where (none for a broken read limit such as
   * the nesting depth).
   */
  private static String malformed(JsonProcessingException e) {
    String sentences =
        e.getOriginalMessage().lines().filter(l -> !l.isBlank() && !Character.isWhitespace(l.charAt(0))).collect(joining("; "));
    JsonLocation at = e.getLocation();
    return "check file: not valid YAML" + (at == null ? "" : " at " + at.offsetDescription()) + ": " + sentences;
  }

  /** The value at {@code key}, or null when absent or YAML null (an empty value means unset). */
  private static JsonNode value(JsonNode map, String key) {
    JsonNode value = map.get(key);
    return value == null || value.isNull() ? null : value;
  }

  private static String quote(String text) {
    return "\"" + text + "\"";
  }

  private static double seconds(Duration duration) {
    return duration.getSeconds() + duration.getNano() / 1e9;
  }

  /**
   * One entry of the list. Its parse result is meaningful only when it added no problem; problems
   * are labelled {@code checks[i] (name).key}, or {@code checks[i].key} until the name is known good.
   */
  private static final class Entry {
    private final int index;
    private final JsonNode node;
    private final List<String> problems;
    private String label;

    Entry(int index, JsonNode node, List<String> problems) {
      this.index = index;
      this.node = node;
      this.problems = problems;
      this.label = "checks[" + index + "]";
    }

    QualityCheck parse(Map<String, Integer> names, Duration defaultWindow) {
      if (!node.isObject()) {
        problems.add(label + ": must be a mapping of keys to values");
        return null;
      }
      String name = name(names);
      Metric metric = metric();
      checkKeys(metric);
      String parameter = metric == null ? null : parameter(metric);
      Scope scope = scope();
      Condition condition = metric == null ? null : condition(metric, parameter);
      JsonNode window = value(node, "window");
      return new QualityCheck(
          name, scope, metric, parameter, condition, window == null ? defaultWindow : duration(window, "window"), severity());
    }

    private String name(Map<String, Integer> names) {
      String name = text(value(node, "name"), "name", true);
      if (name == null) {
        return null;
      }
      if (!NAME.matcher(name).matches()) {
        problem("name", quote(name) + " does not match " + NAME.pattern());
        return null;
      }
      label += " (" + name + ")";
      Integer first = names.putIfAbsent(name, index);
      if (first != null) {
        problem("name", quote(name) + " is already the name of checks[" + first + "]");
      }
      return name;
    }

    private Metric metric() {
      String id = text(value(node, "metric"), "metric", true);
      if (id == null) {
        return null;
      }
      Optional<Metric> metric = Metric.byId(id);
      if (metric.isEmpty()) {
        problem("metric", quote(id) + " is not a metric; known: " + Arrays.stream(Metric.values()).map(Metric::id).collect(joining(", ")));
      }
      return metric.orElse(null);
    }

    /** Without a known metric, a parameter key can be neither accepted nor rejected. */
    private void checkKeys(Metric metric) {
      node.fieldNames().forEachRemaining(key -> {
        if (COMMON_KEYS.contains(key) || metric != null && key.equals(metric.parameter().key())) {
          return;
        }
        if (!PARAMETER_KEYS.contains(key)) {
          problem(key, "unknown key");
        } else if (metric != null) {
          problem(key, "is not a key of metric " + metric.id());
        }
      });
    }

    /** The parameter as written, once valid; null when the metric takes none or error-code is omitted. */
    private String parameter(Metric metric) {
      String key = metric.parameter().key();
      JsonNode value = value(node, key);
      return switch (metric.parameter()) {
        case NONE -> null;
        case ERROR_CODE -> oneOf(text(value, key, false), key, ERROR_CODES, "an error code");
        case RULE -> oneOf(text(value, key, true), key, RULE_IDS, "a silver rule id");
        case FIELD -> checkableField(nonBlank(value, key, true), key);
        case SCHEMA_VERSION -> value == null ? required(key) : wholeNumber(value, key, 1) == null ? null : value.asText();
        case MAX_SILENCE -> value == null ? required(key) : duration(value, key) == null ? null : value.asText();
      };
    }

    private Scope scope() {
      JsonNode scope = value(node, "scope");
      if (scope == null) {
        return Scope.ALL;
      }
      if (!scope.isObject()) {
        problem("scope", "must be a mapping with topic and/or event-type");
        return null;
      }
      checkKeys(scope, "scope", List.of("topic", "event-type"));
      return new Scope(nonBlank(value(scope, "topic"), "scope.topic", false), nonBlank(value(scope, "event-type"), "scope.event-type", false));
    }

    /** Freshness fails on silence alone; every other metric needs exactly one of threshold and anomaly. */
    private Condition condition(Metric metric, String parameter) {
      JsonNode threshold = value(node, "threshold");
      JsonNode anomaly = value(node, "anomaly");
      if (metric == Metric.FRESHNESS) {
        if (threshold != null) {
          problem("threshold", "freshness takes none; it fails after max-silence");
        }
        if (anomaly != null) {
          problem("anomaly", "freshness takes none; it fails after max-silence");
        }
        return parameter == null ? null : new Condition.Threshold(null, seconds(Parsers.duration(parameter)));
      }
      if ((threshold == null) == (anomaly == null)) {
        problem("threshold / anomaly", threshold == null ? "one of them is required" : "set only one of them");
        return null;
      }
      return threshold != null ? threshold(threshold, IN_SECONDS.contains(metric)) : anomaly(anomaly);
    }

    private Condition threshold(JsonNode threshold, boolean inSeconds) {
      if (!threshold.isObject()) {
        problem("threshold", "must be a mapping with min and/or max");
        return null;
      }
      checkKeys(threshold, "threshold", List.of("min", "max"));
      JsonNode minValue = value(threshold, "min");
      JsonNode maxValue = value(threshold, "max");
      if (minValue == null && maxValue == null) {
        problem("threshold", "needs min and/or max");
        return null;
      }
      Double min = minValue == null ? null : bound(minValue, "threshold.min", inSeconds);
      Double max = maxValue == null ? null : bound(maxValue, "threshold.max", inSeconds);
      if (min != null && max != null && min > max) {
        problem("threshold", "min " + min + " is greater than max " + max);
      }
      return new Condition.Threshold(min, max);
    }

    private Double bound(JsonNode value, String path, boolean inSeconds) {
      if (inSeconds && value.isTextual()) {
        Duration duration = duration(value, path);
        return duration == null ? null : seconds(duration);
      }
      return number(value, path, v -> true, inSeconds ? "a number or a duration" : "a number");
    }

    private Condition anomaly(JsonNode anomaly) {
      if (!anomaly.isObject()) {
        problem("anomaly", "must be a mapping with a method");
        return null;
      }
      String method = text(value(anomaly, "method"), "anomaly.method", true);
      if (method == null) {
        return null;
      }
      switch (method) {
        case "relative-change" -> {
          checkKeys(anomaly, "anomaly", List.of("method", "max-change"));
          JsonNode value = value(anomaly, "max-change");
          Double maxChange = value == null ? required("anomaly.max-change") : number(value, "anomaly.max-change", v -> v > 0, "a number > 0");
          return maxChange == null ? null : new Condition.RelativeChange(maxChange);
        }
        case "ewma-zscore" -> {
          checkKeys(anomaly, "anomaly", List.of("method", "alpha", "z", "warm-up"));
          JsonNode alphaValue = value(anomaly, "alpha");
          JsonNode zValue = value(anomaly, "z");
          JsonNode warmUpValue = value(anomaly, "warm-up");
          Double alpha = alphaValue == null ? DEFAULT_ALPHA : number(alphaValue, "anomaly.alpha", v -> v > 0 && v <= 1, "a number in (0, 1]");
          Double z = zValue == null ? DEFAULT_Z : number(zValue, "anomaly.z", v -> v > 0, "a number > 0");
          Integer warmUp = warmUpValue == null ? DEFAULT_WARM_UP : wholeNumber(warmUpValue, "anomaly.warm-up", 2);
          return alpha == null || z == null || warmUp == null ? null : new Condition.EwmaZScore(alpha, z, warmUp);
        }
        default -> {
          problem("anomaly.method", quote(method) + " is not relative-change or ewma-zscore");
          return null;
        }
      }
    }

    private Severity severity() {
      String id = text(value(node, "severity"), "severity", false);
      if (id == null) {
        return Severity.FAIL;
      }
      for (Severity severity : Severity.values()) {
        if (severity.id().equals(id)) {
          return severity;
        }
      }
      problem("severity", quote(id) + " is not warn or fail");
      return null;
    }

    private void checkKeys(JsonNode map, String prefix, List<String> known) {
      map.fieldNames().forEachRemaining(key -> {
        if (!known.contains(key)) {
          problem(prefix + "." + key, "unknown key; known: " + String.join(", ", known));
        }
      });
    }

    /** The text of a single value; null if absent (a problem when required) or not a single value. */
    private String text(JsonNode value, String path, boolean required) {
      if (value == null) {
        return required ? required(path) : null;
      }
      if (!value.isValueNode()) {
        problem(path, "must be a single value, not " + value);
        return null;
      }
      return value.asText();
    }

    private String nonBlank(JsonNode value, String path, boolean required) {
      String text = text(value, path, required);
      if (text != null && text.isBlank()) {
        problem(path, "is blank");
        return null;
      }
      return text;
    }

    private String checkableField(String field, String path) {
      if (field != null && !RecordProfiler.isCheckable(field)) {
        problem(path, quote(field) + " cannot be checked for missing values; use " + RecordProfiler.CHECKABLE);
        return null;
      }
      return field;
    }

    private String oneOf(String text, String path, List<String> known, String what) {
      if (text != null && !known.contains(text)) {
        problem(path, quote(text) + " is not " + what + "; known: " + String.join(", ", known));
        return null;
      }
      return text;
    }

    private Duration duration(JsonNode value, String path) {
      String text = text(value, path, true);
      if (text == null) {
        return null;
      }
      try {
        return Parsers.duration(text);
      } catch (IllegalArgumentException e) {
        problem(path, quote(text) + " " + e.getMessage());
        return null;
      }
    }

    private Double number(JsonNode value, String path, DoublePredicate valid, String expected) {
      if (!value.isNumber() || !Double.isFinite(value.doubleValue()) || !valid.test(value.doubleValue())) {
        problem(path, value + " is not " + expected);
        return null;
      }
      return value.doubleValue();
    }

    private Integer wholeNumber(JsonNode value, String path, int min) {
      if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < min) {
        problem(path, value + " is not a whole number >= " + min);
        return null;
      }
      return value.intValue();
    }

    /** Reports a missing key; returns null, the value the caller lacks. */
    private <T> T required(String path) {
      problem(path, "is required");
      return null;
    }

    private void problem(String path, String message) {
      problems.add(label + "." + path + ": " + message);
    }
  }
}
