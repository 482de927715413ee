package io.medallion.local;

import java.util.Arrays;

/** Latencies in milliseconds with the time each measured row was produced, and their nearest-rank percentiles. */
final class Latencies {
  private long[] values = new long[1024];
  private long[] producedAt = new long[1024];
  private int count;
  private long[] sorted;

  void add(long producedAtMillis, long latencyMillis) {
    if (count == values.length) {
      values = Arrays.copyOf(values, count * 2);
      producedAt = Arrays.copyOf(producedAt, count * 2);
    }
    producedAt[count] = producedAtMillis;
    values[count++] = latencyMillis;
    sorted = null;
  }

  void addAll(Latencies other) {
    for (int i = 0; i < other.count; i++) {
      add(other.producedAt[i], other.values[i]);
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
    if (sorted == null) {
      sorted = Arrays.copyOf(values, count);
      Arrays.sort(sorted);
    }
    return sorted[Math.max(0, (int) Math.ceil(q * count) - 1)];
  }

  long min() {
    return percentile(0);
  }

  long max() {
    return percentile(1);
  }

  /** The rows produced in [from + i × slice, from + (i + 1) × slice), for i below {@code slices}: how latency moved over a run. */
  Latencies[] bySlice(long from, long sliceMillis, int slices) {
    Latencies[] parts = new Latencies[slices];
    for (int i = 0; i < slices; i++) {
      parts[i] = new Latencies();
    }
    for (int i = 0; i < count; i++) {
      int slice = (int) Math.min(slices - 1, Math.max(0, (producedAt[i] - from) / sliceMillis));
      parts[slice].add(producedAt[i], values[i]);
    }
    return parts;
  }
}
