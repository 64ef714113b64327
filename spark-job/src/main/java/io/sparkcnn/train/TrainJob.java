package io.sparkcnn.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.sparkcnn.config.InvalidConfigException;
import io.sparkcnn.config.JobConfig;
import io.sparkcnn.config.TransferConfig;
import io.sparkcnn.data.DatasetLoader;
import io.sparkcnn.data.ImageBatch;
import io.sparkcnn.data.LabeledImages;
import io.sparkcnn.eval.EvaluationReport;
import io.sparkcnn.eval.PromotionGate;
import io.sparkcnn.model.InputContract;
import io.sparkcnn.model.ModelSummary;
import io.sparkcnn.model.NetworkFactory;
import io.sparkcnn.model.TransferLearning;
import io.sparkcnn.model.layers.SingleChannelConvHelper;
import io.sparkcnn.report.RunReport;
import io.sparkcnn.store.ModelRegistry;
import io.sparkcnn.store.ModelStore;
import io.sparkcnn.store.OutputException;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The job: check the output location, load and validate the data on the driver, build the network, train it
 * with parameter averaging on the executors, evaluate it there on the held-out test set, and save the model
 * with {@value #EVALUATION_FILE}, {@value #RUN_FILE}, its input contract ({@link InputContract}) and the training
 * history ({@link TrainingHistory}) beside it. Progress goes to a {@link ProgressReporter} after every averaging round.
 */
public final class TrainJob {
    /** Evaluation written beside the model. */
    public static final String EVALUATION_FILE = "evaluation.json";
    /** Run facts (config, master, workers, throughput, versions) written beside the model. */
    public static final String RUN_FILE = "run.json";

    private static final Logger LOG = LoggerFactory.getLogger(TrainJob.class);
    private static final int PROBE_IMAGES = 32;

    private TrainJob() {
    }

    public static TrainResult run(JobConfig cfg, SparkSession spark) {
        Instant started = Instant.now();
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        NativeSetup.applyToThisJvm(cfg.natives());
        ModelStore store = new ModelStore(sc.hadoopConfiguration());
        if (!cfg.output().registry()) {
            store.checkWritable(cfg.output().path(), cfg.output().overwrite());
            return train(cfg, sc, store, null, started);
        }
        ModelRegistry registry = new ModelRegistry(sc.hadoopConfiguration(), cfg.output().path());
        String owner = "application " + sc.sc().applicationId() + " (" + ProcessHandle.current().pid() + "@"
                + hostName() + ")";
        try (ModelRegistry.Lock lock = registry.lock(owner, cfg.output().lockWaitSeconds() * 1000L)) {
            LOG.info("Holding the lock of registry {} (latest version: {})", registry.location(),
                    registry.latest().orElse("none"));
            return train(cfg, sc, store, registry, started);
        }
    }

    private static TrainResult train(JobConfig cfg, JavaSparkContext sc, ModelStore store, ModelRegistry registry,
                                     Instant started) {
        DatasetLoader.TrainTest data = new DatasetLoader(sc.hadoopConfiguration()).load(cfg.data());
        LabeledImages train = data.train();
        LabeledImages test = data.test();
        LOG.info("Training class counts 0-9: {}", Arrays.toString(train.classCounts()));

        MultiLayerConfiguration conf = NetworkFactory.build(cfg.model().network(), cfg.train().seed(), train.rows(), train.cols());
        Checkpoints checkpoints = checkpoints(cfg, sc);
        double[] scores = new double[cfg.train().epochs()];
        int firstEpoch = 0;
        int firstBatch = 0;
        TrainingHistory history = TrainingHistory.empty(data.heldOutRole());
        List<Double> resumedRoundLosses = List.of();
        byte[] resumedOuter = null;
        TailAverage average = new TailAverage(cfg.train().epochs(), cfg.train().averageLastEpochs());
        TransferLearning.Start start;
        if (cfg.checkpoint().resume()) {
            Checkpoints.Checkpoint cp = checkpoints.latest().orElseThrow(() -> new InvalidConfigException(List.of(
                    "checkpoint.resume: no checkpoint to resume from at " + checkpoints.location())));
            firstEpoch = Math.min(cp.epochsDone(), cfg.train().epochs());
            firstBatch = firstEpoch < cfg.train().epochs() ? cp.batchesDone() : 0;
            System.arraycopy(cp.epochLoss(), 0, scores, 0, firstEpoch);
            history = new TrainingHistory(data.heldOutRole(), cp.history().first(firstEpoch).epochs());
            resumedRoundLosses = firstBatch > 0 ? cp.roundLosses() : List.of();
            if (cp.tailAverage() != null) {
                average.restore(cp.tailAverage());
            }
            resumedOuter = cp.outerState();
            start = new TransferLearning.Start(cp.network(), frozenLayers(cp.network()), List.of());
            LOG.info("Resuming from checkpoint {} after epoch {} of {} and {} minibatches of the next", cp.id(),
                    cp.epochsDone(), cfg.train().epochs(), cp.batchesDone());
        } else {
            start = startingPoint(cfg, conf, store, registry);
            if (cfg.checkpoint().enabled()) {
                checkpoints.discardEarlier();
            }
        }
        ModelSummary summary = ModelSummary.of(start.network().getLayerWiseConfigurations(),
                NetworkFactory.inputType(cfg.model().network(), train.rows(), train.cols()));
        LOG.info("Model {}:\n{}", cfg.model().name(), summary.render());
        Map<Integer, INDArray> frozen = new LinkedHashMap<>();
        start.frozen().forEach(i -> frozen.put(i, start.network().getLayer(i).params().dup()));

        try (SparkTrainer trainer = new SparkTrainer(sc, start.network(), cfg.train(), cfg.augment())) {
            logNatives(cfg, trainer.network(), sc);
            if (resumedOuter != null) {
                trainer.outerOptimizer().restore(resumedOuter, trainer.network().params());
            }
            if (cfg.train().gradientSharing()) {
                LOG.info("Gradient sharing on {}: {} workers, batch {} per worker, threshold {}, parameter server {}:{}, "
                        + "{} epochs", sc.master(), trainer.workers(), cfg.train().batchSizePerWorker(),
                        cfg.train().sharing().threshold(), cfg.train().sharing().controllerAddress(),
                        cfg.train().sharing().port(), cfg.train().epochs());
                if (cfg.train().epochs() > 2) {
                    LOG.warn("Gradient sharing is experimental: runs on local[2] and local[16] hung in their third epoch "
                            + "(DL4J's SharedTrainingWrapper waiting for its trainers; docs/scaling.md); {} epochs asked",
                            cfg.train().epochs());
                }
            } else {
                LOG.info("Parameter averaging on {}: {} workers, batch {} per worker, averaging every {} minibatches, {} "
                                + "epochs, outer step {}", sc.master(), trainer.workers(), cfg.train().batchSizePerWorker(),
                        trainer.settings().averagingFrequency(), cfg.train().epochs(), describe(trainer.settings()));
            }
            if (cfg.preflight().enabled()) {
                Preflight.run(sc, MemoryPlan.of(trainer.network().getLayerWiseConfigurations(),
                        NetworkFactory.inputType(cfg.model().network(), train.rows(), train.cols()),
                        cfg.train().batchSizePerWorker(), cfg.train().prefetchBatches()), cfg.natives());
            }

            if (cfg.augment().enabled()) {
                LOG.info("Augmentation on the executors: {} ({}), seed {}", cfg.augment().mode(),
                        cfg.augment().mode().equals("fixed") ? cfg.augment().copies() + " versions of every image"
                                : "fresh versions every epoch", cfg.augment().seed());
            }
            long imagesPerEpoch = (long) train.count()
                    * (cfg.augment().enabled() && cfg.augment().mode().equals("fixed") ? cfg.augment().copies() : 1);
            int segment = cfg.checkpoint().enabled() ? cfg.checkpoint().everyRounds() * trainer.workers()
                    * trainer.settings().averagingFrequency() : 0;
            LabeledImages trainSample = cfg.history().enabled() && cfg.history().trainSample() > 0
                    ? sample(train, cfg.history().trainSample(), cfg.train().seed()) : null;
            ThroughputMeter meter = new ThroughputMeter(sc.sc());
            long imagesTrained = 0;
            Throughput speed;
            try (ProgressReporter progress = ProgressReporter.create(cfg.progress(), cfg.train().epochs(), imagesPerEpoch)) {
                trainer.setProgress(progress);
                progress.start(firstEpoch, Math.min(imagesPerEpoch, (long) firstBatch * cfg.train().batchSizePerWorker()));
                meter.start();
                for (int epoch = firstEpoch; epoch < cfg.train().epochs(); epoch++) {
                    int epochsDone = epoch;
                    TrainingHistory soFar = history;
                    List<Double> lossesBefore = epoch == firstEpoch ? resumedRoundLosses : List.of();
                    ThroughputMeter epochMeter = new ThroughputMeter(sc.sc());
                    epochMeter.start();
                    long epochImages = trainer.fitEpoch(train, epoch, epoch == firstEpoch ? firstBatch : 0, segment,
                            batchesDone -> checkpoints.save(trainer.network(), epochsDone, batchesDone, scores, soFar,
                                    concat(lossesBefore, trainer.epochRoundLosses()), average.toBytes(),
                                    trainer.outerOptimizer().toBytes()));
                    keepFrozen(trainer.network(), frozen);
                    average.epochDone(epoch + 1, trainer.network());
                    Throughput epochSpeed = epochMeter.stop(epochImages);
                    imagesTrained += epochImages;
                    scores[epoch] = trainer.lastScore();
                    List<Double> roundLosses = concat(lossesBefore, trainer.epochRoundLosses());
                    double meanLoss = roundLosses.stream().mapToDouble(Double::doubleValue).average().orElse(scores[epoch]);
                    progress.epochDone(epoch);

                    meter.pause();
                    Double trainAccuracy = null;
                    Double heldOutAccuracy = null;
                    if (cfg.history().enabled()) {
                        if (trainSample != null) {
                            trainAccuracy = trainer.evaluate(trainSample, String.format(Locale.ROOT,
                                    "training accuracy after epoch %d (%,d sampled images)", epoch + 1,
                                    trainSample.count())).accuracy();
                        }
                        heldOutAccuracy = trainer.evaluate(test, String.format(Locale.ROOT,
                                "%s accuracy after epoch %d (%,d images)", data.heldOutRole(), epoch + 1,
                                test.count())).accuracy();
                    }
                    meter.resume();
                    history = history.with(TrainingHistory.Epoch.of(epoch + 1, meanLoss, roundLosses,
                            trainAccuracy, heldOutAccuracy, epochSpeed));
                    LOG.info("Epoch {}/{}: loss {} (last round), {} (mean of {} rounds); training accuracy {}, {} "
                                    + "accuracy {}; {} images in {} s, {} images/s", epoch + 1, cfg.train().epochs(),
                            decimal(scores[epoch]), decimal(meanLoss), roundLosses.size(), decimal(trainAccuracy),
                            data.heldOutRole(), decimal(heldOutAccuracy), epochImages,
                            String.format(Locale.ROOT, "%.1f", epochSpeed.wallSeconds()),
                            String.format(Locale.ROOT, "%.1f", epochSpeed.imagesPerSecond()));
                    if (cfg.checkpoint().enabled() && epoch + 1 < cfg.train().epochs()) {
                        checkpoints.save(trainer.network(), epoch + 1, 0, scores, history, List.of(), average.toBytes(),
                                trainer.outerOptimizer().toBytes());
                    }
                }
                speed = meter.stop(imagesTrained);
                trainer.setProgress(ProgressReporter.off());
            }
            if (average.enabled()) {
                average.applyTo(trainer.network());
                keepFrozen(trainer.network(), frozen);
                LOG.info("Weights saved and evaluated: the mean of the weights at the ends of epochs {}-{} (stochastic "
                        + "weight averaging over {} epochs)", average.firstEpoch(), cfg.train().epochs(), average.count());
            }

            EvaluationReport report = EvaluationReport.from(trainer.evaluate(test, String.format(Locale.ROOT,
                    "final, %s set (%,d images)", data.heldOutRole(), test.count())), LabeledImages.NUM_CLASSES);
            LOG.info("Evaluation on {} held-out {} images:\n{}", test.count(), data.heldOutRole(), report.table(data.heldOutRole()));

            MultiLayerNetwork net = trainer.network();
            Map<String, Object> run = runFacts(cfg, sc, trainer.workers(), speed, scores, summary, started);
            Map<String, byte[]> sideFiles = new LinkedHashMap<>(Map.of(EVALUATION_FILE, json(report), RUN_FILE, json(run),
                    TrainingHistory.JSON_FILE, history.json(), TrainingHistory.CSV_FILE, history.csv(),
                    InputContract.FILE, InputContract.forTraining(net, train.rows(), train.cols(),
                            InputContract.digitLabels(LabeledImages.NUM_CLASSES)).toJson()));
            if (cfg.report().enabled()) {
                sideFiles.putAll(report(cfg, registry, net, sideFiles, test));
            }
            String out;
            if (registry == null) {
                out = store.save(cfg.output().path(), cfg.output().overwrite(), net, probe(test), sideFiles).toString();
            } else {
                Map<String, Object> facts = manifestFacts(cfg, sc, data, report);
                PromotionGate.Decision decision = promotion(cfg, registry, report);
                facts.put("promotion", Map.of("promoted", decision.promote(), "rule", cfg.output().promote(),
                        "reason", decision.reason(), "champion", registry.latest().orElse("none")));
                String id = registry.publish(net, probe(test), sideFiles, facts, decision.promote());
                LOG.info("Promotion ({}): {} - {}", cfg.output().promote(),
                        decision.promote() ? "promoted, LATEST = " + id : "NOT promoted, LATEST stays "
                                + registry.latest().orElse("none"), decision.reason());
                if (cfg.output().keepVersions() > 0) {
                    registry.retain(cfg.output().keepVersions());
                }
                out = registry.location() + "/" + ModelRegistry.VERSIONS_DIR + "/" + id;
            }
            if (cfg.checkpoint().enabled()) {
                checkpoints.deleteAll();
            }
            LOG.info("Training throughput: {}", speed);
            return new TrainResult(out, report, data.heldOutRole(), speed, scores, trainer.workers(), sc.master(),
                    history);
        }
    }

    /**
     * The run's report files, made before saving so that they are stored with the model (in a registry, inside the
     * immutable version and its manifest). A report that fails is logged and left out: it never costs the model.
     */
    private static Map<String, byte[]> report(JobConfig cfg, ModelRegistry registry, MultiLayerNetwork net,
                                              Map<String, byte[]> sideFiles, LabeledImages heldOut) {
        String location = registry == null ? cfg.output().path() : registry.location() + " (new version)";
        try {
            return RunReport.build(location, sideFiles, net, heldOut, cfg.report().worstImages()).files();
        } catch (RuntimeException e) {
            LOG.warn("Could not make the run report ({}); saving the model without it. Make it later with the "
                    + "report command.", e.toString(), e);
            return Map.of();
        }
    }

    /**
     * A fixed random sample of {@code n} training images (all of them when there are fewer), drawn with
     * {@code seed}, on which the history measures the training accuracy after every epoch.
     */
    static LabeledImages sample(LabeledImages train, int n, long seed) {
        if (n >= train.count()) {
            return train;
        }
        int[] chosen = LabeledImages.batchIndices(train.count(), n, seed).get(0).clone();
        java.util.Arrays.sort(chosen);
        return train.select(chosen, n + " sampled images of " + train.source());
    }

    private static List<Double> concat(List<Double> a, List<Double> b) {
        List<Double> all = new java.util.ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static String decimal(Double value) {
        return value == null ? "-" : String.format(Locale.ROOT, "%.4f", value);
    }

    /** The run's checkpoints: {@code checkpoint.dir}, or {@code <output.path>.checkpoints}. */
    private static Checkpoints checkpoints(JobConfig cfg, JavaSparkContext sc) {
        String dir = cfg.checkpoint().dir().isBlank() ? cfg.output().path().replaceAll("/+$", "") + ".checkpoints"
                : cfg.checkpoint().dir();
        return new Checkpoints(sc.hadoopConfiguration(), dir, ModelRegistry.sha256(json(cfg.trainingIdentity())),
                cfg.checkpoint().keep());
    }

    /** Indices of the frozen layers of a (resumed) network. */
    private static List<Integer> frozenLayers(MultiLayerNetwork net) {
        List<Integer> frozen = new java.util.ArrayList<>();
        for (int i = 0; i < net.getnLayers(); i++) {
            if (net.getLayerWiseConfigurations().getConf(i).getLayer()
                    instanceof org.deeplearning4j.nn.conf.layers.misc.FrozenLayer) {
                frozen.add(i);
            }
        }
        return frozen;
    }

    /** Whether the new version replaces the registry's champion ({@code LATEST}) under {@code output.promote}. */
    private static PromotionGate.Decision promotion(JobConfig cfg, ModelRegistry registry, EvaluationReport challenger) {
        java.util.Optional<String> champion = registry.latest();
        if (cfg.output().promote().equals("always")) {
            return new PromotionGate.Decision(true, "output.promote = always");
        }
        if (champion.isEmpty()) {
            return new PromotionGate.Decision(true, "the registry has no champion yet");
        }
        EvaluationReport best;
        try {
            long[][] confusion = new ObjectMapper().readValue(new ObjectMapper().readTree(
                    registry.verify(champion.get()).get(EVALUATION_FILE)).get("confusion").toString(), long[][].class);
            best = EvaluationReport.fromConfusion(confusion);
        } catch (java.io.IOException | RuntimeException e) {
            throw new OutputException("cannot read the champion's " + EVALUATION_FILE + " in version " + champion.get()
                    + ": " + e.getMessage(), e);
        }
        return new PromotionGate(cfg.output().promotionTolerance()).decide(best, challenger);
    }

    /**
     * Random weights from the configuration; the registry's {@code LATEST} network for a warm start; or a
     * pretrained network's convolution part with a new head.
     */
    private static TransferLearning.Start startingPoint(JobConfig cfg, MultiLayerConfiguration conf, ModelStore store,
                                                        ModelRegistry registry) {
        if (cfg.model().warmStart() && registry != null) {
            java.util.Optional<String> latest = registry.latest();
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

    /**
     * Frozen layers get no updates, but averaging n equal copies can round the last bit when n is not a power of
     * two; put the pretrained values back so the frozen weights stay bit-identical.
     */
    private static void keepFrozen(MultiLayerNetwork net, Map<Integer, INDArray> frozen) {
        frozen.forEach((i, params) -> {
            if (!net.getLayer(i).params().equals(params)) {
                LOG.debug("Restoring frozen layer {} after averaging rounding", i);
                net.getLayer(i).setParams(params.dup());
            }
        });
    }

    /** What a registry manifest records beside the files: where the version came from and how good it is. */
    private static Map<String, Object> manifestFacts(JobConfig cfg, JavaSparkContext sc, DatasetLoader.TrainTest data,
                                                     EvaluationReport report) {
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("runId", sc.sc().applicationId());
        facts.put("model", cfg.model().name());
        facts.put("configSha256", ModelRegistry.sha256(json(cfg)));
        facts.put("datasets", Map.of(
                "train", Map.of("source", data.train().source(), "images", data.train().count(),
                        "sha256", ModelRegistry.sha256(data.train().pixels(), data.train().labels())),
                data.heldOutRole(), Map.of("source", data.test().source(), "images", data.test().count(),
                        "sha256", ModelRegistry.sha256(data.test().pixels(), data.test().labels()))));
        facts.put("metrics", Map.of("accuracy", report.accuracy(), "macroF1", report.macroF1(),
                "heldOut", data.heldOutRole()));
        Map<String, String> versions = new LinkedHashMap<>();
        for (org.nd4j.versioncheck.VersionInfo v : org.nd4j.versioncheck.VersionCheck.getVersionInfos()) {
            if (List.of("deeplearning4j-nn", "nd4j-api", "nd4j-native", "nd4j-cuda-11.6").contains(v.getArtifactId())) {
                versions.put(v.getArtifactId(), v.getBuildVersion());
            }
        }
        versions.put("spark", sc.version());
        versions.put("java", System.getProperty("java.version"));
        versions.put("backend", Nd4j.getBackend().getClass().getSimpleName());
        facts.put("versions", versions);
        return facts;
    }

    private static String describe(io.sparkcnn.config.TrainConfig settings) {
        io.sparkcnn.config.OuterConfig outer = settings.outer();
        String adapted = settings.scaling().adapt() && settings.workers() > settings.scaling().referenceWorkers()
                ? String.format(Locale.ROOT, " (adapted to %d workers from the settings for %d: train.scaling)",
                settings.workers(), settings.scaling().referenceWorkers()) : "";
        return (outer.plain() ? "none (the average)" : String.format(Locale.ROOT, "%s, lr %s, momentum %s",
                outer.method(), outer.lr(), String.format(Locale.ROOT, "%.4f", outer.momentum()))) + adapted;
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "unknown host";
        }
    }

    /** The first test images, on which a saved model must reproduce the trained network's outputs. */
    private static INDArray probe(LabeledImages test) {
        return ImageBatch.of(test.limit(PROBE_IMAGES)).toDataSet().getFeatures();
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
        }
        LOG.info("Executors: OMP_NUM_THREADS={}, OPENBLAS_CORETYPE={}",
                sc.getConf().get("spark.executorEnv.OMP_NUM_THREADS", "unset"),
                sc.getConf().get("spark.executorEnv.OPENBLAS_CORETYPE", "unset (OpenBLAS detects)"));
        if (System.getenv("OPENBLAS_CORETYPE") == null && NativeSetup.openblasCoreType(cfg.natives()).isPresent()) {
            LOG.warn("OPENBLAS_CORETYPE is not set for this JVM; OpenBLAS 0.3.19 may pick slow kernels here. "
                    + "Launch through submit-scripts/, which sets it.");
        }
    }

    private static Map<String, Object> runFacts(JobConfig cfg, JavaSparkContext sc, int workers, Throughput speed,
                                                double[] scores, ModelSummary summary, Instant started) {
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("started", started.toString());
        run.put("finished", Instant.now().toString());
        run.put("master", sc.master());
        run.put("applicationId", sc.sc().applicationId());
        run.put("workers", workers);
        run.put("config", cfg);
        run.put("parameters", summary.totalParams());
        run.put("epochLoss", scores);
        run.put("training", Map.of(
                "images", speed.images(),
                "wallSeconds", speed.wallSeconds(),
                "cpuSeconds", speed.cpuSeconds(),
                "cpuSource", speed.cpuSource(),
                "imagesPerSecond", speed.imagesPerSecond(),
                "imagesPerCpuSecond", speed.imagesPerCpuSecond()));
        run.put("versions", Map.of(
                "spark", sc.version(),
                "java", System.getProperty("java.version"),
                "nd4jBackend", Nd4j.getBackend().getClass().getSimpleName()));
        return run;
    }

    private static byte[] json(Object value) {
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
        }
    }
}
