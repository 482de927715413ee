package io.medallion.testkit;

import java.io.IOException;
import java.net.URI;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.hadoop.fs.CreateFlag;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;

/**
 * The local file system under the scheme {@value #SCHEME}, with a switch that makes it refuse every
 * write: the warehouse "unwritable for a while" of the chaos suite. Tests run as root here, where
 * taking a directory's write permission away changes nothing; this refuses like a read-only mount
 * or an object store that lost its credentials. Iceberg's Hadoop catalog reaches it through Hadoop's
 * file system registry (META-INF/services) and Paimon through its Hadoop fallback for unknown
 * schemes, so both lakes' writers and committers see the same refusals. Streams opened before the
 * switch go on, as open file handles would.
 */
public final class WarehouseFileSystem extends RawLocalFileSystem {
  public static final String SCHEME = "chaoswarehouse";

  private static final AtomicBoolean UNWRITABLE = new AtomicBoolean();

  /** The two warehouses of {@code settings} (from {@link JobSettings#local}) moved onto this file system. */
  public static Map<String, String> onSwitchableWarehouses(Map<String, String> settings) {
    for (String key : new String[] {"iceberg.catalog.warehouse", "paimon.catalog.warehouse"}) {
      URI local = URI.create(settings.get(key));
      settings.put(key, SCHEME + "://" + local.getPath());
    }
    return settings;
  }

  /** Refuses every write from now on, for {@code millis}; returns at once. */
  public static void unwritableFor(long millis) {
    UNWRITABLE.set(true);
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    timer.schedule(() -> UNWRITABLE.set(false), millis, TimeUnit.MILLISECONDS);
    timer.shutdown();
  }

  public static boolean writable() {
    return !UNWRITABLE.get();
  }

  @Override
  public String getScheme() {
    return SCHEME;
  }

  @Override
  public URI getUri() {
    return URI.create(SCHEME + ":///");
  }

  private static void requireWritable(Path path) throws IOException {
    if (UNWRITABLE.get()) {
      throw new IOException("Warehouse unwritable (injected by the chaos testkit): cannot write " + path);
    }
  }

  @Override
  public FSDataOutputStream create(
      Path f, FsPermission permission, boolean overwrite, int bufferSize, short replication, long blockSize, Progressable progress)
      throws IOException {
    requireWritable(f);
    return super.create(f, permission, overwrite, bufferSize, replication, blockSize, progress);
  }

  @Override
  public FSDataOutputStream create(Path f, boolean overwrite, int bufferSize, short replication, long blockSize, Progressable progress)
      throws IOException {
    requireWritable(f);
    return super.create(f, overwrite, bufferSize, replication, blockSize, progress);
  }

  @Override
  public FSDataOutputStream createNonRecursive(
      Path f, FsPermission permission, boolean overwrite, int bufferSize, short replication, long blockSize, Progressable progress)
      throws IOException {
    requireWritable(f);
    return super.createNonRecursive(f, permission, overwrite, bufferSize, replication, blockSize, progress);
  }

  @Override
  public FSDataOutputStream append(Path f, int bufferSize, Progressable progress) throws IOException {
    requireWritable(f);
    return super.append(f, bufferSize, progress);
  }

  @Override
  public boolean rename(Path src, Path dst) throws IOException {
    requireWritable(dst);
    return super.rename(src, dst);
  }

  @Override
  public boolean delete(Path p, boolean recursive) throws IOException {
    requireWritable(p);
    return super.delete(p, recursive);
  }

  @Override
  public FSDataOutputStream createNonRecursive(
      Path f, FsPermission permission, EnumSet<CreateFlag> flags, int bufferSize, short replication, long blockSize, Progressable progress)
      throws IOException {
    requireWritable(f);
    return super.createNonRecursive(f, permission, flags, bufferSize, replication, blockSize, progress);
  }

  @Override
  public boolean mkdirs(Path f) throws IOException {
    requireWritable(f);
    return super.mkdirs(f);
  }

  @Override
  public boolean mkdirs(Path f, FsPermission permission) throws IOException {
    requireWritable(f);
    return super.mkdirs(f, permission);
  }
}
