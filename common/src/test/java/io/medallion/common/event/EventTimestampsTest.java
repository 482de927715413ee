package io.medallion.common.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EventTimestampsTest {

  @Test
  void readsZuluOffsetsAndEveryFractionLengthToUtc() {
    assertThat(EventTimestamps.parse("2026-11-22T10:15:30Z")).isEqualTo(Instant.parse("2026-11-22T10:15:30Z"));
    assertThat(EventTimestamps.parse("2026-11-22T10:15:30.1Z")).isEqualTo(Instant.parse("2026-11-22T10:15:30.100Z"));
    assertThat(EventTimestamps.parse("2026-11-22T10:15:30.123456789Z")).isEqualTo(Instant.parse("2026-11-22T10:15:30.123456789Z"));
    assertThat(EventTimestamps.parse("2026-11-22T11:15:30.123+01:00")).isEqualTo(Instant.parse("2026-11-22T10:15:30.123Z"));
    assertThat(EventTimestamps.parse("2026-11-22T05:45:30-04:30")).isEqualTo(Instant.parse("2026-11-22T10:15:30Z"));
    assertThat(EventTimestamps.parse("2026-11-22T10:15Z")).isEqualTo(Instant.parse("2026-11-22T10:15:00Z"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "2026-11-22 10:15:30Z", "2026-11-22T10:15:30", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z",
        "2026-11-22T24:00:00Z", "2026-11-22T10:15:60Z", "2026-11-22T10:15:30.1234567890Z",
        "2026-11-22T10:15:30+19:00", "2026-11-22T10:15:30ZZ", "1763806530", ""
      })
  void rejectsWhatIsoRejects(String text) {
    assertThatThrownBy(() -> EventTimestamps.parse(text)).isInstanceOf(DateTimeException.class);
  }

  /** The fast path must agree with OffsetDateTime.parse on every text, valid or not. */
  @Test
  void agreesWithOffsetDateTimeOnValidAndMutatedTexts() {
    SplittableRandom random = new SplittableRandom(17);
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      String text = random(random);
      texts.add(text);
      texts.add(mutate(text, random));
    }
    for (String text : texts) {
      Instant expected;
      try {
        expected = OffsetDateTime.parse(text).toInstant();
      } catch (DateTimeException e) {
        assertThatThrownBy(() -> EventTimestamps.parse(text)).as(text).isInstanceOf(DateTimeException.class);
        continue;
      }
      assertThat(EventTimestamps.parse(text)).as(text).isEqualTo(expected);
    }
  }

  private static String random(SplittableRandom r) {
    StringBuilder s = new StringBuilder();
    s.append(String.format("%04d-%02d-%02dT%02d:%02d:%02d", r.nextInt(1900, 2100), r.nextInt(1, 13), r.nextInt(1, 29),
        r.nextInt(24), r.nextInt(60), r.nextInt(60)));
    int fraction = r.nextInt(11);
    if (fraction > 0) {
      s.append('.');
      for (int i = 0; i < fraction; i++) {
        s.append((char) ('0' + r.nextInt(10)));
      }
    }
    switch (r.nextInt(3)) {
      case 0 -> s.append('Z');
      case 1 -> s.append(String.format("%c%02d:%02d", r.nextBoolean() ? '+' : '-', r.nextInt(20), r.nextInt(61)));
      default -> s.append(String.format("%c%02d%02d", r.nextBoolean() ? '+' : '-', r.nextInt(19), r.nextInt(60)));
    }
    return s.toString();
  }

  private static String mutate(String text, SplittableRandom r) {
    char[] chars = text.toCharArray();
    chars[r.nextInt(chars.length)] = "0123456789-:T.Z+ z".charAt(r.nextInt(18));
    return new String(chars);
  }
}
