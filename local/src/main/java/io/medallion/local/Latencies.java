package io.medallion.local;

import java.util.Arrays;

/** Latencies in milliseconds, and their nearest-rank percentiles. */
final class Latencies {
  private long[] values = new long[1024];
  private int count;
  private boolean sorted;

  void add(long millis) {
    if (count == values.length) {
      values = Arrays.copyOf(values, count * 2);
    }
    values[count++] = millis;
    sorted = false;
  }

  void addAll(Latencies other) {
    for (int i = 0; i < other.count; i++) {
      add(other.values[i]);
    }
  }

  int count() {
    return count;
  }

  /** The smallest value v such that a share {@code q} of all values is at most v; 0 when empty. */
  long percentile(double q) {
    if (count == 0) {
      return 0;
    }
    if (!sorted) {
      Arrays.sort(values, 0, count);
      sorted = true;
    }
    return values[Math.max(0, (int) Math.ceil(q * count) - 1)];
  }

  long min() {
    return percentile(0);
  }

  long max() {
    return percentile(1);
  }
}
