package io.medallion.common.gold;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The aggregate of {@code gold.user_activity} for one (user, window): actions by kind, purchases,
 * and the number of distinct resources, exact (a window of one user holds few resources).
 */
public final class UserActivity {
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

  public long purchases() {
    return actions.getOrDefault("purchase", 0L);
  }

  public long distinctResources() {
    return resources.size();
  }
}
