package io.medallion.common.gold;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricTagsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void sortsTheKeysSoEqualMapsGiveEqualText() {
    Map<String, String> one = new LinkedHashMap<>();
    one.put("region", "eu");
    one.put("host", "n1");
    one.put("Zone", "a");
    Map<String, String> other = new LinkedHashMap<>();
    other.put("host", "n1");
    other.put("Zone", "a");
    other.put("region", "eu");

    assertThat(MetricTags.canonical(one)).isEqualTo("{\"Zone\":\"a\",\"host\":\"n1\",\"region\":\"eu\"}");
    assertThat(MetricTags.canonical(other)).isEqualTo(MetricTags.canonical(one));
  }

  @Test
  void escapesQuotesBackslashesAndControlCharacters() {
    assertThat(MetricTags.canonical(Map.of("k\"ey", "va\\lue"))).isEqualTo("{\"k\\\"ey\":\"va\\\\lue\"}");
    assertThat(MetricTags.canonical(Map.of("tab", "a\tb\nc\u0001\u001f")))
        .isEqualTo("{\"tab\":\"a\\tb\\nc\\u0001\\u001F\"}");
    // Non-ASCII and the characters of the text's own syntax need no escape.
    assertThat(MetricTags.canonical(Map.of("ü", "{日本:😀,}"))).isEqualTo("{\"ü\":\"{日本:😀,}\"}");
  }

  @Test
  void writesNoTagsAsAnEmptyObject() {
    assertThat(MetricTags.canonical(Map.of())).isEqualTo("{}");
    assertThat(MetricTags.canonical(null)).isEqualTo("{}");
  }

  @Test
  void writesANullValueAsJsonNull() {
    Map<String, String> tags = new HashMap<>();
    tags.put("host", null);
    tags.put("az", "");
    assertThat(MetricTags.canonical(tags)).isEqualTo("{\"az\":\"\",\"host\":null}");
  }

  @Test
  void parsesBackWithJacksonToTheSameMap() throws Exception {
    Map<String, String> tags = new HashMap<>();
    tags.put("quote\"", "back\\slash");
    tags.put("control", "\u0000\u0007\b\f\r\n\t\u001f\u007f");
    tags.put("unicode ü", "日本 😀");
    tags.put("json", "{\"a\":[1,2]}");
    tags.put("", "");
    tags.put("none", null);

    for (Map<String, String> map : List.of(tags, Map.<String, String>of(), Map.of("host", "n1"))) {
      Map<String, String> parsed = JSON.readValue(MetricTags.canonical(map), new TypeReference<Map<String, String>>() {});
      assertThat(parsed).isEqualTo(map);
    }
  }
}
