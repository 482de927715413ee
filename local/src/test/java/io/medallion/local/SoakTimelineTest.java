package io.medallion.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SoakTimelineTest {
  private static final long MB = 1 << 20;

  @Test
  void heapIsFlatWhenTheLastThirdsPeakStaysWithinTheGrowthOfTheFirstThirds() {
    assertThat(timeline(new long[] {200, 300, 250, 280, 260, 370}, new long[] {0, 0, 0, 0, 0, 0}).heapFlat().passed()).isTrue();
    SoakTimeline.Check grown = timeline(new long[] {200, 300, 250, 280, 260, 380}, new long[] {0, 0, 0, 0, 0, 0}).heapFlat();
    assertThat(grown.passed()).isFalse();
    assertThat(grown.reason()).isEqualTo("largest live heap of the last third 380 MB > 1.25 × the first third's 300 MB");
  }

  @Test
  void aCheckpointMayGrowByTheSlackButNotByAFactor() {
    long[] heap = {100, 100, 100, 100, 100, 100};
    assertThat(timeline(heap, new long[] {4 * MB, 4 * MB, 5 * MB, 5 * MB, 6 * MB, 7 * MB}).checkpointsBounded().get(0).passed()).isTrue();
    assertThat(timeline(heap, new long[] {4 * MB, 4 * MB, 5 * MB, 6 * MB, 7 * MB, 8 * MB}).checkpointsBounded().get(0).passed()).isFalse();
  }

  @Test
  void rememberedIdsLetACheckpointGrowInProportionAndNoFaster() {
    SoakTimeline timeline = new SoakTimeline(List.of("silver-transform"), 1.25, 1.5);
    for (int i = 1; i <= 6; i++) {
      // 100 bytes per remembered id: linear growth, 10 times the first third's by the end.
      long ids = i * 100_000L;
      timeline.add(sample(i, 100, ids * 100, Map.of("silver-transform", ids)));
    }
    assertThat(timeline.checkpointsBounded()).singleElement().satisfies(check -> assertThat(check.passed()).isTrue());

    SoakTimeline faster = new SoakTimeline(List.of("silver-transform"), 1.25, 1.5);
    for (int i = 1; i <= 6; i++) {
      long ids = i * 100_000L;
      faster.add(sample(i, 100, ids * 100 * i, Map.of("silver-transform", ids)));
    }
    assertThat(faster.checkpointsBounded()).singleElement().satisfies(check -> assertThat(check.passed()).isFalse());
  }

  @Test
  void fewerThanThreeSamplesAreNotJudged() {
    SoakTimeline.Check heap = timeline(new long[] {100, 100}, new long[] {0, 0}).heapFlat();
    assertThat(heap.passed()).isFalse();
    assertThat(heap.reason()).startsWith("not judged: 2 samples");
  }

  @Test
  void aJobThatRestartedLessOftenThanTheTaskManagerWasLostFailsTheFaultCheck() {
    SoakTimeline timeline = timeline(new long[] {100, 100, 100}, new long[] {0, 0, 0});
    assertThat(timeline.everyJobRestarted(2).passed()).isTrue();
    assertThat(timeline.everyJobRestarted(3).reason()).isEqualTo("restarted fewer times than the 3 TaskManager losses: bronze-ingest");
  }

  private static SoakTimeline timeline(long[] heapMb, long[] checkpointBytes) {
    SoakTimeline timeline = new SoakTimeline(List.of("bronze-ingest"), 1.25, 1.5);
    for (int i = 0; i < heapMb.length; i++) {
      timeline.add(sample(i, heapMb[i], checkpointBytes[i], Map.of()));
    }
    return timeline;
  }

  private static SoakTimeline.Sample sample(int minute, long heapMb, long checkpointBytes, Map<String, Long> remembered) {
    String job = remembered.isEmpty() ? "bronze-ingest" : "silver-transform";
    return new SoakTimeline.Sample(
        Duration.ofMinutes(minute), heapMb * MB, minute * 1000L, 0, Map.of(job, new SoakTimeline.JobSample(checkpointBytes, 2, 0, 0)), remembered);
  }
}
