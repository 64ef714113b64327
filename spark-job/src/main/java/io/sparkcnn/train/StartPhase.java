package io.sparkcnn.train;

import io.sparkcnn.config.InvalidConfigException;
import io.sparkcnn.config.JobConfig;
import io.sparkcnn.config.OuterConfig;
import io.sparkcnn.config.TrainConfig;
import io.sparkcnn.config.TransferConfig;
import io.sparkcnn.data.DatasetLoader;
import io.sparkcnn.data.LabeledImages;
import io.sparkcnn.frames.DataSources;
import io.sparkcnn.model.ModelSummary;
import io.sparkcnn.model.NetworkFactory;
import io.sparkcnn.model.TransferLearning;
import io.sparkcnn.model.layers.Bf16ConvHelper;
import io.sparkcnn.model.layers.SingleChannelConvHelper;
import io.sparkcnn.runtime.MemoryPlan;
import io.sparkcnn.runtime.NativeSetup;
import io.sparkcnn.runtime.Preflight;
import io.sparkcnn.store.ModelRegistry;
import io.sparkcnn.store.ModelStore;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The first phase of a run: load the data, find the network to start from (a checkpoint to resume, the
 * registry's {@code LATEST} for a warm start, a pretrained network to transfer from, or random weights), and,
 * once the trainer exists, log its settings and run the executors' pre-flight check.
 */
final class StartPhase {
    private static final Logger LOG = LoggerFactory.getLogger(TrainJob.class);

    private StartPhase() {
    }

    /** Loads the data and decides where training starts: resumed, warm, transferred or fresh. */
    static RunState begin(JobConfig cfg, SparkSession spark, ModelStore store, ModelRegistry registry, Instant started) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        DatasetLoader.TrainTest data = DataSources.load(spark, cfg.data());
        LabeledImages train = data.train();
        LOG.info("Training class counts 0-9: {}", Arrays.toString(train.classCounts()));
        MultiLayerConfiguration conf = NetworkFactory.build(cfg.model().network(), cfg.train().seed(), train.rows(), train.cols());
        RunState run = new RunState(cfg, sc, store, registry, started, data, checkpoints(cfg, sc));
        if (cfg.checkpoint().resume()) {
            resume(run);
        } else {
            run.start = startingPoint(cfg, conf, store, registry);
            if (cfg.checkpoint().enabled()) {
                run.checkpoints.discardEarlier();
            }
        }
        run.summary = ModelSummary.of(run.start.network().getLayerWiseConfigurations(),
                NetworkFactory.inputType(cfg.model().network(), train.rows(), train.cols()));
        LOG.info("Model {}:\n{}", cfg.model().name(), run.summary.render());
        run.frozen = new LinkedHashMap<>();
        run.start.frozen().forEach(i -> run.frozen.put(i, run.start.network().getLayer(i).params().dup()));
        return run;
    }

    /** Restores the network, the epochs and minibatches done, their losses and history, and the averaging states. */
    private static void resume(RunState run) {
        int epochs = run.cfg.train().epochs();
        Checkpoints.Checkpoint cp = run.checkpoints.latest().orElseThrow(() -> new InvalidConfigException(List.of(
                "checkpoint.resume: no checkpoint to resume from at " + run.checkpoints.location())));
        run.firstEpoch = Math.min(cp.epochsDone(), epochs);
        run.firstBatch = run.firstEpoch < epochs ? cp.batchesDone() : 0;
        System.arraycopy(cp.epochLoss(), 0, run.scores, 0, run.firstEpoch);
        run.history = new TrainingHistory(run.data.heldOutRole(), cp.history().first(run.firstEpoch).epochs());
        run.resumedRoundLosses = run.firstBatch > 0 ? cp.roundLosses() : List.of();
        if (cp.tailAverage() != null) {
            run.average.restore(cp.tailAverage());
        }
        run.resumedOuter = cp.outerState();
        run.start = new TransferLearning.Start(cp.network(), frozenLayers(cp.network()), List.of());
        LOG.info("Resuming from checkpoint {} after epoch {} of {} and {} minibatches of the next", cp.id(),
                cp.epochsDone(), epochs, cp.batchesDone());
    }

    /** Restores the outer optimizer, logs how the run trains and where, and runs the pre-flight check. */
    static void prepare(RunState run, SparkTrainer trainer) {
        JobConfig cfg = run.cfg;
        logNatives(cfg, trainer.network(), run.sc);
        if (run.resumedOuter != null) {
            trainer.outerOptimizer().restore(run.resumedOuter, trainer.network().params());
        }
        logApproach(cfg.train(), trainer, run.sc.master());
        if (cfg.preflight().enabled()) {
            LabeledImages train = run.data.train();
            Preflight.run(run.sc, MemoryPlan.of(trainer.network().getLayerWiseConfigurations(),
                    NetworkFactory.inputType(cfg.model().network(), train.rows(), train.cols()),
                    cfg.train().batchSizePerWorker(), cfg.train().prefetchBatches()), cfg.natives());
        }
        if (cfg.augment().enabled()) {
            LOG.info("Augmentation on the executors: {} ({}), seed {}", cfg.augment().mode(),
                    cfg.augment().mode().equals("fixed") ? cfg.augment().copies() + " versions of every image"
                            : "fresh versions every epoch", cfg.augment().seed());
        }
    }

    private static void logApproach(TrainConfig train, SparkTrainer trainer, String master) {
        if (train.gradientSharing()) {
            LOG.info("Gradient sharing on {}: {} workers, batch {} per worker, threshold {}, parameter server {}:{}, "
                            + "{} epochs", master, trainer.workers(), train.batchSizePerWorker(),
                    train.sharing().threshold(), train.sharing().controllerAddress(), train.sharing().port(), train.epochs());
            if (train.epochs() > 2) {
                LOG.warn("Gradient sharing is experimental: runs on local[2] and local[16] hung in their third epoch "
                        + "(DL4J's SharedTrainingWrapper waiting for its trainers; docs/scaling.md); {} epochs asked",
                        train.epochs());
            }
        } else {
            LOG.info("Parameter averaging on {}: {} workers, batch {} per worker, averaging every {} minibatches, {} "
                            + "epochs, outer step {}", master, trainer.workers(), train.batchSizePerWorker(),
                    trainer.settings().averagingFrequency(), train.epochs(), describe(trainer.settings()));
        }
    }

    /** The run's checkpoints: {@code checkpoint.dir}, or {@code <output.path>.checkpoints}. */
    private static Checkpoints checkpoints(JobConfig cfg, JavaSparkContext sc) {
        String dir = cfg.checkpoint().dir().isBlank() ? cfg.output().path().replaceAll("/+$", "") + ".checkpoints"
                : cfg.checkpoint().dir();
        return new Checkpoints(sc.hadoopConfiguration(), dir, ModelRegistry.sha256(TrainJob.json(cfg.trainingIdentity())),
                cfg.checkpoint().keep());
    }

    /** Indices of the frozen layers of a (resumed) network. */
    private static List<Integer> frozenLayers(MultiLayerNetwork net) {
        List<Integer> frozen = new ArrayList<>();
        for (int i = 0; i < net.getnLayers(); i++) {
            if (net.getLayerWiseConfigurations().getConf(i).getLayer() instanceof FrozenLayer) {
                frozen.add(i);
            }
        }
        return frozen;
    }

    /**
     * Random weights from the configuration; the registry's {@code LATEST} network for a warm start; or a
     * pretrained network's convolution part with a new head.
     */
    private static TransferLearning.Start startingPoint(JobConfig cfg, MultiLayerConfiguration conf, ModelStore store,
                                                        ModelRegistry registry) {
        if (cfg.model().warmStart() && registry != null) {
            Optional<String> latest = registry.latest();
            if (latest.isPresent()) {
                MultiLayerNetwork net = registry.load(latest.get());
                LOG.info("Warm start from version {} of {}", latest.get(), registry.location());
                return new TransferLearning.Start(net, frozenLayers(net), List.of());
            }
            LOG.info("Warm start requested but {} has no version yet: starting from random weights", registry.location());
        }
        TransferConfig transfer = cfg.model().transfer();
        if (!transfer.enabled()) {
            MultiLayerNetwork net = new MultiLayerNetwork(conf);
            net.init();
            return new TransferLearning.Start(net, List.of(), List.of());
        }
        MultiLayerNetwork pretrained = store.load(transfer.from());
        TransferLearning.Start start;
        try {
            start = TransferLearning.start(pretrained, conf, transfer.freeze());
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException(List.of("model.transfer.from " + transfer.from()
                    + " does not fit model.network: " + e.getMessage()));
        }
        LOG.info("Transfer learning from {}: copied {}, frozen layers {} (freeze = {}); the dense head starts from random weights",
                transfer.from(), start.copied(), start.frozen(), transfer.freeze());
        return start;
    }

    private static String describe(TrainConfig settings) {
        OuterConfig outer = settings.outer();
        String adapted = settings.scaling().adapt() && settings.workers() > settings.scaling().referenceWorkers()
                ? String.format(Locale.ROOT, " (adapted to %d workers from the settings for %d: train.scaling)",
                settings.workers(), settings.scaling().referenceWorkers()) : "";
        return (outer.plain() ? "none (the average)" : String.format(Locale.ROOT, "%s, lr %s, momentum %s",
                outer.method(), outer.lr(), String.format(Locale.ROOT, "%.4f", outer.momentum()))) + adapted;
    }

    private static void logNatives(JobConfig cfg, MultiLayerNetwork net, JavaSparkContext sc) {
        LOG.info("Driver: {}", NativeSetup.describeBlas());
        List<String> helpers = NativeSetup.layerHelpers(net);
        if (!helpers.isEmpty()) {
            LOG.info("Convolution/pooling helpers: {}", String.join(", ", helpers));
            if (NativeSetup.helpersEnabled(cfg.natives()) && !NativeSetup.allConvolutionsUseOneDnn(net)) {
                LOG.warn("oneDNN helpers requested but not active: convolutions run ~5x slower (see STACK.md)");
            }
            List<String> singleChannel = SingleChannelConvHelper.layersTaken(net);
            if (!singleChannel.isEmpty()) {
                LOG.info("Backward pass of one-channel convolutions on the workers: {} ({})",
                        SingleChannelConvHelper.class.getSimpleName(), String.join(", ", singleChannel));
            }
            Bf16ConvHelper.Mode bf16 = Bf16ConvHelper.Mode.parse(cfg.natives().bf16Convolutions());
            List<String> bf16Layers = Bf16ConvHelper.layersTaken(net, bf16);
            LOG.info("Driver: {}{}", Bf16ConvHelper.describe(bf16), bf16Layers.isEmpty() ? ""
                    : " for " + String.join(", ", bf16Layers) + " (each executor decides for its own CPU)");
        }
        LOG.info("Executors: OMP_NUM_THREADS={}, OPENBLAS_CORETYPE={}",
                sc.getConf().get("spark.executorEnv.OMP_NUM_THREADS", "unset"),
                sc.getConf().get("spark.executorEnv.OPENBLAS_CORETYPE", "unset (OpenBLAS detects)"));
        if (System.getenv("OPENBLAS_CORETYPE") == null && NativeSetup.openblasCoreType(cfg.natives()).isPresent()) {
            LOG.warn("OPENBLAS_CORETYPE is not set for this JVM; OpenBLAS 0.3.19 may pick slow kernels here. "
                    + "Launch through submit-scripts/, which sets it.");
        }
    }
}
