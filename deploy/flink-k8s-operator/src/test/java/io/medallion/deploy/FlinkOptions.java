package io.medallion.deploy;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.FallbackKey;

/**
 * Every option Flink declares on the test class path (Flink 2.0.2's core, runtime, streaming,
 * clients, state backends and table modules): the public static {@link ConfigOption} fields of its
 * {@code *Options} classes, found by scanning Flink's jars rather than listing classes by hand.
 */
final class FlinkOptions {
  private static final Map<String, ConfigOption<?>> BY_KEY = new HashMap<>();
  private static final Map<String, String> REPLACED = new HashMap<>();

  static {
    String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    for (String entry : classPath.split(File.pathSeparator)) {
      String jar = new File(entry).getName();
      if (jar.startsWith("flink-") && jar.endsWith(".jar")) {
        scan(new File(entry));
      }
    }
  }

  private FlinkOptions() {}

  /** The option with this (current) key, or null. */
  static ConfigOption<?> option(String key) {
    return BY_KEY.get(key);
  }

  /** The current key of an option this key is a deprecated or fallback name of, or null. */
  static String replacement(String key) {
    return REPLACED.get(key);
  }

  static Map<String, ConfigOption<?>> all() {
    return Collections.unmodifiableMap(BY_KEY);
  }

  private static void scan(File jar) {
    try (JarFile file = new JarFile(jar)) {
      for (Enumeration<JarEntry> entries = file.entries(); entries.hasMoreElements(); ) {
        String name = entries.nextElement().getName();
        if (name.startsWith("org/apache/flink/") && name.endsWith("Options.class") && !name.contains("$") && !name.contains("/shaded/")) {
          collect(name.substring(0, name.length() - ".class".length()).replace('/', '.'));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void collect(String className) {
    Class<?> options;
    try {
      options = Class.forName(className);
    } catch (ClassNotFoundException | LinkageError e) {
      return; // needs a module that is not on this class path, so none of its keys can be checked
    }
    for (Field field : options.getFields()) {
      if (Modifier.isStatic(field.getModifiers()) && ConfigOption.class.isAssignableFrom(field.getType())) {
        try {
          ConfigOption<?> option = (ConfigOption<?>) field.get(null);
          BY_KEY.putIfAbsent(option.key(), option);
          for (FallbackKey fallback : option.fallbackKeys()) {
            REPLACED.putIfAbsent(fallback.getKey(), option.key());
          }
        } catch (IllegalAccessException e) {
          throw new IllegalStateException(e);
        }
      }
    }
  }
}
