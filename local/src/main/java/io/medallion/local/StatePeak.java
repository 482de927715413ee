package io.medallion.local;

import java.util.Map;

/** The largest checkpoint a run took, and within it the task whose state was largest. */
final class StatePeak {
  private long totalBytes;
  private String largestTask = "none";
  private long largestTaskBytes;

  /** Takes one checkpoint's state sizes by task name; keeps it if it is the largest so far. */
  void sample(Map<String, Long> bytesByTask) {
    long total = bytesByTask.values().stream().mapToLong(Long::longValue).sum();
    if (total <= totalBytes) {
      return;
    }
    totalBytes = total;
    largestTaskBytes = 0;
    bytesByTask.forEach(
        (task, bytes) -> {
          if (bytes > largestTaskBytes) {
            largestTask = task;
            largestTaskBytes = bytes;
          }
        });
  }

  long totalBytes() {
    return totalBytes;
  }

  String largestTask() {
    return largestTask;
  }

  long largestTaskBytes() {
    return largestTaskBytes;
  }
}
