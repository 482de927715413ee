package io.medallion.common.config;

import io.medallion.common.deadletter.DeadLetterRateBreaker;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Value parsers for {@link ConfigOption}s; each throws IllegalArgumentException on bad input.
 * {@link #duration} is public so other config files (quality checks) share one duration syntax.
 */
public final class Parsers {
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

  private Parsers() {}

  static String string(String text) {
    if (text.isEmpty()) {
      throw new IllegalArgumentException("is empty");
    }
    return text;
  }

  static boolean bool(String text) {
    return switch (text.toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException("is not true or false");
    };
  }

  static int positiveInt(String text) {
    try {
      int value = Integer.parseInt(text);
      if (value < 1) {
        throw new IllegalArgumentException("must be at least 1");
      }
      return value;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("is not a whole number");
    }
  }

  /** A whole number of at least {@code minimum}. */
  static Function<String, Integer> intAtLeast(int minimum) {
    return text -> {
      try {
        int value = Integer.parseInt(text);
        if (value < minimum) {
          throw new IllegalArgumentException("must be at least " + minimum);
        }
        return value;
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("is not a whole number");
      }
    };
  }

  static long positiveLong(String text) {
    try {
      long value = Long.parseLong(text);
      if (value < 1) {
        throw new IllegalArgumentException("must be at least 1");
      }
      return value;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("is not a whole number");
    }
  }

  /** A share from 0 to 1 inclusive, e.g. {@code 0.05}. */
  static double ratio(String text) {
    double value;
    try {
      value = Double.parseDouble(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("is not a number");
    }
    if (!(value >= 0 && value <= 1)) {
      throw new IllegalArgumentException("is not from 0 to 1");
    }
    return value;
  }

  static DeadLetterRateBreaker.Action rateAction(String text) {
    for (DeadLetterRateBreaker.Action action : DeadLetterRateBreaker.Action.values()) {
      if (action.configValue().equals(text.toLowerCase(Locale.ROOT))) {
        return action;
      }
    }
    throw new IllegalArgumentException("is not alert or fail");
  }

  /** {@code 250ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 7d} or ISO-8601 {@code PT30S}. */
  public static Duration duration(String text) {
    Duration value = durationOrZero(text);
    if (value.isZero()) {
      throw new IllegalArgumentException("must be longer than zero");
    }
    return value;
  }

  /** Like {@link #duration}, but {@code 0s} is allowed (e.g. no allowed lateness). */
  static Duration durationOrZero(String text) {
    Matcher m = DURATION.matcher(text.toLowerCase(Locale.ROOT));
    Duration value;
    if (m.matches()) {
      long amount = Long.parseLong(m.group(1));
      value =
          switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
          };
    } else {
      try {
        value = Duration.parse(text);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("is not a duration (like 500ms, 30s, 5m, 7d)");
      }
    }
    if (value.isNegative()) {
      throw new IllegalArgumentException("must not be negative");
    }
    return value;
  }

  /** A YAML list arrives as comma-separated text; so does {@code --set kafka.topics=a,b}. */
  static List<String> list(String text) {
    List<String> items =
        Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    if (items.isEmpty()) {
      throw new IllegalArgumentException("is an empty list");
    }
    return items;
  }

  static Pattern regex(String text) {
    try {
      return Pattern.compile(text);
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException("is not a regular expression: " + e.getDescription());
    }
  }

  static String source(String text) {
    String lower = text.toLowerCase(Locale.ROOT);
    if (!lower.equals("kafka") && !lower.equals(ConfigOptions.SOURCE_BRONZE)) {
      throw new IllegalArgumentException("is not kafka or bronze");
    }
    return lower;
  }

  static StartingOffsets startingOffsets(String text) {
    return StartingOffsets.parse(text);
  }
}
