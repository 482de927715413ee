package io.medallion.local;

import io.medallion.common.event.DecodeResult;
import io.medallion.common.event.Envelope;
import io.medallion.common.event.EnvelopeDecoder;
import io.medallion.common.silver.Pseudonymizer;
import io.medallion.common.silver.RuleViolation;
import io.medallion.common.silver.SilverValidator;
import io.medallion.testkit.EventFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-record hot path of bronze and silver without Flink: decoding a raw record into an
 * envelope, and validating and cleansing the envelope into a silver row (pseudonymization
 * included), over a rotation of 1,024 generated events of one type.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class HotPathBenchmark {
  private static final int EVENTS = 1024;

  @Param({"user_action", "transaction", "system", "metric"})
  public String eventType;

  private byte[][] records;
  private Envelope[] envelopes;
  private EnvelopeDecoder decoder;
  private SilverValidator validator;
  private SilverValidator.Source source;
  private int next;

  @Setup
  public void generate() {
    Instant now = Instant.now();
    EventFactory events = new EventFactory(42, now.minus(Duration.ofMinutes(10)), Duration.ofMinutes(10));
    decoder = new EnvelopeDecoder(1 << 20);
    validator = new SilverValidator(Duration.ofMinutes(5), Duration.ofDays(7), new Pseudonymizer("microbench-only-key"));
    source = new SilverValidator.Source("raw.bench", 0, 0, now);
    records = new byte[EVENTS][];
    envelopes = new Envelope[EVENTS];
    for (int i = 0; i < EVENTS; i++) {
      records[i] = EventFactory.bytes(events.next(eventType));
      envelopes[i] = ((DecodeResult.Decoded) decoder.decode(records[i])).envelope();
    }
  }

  @Benchmark
  public DecodeResult decode() {
    return decoder.decode(records[next++ & (EVENTS - 1)]);
  }

  @Benchmark
  public SilverValidator.SilverRow validateAndCleanse() throws RuleViolation {
    return validator.validate(envelopes[next++ & (EVENTS - 1)], source);
  }

  @Benchmark
  public SilverValidator.SilverRow decodeValidateAndCleanse() throws RuleViolation {
    return validator.validate(((DecodeResult.Decoded) decoder.decode(records[next++ & (EVENTS - 1)])).envelope(), source);
  }
}
