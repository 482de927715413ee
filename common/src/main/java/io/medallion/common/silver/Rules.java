package io.medallion.common.silver;

import io.medallion.common.event.ErrorCode;
import java.util.ArrayList;
import java.util.List;

/**
 * Every silver validation rule, by id: the envelope rules here and each payload field's rules from
 * {@link SilverTable}. The quality monitor counts violations per {@link Rule#id()}.
 */
public final class Rules {
  public static final Rule EVENT_TYPE_KNOWN =
      new Rule("event.event_type.known", ErrorCode.UNKNOWN_EVENT_TYPE, "event_type", "event_type has a silver table");
  public static final Rule SCHEMA_VERSION_SUPPORTED =
      new Rule("event.schema_version.supported", ErrorCode.UNSUPPORTED_SCHEMA_VERSION, "schema_version", "schema_version is one this build reads");
  public static final Rule TIMESTAMP_IN_RANGE =
      new Rule(
          "event.event_timestamp.in_range",
          ErrorCode.TIMESTAMP_OUT_OF_RANGE,
          "event_timestamp",
          "event_timestamp is at most validation.max-future-skew after, and at most validation.max-age before, the Kafka record's timestamp");
  public static final Rule PAYLOAD_JSON =
      new Rule("event.payload.json", ErrorCode.MALFORMED_JSON, "payload", "payload is a JSON object (checked again when rebuilding from bronze)");

  /** Envelope rules first, then each table's payload rules in column order. */
  public static final List<Rule> ALL = all();

  /** The payload schema versions this build reads, for every event type. */
  public static final int SUPPORTED_SCHEMA_VERSION = 1;

  private Rules() {}

  private static List<Rule> all() {
    List<Rule> rules = new ArrayList<>(List.of(EVENT_TYPE_KNOWN, SCHEMA_VERSION_SUPPORTED, TIMESTAMP_IN_RANGE, PAYLOAD_JSON));
    for (SilverTable table : SilverTable.values()) {
      for (PayloadField field : table.payload()) {
        rules.addAll(field.rules());
      }
    }
    return List.copyOf(rules);
  }
}
