package io.medallion.local;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JitCpuTest {
  @Test
  void readsUserAndSystemTicksAfterAThreadNameWithSpacesAndParentheses() {
    String stat = "4242 (C2 CompilerThre) S 1 1 1 0 -1 1077936192 0 0 0 0 1234 56 0 0 20 0 1 0 100 0 0";
    assertThat(JitCpu.cpuTicks(stat)).isEqualTo(1234 + 56);
    assertThat(JitCpu.cpuTicks("7 (a (b) c) R 1 1 1 0 -1 0 0 0 0 0 10 5 0 0 20 0 1 0 1 0 0")).isEqualTo(15);
  }

  @Test
  void thisJvmsCompilerThreadsHaveSpentCpuByTheTimeATestRuns() {
    assertThat(JitCpu.available()).isTrue();
    assertThat(JitCpu.seconds()).isPositive();
  }
}
