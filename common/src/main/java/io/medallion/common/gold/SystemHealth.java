package io.medallion.common.gold;

/** The aggregate of {@code gold.system_health} for one (service, level, window): a count. */
public final class SystemHealth {
  private long count;

  public void add() {
    count++;
  }

  public void merge(SystemHealth other) {
    count += other.count;
  }

  public long count() {
    return count;
  }
}
