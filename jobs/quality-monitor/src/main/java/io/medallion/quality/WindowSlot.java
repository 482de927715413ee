package io.medallion.quality;

import io.medallion.common.quality.Scope;
import java.io.Serializable;
import java.time.Duration;

/** A window size and a scope of the windowed checks: what the monitor counts and judges separately. */
public record WindowSlot(Duration window, Scope scope) implements Serializable {

  long sizeMillis() {
    return window.toMillis();
  }

  /**
   * When event time closes a window: its last millisecond plus the lateness. A record of it that
   * arrives when the watermark is there is late, and the window is judged then.
   */
  static long closesAt(long windowStart, long sizeMillis, long latenessMillis) {
    return windowStart + sizeMillis - 1 + latenessMillis;
  }
}
