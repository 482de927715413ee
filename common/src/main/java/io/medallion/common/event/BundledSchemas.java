package io.medallion.common.event;

import io.medallion.schema.EventEnvelope;
import java.util.List;
import org.apache.avro.Schema;

/**
 * Every version of the envelope schema this build can read. Version 1 is the current generated
 * class; when a version 2 is added, its predecessor's {@code .avsc} is kept here so that records
 * written with it still resolve.
 */
public final class BundledSchemas {

  private BundledSchemas() {}

  public static List<Schema> envelopeVersions() {
    return List.of(EventEnvelope.SCHEMA$);
  }
}
