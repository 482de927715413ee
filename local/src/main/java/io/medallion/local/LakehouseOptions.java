package io.medallion.local;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options {@code demo} and {@code soak} share: the mix of records sent, where the tables go, the check file, the time limit. */
final class LakehouseOptions {
  @Option(names = "--bad-ratio", defaultValue = "0.01", description = "bad records per event (default ${DEFAULT-VALUE})")
  double badRatio;

  @Option(names = "--duplicate-ratio", defaultValue = "0.02", description = "duplicates per event (default ${DEFAULT-VALUE})")
  double duplicateRatio;

  @Option(names = "--data-dir", defaultValue = "medallion-data", description = "where tables and checkpoints go; emptied first (default ./${DEFAULT-VALUE})")
  Path dataDir;

  @Option(names = "--timeout-seconds", defaultValue = "600", description = "give up if the layers have not caught up by then (default ${DEFAULT-VALUE})")
  long timeoutSeconds;

  // bin/medallion sets medallion.home to the repository, so the checks are found from any directory.
  @Option(
      names = "--checks",
      defaultValue = "${sys:medallion.home:-.}/config/quality-checks.yaml",
      description = "the quality monitor's check file (default: config/quality-checks.yaml of the repository)")
  Path checks;

  /** The data directory, absolute, emptied. */
  Path emptyDataDir() throws java.io.IOException {
    Path data = dataDir.toAbsolutePath().normalize();
    Directories.empty(data);
    return data;
  }
}
