package io.medallion.local;

import java.util.concurrent.Callable;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "microbench",
    mixinStandardHelpOptions = true,
    description = {
      "JMH microbenchmarks of the per-record hot path: decode, validate and cleanse one event, per event",
      "type, in a forked JVM (nanoseconds per event; see HotPathBenchmark)."
    })
final class MicrobenchCommand implements Callable<Integer> {
  @Option(names = "--iterations", defaultValue = "5", description = "measured iterations of 2 s (default ${DEFAULT-VALUE})")
  int iterations;

  @Option(names = "--warmup-iterations", defaultValue = "3", description = "warm-up iterations of 2 s (default ${DEFAULT-VALUE})")
  int warmupIterations;

  @Option(names = "--event-type", description = "only this event type (user_action, transaction, system, metric)")
  String eventType;

  @Override
  public Integer call() throws Exception {
    OptionsBuilder options = new OptionsBuilder();
    options.include(HotPathBenchmark.class.getName()).warmupIterations(warmupIterations).measurementIterations(iterations);
    options.warmupTime(TimeValue.seconds(2)).measurementTime(TimeValue.seconds(2));
    if (eventType != null) {
      options.param("eventType", eventType);
    }
    Options built = options.build();
    new Runner(built).run();
    return 0;
  }
}
