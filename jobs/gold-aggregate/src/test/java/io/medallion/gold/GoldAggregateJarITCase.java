package io.medallion.gold;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.common.gold.GoldTable;
import io.medallion.common.paimon.PaimonCatalogs;
import io.medallion.common.paimon.PaimonTables;
import io.medallion.common.silver.SilverTable;
import io.medallion.testkit.JobJar;
import io.medallion.testkit.KafkaBrokerExtension;
import io.medallion.testkit.PaimonReads;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.paimon.catalog.Catalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The shaded jar as {@code flink run} starts it: a bounded backfill of gold from silver tables. */
class GoldAggregateJarITCase {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

  @TempDir Path dir;

  @Test
  void theShadedJarBackfillsGoldFromSilverAndFiresEveryWindowAtTheEnd() throws Exception {
    KAFKA.broker().createTopics(1, "dlq.jar-gold");
    Path warehouse = dir.resolve("paimon");
    Instant t0 = Instant.parse("2026-11-22T10:00:00Z");
    List<SilverEvent> events = new ArrayList<>();
    for (int n = 0; n < 40; n++) {
      // Out of event-time order, over four minutes: a bounded run has nothing late.
      events.add(SilverEvent.system(n, t0.plusSeconds((n * 37L) % 240), "svc-" + n % 2, n % 3 == 0 ? "ERROR" : "INFO"));
    }
    try (Catalog catalog = PaimonCatalogs.filesystem(warehouse.toUri().toString())) {
      for (SilverTable table : SilverTable.values()) {
        PaimonTables.ensure(catalog, table.identifier(), table.schema());
      }
      // The watermark of the snapshot is before every event: only the end of the input closes windows.
      new SilverCommits(catalog).commit(events, t0.toEpochMilli() - 1);
    }
    Path config = dir.resolve("medallion.yaml");
    Files.writeString(
        config,
        """
        kafka: {bootstrap-servers: "%s"}
        dlq.topic: dlq.jar-gold
        paimon.catalog: {warehouse: "%s"}
        iceberg.catalog: {warehouse: "%s"}
        checkpoint: {interval: 1s}
        parallelism: 2
        gold: {window-size: 1m, allowed-lateness: 0s}
        """
            .formatted(KAFKA.broker().bootstrapServers(), warehouse.toUri(), dir.resolve("iceberg").toUri()));

    JobJar jar = JobJar.ofModuleUnderTest();
    assertThat(jar.mainClass()).isEqualTo(GoldAggregateJob.class.getName());
    JobJar.Run run = jar.run(List.of("--config", config.toString(), "--set", "bounded=true"), Map.of(), Duration.ofMinutes(3), dir);

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    try (Catalog catalog = PaimonCatalogs.filesystem(warehouse.toUri().toString())) {
      assertThat(PaimonReads.readAll(catalog.getTable(GoldTable.SYSTEM_HEALTH.identifier())))
          .containsExactlyInAnyOrderElementsOf(ExpectedGold.rows(events, Duration.ofMinutes(1), Instant.MAX).get(GoldTable.SYSTEM_HEALTH));
    }
    assertThat(KAFKA.broker().readCommitted("dlq.jar-gold")).isEmpty();
  }
}
