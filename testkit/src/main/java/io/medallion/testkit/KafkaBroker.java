package io.medallion.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import kafka.server.BrokerServer;
import kafka.testkit.KafkaClusterTestKit;
import kafka.testkit.TestKitNodes;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A real single-node Kafka cluster (KRaft, combined broker and controller) in this JVM, listening
 * on 127.0.0.1 with a free port, configured so that transactional producers work on one broker;
 * PLAINTEXT, or SASL_SSL with SCRAM users ({@link #startSecured}).
 */
public final class KafkaBroker implements AutoCloseable {
  private static final String INTERNAL = "INTERNAL";
  private static final String EXTERNAL = "EXTERNAL";
  private static final String SCRAM_SHA_512 = "SCRAM-SHA-512";

  private final KafkaClusterTestKit cluster;
  private final Security security;
  /** Where clients connect: the only listener, or the SASL_SSL one of a secured broker. */
  private final String bootstrapServers;
  /** Where this class's own helpers connect: PLAINTEXT in both cases. */
  private final String helperBootstrapServers;

  private KafkaBroker(KafkaClusterTestKit cluster, Security security) {
    this.cluster = cluster;
    this.security = security;
    if (security == null) {
      this.bootstrapServers = cluster.bootstrapServers();
      this.helperBootstrapServers = bootstrapServers;
    } else {
      BrokerServer server = cluster.brokers().values().iterator().next();
      this.bootstrapServers = "127.0.0.1:" + server.boundPort(new ListenerName(EXTERNAL));
      this.helperBootstrapServers = "127.0.0.1:" + server.boundPort(new ListenerName(INTERNAL));
    }
  }

  /**
   * Formats storage in a temporary directory and starts the broker on a free port; returns when it
   * serves requests. The port is chosen before the start, so it stays the same across {@link #restart()}.
   */
  public static KafkaBroker start() {
    return start(0);
  }

  /** As {@link #start()}, listening on the given port of 127.0.0.1 (0 for a free one). */
  public static KafkaBroker start(int port) {
    return start(port, null);
  }

  /**
   * A broker whose client listener speaks SASL_SSL: TLS with {@code certificates}' broker key, and
   * SASL/SCRAM-SHA-512 with the given users (name → password). {@link #bootstrapServers()} is that
   * listener, and {@link #clientProperties(String, String)} what a client needs to use it. The
   * broker itself (inter-broker traffic, controller) and this class's helpers ({@link #admin()},
   * {@link #produce}, {@link #readCommitted}, {@link #createTopics}) use a PLAINTEXT listener on
   * another port, so tests set up and read back without credentials.
   */
  public static KafkaBroker startSecured(TestCertificates certificates, Map<String, String> scramUsers) {
    return start(0, new Security(certificates, Map.copyOf(scramUsers)));
  }

  private record Security(TestCertificates certificates, Map<String, String> users) {}


  private static KafkaBroker start(int requestedPort, Security security) {
    try {
      // Fixed ports rather than 0, so a restarted broker listens where its clients look for it.
      int port = requestedPort == 0 ? freePort() : requestedPort;
      KafkaClusterTestKit.Builder builder =
          new KafkaClusterTestKit.Builder(
                  new TestKitNodes.Builder().setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
              // One broker: internal topics cannot have more replicas (shared/PITFALLS.md).
              .setConfigProp("offsets.topic.replication.factor", "1")
              .setConfigProp("offsets.topic.num.partitions", "4")
              .setConfigProp("transaction.state.log.replication.factor", "1")
              .setConfigProp("transaction.state.log.min.isr", "1")
              .setConfigProp("transaction.state.log.num.partitions", "4")
              .setConfigProp("group.initial.rebalance.delay.ms", "0")
              .setConfigProp("auto.create.topics.enable", "false")
              .setConfigProp("log.flush.interval.messages", Long.toString(Long.MAX_VALUE))
              // No time-based retention: tests produce records with fixed historical timestamps,
              // which the default 7 days would delete at the first retention check, 30 s after start.
              .setConfigProp("log.retention.ms", "-1");
      if (security == null) {
        builder.setConfigProp("listeners", EXTERNAL + "://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:0");
      } else {
        TestCertificates tls = security.certificates();
        String external = "listener.name." + EXTERNAL.toLowerCase(java.util.Locale.ROOT) + ".";
        builder
            .setConfigProp("listeners", INTERNAL + "://127.0.0.1:" + freePort() + "," + EXTERNAL + "://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:0")
            .setConfigProp("listener.security.protocol.map", INTERNAL + ":PLAINTEXT," + EXTERNAL + ":SASL_SSL,CONTROLLER:PLAINTEXT")
            .setConfigProp("inter.broker.listener.name", INTERNAL)
            .setConfigProp("sasl.enabled.mechanisms", SCRAM_SHA_512)
            .setConfigProp(external + "sasl.enabled.mechanisms", SCRAM_SHA_512)
            .setConfigProp(external + "scram-sha-512.sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required;")
            .setConfigProp(external + "ssl.keystore.type", "PKCS12")
            .setConfigProp(external + "ssl.keystore.location", tls.keyStore().toString())
            .setConfigProp(external + "ssl.keystore.password", tls.keyStorePassword())
            .setConfigProp(external + "ssl.key.password", tls.keyStorePassword())
            .setConfigProp(external + "ssl.client.auth", "none");
      }
      KafkaClusterTestKit cluster = builder.build();
      cluster.format();
      cluster.startup();
      KafkaBroker broker = new KafkaBroker(cluster, security);
      broker.awaitReady(Duration.ofSeconds(60));
      if (security != null) {
        broker.createScramUsers(security.users(), Duration.ofSeconds(60));
      }
      return broker;
    } catch (Exception e) {
      throw new IllegalStateException("the in-process Kafka broker did not start", e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }

  /**
   * Creates the SCRAM users over the PLAINTEXT listener, then waits until each one can log in on
   * the SASL_SSL listener: the broker learns credentials from the metadata log, after the
   * controller has answered.
   */
  private void createScramUsers(Map<String, String> users, Duration timeout) throws ExecutionException, InterruptedException {
    List<UserScramCredentialAlteration> upserts = new ArrayList<>();
    users.forEach(
        (user, password) ->
            upserts.add(new UserScramCredentialUpsertion(user, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), password)));
    try (Admin admin = admin()) {
      admin.alterUserScramCredentials(upserts).all().get();
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    for (Map.Entry<String, String> user : users.entrySet()) {
      Map<String, Object> props = new HashMap<>(clientProperties(user.getKey(), user.getValue()));
      props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
      Exception last = null;
      boolean in = false;
      while (!in && System.nanoTime() < deadline) {
        try (Admin admin = Admin.create(props)) {
          admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
          in = true;
        } catch (ExecutionException | TimeoutException e) {
          last = e;
        }
      }
      if (!in) {
        throw new IllegalStateException("SCRAM user " + user.getKey() + " cannot log in " + timeout + " after its creation", last);
      }
    }
  }

  /**
   * What a client of a {@link #startSecured secured} broker sets (besides the bootstrap servers):
   * SASL_SSL with SCRAM-SHA-512 as {@code user}, trusting this broker's CA.
   */
  public Map<String, String> clientProperties(String user, String password) {
    if (security == null) {
      throw new IllegalStateException("this broker speaks PLAINTEXT; start it with startSecured");
    }
    return saslSslClientProperties(user, password, security.certificates().trustStore(), security.certificates().trustStorePassword());
  }

  /**
   * The client settings of any broker that {@link #startSecured} started: SASL_SSL with
   * SCRAM-SHA-512 as {@code user}, trusting the CA in the PKCS12 {@code trustStore}. The passwords
   * are taken as given, so a caller may pass {@code ${ENV:…}} references for a job's configuration.
   */
  public static Map<String, String> saslSslClientProperties(String user, String password, Path trustStore, String trustStorePassword) {
    return Map.of(
        "security.protocol", "SASL_SSL",
        "sasl.mechanism", SCRAM_SHA_512,
        "sasl.jaas.config", scramJaasConfig(user, password),
        "ssl.truststore.type", "PKCS12",
        "ssl.truststore.location", trustStore.toString(),
        "ssl.truststore.password", trustStorePassword);
  }

  /** The {@code sasl.jaas.config} of a SCRAM client. */
  public static String scramJaasConfig(String user, String password) {
    return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user + "\" password=\"" + password + "\";";
  }

  /**
   * Waits until the broker answers a client on its external listener. (The test kit's own
   * waitForReadyBrokers needs JUnit on the class path, which the medallion launcher has not.)
   */
  private void awaitReady(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Exception last = null;
    try (Admin admin = admin()) {
      while (System.nanoTime() < deadline) {
        try {
          if (!admin.describeCluster().nodes().get(1, TimeUnit.SECONDS).isEmpty()) {
            return;
          }
        } catch (ExecutionException | TimeoutException e) {
          last = e;
        }
      }
    }
    throw new IllegalStateException("the in-process Kafka broker is not ready after " + timeout, last);
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** An admin client on the PLAINTEXT listener (of a secured broker too). */
  public Admin admin() {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, helperBootstrapServers));
  }

  /** Creates topics with the given partition count; existing ones are left alone. */
  public void createTopics(int partitions, String... topics) {
    try (Admin admin = admin()) {
      List<NewTopic> newTopics = new ArrayList<>();
      for (String topic : topics) {
        newTopics.add(new NewTopic(topic, partitions, (short) 1));
      }
      for (var result : admin.createTopics(newTopics).values().values()) {
        try {
          result.get();
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw e;
          }
        }
      }
      awaitReplicas(admin, partitions, topics);
    } catch (ExecutionException e) {
      throw new IllegalStateException("creating topics failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    }
  }

  /**
   * Waits until the broker hosts a replica of every new partition. The controller answers
   * createTopics before the broker has applied the new partitions, while the broker's metadata
   * already names it leader: an idempotent producer's first batch to a partition then fails with
   * NOT_LEADER_OR_FOLLOWER while its later batches land, and the retried first batch is rejected
   * as out of sequence until the delivery timeout (seen as a bench pre-fill stalling for 120 s).
   */
  private static void awaitReplicas(Admin admin, int partitions, String... topics) throws ExecutionException, InterruptedException {
    Set<TopicPartition> expected = new HashSet<>();
    for (String topic : topics) {
      for (int partition = 0; partition < partitions; partition++) {
        expected.add(new TopicPartition(topic, partition));
      }
    }
    List<Integer> brokers = admin.describeCluster().nodes().get().stream().map(node -> node.id()).toList();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      Set<TopicPartition> hosted = new HashSet<>();
      admin.describeLogDirs(brokers).allDescriptions().get().values()
          .forEach(dirs -> dirs.values().forEach(dir -> hosted.addAll(dir.replicaInfos().keySet())));
      if (hosted.containsAll(expected)) {
        return;
      }
    }
    throw new IllegalStateException("the broker does not host every partition of " + String.join(", ", topics) + " 30 s after creating them");
  }

  /** A producer of raw bytes; idempotent, all replicas acknowledge. */
  public KafkaProducer<byte[], byte[]> producer() {
    return producer(helperBootstrapServers, new Properties());
  }

  /**
   * A byte producer for any cluster (the data generator uses it against external brokers too).
   * {@code clientProperties} (security.protocol, sasl.*, ssl.*, or batching) come on top of the
   * batching defaults; the servers and the idempotent, all-replica acknowledgement stay.
   */
  public static KafkaProducer<byte[], byte[]> producer(String bootstrapServers, Properties clientProperties) {
    Properties props = new Properties();
    props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    props.putAll(clientProperties);
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** Sends the records in order and waits until every one is acknowledged; returns where each landed. */
  public List<RecordMetadata> produce(Collection<ProducerRecord<byte[], byte[]>> records) {
    try (KafkaProducer<byte[], byte[]> producer = producer()) {
      List<Future<RecordMetadata>> sent = new ArrayList<>(records.size());
      for (ProducerRecord<byte[], byte[]> record : records) {
        sent.add(producer.send(record));
      }
      producer.flush();
      List<RecordMetadata> landed = new ArrayList<>(sent.size());
      for (Future<RecordMetadata> future : sent) {
        landed.add(future.get());
      }
      return landed;
    } catch (ExecutionException e) {
      throw new IllegalStateException("producing failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while producing", e);
    }
  }

  /**
   * Every committed record of a topic, read with {@code isolation.level=read_committed} from the
   * beginning to the last stable offset at the time of the call: what a downstream consumer sees.
   */
  public List<ConsumerRecord<byte[], byte[]>> readCommitted(String topic) {
    return readCommitted(helperBootstrapServers, topic, Duration.ofSeconds(60));
  }

  /** {@link #readCommitted(String)} against any cluster. */
  public static List<ConsumerRecord<byte[], byte[]>> readCommitted(
      String bootstrapServers, String topic, Duration timeout) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
      Set<TopicPartition> partitions =
          infos.stream().map(p -> new TopicPartition(topic, p.partition())).collect(Collectors.toSet());
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      // With read_committed, end offsets are the last stable offsets.
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
      List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
      long deadline = System.nanoTime() + timeout.toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("reading " + topic + " did not reach " + end + " within " + timeout);
        }
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
      records.removeIf(r -> r.offset() >= end.get(new TopicPartition(r.topic(), r.partition())));
      return records;
    }
  }

  /**
   * Kills the broker: its listeners close and its clients see disconnects until {@link
   * #startBroker()}. The controller of this combined node keeps running, as does its metadata log.
   */
  public void stopBroker() {
    brokerServer().shutdown();
  }

  /**
   * Starts the broker stopped by {@link #stopBroker()} again, on the same ports with the same log
   * and metadata directories; returns when it leads every partition again, so committed records
   * are readable and producers' transactions can go on.
   */
  public void startBroker() {
    brokerServer().startup();
    try {
      awaitReady(Duration.ofSeconds(60));
      awaitLeaders(Duration.ofSeconds(60));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while restarting the broker", e);
    }
  }

  /** {@link #stopBroker()}, then {@link #startBroker()}: the broker process restarts with its data kept. */
  public void restart() {
    stopBroker();
    startBroker();
  }

  private BrokerServer brokerServer() {
    return cluster.brokers().values().iterator().next();
  }

  /** Waits until every partition of every topic, internal ones included, has a leader. */
  private void awaitLeaders(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Exception last = null;
    try (Admin admin = admin()) {
      while (System.nanoTime() < deadline) {
        try {
          Set<String> topics =
              admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get(5, TimeUnit.SECONDS);
          boolean led =
              admin.describeTopics(topics).allTopicNames().get(5, TimeUnit.SECONDS).values().stream()
                  .flatMap(t -> t.partitions().stream())
                  .allMatch(p -> p.leader() != null && !p.leader().isEmpty());
          if (led) {
            return;
          }
        } catch (ExecutionException | TimeoutException e) {
          last = e;
        }
        TimeUnit.MILLISECONDS.sleep(100);
      }
    }
    throw new IllegalStateException("some partitions have no leader " + timeout + " after the broker restarted", last);
  }

  @Override
  public void close() throws Exception {
    cluster.close();
  }
}
