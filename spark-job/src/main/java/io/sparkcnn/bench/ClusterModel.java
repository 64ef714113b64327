package io.sparkcnn.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Time of one parameter-averaging round on a cluster of {@code N} executors with {@code C} cores each
 * ({@code W = N C} workers), and the images per second that follow; pure arithmetic, no Spark.
 *
 * <pre>
 *   round ms   = F (c' + d')                      compute and data, the W workers in parallel
 *              + broadcast + shuffle + collect    communication over links of L Gbit/s
 *              + a + t s                          fixed latency: a per round (scheduling, driver), t per task
 *                                                 (broadcast fetch, network set-up, result serialization)
 *   images/s   = W B F 1000 / round ms
 * </pre>
 *
 * {@code c} and {@code d} are milliseconds of compute and data handling per minibatch on one core, as {@code bench}
 * measured them; {@code c' = c s / e} and {@code d' = d s}, where {@code s = max(1, W / hostCores)} when all
 * workers share {@code hostCores} cores (the development cluster on one machine; 0 = every worker has its own
 * core) and {@code e} is the core efficiency of an executor with {@code C > 1} cores (1 = none lost). The
 * per-task part of the latency runs on the workers' cores in parallel, so it does not grow with W, but it is
 * slowed by the same sharing {@code s}.
 *
 * <p>Communication, every phase at the full rate {@code L} of each machine's link (full duplex, a non-blocking
 * switch, the driver on its own machine), one phase after the other:</p>
 * <ul>
 *   <li>broadcast: DL4J broadcasts parameters and updater state (a {@code NetBroadcastTuple}) every round;
 *   Spark's TorrentBroadcast ships it in blocks of 4 MiB, Kryo-serialized (and LZ4-compressed), to every executor
 *   once. Idealised torrent: {@code (Bb + ceil(log2 N) min(Bb, 4 MiB)) / L}, the whole object through one link
 *   plus one block per doubling of the executors that hold it.</li>
 *   <li>shuffle (when the aggregation pattern has a shuffle level): every partition's partial sum, one record of
 *   {@code Bs} bytes, goes to the reducer of its group; partition {@code p} runs on executor
 *   {@code p mod N} and reducer {@code r} on executor {@code r mod N} (round-robin placement); records that stay
 *   on their executor are free. Time: the busiest executor's {@code max(bytes in, bytes out) / L}.</li>
 *   <li>collect: the remaining partial sums (Kryo, {@code Br} bytes each, task results are not compressed) into
 *   the driver's link: {@code R Br / L}.</li>
 * </ul>
 *
 * @param bytes       bytes on the wire per round, see {@link Bytes}
 * @param aggregation how the workers' results are summed, see {@link Aggregation}
 * @param calibration c, d and the fixed latency, see {@link Calibration}
 */
public record ClusterModel(Bytes bytes, Aggregation aggregation, Calibration calibration) {
    /** Spark's {@code spark.broadcast.blockSize} default, bytes. */
    public static final long BROADCAST_BLOCK = 4L << 20;

    /**
     * Bytes a round moves, as Spark ships them with the job's Kryo serializer.
     *
     * @param broadcast    the broadcast parameters and updater state (DL4J's {@code NetBroadcastTuple}) as
     *                     TorrentBroadcast ships them (Kryo, LZ4 that hardly shrinks trained floats), received by
     *                     every executor once per round
     * @param result       one partial sum (DL4J's {@code ParameterAveragingAggregationTuple}: parameter sum,
     *                     updater-state sum, score, count) as a task result to the driver: Kryo, uncompressed
     * @param shuffleRecord one partial sum as a shuffle record (Kryo; LZ4 likewise)
     */
    public record Bytes(long broadcast, long result, long shuffleRecord) {
    }

    /**
     * Compute, data and fixed latency, from {@code bench} runs.
     *
     * @param computeMsPerBatch c: ms of compute per minibatch on one core with the whole core to itself
     * @param dataMsPerBatch    d: ms of data handling per minibatch, likewise
     * @param latencyMs         a: fixed ms per round that no worker core does (scheduling, the driver's work)
     * @param taskSetupMs       t: fixed ms per round in every task, on its core with the core to itself (fetch
     *                          and deserialize the broadcast, set up the network, serialize the result); 0 when
     *                          the calibration runs cannot tell it from a (all at the same core sharing)
     */
    public record Calibration(double computeMsPerBatch, double dataMsPerBatch, double latencyMs,
                              double taskSetupMs) {
    }

