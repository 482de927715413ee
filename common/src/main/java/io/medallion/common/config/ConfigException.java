package io.medallion.common.config;

import java.util.List;

/** Invalid configuration: one message that names every bad key, raised before a job starts. */
public class ConfigException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  public ConfigException(List<String> problems) {
    super(format(problems));
    this.problems = List.copyOf(problems);
  }

  /** One line per bad key, each starting with the key. */
  public List<String> problems() {
    return problems;
  }

  private static String format(List<String> problems) {
    StringBuilder message =
        new StringBuilder("Invalid configuration (")
            .append(problems.size())
            .append(problems.size() == 1 ? " problem):" : " problems):");
    for (String problem : problems) {
      message.append(System.lineSeparator()).append("  - ").append(problem);
    }
    return message.toString();
  }
}
