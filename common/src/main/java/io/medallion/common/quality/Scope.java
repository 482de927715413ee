package io.medallion.common.quality;

/**
 * Which records a check looks at: those of a source topic, of an event type, or both; null means
 * any. Dead letters count for the topic their record came from ({@code dlq.source.topic}).
 */
public record Scope(String topic, String eventType) implements java.io.Serializable {
  public static final Scope ALL = new Scope(null, null);

  public boolean matches(String recordTopic, String recordEventType) {
    return (topic == null || topic.equals(recordTopic)) && (eventType == null || eventType.equals(recordEventType));
  }

  /** {@code topic=raw.events,event_type=transaction}, {@code *} for any; the scope column of {@code quality.metrics}. */
  @Override
  public String toString() {
    return "topic=" + (topic == null ? "*" : topic) + ",event_type=" + (eventType == null ? "*" : eventType);
  }
}
