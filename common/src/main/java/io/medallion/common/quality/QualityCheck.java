package io.medallion.common.quality;

import java.time.Duration;

/**
 * One declarative check of a check file: a name (unique), the records it looks at, the metric it
 * measures per window, the condition under which it fails and how bad that is. {@code parameter}
 * is the value of the metric's {@link Metric.Parameter} key (an error code, rule id, field, schema
 * version or max-silence duration as written), or null where the metric takes none.
 */
public record QualityCheck(String name, Scope scope, Metric metric, String parameter, Condition condition, Duration window, Severity severity)
    implements java.io.Serializable {}
