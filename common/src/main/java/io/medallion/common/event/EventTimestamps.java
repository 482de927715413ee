package io.medallion.common.event;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Parses {@code event_timestamp}: ISO-8601 date-time with {@code Z} or an offset, to UTC.
 *
 * <p>The form producers send almost always, {@code yyyy-MM-ddTHH:mm:ss[.f…]} then {@code Z} or
 * {@code ±HH:MM}, is read digit by digit: {@link OffsetDateTime#parse} cost a third of bronze's
 * decoding. Every other text goes to {@link OffsetDateTime#parse}, so the accepted language and
 * the errors are exactly its own.
 */
public final class EventTimestamps {

  private EventTimestamps() {}

  /** @throws DateTimeException if the text is not an ISO-8601 date-time with an offset */
  public static Instant parse(String text) {
    Instant fast = parseCommonForm(text);
    return fast != null ? fast : OffsetDateTime.parse(text).toInstant();
  }

  /** The instant of the common form, or null when the text has another form. */
  private static Instant parseCommonForm(String s) {
    int n = s.length();
    if (n < 20 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T' || s.charAt(13) != ':' || s.charAt(16) != ':') {
      return null;
    }
    int year = digits(s, 0, 4);
    int month = digits(s, 5, 2);
    int day = digits(s, 8, 2);
    int hour = digits(s, 11, 2);
    int minute = digits(s, 14, 2);
    int second = digits(s, 17, 2);
    if ((year | month | day | hour | minute | second) < 0) {
      return null;
    }
    int at = 19;
    int nanos = 0;
    if (s.charAt(at) == '.') {
      int start = ++at;
      while (at < n && at - start < 9 && isDigit(s.charAt(at))) {
        nanos = nanos * 10 + (s.charAt(at) - '0');
        at++;
      }
      int fractionDigits = at - start;
      if (fractionDigits == 0 || (at < n && isDigit(s.charAt(at)))) {
        return null;
      }
      for (int i = fractionDigits; i < 9; i++) {
        nanos *= 10;
      }
    }
    int offsetSeconds;
    if (at == n - 1 && s.charAt(at) == 'Z') {
      offsetSeconds = 0;
    } else if (at == n - 6 && (s.charAt(at) == '+' || s.charAt(at) == '-') && s.charAt(at + 3) == ':') {
      int offsetHours = digits(s, at + 1, 2);
      int offsetMinutes = digits(s, at + 4, 2);
      if ((offsetHours | offsetMinutes) < 0 || offsetHours > 18 || offsetMinutes > 59) {
        return null;
      }
      offsetSeconds = (offsetHours * 3600 + offsetMinutes * 60) * (s.charAt(at) == '-' ? -1 : 1);
    } else {
      return null;
    }
    try {
      // LocalDateTime.of rejects impossible dates (month 13, February 30) as parse would.
      return LocalDateTime.of(year, month, day, hour, minute, second, nanos)
          .toInstant(ZoneOffset.ofTotalSeconds(offsetSeconds));
    } catch (DateTimeException e) {
      return null;
    }
  }

  /** The non-negative value of {@code count} decimal digits at {@code from}, or -1. */
  private static int digits(String s, int from, int count) {
    int value = 0;
    for (int i = from; i < from + count; i++) {
      char c = s.charAt(i);
      if (!isDigit(c)) {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }
}
