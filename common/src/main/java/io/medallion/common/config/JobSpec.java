package io.medallion.common.config;

import io.medallion.common.deadletter.Stage;
import java.util.Set;

/**
 * What a job needs from the configuration: its name (default consumer group and transactional id
 * prefix), its stage (default dead-letter topic; null for the quality monitor, which writes no dead
 * letters) and which connections it must have.
 */
public record JobSpec(String name, Stage stage, Set<Needs> needs) {

  /** A connection a job cannot start without. */
  public enum Needs {
    KAFKA_SOURCE,
    ICEBERG,
    PAIMON,
    PII_KEY,
    QUALITY_CHECKS
  }
}
