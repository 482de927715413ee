package io.medallion.common.gold;

import java.util.ArrayList;
import java.util.List;

/**
 * The key of a gold group (a table's dimension values) as one string, each value prefixed by its
 * length, so no value can run into the next whatever characters it holds.
 */
public final class GroupKey {

  private GroupKey() {}

  public static String of(String... dimensions) {
    StringBuilder key = new StringBuilder();
    for (String dimension : dimensions) {
      key.append(dimension.length()).append(':').append(dimension);
    }
    return key.toString();
  }

  /** The dimension values of a key made by {@link #of}. */
  public static List<String> dimensions(String key) {
    List<String> dimensions = new ArrayList<>();
    int at = 0;
    while (at < key.length()) {
      int colon = key.indexOf(':', at);
      int length = Integer.parseInt(key, at, colon, 10);
      dimensions.add(key.substring(colon + 1, colon + 1 + length));
      at = colon + 1 + length;
    }
    return dimensions;
  }
}
