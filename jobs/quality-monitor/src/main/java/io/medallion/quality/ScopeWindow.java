package io.medallion.quality;

import io.medallion.common.quality.WindowStats;

/**
 * The counts of one window of the records of one (topic, event type) cell, addressed to one check
 * scope that covers the cell. The judge merges every cell of a scope before judging its window.
 */
public class ScopeWindow {
  /** {@code Scope#toString()}: the key of the judge. */
  public String scope;
  public long windowStart;
  public long windowEnd;
  public WindowStats stats;

  public ScopeWindow() {}

  public ScopeWindow(String scope, long windowStart, long windowEnd, WindowStats stats) {
    this.scope = scope;
    this.windowStart = windowStart;
    this.windowEnd = windowEnd;
    this.stats = stats;
  }
}
