package io.medallion.common.gold;

import java.io.IOException;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.Value;

/** The aggregate of {@code gold.system_health} for one (service, level, window): a count. */
public final class SystemHealth implements Value {
  private static final long serialVersionUID = 1L;

  private long count;

  public void add() {
    count++;
  }

  public void merge(SystemHealth other) {
    count += other.count;
  }

  public long count() {
    return count;
  }

  @Override
  public void write(DataOutputView out) throws IOException {
    out.writeLong(count);
  }

  @Override
  public void read(DataInputView in) throws IOException {
    count = in.readLong();
  }
}
