package io.medallion.common.deadletter;

/** The medallion layer that dead-lettered a record; its lower-case name is the {@code dlq.stage} header. */
public enum Stage {
  BRONZE,
  SILVER,
  GOLD;

  public String headerValue() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** The default dead-letter topic of this stage, {@code dlq.<stage>}. */
  public String defaultTopic() {
    return "dlq." + headerValue();
  }
}
