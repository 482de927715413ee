package io.medallion.quality;

import io.medallion.common.quality.WindowStats;

/**
 * The counts of one window of one {@link WindowSlot}, as far as one counter has seen them; the
 * judge merges the counts of all counters. A Flink POJO.
 */
public class ScopeCount {
  /** The slot's index in {@link QualitySettings#windowSlots()}. */
  public int slot;
  public long windowStart;
  public WindowStats stats;

  public ScopeCount() {}

  ScopeCount(int slot, long windowStart, WindowStats stats) {
    this.slot = slot;
    this.windowStart = windowStart;
    this.stats = stats;
  }
}
