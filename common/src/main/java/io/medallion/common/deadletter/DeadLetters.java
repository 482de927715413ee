package io.medallion.common.deadletter;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.OutputTag;

/** The side output that every job's dead letters leave their process functions through. */
public final class DeadLetters {
  public static final OutputTag<DeadLetter> TAG =
      new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));

  private DeadLetters() {}
}
