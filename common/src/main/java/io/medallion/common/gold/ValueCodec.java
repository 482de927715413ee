package io.medallion.common.gold;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** The encodings the gold aggregates share in their {@code write}/{@code read}. */
final class ValueCodec {

  private ValueCodec() {}

  static void writeDecimal(DataOutputView out, BigDecimal value) throws IOException {
    byte[] unscaled = value.unscaledValue().toByteArray();
    out.writeInt(value.scale());
    out.writeInt(unscaled.length);
    out.write(unscaled);
  }

  static BigDecimal readDecimal(DataInputView in) throws IOException {
    int scale = in.readInt();
    byte[] unscaled = new byte[in.readInt()];
    in.readFully(unscaled);
    return new BigDecimal(new BigInteger(unscaled), scale);
  }
}
