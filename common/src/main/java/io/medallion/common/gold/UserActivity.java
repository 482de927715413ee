package io.medallion.common.gold;

import java.io.IOException;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;
import org.apache.flink.types.Value;

/**
 * The aggregate of {@code gold.user_activity} for one (user, window): actions by kind, purchases,
 * and the number of distinct resources, exact (a window of one user holds few resources).
 */
public final class UserActivity implements Value {
  private static final long serialVersionUID = 1L;

  private final Map<String, Long> actions = new TreeMap<>();
  private final Set<String> resources = new HashSet<>();

  public void add(String action, String resource) {
    actions.merge(action, 1L, Long::sum);
    resources.add(resource);
  }

  public void merge(UserActivity other) {
    other.actions.forEach((action, n) -> actions.merge(action, n, Long::sum));
    resources.addAll(other.resources);
  }

  /** Count per action, sorted by action. */
  public Map<String, Long> actions() {
    return Map.copyOf(actions);
  }

  /** How many actions in all. */
  public long total() {
    return actions.values().stream().mapToLong(Long::longValue).sum();
  }

  public long purchases() {
    return actions.getOrDefault("purchase", 0L);
  }

  public long distinctResources() {
    return resources.size();
  }

  @Override
  public void write(DataOutputView out) throws IOException {
    out.writeInt(actions.size());
    for (Map.Entry<String, Long> action : actions.entrySet()) {
      StringValue.writeString(action.getKey(), out);
      out.writeLong(action.getValue());
    }
    out.writeInt(resources.size());
    for (String resource : resources) {
      StringValue.writeString(resource, out);
    }
  }

  @Override
  public void read(DataInputView in) throws IOException {
    actions.clear();
    resources.clear();
    for (int i = in.readInt(); i > 0; i--) {
      actions.put(StringValue.readString(in), in.readLong());
    }
    for (int i = in.readInt(); i > 0; i--) {
      resources.add(StringValue.readString(in));
    }
  }
}
