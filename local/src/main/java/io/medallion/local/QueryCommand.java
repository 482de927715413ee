package io.medallion.local;

import io.medallion.common.config.ConfigOptions;
import io.medallion.common.config.JobConfig;
import io.medallion.common.config.JobSpec;
import io.medallion.common.deadletter.Stage;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "query",
    mixinStandardHelpOptions = true,
    description = {
      "Run batch SQL over the Iceberg and Paimon catalogs.",
      "Tables are iceberg.bronze.events, iceberg.quality.metrics, paimon.silver.<table>, paimon.gold.<table>, e.g.",
      "  medallion query \"SELECT event_type, count(*) FROM iceberg.bronze.events GROUP BY event_type\""
    })
final class QueryCommand implements Callable<Integer> {
  /** Reads only the catalog keys of a config file; no job runs. */
  private static final JobSpec CATALOGS = new JobSpec("medallion-query", Stage.BRONZE, EnumSet.noneOf(JobSpec.Needs.class));

  @Parameters(index = "0", description = "the SQL statement")
  String sql;

  @Option(names = "--config", description = "take the catalogs (iceberg.catalog.*, paimon.catalog.*) from this file")
  Path config;

  @Option(names = "--data-dir", defaultValue = "medallion-data", description = "without --config: the demo's tables under this directory (default ./${DEFAULT-VALUE})")
  Path dataDir;

  @Override
  public Integer call() {
    Map<String, String> iceberg = new LinkedHashMap<>();
    Map<String, String> paimon = new LinkedHashMap<>();
    if (config != null) {
      JobConfig catalogs = JobConfig.load(CATALOGS, config, List.of("kafka.bootstrap-servers=unused:0"), System.getenv());
      iceberg.putAll(catalogs.withPrefix(ConfigOptions.ICEBERG_CATALOG_PREFIX));
      paimon.putAll(catalogs.withPrefix(ConfigOptions.PAIMON_CATALOG_PREFIX));
    } else {
      Path data = dataDir.toAbsolutePath().normalize();
      iceberg.put("warehouse", data.resolve("iceberg").toUri().toString());
      paimon.put("warehouse", data.resolve("paimon").toUri().toString());
    }
    iceberg.put("catalog-type", iceberg.getOrDefault("type", "hadoop"));
    iceberg.put("type", "iceberg");
    paimon.put("type", "paimon");

    TableEnvironment sqlEnv = TableEnvironment.create(EnvironmentSettings.inBatchMode());
    sqlEnv.executeSql("CREATE CATALOG iceberg WITH (" + options(iceberg) + ")");
    sqlEnv.executeSql("CREATE CATALOG paimon WITH (" + options(paimon) + ")");
    sqlEnv.executeSql(sql).print();
    return 0;
  }

  /** Options of a SQL WITH clause, quoted. */
  static String options(Map<String, String> options) {
    return options.entrySet().stream()
        .map(e -> "'" + e.getKey().replace("'", "''") + "' = '" + e.getValue().replace("'", "''") + "'")
        .collect(Collectors.joining(", "));
  }
}