    /**
     * A cluster to predict.
     *
     * @param executors        N
     * @param coresPerExecutor C: task slots, i.e. training workers, per executor
     * @param gbits            link speed of every machine, Gbit/s (10^9 bit/s)
     * @param hostCores        cores all workers share when they run on one machine, 0 when every worker has its
     *                         own core
     * @param coreEfficiency   e, speed of each core of an executor with more than one core relative to a
     *                         one-core executor, (0, 1]
     */
    public record Cluster(int executors, int coresPerExecutor, double gbits, int hostCores, double coreEfficiency) {
        public Cluster {
            if (executors < 1 || coresPerExecutor < 1 || !(gbits > 0) || hostCores < 0
                    || !(coreEfficiency > 0 && coreEfficiency <= 1)) {
                throw new IllegalArgumentException("invalid cluster: " + executors + " x " + coresPerExecutor
                        + " cores, " + gbits + " Gbit/s, host cores " + hostCores + ", efficiency " + coreEfficiency);
            }
        }

        /** N executors of C cores on their own machines, cores at full efficiency. */
        public static Cluster of(int executors, int coresPerExecutor, double gbits) {
            return new Cluster(executors, coresPerExecutor, gbits, 0, 1);
        }

        public int workers() {
            return executors * coresPerExecutor;
        }

        /** Link speed in bytes per millisecond. */
        double bytesPerMs() {
            return gbits * 1e9 / 8 / 1000;
        }
    }

    /**
     * The shape of the aggregation: how many partial sums go through a shuffle to how many reducers, and how
     * many reach the driver.
     *
     * @param levels   partition counts after each shuffle level, in order (empty: no shuffle)
     * @param groupOf  for the single shuffle level, the reducer of each of the W partitions (empty: no shuffle)
     * @param toDriver partial sums collected to the driver
     */
    public record Tree(List<Integer> levels, List<Integer> groupOf, int toDriver) {
        public Tree {
            levels = List.copyOf(levels);
            groupOf = List.copyOf(groupOf);
        }

        public boolean shuffles() {
            return !levels.isEmpty();
        }
    }

    /** How the W workers' results are summed. */
    public sealed interface Aggregation permits SparkTreeAggregate, OrderedTwoLevel {
        Tree tree(int workers);

        String describe();
    }

    /**
     * Spark 3.5's {@code RDD.treeAggregate(depth)} as DL4J calls it (depth 2): {@code scale = max(ceil(W^(1/depth)),
     * 2)}; while {@code n > scale + ceil(n / scale)} a shuffle level to {@code n = floor(n / scale)} partitions,
     * partition {@code i} to reducer {@code i mod n}; then the {@code n} partial sums are collected.
     */
    public record SparkTreeAggregate(int depth) implements Aggregation {
        @Override
        public Tree tree(int workers) {
            int scale = Math.max((int) Math.ceil(Math.pow(workers, 1.0 / depth)), 2);
            int n = workers;
            List<Integer> levels = new ArrayList<>();
            while (n > scale + Math.ceil((double) n / scale)) {
                n /= scale;
                levels.add(n);
            }
            List<Integer> groupOf = new ArrayList<>();
            if (!levels.isEmpty()) {
                for (int p = 0; p < workers; p++) {
                    groupOf.add(p % levels.get(0));
                }
            }
            return new Tree(levels, groupOf, n);
        }

        @Override
        public String describe() {
            return "Spark treeAggregate, depth " + depth;
        }
    }

    /**
     * A deterministic two-level tree in partition order: up to {@code directUpTo} partitions are collected to the
     * driver directly; above, groups of {@code g = ceil(sqrt(W))} consecutive partitions are summed after one
     * shuffle, and the {@code ceil(W / g)} group sums collected and added in order.
     */
    public record OrderedTwoLevel(int directUpTo) implements Aggregation {
        @Override
        public Tree tree(int workers) {
            if (workers <= directUpTo) {
                return new Tree(List.of(), List.of(), workers);
            }
            int g = (int) Math.ceil(Math.sqrt(workers));
            int groups = (workers + g - 1) / g;
            List<Integer> groupOf = new ArrayList<>();
            for (int p = 0; p < workers; p++) {
                groupOf.add(p / g);
            }
            return new Tree(List.of(groups), groupOf, groups);
        }

