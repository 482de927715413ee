package io.medallion.common.event;

import java.time.Instant;
import java.util.Map;

/**
 * A raw event whose envelope is valid (shared/DESIGN.md §3): what bronze archives. The payload is
 * kept as JSON text, unvalidated, so that silver can re-validate it with fixed rules later.
 *
 * @param eventId canonical UUID text
 * @param eventType trimmed, non-blank; not checked against the known types (that is silver's job)
 * @param schemaVersion as sent, or 1 when absent
 * @param sourceSystem trimmed, non-blank
 * @param eventTime the event timestamp converted to UTC
 * @param payloadJson the payload object as JSON text
 * @param metadata string-to-string map, empty when absent
 */
public record Envelope(
    String eventId,
    String eventType,
    int schemaVersion,
    String sourceSystem,
    Instant eventTime,
    String payloadJson,
    Map<String, String> metadata) {}
