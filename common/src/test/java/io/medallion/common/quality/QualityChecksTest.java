package io.medallion.common.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.medallion.common.config.ConfigException;
import io.medallion.common.event.ErrorCode;
import io.medallion.common.silver.Rule;
import io.medallion.common.silver.Rules;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QualityChecksTest {
  private static final Duration DEFAULT_WINDOW = Duration.ofMinutes(5);

  private static final String VALID =
      """
      checks:
        - name: raw-volume
          scope: {topic: raw.events, event-type: transaction}
          metric: record_count
          anomaly: {method: ewma-zscore, alpha: 0.5, z: 2.5, warm-up: 4}
          window: 1m
          severity: warn
        - name: raw-volume.defaults
          scope: {topic: raw.events}
          metric: record_count
          anomaly: {method: ewma-zscore}
        - name: valid-ratio
          metric: valid_ratio
          threshold: {min: 0.95}
        - name: late-letters
          metric: dead_letter_rate
          error-code: LATE_EVENT
          threshold: {max: 0.01}
          severity: fail
        - name: all_letters
          scope: {event-type: user_action}
          metric: dead_letter_rate
          anomaly: {method: relative-change, max-change: 0.5}
        - name: amount-rule
          metric: rule_violation_rate
          rule: transaction.amount.non_negative
          threshold: {max: 0.001}
        - name: email-missing
          metric: missing_rate
          field: payload.email
          threshold: {max: 0.5}
        - name: v1-share
          metric: schema_version_share
          schema-version: 1
          threshold: {min: 0.9, max: 1}
        - name: lag-p95
          metric: event_time_lag_p95
          threshold: {max: 30s}
        - name: lag-max
          metric: event_time_lag_max
          threshold: {min: 500ms, max: 90}
        - name: raw-silence
          scope: {topic: raw.events}
          metric: freshness
          max-silence: 2m
          window: 30s
      """;

  @TempDir Path dir;

  @Test
  void parsesEveryKindOfCheckAndAppliesDefaults() {
    Scope rawEvents = new Scope("raw.events", null);
    Condition.Threshold max001 = new Condition.Threshold(null, 0.001);
    assertThat(QualityChecks.parse(VALID, DEFAULT_WINDOW))
        .containsExactly(
            new QualityCheck(
                "raw-volume",
                new Scope("raw.events", "transaction"),
                Metric.RECORD_COUNT,
                null,
                new Condition.EwmaZScore(0.5, 2.5, 4),
                Duration.ofMinutes(1),
                Severity.WARN),
            new QualityCheck(
                "raw-volume.defaults", rawEvents, Metric.RECORD_COUNT, null, new Condition.EwmaZScore(0.3, 3, 10), DEFAULT_WINDOW, Severity.FAIL),
            new QualityCheck(
                "valid-ratio", Scope.ALL, Metric.VALID_RATIO, null, new Condition.Threshold(0.95, null), DEFAULT_WINDOW, Severity.FAIL),
            new QualityCheck(
                "late-letters",
                Scope.ALL,
                Metric.DEAD_LETTER_RATE,
                "LATE_EVENT",
                new Condition.Threshold(null, 0.01),
                DEFAULT_WINDOW,
                Severity.FAIL),
            new QualityCheck(
                "all_letters",
                new Scope(null, "user_action"),
                Metric.DEAD_LETTER_RATE,
                null,
                new Condition.RelativeChange(0.5),
                DEFAULT_WINDOW,
                Severity.FAIL),
            new QualityCheck(
                "amount-rule", Scope.ALL, Metric.RULE_VIOLATION_RATE, "transaction.amount.non_negative", max001, DEFAULT_WINDOW, Severity.FAIL),
            new QualityCheck(
                "email-missing", Scope.ALL, Metric.MISSING_RATE, "payload.email", new Condition.Threshold(null, 0.5), DEFAULT_WINDOW, Severity.FAIL),
            new QualityCheck(
                "v1-share", Scope.ALL, Metric.SCHEMA_VERSION_SHARE, "1", new Condition.Threshold(0.9, 1.0), DEFAULT_WINDOW, Severity.FAIL),
            // Lag thresholds: durations become seconds; plain numbers are seconds already.
            new QualityCheck(
                "lag-p95", Scope.ALL, Metric.EVENT_TIME_LAG_P95, null, new Condition.Threshold(null, 30.0), DEFAULT_WINDOW, Severity.FAIL),
            new QualityCheck(
                "lag-max", Scope.ALL, Metric.EVENT_TIME_LAG_MAX, null, new Condition.Threshold(0.5, 90.0), DEFAULT_WINDOW, Severity.FAIL),
            new QualityCheck(
                "raw-silence", rawEvents, Metric.FRESHNESS, "2m", new Condition.Threshold(null, 120.0), Duration.ofSeconds(30), Severity.FAIL));
  }

  @Test
  void namesEveryMistakeOfEveryEntry() {
    String yaml =
        """
        version: 2
        checks:
          - name: Raw Volume
            metric: record_count
            anomaly: {method: ewma-zscore}
            windw: 1m
          - metric: volume
            threshold: {max: 1}
          - name: ok
            metric: valid_ratio
            threshold: {min: 0.9}
          - name: ok
            metric: valid_ratio
            rule: transaction.amount.non_negative
          - name: both
            scope: {topic: " ", type: transaction}
            metric: duplicate_ratio
            threshold: {max: 0.1}
            anomaly: {method: relative-change, max-change: 0.5}
          - name: thresholds
            metric: valid_ratio
            threshold: {min: high, maximum: 1}
          - name: upside-down
            metric: duplicate_ratio
            threshold: {min: 0.5, max: 0.1}
            window: 0s
            severity: error
          - name: lag
            metric: event_time_lag_p50
            threshold: {max: 30 seconds}
          - name: ratio-in-seconds
            metric: valid_ratio
            threshold: {min: 30s}
          - name: anomalies
            scope: raw.events
            metric: record_count
            anomaly: {method: zscore}
          - name: change
            metric: record_count
            anomaly: {method: relative-change, max-change: 0, alpha: 0.3}
          - name: ewma
            metric: record_count
            anomaly: {method: ewma-zscore, alpha: 1.5, z: -1, warm-up: 2.5}
          - name: letters
            metric: dead_letter_rate
            error-code: late_event
            threshold: {max: 0.01}
          - name: rule
            metric: rule_violation_rate
            rule: x.y
            threshold: {max: 0.001}
          - name: missing
            metric: missing_rate
            field: ""
            threshold: {}
          - name: missing-what
            metric: missing_rate
            field: email
            threshold: {max: 0.5}
          - name: share
            metric: schema_version_share
            schema-version: 0
            threshold: {min: 0.9}
          - name: share-of-what
            metric: schema_version_share
            threshold: 0.9
          - name: silence
            metric: freshness
            max-silence: 0s
            threshold: {max: 60}
          - name: silence-forever
            metric: freshness
            anomaly: {method: relative-change, max-change: 1}
          - just a string
          - name: no-metric
            rule: x.y
            window: soon
        """;

    ConfigException e = catchThrowableOfType(ConfigException.class, () -> QualityChecks.parse(yaml, DEFAULT_WINDOW));

    String metricIds = Arrays.stream(Metric.values()).map(Metric::id).collect(Collectors.joining(", "));
    String errorCodes = Arrays.stream(ErrorCode.values()).map(Enum::name).collect(Collectors.joining(", "));
    String ruleIds = Rules.ALL.stream().map(Rule::id).collect(Collectors.joining(", "));
    assertThat(e.problems())
        .containsExactly(
            "version: unknown key; known: checks",
            "checks[0].name: \"Raw Volume\" does not match [a-z0-9][a-z0-9_.-]*",
            "checks[0].windw: unknown key",
            "checks[1].name: is required",
            "checks[1].metric: \"volume\" is not a metric; known: " + metricIds,
            "checks[3] (ok).name: \"ok\" is already the name of checks[2]",
            "checks[3] (ok).rule: is not a key of metric valid_ratio",
            "checks[3] (ok).threshold / anomaly: one of them is required",
            "checks[4] (both).scope.type: unknown key; known: topic, event-type",
            "checks[4] (both).scope.topic: is blank",
            "checks[4] (both).threshold / anomaly: set only one of them",
            "checks[5] (thresholds).threshold.maximum: unknown key; known: min, max",
            "checks[5] (thresholds).threshold.min: \"high\" is not a number",
            "checks[6] (upside-down).threshold: min 0.5 is greater than max 0.1",
            "checks[6] (upside-down).window: \"0s\" must be longer than zero",
            "checks[6] (upside-down).severity: \"error\" is not warn or fail",
            "checks[7] (lag).threshold.max: \"30 seconds\" is not a duration (like 500ms, 30s, 5m, 7d)",
            "checks[8] (ratio-in-seconds).threshold.min: \"30s\" is not a number",
            "checks[9] (anomalies).scope: must be a mapping with topic and/or event-type",
            "checks[9] (anomalies).anomaly.method: \"zscore\" is not relative-change or ewma-zscore",
            "checks[10] (change).anomaly.alpha: unknown key; known: method, max-change",
            "checks[10] (change).anomaly.max-change: 0 is not a number > 0",
            "checks[11] (ewma).anomaly.alpha: 1.5 is not a number in (0, 1]",
            "checks[11] (ewma).anomaly.z: -1 is not a number > 0",
            "checks[11] (ewma).anomaly.warm-up: 2.5 is not a whole number >= 2",
            "checks[12] (letters).error-code: \"late_event\" is not an error code; known: " + errorCodes,
            "checks[13] (rule).rule: \"x.y\" is not a silver rule id; known: " + ruleIds,
            "checks[14] (missing).field: is blank",
            "checks[14] (missing).threshold: needs min and/or max",
            "checks[15] (missing-what).field: \"email\" cannot be checked for missing values; use source_system, metadata.<key> or payload.<name>",
            "checks[16] (share).schema-version: 0 is not a whole number >= 1",
            "checks[17] (share-of-what).schema-version: is required",
            "checks[17] (share-of-what).threshold: must be a mapping with min and/or max",
            "checks[18] (silence).max-silence: \"0s\" must be longer than zero",
            "checks[18] (silence).threshold: freshness takes none; it fails after max-silence",
            "checks[19] (silence-forever).max-silence: is required",
            "checks[19] (silence-forever).anomaly: freshness takes none; it fails after max-silence",
            "checks[20]: must be a mapping of keys to values",
            "checks[21] (no-metric).metric: is required",
            "checks[21] (no-metric).window: \"soon\" is not a duration (like 500ms, 30s, 5m, 7d)");
  }

  @Test
  void aFileWithoutChecksIsAMistake() {
    assertThat(problems("")).containsExactly("checks: is required");
    assertThat(problems("checks: []")).containsExactly("checks: is empty");
    assertThat(problems("checks: {name: a}")).containsExactly("checks: must be a list of checks");
    assertThat(problems("chekcs:\n  - name: a\n")).containsExactly("chekcs: unknown key; known: checks", "checks: is required");
  }

  @Test
  void malformedYamlIsOneProblemWithTheParsersLocation() {
    assertThat(problems("checks:\n  - name: a\n    scope: {topic: x\n  - name: b\n"))
        .containsExactly("check file: not valid YAML at line: 4, column: 9: while parsing a flow mapping; expected ',' or '}', but got :");
    // A repeated key is refused by the parser rather than letting the last value win.
    assertThat(problems("checks:\n  - name: a\n    name: b\n"))
        .containsExactly(
            "check file: not valid YAML at line: 3, column: 11: Duplicate field 'name' for `ObjectNode`:"
                + " not allowed when `DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY` enabled");
    // A broken read limit has no location, but is still one problem rather than a crash.
    assertThat(problems("checks: " + "[".repeat(1001)))
        .containsExactly(
            "check file: not valid YAML: Document nesting depth (1001) exceeds the maximum allowed"
                + " (1000, from `StreamReadConstraints.getMaxNestingDepth()`)");
  }

  @Test
  void loadsAFileAndNamesOneThatCannotBeRead() throws Exception {
    Path file = Files.writeString(dir.resolve("checks.yaml"), VALID);
    assertThat(QualityChecks.load(file, DEFAULT_WINDOW)).isEqualTo(QualityChecks.parse(VALID, DEFAULT_WINDOW));

    Path missing = dir.resolve("missing.yaml");
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> QualityChecks.load(missing, DEFAULT_WINDOW));
    assertThat(e.problems()).containsExactly("check file " + missing + ": cannot be read: java.nio.file.NoSuchFileException: " + missing);
  }

  private static List<String> problems(String yaml) {
    return catchThrowableOfType(ConfigException.class, () -> QualityChecks.parse(yaml, DEFAULT_WINDOW)).problems();
  }
}
