package io.medallion.common.event;

import io.medallion.schema.EventEnvelope;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.avro.Schema;

/**
 * Every writer version of the envelope schema this build can read, and the one place to register
 * one. Each version is a frozen, self-contained {@code .avsc} under {@code
 * io/medallion/schema/envelope/}; the generated {@link EventEnvelope} is the reader schema that
 * every version resolves to (Avro schema resolution: a field the writer lacks takes the reader's
 * default, a field the reader lacks is skipped). A record whose fingerprint matches none of these
 * is dead-lettered UNKNOWN_SCHEMA.
 *
 * <p>To evolve the envelope: keep {@code EventEnvelope-v1.avsc} as it is, change {@code
 * src/main/avro/EventEnvelope.avsc} compatibly (new fields with defaults), freeze the result as the
 * next version here and add it to {@link #ENVELOPE_VERSIONS}.
 */
public final class BundledSchemas {

  static final String ENVELOPE_DIRECTORY = "/io/medallion/schema/envelope/";

  /** Resource names, oldest first; the last one is the current {@link EventEnvelope#SCHEMA$}. */
  static final List<String> ENVELOPE_VERSIONS = List.of("EventEnvelope-v1.avsc");

  private BundledSchemas() {}

  /** The writer schemas, oldest first. */
  public static List<Schema> envelopeVersions() {
    return ENVELOPE_VERSIONS.stream().map(name -> load(ENVELOPE_DIRECTORY + name)).toList();
  }

  /** Parses one self-contained schema resource on the classpath. */
  static Schema load(String resource) {
    try (InputStream in = BundledSchemas.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("bundled schema " + resource + " is not on the classpath");
      }
      return new Schema.Parser().parse(in);
    } catch (IOException e) {
      throw new UncheckedIOException("reading bundled schema " + resource + " failed", e);
    }
  }
}
