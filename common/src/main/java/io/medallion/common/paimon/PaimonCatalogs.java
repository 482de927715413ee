package io.medallion.common.paimon;

import io.medallion.common.config.ConfigOptions;
import io.medallion.common.config.JobConfig;
import java.util.Map;
import org.apache.paimon.catalog.Catalog;
import org.apache.paimon.catalog.CatalogContext;
import org.apache.paimon.catalog.CatalogFactory;
import org.apache.paimon.options.Options;

/**
 * The Paimon catalog of {@code paimon.catalog.*}: every key (warehouse, metastore, s3.*, …) is
 * passed to Paimon unchanged. A filesystem catalog on the warehouse unless configured otherwise.
 */
public final class PaimonCatalogs {

  private PaimonCatalogs() {}

  public static Catalog create(JobConfig config) {
    return create(config.withPrefix(ConfigOptions.PAIMON_CATALOG_PREFIX));
  }

  /** A catalog from its options, the same keys as {@code paimon.catalog.*}. */
  public static Catalog create(Map<String, String> options) {
    return CatalogFactory.createCatalog(CatalogContext.create(Options.fromMap(options)));
  }

  /** A filesystem catalog on a local or remote warehouse, e.g. {@code file:///tmp/paimon}. */
  public static Catalog filesystem(String warehouse) {
    return create(Map.of("warehouse", warehouse));
  }
}
