package io.medallion.common.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class WindowStatsTest {
  private static final List<String> FIELDS = List.of("payload.email", "metadata.region");

  private static QualityCheck check(Metric metric, String parameter) {
    return new QualityCheck(metric.id(), Scope.ALL, metric, parameter, new Condition.Threshold(null, 1.0), Duration.ofMinutes(1), Severity.FAIL);
  }

  private static RecordProfile valid(int schemaVersion, long lagMillis, long missingFields) {
    RecordProfile profile = new RecordProfile();
    profile.topic = "raw.events";
    profile.eventId = "e";
    profile.eventType = "user_action";
    profile.valid = true;
    profile.schemaVersion = schemaVersion;
    profile.lagMillis = lagMillis;
    profile.missingFields = missingFields;
    return profile;
  }

  private static RecordProfile violating(String rule) {
    RecordProfile profile = valid(1, 1_000, 0);
    profile.valid = false;
    profile.violatedRule = rule;
    return profile;
  }

  private static RecordProfile undecodable() {
    RecordProfile profile = new RecordProfile();
    profile.topic = "raw.events";
    return profile;
  }

  /** Ten records: 6 valid (one a duplicate, with its marker), 2 rule violations, 1 undecodable, 1 v2 event; 3 dead letters. */
  private static WindowStats window() {
    WindowStats stats = new WindowStats();
    for (int i = 0; i < 5; i++) {
      stats.add(valid(1, (i + 1) * 1_000L, i == 0 ? 0b11 : i == 1 ? 0b01 : 0));
    }
    RecordProfile again = valid(1, 6_000, 0);
    stats.add(again);
    // Its marker, from the duplicate detector, counts as a duplicate only.
    stats.add(RecordProfile.duplicateOf(again));
    stats.add(violating("transaction.amount.non_negative"));
    stats.add(violating("event.event_type.known"));
    stats.add(undecodable());
    stats.add(valid(2, 60_000, 0));
    stats.add(RecordProfile.ofDeadLetter("raw.events", "MALFORMED_JSON", 0));
    stats.add(RecordProfile.ofDeadLetter("raw.events", "MALFORMED_JSON", 0));
    stats.add(RecordProfile.ofDeadLetter("raw.events", "INVALID_FIELD", 0));
    return stats;
  }

  @Test
  void everyWindowedMetricIsComputedFromTheCounts() {
    WindowStats stats = window();

    assertThat(stats.value(check(Metric.RECORD_COUNT, null), FIELDS)).isEqualTo(10.0);
    assertThat(stats.value(check(Metric.VALID_RATIO, null), FIELDS)).isEqualTo(0.7);
    assertThat(stats.value(check(Metric.DEAD_LETTER_RATE, null), FIELDS)).isEqualTo(0.3);
    assertThat(stats.value(check(Metric.DEAD_LETTER_RATE, "MALFORMED_JSON"), FIELDS)).isEqualTo(0.2);
    assertThat(stats.value(check(Metric.DEAD_LETTER_RATE, "LATE_EVENT"), FIELDS)).isEqualTo(0.0);
    assertThat(stats.value(check(Metric.RULE_VIOLATION_RATE, "transaction.amount.non_negative"), FIELDS)).isEqualTo(0.1);
    assertThat(stats.value(check(Metric.RULE_VIOLATION_RATE, "metric.value.finite"), FIELDS)).isEqualTo(0.0);
    assertThat(stats.value(check(Metric.DUPLICATE_RATIO, null), FIELDS)).isEqualTo(0.1);
    // Of the 9 decoded records, 2 lack an email and 1 a region.
    assertThat(stats.value(check(Metric.MISSING_RATE, "payload.email"), FIELDS)).isEqualTo(2.0 / 9);
    assertThat(stats.value(check(Metric.MISSING_RATE, "metadata.region"), FIELDS)).isEqualTo(1.0 / 9);
    assertThat(stats.value(check(Metric.SCHEMA_VERSION_SHARE, "1"), FIELDS)).isEqualTo(8.0 / 9);
    assertThat(stats.value(check(Metric.SCHEMA_VERSION_SHARE, "2"), FIELDS)).isEqualTo(1.0 / 9);
    // Lags of the 9 decoded records, sorted: 1, 1, 1, 2, 3, 4, 5, 6, 60 s; the sketch's quantiles are within 1 %.
    assertThat(stats.value(check(Metric.EVENT_TIME_LAG_MAX, null), FIELDS)).isEqualTo(60.0);
    assertThat(stats.value(check(Metric.EVENT_TIME_LAG_P50, null), FIELDS)).isCloseTo(3.0, within(0.03));
    assertThat(stats.value(check(Metric.EVENT_TIME_LAG_P95, null), FIELDS)).isCloseTo(6.0, within(0.06));
  }

  @Test
  void aWindowOfDeadLettersOnlyHasNoCountAndNoRatios() {
    WindowStats empty = new WindowStats();
    empty.add(RecordProfile.ofDeadLetter("raw.events", "MALFORMED_JSON", 0));

    assertThat(empty.value(check(Metric.RECORD_COUNT, null), FIELDS)).isNaN();
    for (Metric metric : List.of(Metric.VALID_RATIO, Metric.DEAD_LETTER_RATE, Metric.DUPLICATE_RATIO, Metric.EVENT_TIME_LAG_P95, Metric.EVENT_TIME_LAG_MAX)) {
      assertThat(empty.value(check(metric, null), FIELDS)).as(metric.id()).isNaN();
    }
    assertThat(empty.value(check(Metric.MISSING_RATE, "payload.email"), FIELDS)).isNaN();
  }

  @Test
  void freshnessIsNotAWindowedMetricAndAnUntrackedFieldIsAnError() {
    assertThatThrownBy(() -> new WindowStats().value(check(Metric.FRESHNESS, "2m"), FIELDS)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new WindowStats().value(check(Metric.MISSING_RATE, "payload.ip_address"), FIELDS))
        .hasMessage("missing_rate: the profiler does not track payload.ip_address (tracks [payload.email, metadata.region])");
  }

  @Test
  void mergedPartialWindowsEqualOneWindowOfAllRecords() throws IOException {
    WindowStats whole = window();
    WindowStats merged = new WindowStats();
    merged.merge(window());
    WindowStats restored = roundTrip(whole);

    for (WindowStats stats : List.of(merged, restored)) {
      for (QualityCheck check : everyWindowedCheck()) {
        assertThat(stats.value(check, FIELDS)).as(check.metric().id() + " " + check.parameter()).isEqualTo(whole.value(check, FIELDS));
      }
    }
    WindowStats twice = window();
    twice.merge(window());
    assertThat(twice.value(check(Metric.RECORD_COUNT, null), FIELDS)).isEqualTo(20.0);
    assertThat(twice.value(check(Metric.DEAD_LETTER_RATE, "MALFORMED_JSON"), FIELDS)).isEqualTo(0.2);
  }

  private static List<QualityCheck> everyWindowedCheck() {
    return List.of(
        check(Metric.RECORD_COUNT, null),
        check(Metric.VALID_RATIO, null),
        check(Metric.DEAD_LETTER_RATE, null),
        check(Metric.DEAD_LETTER_RATE, "MALFORMED_JSON"),
        check(Metric.RULE_VIOLATION_RATE, "transaction.amount.non_negative"),
        check(Metric.MISSING_RATE, "payload.email"),
        check(Metric.MISSING_RATE, "metadata.region"),
        check(Metric.DUPLICATE_RATIO, null),
        check(Metric.EVENT_TIME_LAG_P50, null),
        check(Metric.EVENT_TIME_LAG_P95, null),
        check(Metric.EVENT_TIME_LAG_MAX, null),
        check(Metric.SCHEMA_VERSION_SHARE, "2"));
  }

  private static WindowStats roundTrip(WindowStats stats) throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(256);
    stats.write(out);
    WindowStats read = new WindowStats();
    // Reading into a used instance must replace, not add to, its counts.
    read.add(RecordProfile.ofDeadLetter("raw.events", "MALFORMED_JSON", 0));
    read.read(new DataInputDeserializer(out.getCopyOfBuffer()));
    return read;
  }
}