        @Override
        public String describe() {
            return "ordered two-level tree (direct up to " + directUpTo + ")";
        }
    }

    /** DL4J's own pattern: {@code treeAggregate} with its default depth 2. */
    public static Aggregation sparkTreeAggregate() {
        return new SparkTreeAggregate(2);
    }

    /** The replacement pattern: groups of {@code ceil(sqrt(W))} consecutive partitions when W > 4. */
    public static Aggregation orderedTwoLevel() {
        return new OrderedTwoLevel(4);
    }

    /**
     * One round, predicted.
     *
     * @param cluster         the cluster
     * @param batchSize       B, images per minibatch per worker
     * @param frequency       F, minibatches per worker per round
     * @param computeMs       F (c' + d'), ms
     * @param broadcastMs     broadcast of parameters and updater state, ms
     * @param shuffleMs       shuffle level of the aggregation (0 without), ms
     * @param collectMs       partial sums into the driver, ms
     * @param latencyMs       a + t s, ms
     * @param tree            the aggregation's shape at this W
     */
    public record Round(Cluster cluster, int batchSize, int frequency, double computeMs, double broadcastMs,
                        double shuffleMs, double collectMs, double latencyMs, Tree tree) {
        public double communicationMs() {
            return broadcastMs + shuffleMs + collectMs;
        }

        public double roundMs() {
            return computeMs + communicationMs() + latencyMs;
        }

        /** W B F images per round time. */
        public double imagesPerSecond() {
            return (double) cluster.workers() * batchSize * frequency * 1000 / roundMs();
        }
    }

    /** The predicted round of {@code cluster} with minibatches of {@code batchSize}, averaging every {@code frequency}. */
    public Round round(Cluster cluster, int batchSize, int frequency) {
        int w = cluster.workers();
        double share = cluster.hostCores() > 0 ? Math.max(1.0, (double) w / cluster.hostCores()) : 1.0;
        double efficiency = cluster.coresPerExecutor() > 1 ? cluster.coreEfficiency() : 1.0;
        double compute = frequency * share * (calibration.computeMsPerBatch() / efficiency
                + calibration.dataMsPerBatch());
        Tree tree = aggregation.tree(w);
        double latency = calibration.latencyMs() + calibration.taskSetupMs() * share;
        return new Round(cluster, batchSize, frequency, compute, broadcastMs(cluster), shuffleMs(cluster, tree),
                collectMs(cluster, tree), latency, tree);
    }

    /** Communication only, ms (for calibration: what of a measured round's overhead is not fixed latency). */
    public double communicationMs(Cluster cluster) {
        Tree tree = aggregation.tree(cluster.workers());
        return broadcastMs(cluster) + shuffleMs(cluster, tree) + collectMs(cluster, tree);
    }

    double broadcastMs(Cluster cluster) {
        long b = bytes.broadcast();
        int doublings = 32 - Integer.numberOfLeadingZeros(cluster.executors() - 1); // ceil(log2 N), 0 for N = 1
        return (b + doublings * (double) Math.min(b, BROADCAST_BLOCK)) / cluster.bytesPerMs();
    }

    double shuffleMs(Cluster cluster, Tree tree) {
        if (!tree.shuffles()) {
            return 0;
        }
        int n = cluster.executors();
        long[] in = new long[n];
        long[] out = new long[n];
        List<Integer> groupOf = tree.groupOf();
        for (int p = 0; p < groupOf.size(); p++) {
            int from = p % n;
            int to = groupOf.get(p) % n;
            if (from != to) {
                out[from] += bytes.shuffleRecord();
                in[to] += bytes.shuffleRecord();
            }
        }
        long busiest = 0;
        for (int e = 0; e < n; e++) {
            busiest = Math.max(busiest, Math.max(in[e], out[e]));
        }
        // further levels (deeper trees): their records, one per partition of the level before, likewise
        double ms = busiest / cluster.bytesPerMs();
        for (int level = 1; level < tree.levels().size(); level++) {
            int reducers = tree.levels().get(level);
            int maps = tree.levels().get(level - 1);
            ms += Math.ceil((double) maps / reducers) * bytes.shuffleRecord() / cluster.bytesPerMs();
        }
        return ms;
    }

    double collectMs(Cluster cluster, Tree tree) {
        return tree.toDriver() * (double) bytes.result() / cluster.bytesPerMs();
    }
}
