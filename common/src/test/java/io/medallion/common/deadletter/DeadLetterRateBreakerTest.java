package io.medallion.common.deadletter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medallion.common.deadletter.DeadLetterRateBreaker.Action;
import io.medallion.common.deadletter.DeadLetterRateBreaker.Limit;
import io.medallion.common.deadletter.DeadLetterRateBreaker.Trip;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DeadLetterRateBreakerTest {

  /** Feeds the fates in order and returns the trips, in order. */
  private static List<Trip> feed(DeadLetterRateBreaker breaker, String fates) {
    List<Trip> trips = new ArrayList<>();
    for (char fate : fates.toCharArray()) {
      breaker.record(fate == 'x').ifPresent(trips::add);
    }
    return trips;
  }

  @Test
  void exactlyAtTheRateDoesNotTripAndOneMoreDeadLetterDoes() {
    // 0.1 × 10 is not exactly 1 in binary floating point; the budget is computed in decimal.
    assertThat(feed(new DeadLetterRateBreaker(new Limit(0.1, 10, Action.FAIL)), "x.........")).isEmpty();
    assertThat(feed(new DeadLetterRateBreaker(new Limit(0.1, 10, Action.FAIL)), "x........x"))
        .containsExactly(new Trip(2, 10, 0.1));
    assertThat(feed(new DeadLetterRateBreaker(new Limit(0.3, 10, Action.FAIL)), "xxx.......")).isEmpty();
    assertThat(feed(new DeadLetterRateBreaker(new Limit(0.3, 10, Action.FAIL)), "xxxx......"))
        .containsExactly(new Trip(4, 10, 0.3));
  }

  @Test
  void judgesAWindowOnlyWhenItsLastRecordArrives() {
    DeadLetterRateBreaker breaker = new DeadLetterRateBreaker(new Limit(0.5, 4, Action.ALERT));
    assertThat(breaker.record(true)).isEmpty();
    assertThat(breaker.record(true)).isEmpty();
    assertThat(breaker.record(true)).as("3 of 4 already, but the window is not complete").isEmpty();
    assertThat(breaker.record(false)).isEqualTo(Optional.of(new Trip(3, 4, 0.5)));
  }

  @Test
  void startsEveryWindowFromZero() {
    DeadLetterRateBreaker breaker = new DeadLetterRateBreaker(new Limit(0.5, 4, Action.ALERT));
    // Windows: 3/4 trips, 2/4 does not (the first window's letters do not carry over), 4/4 trips, 0/4 does not.
    assertThat(feed(breaker, "xxx." + "xx.." + "xxxx" + "....")).containsExactly(new Trip(3, 4, 0.5), new Trip(4, 4, 0.5));
    // A window of two dead letters straddling a window boundary trips neither.
    assertThat(feed(breaker, "...x" + "x...")).isEmpty();
  }

  @Test
  void zeroTripsOnAnyDeadLetterAndOneNeverTrips() {
    assertThat(feed(new DeadLetterRateBreaker(new Limit(0, 3, Action.FAIL)), "..." + "..x"))
        .containsExactly(new Trip(1, 3, 0));
    assertThat(feed(new DeadLetterRateBreaker(new Limit(1, 3, Action.FAIL)), "xxx" + "xxx")).isEmpty();
  }

  @Test
  void aWindowOfOneJudgesEveryRecord() {
    assertThat(feed(new DeadLetterRateBreaker(new Limit(0.5, 1, Action.FAIL)), ".x.")).containsExactly(new Trip(1, 1, 0.5));
  }

  @Test
  void describesATripInOneSentenceWithCountsRatioLimitAndWindow() {
    assertThat(new Trip(6, 10, 0.5).describe("bronze-ingest"))
        .isEqualTo(
            "bronze-ingest dead-lettered 6 of 10 input records (ratio 0.6), above dlq.max-rate 0.5 over dlq.rate-window 10:"
                + " the producer's output is likely broken");
    assertThat(new Trip(1, 3, 0.25).observedRate()).isEqualTo("0.3333");
    assertThat(new Trip(1000, 1000, 0.05).describe("silver-transform"))
        .isEqualTo(
            "silver-transform dead-lettered 1000 of 1000 input records (ratio 1), above dlq.max-rate 0.05 over"
                + " dlq.rate-window 1000: the producer's output is likely broken");
  }

  @Test
  void rejectsALimitOutsideItsRange() {
    assertThatThrownBy(() -> new Limit(1.01, 10, Action.ALERT)).hasMessage("maxRate must be from 0 to 1, not 1.01");
    assertThatThrownBy(() -> new Limit(Double.NaN, 10, Action.ALERT)).hasMessage("maxRate must be from 0 to 1, not NaN");
    assertThatThrownBy(() -> new Limit(0.5, 0, Action.ALERT)).hasMessage("window must be at least 1, not 0");
  }
}
