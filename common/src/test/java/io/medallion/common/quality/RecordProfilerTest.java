package io.medallion.common.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medallion.common.event.EnvelopeDecoder;
import io.medallion.common.event.RawRecord;
import io.medallion.common.silver.Pseudonymizer;
import io.medallion.common.silver.SilverValidator;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordProfilerTest {
  private static final Instant RECORDED = Instant.parse("2026-11-22T12:00:00Z");
  private static final List<String> FIELDS = List.of("payload.email", "metadata.region", "source_system");

  private final RecordProfiler profiler =
      new RecordProfiler(
          new EnvelopeDecoder(1_048_576), new SilverValidator(Duration.ofMinutes(5), Duration.ofDays(7), new Pseudonymizer("k")), FIELDS);

  private static RawRecord record(String json) {
    return new RawRecord("raw.events", 1, 7L, RECORDED.toEpochMilli(), null, json.getBytes(StandardCharsets.UTF_8));
  }

  private static String event(String type, String time, String payload, String metadata) {
    return "{\"event_id\":\"1b4e28ba-2fa1-41d2-883f-0016d3cca427\",\"event_type\":\"" + type + "\",\"event_timestamp\":\"" + time
        + "\",\"source_system\":\"web\",\"schema_version\":1,\"payload\":" + payload + ",\"metadata\":" + metadata + "}";
  }

  @Test
  void aValidEventIsDecodedValidAndHasItsLagAndItsMissingFields() {
    RecordProfile profile =
        profiler.profile(record(event("user_action", RECORDED.minusMillis(2_500).toString(), "{\"user_id\":\"u-1\",\"action\":\"view\",\"resource\":\"/p\",\"email\":\"  \"}", "{}")));

    assertThat(profile.topic).isEqualTo("raw.events");
    assertThat(profile.timestamp).isEqualTo(RECORDED.toEpochMilli());
    assertThat(profile.eventId).isEqualTo("1b4e28ba-2fa1-41d2-883f-0016d3cca427");
    assertThat(profile.eventType).isEqualTo("user_action");
    assertThat(profile.schemaVersion).isEqualTo(1);
    assertThat(profile.lagMillis).isEqualTo(2_500);
    assertThat(profile.valid).isTrue();
    assertThat(profile.violatedRule).isNull();
    // A blank email and no region are missing; source_system is there.
    assertThat(profile.missing(0)).isTrue();
    assertThat(profile.missing(1)).isTrue();
    assertThat(profile.missing(2)).isFalse();
    assertThat(profile.deadLetter).isFalse();
  }

  @Test
  void anEventThatBreaksARuleNamesTheRuleItsDeadLetterWouldName() {
    RecordProfile profile =
        profiler.profile(record(event("transaction", RECORDED.toString(), "{\"transaction_id\":\"t\",\"account_id\":\"a\",\"merchant_id\":\"m\",\"amount\":-1,\"currency\":\"EUR\",\"status\":\"captured\"}", "{\"region\":\"eu\"}")));

    assertThat(profile.valid).isFalse();
    assertThat(profile.violatedRule).isEqualTo("transaction.amount.non_negative");
    assertThat(profile.missingFields).as("the payload has no email; region and source_system are set").isEqualTo(0b001);
  }

  @Test
  void anEventTimeWhoseLagDoesNotFitALongSaturatesTheLag() {
    String payload = "{\"user_id\":\"u-1\",\"action\":\"view\",\"resource\":\"/p\"}";
    // Milliseconds beyond a long; and milliseconds that fit, but not their distance to the record's time.
    for (String past : List.of("-999999999-01-01T00:00:00Z", Instant.ofEpochMilli(Long.MIN_VALUE).toString())) {
      RecordProfile profile = profiler.profile(record(event("user_action", past, payload, "{}")));
      assertThat(profile.decoded()).as(past).isTrue();
      assertThat(profile.violatedRule).as(past).isEqualTo("event.event_timestamp.in_range");
      assertThat(profile.lagMillis).as(past).isEqualTo(Long.MAX_VALUE);
    }
    RecordProfile future = profiler.profile(record(event("user_action", "+999999999-12-31T23:59:59Z", payload, "{}")));
    assertThat(future.violatedRule).isEqualTo("event.event_timestamp.in_range");
    assertThat(future.lagMillis).isEqualTo(Long.MIN_VALUE);
  }

  @Test
  void aRecordThatDoesNotDecodeIsNeitherValidNorDecoded() {
    RecordProfile profile = profiler.profile(record("{oops"));

    assertThat(profile.decoded()).isFalse();
    assertThat(profile.valid).isFalse();
    assertThat(profile.violatedRule).isNull();
    assertThat(profile.eventType).isNull();
    assertThat(profile.missingFields).isZero();
  }

  @Test
  void onlySourceSystemMetadataAndPayloadFieldsCanBeChecked() {
    assertThat(RecordProfiler.isCheckable("payload.email")).isTrue();
    assertThat(RecordProfiler.isCheckable("metadata.region")).isTrue();
    assertThat(RecordProfiler.isCheckable("source_system")).isTrue();
    assertThat(RecordProfiler.isCheckable("payload.")).isFalse();
    assertThat(RecordProfiler.isCheckable("event_id")).isFalse();
    assertThatThrownBy(() -> new RecordProfiler(new EnvelopeDecoder(10), null, List.of("email")))
        .hasMessage("email is not a field that can be missing: use source_system, metadata.<key> or payload.<name>");
  }
}
