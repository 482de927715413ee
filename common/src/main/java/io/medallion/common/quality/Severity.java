package io.medallion.common.quality;

/** How bad a failing check is; also the status a failing check reports ({@code warn} or {@code fail}). */
public enum Severity {
  WARN,
  FAIL;

  public String id() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
