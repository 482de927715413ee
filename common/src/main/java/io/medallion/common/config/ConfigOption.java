package io.medallion.common.config;

import java.util.function.Function;

/**
 * One configuration key: its dotted name, how its text is parsed, its default and whether its
 * value is secret. Declared once in {@link ConfigOptions}.
 *
 * @param <T> the parsed type
 */
public final class ConfigOption<T> {
  private final String key;
  private final Function<String, T> parser;
  private final String expected;
  private final T defaultValue;
  private final boolean secret;
  private final String description;

  ConfigOption(
      String key,
      Function<String, T> parser,
      String expected,
      T defaultValue,
      boolean secret,
      String description) {
    this.key = key;
    this.parser = parser;
    this.expected = expected;
    this.defaultValue = defaultValue;
    this.secret = secret;
    this.description = description;
  }

  public String key() {
    return key;
  }

  public T defaultValue() {
    return defaultValue;
  }

  public boolean secret() {
    return secret;
  }

  public String description() {
    return description;
  }

  /** What a valid value looks like, for error messages. */
  public String expected() {
    return expected;
  }

  T parse(String text) {
    return parser.apply(text.trim());
  }

  @Override
  public String toString() {
    return key;
  }
}
