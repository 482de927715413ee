package io.medallion.local;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * The most heap the JVM held right after a garbage collection since {@link #reset}: what a run
 * needs to keep, unlike the peak heap used, which mostly measures how long G1 let garbage pile up
 * under a large {@code -Xmx}. An upper bound of the live set: a young collection leaves the old
 * generation's garbage in place until a mixed one.
 */
final class HeapAfterGc {
  private static final Set<String> HEAP_POOLS =
      ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName).collect(Collectors.toSet());
  private static final AtomicLong PEAK = new AtomicLong();
  private static final NotificationListener LISTENER =
      (notification, handback) -> {
        if (notification.getType().equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
          GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
          long used = 0;
          for (var pool : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
            if (HEAP_POOLS.contains(pool.getKey())) {
              MemoryUsage usage = pool.getValue();
              used += usage.getUsed();
            }
          }
          PEAK.accumulateAndGet(used, Math::max);
        }
      };

  static {
    for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
      ((NotificationEmitter) collector).addNotificationListener(LISTENER, null, null);
    }
  }

  private HeapAfterGc() {}

  static void reset() {
    PEAK.set(0);
  }

  /**
   * The heap that is live now: runs a full collection ({@code System.gc()}, a stop-the-world full GC
   * under G1) and sums what it left in the heap pools. Unlike {@link #peakBytes}, no garbage of the
   * old generation is counted, so samples taken minutes apart compare.
   */
  static long liveBytesAfterFullGc() {
    System.gc();
    long used = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      MemoryUsage afterCollection = pool.getCollectionUsage();
      if (pool.getType() == MemoryType.HEAP && afterCollection != null) {
        used += afterCollection.getUsed();
      }
    }
    return used;
  }

  /** Bytes; 0 if no collection ran since {@link #reset}. */
  static long peakBytes() {
    return PEAK.get();
  }
}
