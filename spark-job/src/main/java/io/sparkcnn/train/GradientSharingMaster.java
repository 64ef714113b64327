package io.sparkcnn.train;

import io.sparkcnn.config.GradientSharingConfig;
import io.sparkcnn.config.TrainConfig;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.residual.ResidualClippingPostProcessor;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.threshold.AdaptiveThresholdAlgorithm;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.api.RepartitionStrategy;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.parameterserver.training.SharedTrainingMaster;
import org.deeplearning4j.spark.parameterserver.training.SharedTrainingResult;
import org.nd4j.parameterserver.distributed.conf.VoidConfiguration;
import org.nd4j.parameterserver.distributed.v2.transport.PortSupplier;

import java.util.List;

/**
 * DL4J's gradient sharing ({@link SharedTrainingMaster}, {@code train.approach = gradient-sharing}): the workers
 * train on their partitions without stopping and exchange threshold-encoded updates through the driver's parameter
 * server (Aeron over UDP) as they go. One fit is one Spark job, so it is one "round" for the progress hooks, which
 * see it start and end with the fit's mean score.
 *
 * <p>Addresses and ports are set, never discovered: the driver's parameter server binds to
 * {@code train.sharing.controller-address}:{@code train.sharing.port}; each executor binds its own address (DL4J
 * takes it from the {@code DL4J_VOID_IP} environment variable, else 127.0.0.1) at {@code port + 1 + executor id}
 * ({@link ExecutorPorts}), so executors sharing a host do not collide. In {@code local[N]} the tasks run in the
 * driver's JVM and use its server.</p>
 *
 * <p>DL4J passes no training hooks to the workers of this master: {@link SeededDropout} and
 * {@link ConvolutionHelpers} do not run, so dropout masks are not a function of the minibatch and layers run
 * DL4J's own code (float, and slower for one-channel convolutions). Listeners do run
 * ({@link DivergenceCheck}).</p>
 */
final class GradientSharingMaster extends SharedTrainingMaster {
    private static final long serialVersionUID = 1L;
    /**
     * Aeron's time before it unblocks a publication a slow consumer holds (default 15 s): DL4J's parameter server
     * needs it long ({@code -Daeron.publication.unblock.timeout=60000000000}); set on the driver and on every
     * executor before Aeron starts, unless given.
     */
    static final String UNBLOCK_TIMEOUT_PROPERTY = "aeron.publication.unblock.timeout";
    static final String UNBLOCK_TIMEOUT_NS = "60000000000";

    private final transient SparkTrainer.RoundStart onStart;
    private final transient SparkTrainer.RoundEnd onEnd;

    private GradientSharingMaster(VoidConfiguration voidConf, int workers, int workersPerNode, double threshold,
                                  int batchSize, int prefetch, boolean collectStats, SparkTrainer.RoundStart onStart,
                                  SparkTrainer.RoundEnd onEnd) {
        super(voidConf, workers, RDDTrainingApproach.Direct, StorageLevel.MEMORY_ONLY_SER(), collectStats,
                RepartitionStrategy.Balanced, Repartition.Never, new AdaptiveThresholdAlgorithm(threshold),
                new ResidualClippingPostProcessor(5.0, 5), 1, batchSize, 0L, workersPerNode, prefetch,
                null, true, 5000, false);
        this.onStart = onStart;
        this.onEnd = onEnd;
    }

    /**
     * A master for {@code workers} workers; each executor runs as many DL4J workers as it has task slots (all of
     * {@code local[N]}'s, or {@code spark.executor.cores}, default 1). The paths handed to it are already spread
     * evenly over {@code workers} partitions, so it never repartitions.
     */
    static GradientSharingMaster create(JavaSparkContext sc, TrainConfig cfg, int workers, boolean collectStats,
                                        SparkTrainer.RoundStart onStart, SparkTrainer.RoundEnd onEnd) {
        if (System.getProperty(UNBLOCK_TIMEOUT_PROPERTY) == null) {
            System.setProperty(UNBLOCK_TIMEOUT_PROPERTY, UNBLOCK_TIMEOUT_NS);
        }
        GradientSharingConfig s = cfg.sharing();
        VoidConfiguration voidConf = VoidConfiguration.builder()
                .controllerAddress(s.controllerAddress())
                .unicastPort(s.port())
                .portSupplier(new ExecutorPorts(s.port()))
                .build();
        int perNode = sc.isLocal() ? workers : sc.getConf().getInt("spark.executor.cores", 1);
        GradientSharingMaster m = new GradientSharingMaster(voidConf, workers, perNode, s.threshold(),
                cfg.batchSizePerWorker(), cfg.prefetchBatches(), collectStats, onStart, onEnd);
        m.setListeners(List.of(new DivergenceCheck()));
        return m;
    }

    @Override
    protected void processResults(SparkDl4jMultiLayer network, SparkComputationGraph graph,
                                  JavaRDD<SharedTrainingResult> results) {
        if (onStart != null) {
            onStart.starting(1, 1);
        }
        super.processResults(network, graph, results);
        // DL4J's sharing sets the mean score on the network only; the Spark wrapper's score is what the trainer reads
        if (network != null) {
            network.setScore(network.getNetwork().score());
        } else {
            graph.setScore(graph.getNetwork().score());
        }
        if (onEnd != null) {
            onEnd.done(1, 1, network != null ? network.getScore() : graph.getScore());
        }
    }

    /**
     * The UDP port of each JVM: {@code port} on the driver (its parameter server; also the tasks of
     * {@code local[N]}, which use it), {@code port + 1 + id} on executor {@code id}. DL4J asks for it right before
     * it starts Aeron, on the driver and on each executor, so this is also where the executors get Aeron's unblock
     * timeout.
     */
    static final class ExecutorPorts implements PortSupplier {
        private static final long serialVersionUID = 1L;
        /** Spark's executor id of the driver ({@code SparkContext.DRIVER_IDENTIFIER}). */
        private static final String DRIVER = "driver";
        private final int port;

        ExecutorPorts(int port) {
            this.port = port;
        }

        @Override
        public int getPort() {
            if (System.getProperty(UNBLOCK_TIMEOUT_PROPERTY) == null) {
                System.setProperty(UNBLOCK_TIMEOUT_PROPERTY, UNBLOCK_TIMEOUT_NS);
            }
            SparkEnv env = SparkEnv.get();
            String id = env == null ? DRIVER : env.executorId();
            if (id.equals(DRIVER)) {
                return port;
            }
            try {
                return port + 1 + Integer.parseInt(id);
            } catch (NumberFormatException e) {
                throw new IllegalStateException("gradient sharing needs numeric executor ids, got '" + id + "'", e);
            }
        }
    }
}
