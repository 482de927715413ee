package io.medallion.common.gold;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GroupKeyTest {
  /** Values that look like the key's own length prefixes and separators, or are empty or unicode. */
  private static final List<String> TRICKY =
      List.of("", ":", "::", "1", "1:", "0:", "1:a", "12:", "a", "a:b", "10", "ü", "日本", "😀", ":😀1:", "\n", " ");

  @Test
  void givesBackTheDimensionsItWasMadeOf() {
    for (List<String> dimensions : lists(3)) {
      assertThat(GroupKey.dimensions(GroupKey.of(dimensions.toArray(String[]::new)))).as("%s", dimensions).isEqualTo(dimensions);
    }
  }

  @Test
  void prefixesEachValueWithItsLengthInUtf16Units() {
    assertThat(GroupKey.of("m-1", "EUR")).isEqualTo("3:m-13:EUR");
    assertThat(GroupKey.of("1:a", "")).isEqualTo("3:1:a0:");
    assertThat(GroupKey.of("😀")).isEqualTo("2:😀");
    assertThat(GroupKey.of()).isEmpty();
    assertThat(GroupKey.dimensions("")).isEmpty();
    assertThat(GroupKey.dimensions("0:")).containsExactly("");
  }

  @Test
  void distinctDimensionListsNeverShareAKey() {
    Map<String, List<String>> seen = new HashMap<>();
    for (List<String> dimensions : lists(3)) {
      List<String> earlier = seen.put(GroupKey.of(dimensions.toArray(String[]::new)), dimensions);
      assertThat(earlier).as("%s and %s", earlier, dimensions).isNull();
    }
    // Every list of up to three TRICKY values, the empty list included.
    int expected = 1 + TRICKY.size() + TRICKY.size() * TRICKY.size() + TRICKY.size() * TRICKY.size() * TRICKY.size();
    assertThat(seen).hasSize(expected);
  }

  /** Every list of at most {@code maxLength} values of {@link #TRICKY}. */
  private static List<List<String>> lists(int maxLength) {
    List<List<String>> all = new ArrayList<>();
    List<List<String>> previous = List.of(List.of());
    all.addAll(previous);
    for (int length = 1; length <= maxLength; length++) {
      List<List<String>> next = new ArrayList<>();
      for (List<String> prefix : previous) {
        for (String value : TRICKY) {
          List<String> list = new ArrayList<>(prefix);
          list.add(value);
          next.add(List.copyOf(list));
        }
      }
      all.addAll(next);
      previous = next;
    }
    return all;
  }
}
