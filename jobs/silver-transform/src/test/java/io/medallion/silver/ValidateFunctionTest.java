package io.medallion.silver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medallion.common.deadletter.DeadLetterRateBreaker;
import io.medallion.common.deadletter.DeadLetters;
import io.medallion.common.event.RawRecord;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/** The validate operator's dead-letter circuit breaker on Flink's harness. */
class ValidateFunctionTest {
  private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");

  private static OneInputStreamOperatorTestHarness<RawRecord, Void> harness(DeadLetterRateBreaker.Action action) throws Exception {
    SilverSettings settings =
        new SilverSettings(
            1024, Duration.ofMinutes(5), Duration.ofDays(7), "k", Duration.ofSeconds(5), Duration.ofSeconds(30),
            new DeadLetterRateBreaker.Limit(0.5, 2, action));
    return ProcessFunctionTestHarnesses.forProcessFunction(new ValidateFunction("silver-transform", settings, Clock.fixed(NOW, ZoneOffset.UTC)));
  }

  private static RawRecord malformed(long offset) {
    return new RawRecord("raw.events", 0, offset, NOW.toEpochMilli(), null, "not json".getBytes(StandardCharsets.UTF_8));
  }

  private static List<Long> deadLetterOffsets(OneInputStreamOperatorTestHarness<RawRecord, Void> harness) {
    return harness.getSideOutput(DeadLetters.TAG).stream().map(r -> r.getValue().sourceOffset).toList();
  }

  @Test
  void failsTheJobWithoutRestartsWhenAWindowIsAboveTheRate() throws Exception {
    try (var harness = harness(DeadLetterRateBreaker.Action.FAIL)) {
      harness.processElement(malformed(0), 0L);
      assertThatThrownBy(() -> harness.processElement(malformed(1), 0L))
          .isInstanceOf(SuppressRestartsException.class)
          .cause()
          .hasMessage(
              "silver-transform dead-lettered 2 of 2 input records (ratio 1), above dlq.max-rate 0.5 over dlq.rate-window 2:"
                  + " the producer's output is likely broken; the job stops (dlq.rate-action fail).");
      assertThat(deadLetterOffsets(harness)).containsExactly(0L, 1L);
    }
  }

  @Test
  void goesOnDeadLetteringWhenTheActionIsAlert() throws Exception {
    try (var harness = harness(DeadLetterRateBreaker.Action.ALERT)) {
      for (long offset = 0; offset < 4; offset++) {
        harness.processElement(malformed(offset), 0L);
      }
      assertThat(deadLetterOffsets(harness)).containsExactly(0L, 1L, 2L, 3L);
    }
  }
}
