package io.medallion.common.flink;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.ProcessOperator;

/**
 * Flink's own process operators, draining their {@link Audited} function's ledger into
 * {@link LedgerOutput#TAG} before every checkpoint barrier and at the end of input. The step's uid
 * names it in the ledger, so it is set here together with the operator's uid and name.
 */
public final class AuditedOperators {

  private AuditedOperators() {}

  /** A step that reads the job's source. */
  public static <I, O, F extends ProcessFunction<I, O> & Audited> SingleOutputStreamOperator<O> process(
      DataStream<I> input, F function, TypeInformation<O> outputType, String job, String uid, String name) {
    return input.transform(name, outputType, new AuditedProcess<>(function, new LedgerOutput(job, uid, null))).uid(uid).name(name);
  }

  /** A step that reads what {@code upstreamStep} forwarded. */
  public static <K, I, O, F extends KeyedProcessFunction<K, I, O> & Audited> SingleOutputStreamOperator<O> process(
      KeyedStream<I, K> input, F function, TypeInformation<O> outputType, String job, String upstreamStep, String uid, String name) {
    return input
        .transform(name, outputType, new AuditedKeyedProcess<>(function, new LedgerOutput(job, uid, upstreamStep)))
        .uid(uid)
        .name(name);
  }

  private static final class AuditedProcess<I, O> extends ProcessOperator<I, O> {
    private static final long serialVersionUID = 1L;
    private final LedgerOutput ledgerOutput;

    AuditedProcess(ProcessFunction<I, O> function, LedgerOutput ledgerOutput) {
      super(function);
      this.ledgerOutput = ledgerOutput;
    }

    @Override
    public void open() throws Exception {
      super.open();
      ledgerOutput.open(getRuntimeContext());
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
      super.prepareSnapshotPreBarrier(checkpointId);
      ledgerOutput.drain(((Audited) userFunction).ledger(), output, checkpointId);
    }

    @Override
    public void finish() throws Exception {
      super.finish();
      ledgerOutput.drain(((Audited) userFunction).ledger(), output, null);
    }
  }

  private static final class AuditedKeyedProcess<K, I, O> extends KeyedProcessOperator<K, I, O> {
    private static final long serialVersionUID = 1L;
    private final LedgerOutput ledgerOutput;

    AuditedKeyedProcess(KeyedProcessFunction<K, I, O> function, LedgerOutput ledgerOutput) {
      super(function);
      this.ledgerOutput = ledgerOutput;
    }

    @Override
    public void open() throws Exception {
      super.open();
      ledgerOutput.open(getRuntimeContext());
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
      super.prepareSnapshotPreBarrier(checkpointId);
      ledgerOutput.drain(((Audited) userFunction).ledger(), output, checkpointId);
    }

    @Override
    public void finish() throws Exception {
      super.finish();
      ledgerOutput.drain(((Audited) userFunction).ledger(), output, null);
    }
  }
}
