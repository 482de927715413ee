package io.medallion.local;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StealTimeTest {
  @Test
  void readsTheEighthValueOfTheAggregateCpuLine() {
    assertThat(StealTime.stealTicks("cpu  1000 20 300 40000 50 0 6 789 0 0")).isEqualTo(789);
  }

  @Test
  void aKernelWithoutTheStealColumnHasNone() {
    assertThat(StealTime.stealTicks("cpu  1000 20 300 40000 50 0 6")).isZero();
  }
}
