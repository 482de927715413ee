package io.medallion.common.gold;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.util.Map;
import java.util.TreeMap;

/**
 * The canonical text of a metric's tags, the {@code tags} column of {@code gold.metric_rollup}: a
 * JSON object with its keys sorted ({@code {"host":"n1","region":"eu"}}, {@code {}} for none), so
 * equal tag maps give equal keys and the text parses back with any JSON reader.
 */
public final class MetricTags {
  private static final JsonStringEncoder ENCODER = JsonStringEncoder.getInstance();

  private MetricTags() {}

  public static String canonical(Map<String, String> tags) {
    if (tags == null || tags.isEmpty()) {
      return "{}";
    }
    StringBuilder text = new StringBuilder("{");
    for (Map.Entry<String, String> tag : new TreeMap<>(tags).entrySet()) {
      if (text.length() > 1) {
        text.append(',');
      }
      quote(text, tag.getKey()).append(':');
      if (tag.getValue() == null) {
        text.append("null");
      } else {
        quote(text, tag.getValue());
      }
    }
    return text.append('}').toString();
  }

  private static StringBuilder quote(StringBuilder text, String value) {
    text.append('"');
    ENCODER.quoteAsString(value, text);
    return text.append('"');
  }
}
