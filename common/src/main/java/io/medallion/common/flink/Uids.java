package io.medallion.common.flink;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.streaming.api.transformations.PartitionTransformation;

/** Stable uids for the operators that Paimon's source and sink builders add without one. */
final class Uids {

  private Uids() {}

  /**
   * Walks upstream from {@code from} (excluding {@code stopAt}, null for the sources) and names
   * every operator without a uid {@code <prefix>-<operator name>}, deterministically, so {@code
   * pipeline.auto-generate-uids: false} accepts the graph and savepoints keep matching.
   */
  static void assignMissing(Transformation<?> from, Transformation<?> stopAt, String prefix) {
    Deque<Transformation<?>> pending = new ArrayDeque<>(List.of(from));
    Set<Integer> visited = new HashSet<>();
    while (!pending.isEmpty()) {
      Transformation<?> transformation = pending.pop();
      if ((stopAt != null && transformation.getId() == stopAt.getId()) || !visited.add(transformation.getId())) {
        continue;
      }
      if (transformation.getUid() == null && !(transformation instanceof PartitionTransformation<?>)) {
        transformation.setUid(prefix + "-" + transformation.getName().replaceAll("[^A-Za-z0-9]+", "-").toLowerCase(Locale.ROOT));
      }
      pending.addAll(transformation.getInputs());
    }
  }
}
