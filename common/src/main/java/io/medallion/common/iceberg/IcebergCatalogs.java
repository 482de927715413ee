package io.medallion.common.iceberg;

import io.medallion.common.config.ConfigOptions;
import io.medallion.common.config.JobConfig;
import java.util.HashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.flink.CatalogLoader;

/**
 * The Iceberg catalog of {@code iceberg.catalog.*}: {@code type} is hadoop (default), rest, jdbc
 * or hive; every other key (warehouse, uri, io-impl, s3.*, …) is passed to the catalog unchanged.
 */
public final class IcebergCatalogs {
  public static final String CATALOG_NAME = "medallion_iceberg";

  private IcebergCatalogs() {}

  public static CatalogLoader loader(JobConfig config) {
    Map<String, String> properties = new HashMap<>(config.withPrefix(ConfigOptions.ICEBERG_CATALOG_PREFIX));
    String type = properties.getOrDefault("type", "hadoop");
    properties.remove("type");
    return loader(type, properties);
  }

  /** A loader for a catalog type and its properties (the same keys as {@code iceberg.catalog.*}). */
  public static CatalogLoader loader(String type, Map<String, String> properties) {
    Configuration hadoop = new Configuration();
    return switch (type) {
      case "hadoop" -> CatalogLoader.hadoop(CATALOG_NAME, hadoop, properties);
      case "rest" -> CatalogLoader.rest(CATALOG_NAME, hadoop, properties);
      case "hive" -> CatalogLoader.hive(CATALOG_NAME, hadoop, properties);
      case "jdbc" -> CatalogLoader.custom(CATALOG_NAME, properties, hadoop, "org.apache.iceberg.jdbc.JdbcCatalog");
      default -> throw new IllegalArgumentException("unknown iceberg.catalog.type " + type);
    };
  }

  /** A Hadoop catalog on a local or file-system warehouse, e.g. {@code file:///tmp/wh}. */
  public static CatalogLoader hadoop(String warehouse) {
    return loader("hadoop", Map.of(CatalogProperties.WAREHOUSE_LOCATION, warehouse));
  }
}
