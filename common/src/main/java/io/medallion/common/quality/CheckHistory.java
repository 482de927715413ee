package io.medallion.common.quality;

import io.medallion.common.quality.Judgement.Status;
import java.io.IOException;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.Value;

/**
 * What {@link CheckJudge} remembers of one check in one scope between windows: the history its
 * anomaly condition compares against and its alert state. Only windows with a value (not NaN) enter
 * the history. A Flink {@link Value}: keyed state holds it through {@link #write}/{@link #read},
 * without Kryo. A new instance is the state of a check that has seen nothing.
 */
public final class CheckHistory implements Value {
  private static final long serialVersionUID = 1L;

  /** The previous window's value (relative change), NaN before the first. */
  double previous = Double.NaN;
  /** Windows folded into the EWMA. */
  long seen;
  double mean;
  double variance;
  /** The status of the last judged window, so alerts fire and resolve on transitions only. */
  Status status = Status.OK;
  /** When the current alert fired, epoch millis; meaningful while {@link #status} is not OK. */
  long firstFiredAt;

  /** Whether the check's alert is firing. */
  public boolean failing() {
    return status != Status.OK;
  }

  @Override
  public void write(DataOutputView out) throws IOException {
    out.writeDouble(previous);
    out.writeLong(seen);
    out.writeDouble(mean);
    out.writeDouble(variance);
    out.writeByte(status.ordinal());
    out.writeLong(firstFiredAt);
  }

  @Override
  public void read(DataInputView in) throws IOException {
    previous = in.readDouble();
    seen = in.readLong();
    mean = in.readDouble();
    variance = in.readDouble();
    status = Status.values()[in.readByte()];
    firstFiredAt = in.readLong();
  }
}
