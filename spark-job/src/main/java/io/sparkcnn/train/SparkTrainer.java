package io.sparkcnn.train;

import io.sparkcnn.common.Failures;
import io.sparkcnn.config.AugmentConfig;
import io.sparkcnn.config.NativeConfig;
import io.sparkcnn.config.TrainConfig;
import io.sparkcnn.data.Augmenter;
import io.sparkcnn.data.ImageBatch;
import io.sparkcnn.data.LabeledImages;
import io.sparkcnn.model.layers.Bf16ConvHelper;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.LongAccumulator;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.api.stats.SparkTrainingStats;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingResult;
import org.deeplearning4j.spark.impl.paramavg.aggregator.ParameterAveragingAggregationTuple;
import org.deeplearning4j.spark.time.SystemClockTimeSource;
import org.deeplearning4j.spark.time.TimeSourceProvider;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * Synchronous data-parallel training with DL4J's {@link ParameterAveragingTrainingMaster}: each worker fits
 * {@code averagingFrequency} minibatches of {@code batchSizePerWorker} from its share of the data, then the
 * driver averages parameters and updater state (saveUpdater on, so Adam's and AdaDelta's moments survive
 * averaging), summing the workers' results in partition order so that the average is the same in every run
 * ({@link PartitionOrderSum}), lets its {@link OuterOptimizer} take the step from the round's starting parameters
 * towards that average (the average itself up to two workers; above, with the defaults, Nesterov momentum and more
 * frequent rounds: {@link WorkerScaling}), and broadcasts the result for the next round. Each image set is broadcast
 * to the executors once, as bytes ({@link ImageBatch}); every epoch then ships only the image indices of its
 * minibatches, in {@code workers} balanced partitions, as the "paths" of DL4J's path-based training
 * ({@link MinibatchLoader}), and the executors cut the minibatches and turn them into floats. Nothing is exported to
 * a filesystem.
 *
 * <p>After every averaging round the driver (which runs DL4J's rounds one after another) tells a
 * {@link ProgressReporter} where the epoch stands and records the round's loss, and each round's Spark job carries
 * a description for the Spark UI ({@code epoch 2/5, round 37/94 (images 23,680/60,000)}); the hook only observes,
 * so training is the same with or without it.</p>
 *
 * <p>Not thread-safe; one instance trains one network. {@link #close()} releases the broadcast images.</p>
 */
public final class SparkTrainer implements AutoCloseable {
    /** The JVM option that makes DL4J's training stats use the local clock instead of an NTP server. */
    public static final String STATS_CLOCK_OPTION = "-D" + TimeSourceProvider.TIMESOURCE_CLASSNAME_PROPERTY + "="
            + SystemClockTimeSource.class.getName();

    private final JavaSparkContext sc;
    private final TrainConfig cfg;
    private final AugmentConfig augment;
    private final Bf16ConvHelper.Mode bf16;
    private final LongAccumulator augmentedInTasks;
    private final LongAccumulator builtInTasks;
    private final int workers;
    private SparkDl4jMultiLayer sparkNet;
    private final Map<LabeledImages, Broadcast<ImageBatch>> broadcasts = new IdentityHashMap<>();
    private final List<Double> roundLosses = new ArrayList<>();
    private ProgressReporter progress = ProgressReporter.off();
    private RoundListener roundListener = (epoch, images) -> { };
    private FitPosition position;
    /** Rounds of the current segment fitted by earlier DL4J fits of it (its whole rounds, before its last round). */
    private int partRoundsBefore;
    private boolean collectStats;
    /**
     * Seed of the next fit's split into rounds and of its dropout masks. DL4J's master draws the rounds of each
     * fit from one random stream, so epoch e's rounds would depend on how many fits this process made before;
     * {@link #fitEpoch} sets it from the epoch and the fit's first minibatch, which makes them a function of the
     * data position alone, as a resumed run needs.
     */
    private long splitSeed;
    private int epoch;
    private final List<SparkTrainingStats> trainingStats = new ArrayList<>();
    private final OuterOptimizer outer;
    /** With {@code train.approach = gradient-sharing}: the master of every fit (DL4J's sharing keeps state). */
    private GradientSharingMaster sharing;

    /**
     * Where the segment being fitted stands in its epoch: rounds and images of the epoch before it, its images and
     * rounds, and the rounds of the epoch's later segments.
     */
    private record FitPosition(int epoch, int roundsBefore, long imagesBefore, long images, int rounds,
                               int roundsAfter) {
        long imagesAfterRound(int round) {
            return imagesBefore + images * round / Math.max(1, rounds);
        }
    }

    /**
     * @param network initialized; its parameters are the starting point and it becomes the driver's copy
     * @param cfg     the settings; averaging frequency and outer step are adapted to the number of workers
     *                ({@link WorkerScaling}, see {@link #settings()})
     * @param augment augmentation of the training images, done by the executors as they cut minibatches
     * @param natives whether the workers' layers run in bfloat16 ({@code natives.bf16-convolutions})
     */
    public SparkTrainer(JavaSparkContext sc, MultiLayerNetwork network, TrainConfig cfg, AugmentConfig augment,
            NativeConfig natives) {
        this.sc = sc;
        this.workers = cfg.workers() > 0 ? cfg.workers() : sc.defaultParallelism();
        this.cfg = WorkerScaling.resolve(cfg, workers);
        this.augment = augment;
        this.bf16 = Bf16ConvHelper.Mode.parse(natives.bf16Convolutions());
        this.augmentedInTasks = sc.sc().longAccumulator("images augmented in tasks");
        this.builtInTasks = sc.sc().longAccumulator("images built into training minibatches in tasks");
        this.splitSeed = cfg.seed();
        this.outer = new OuterOptimizer(this.cfg.outer());
        this.sparkNet = new SparkDl4jMultiLayer(sc, network, master(cfg.seed(), this.cfg.averagingFrequency()));
    }

    /**
     * The settings this trainer trains with: the given ones with its number of workers, and averaging frequency
     * and outer step as {@link WorkerScaling} adapts them to it.
     */
    public TrainConfig settings() {
        return cfg;
    }

    /**
     * A training master averaging every {@code averagingFrequency} minibatches, whose split of the minibatches
     * into averaging rounds is drawn with {@code splitSeed}, and whose workers draw dropout masks from
     * {@code splitSeed} and each minibatch's contents. It never repartitions: {@link #fit(List, MinibatchLoader)}
     * hands it minibatches already spread evenly over the workers.
     */
    private ParameterAveragingTrainingMaster master(long splitSeed, int averagingFrequency) {
        ParameterAveragingTrainingMaster.Builder builder = new ParameterAveragingTrainingMaster.Builder(workers,
                cfg.batchSizePerWorker())
                .batchSizePerWorker(cfg.batchSizePerWorker())
                .averagingFrequency(averagingFrequency)
                .repartionData(Repartition.Never)
                .workerPrefetchNumBatches(cfg.prefetchBatches())
                .saveUpdater(true)
                .rngSeed(splitSeed)
                .collectTrainingStats(collectStats)
                .trainingHooks(List.of(new SeededDropout(splitSeed), new ConvolutionHelpers(bf16), new EpochCount(epoch)));
        ParameterAveragingTrainingMaster m = new ReportingMaster(builder, this::roundStarting, this::roundDone, outer);
        m.setListeners(List.of(new DivergenceCheck()));
        return m;
    }

    /**
     * Makes DL4J time every phase of the fits from now on (broadcast, split, worker fits, aggregation), at the
     * cost of some bookkeeping; {@link #trainingStats()} returns the timings. DL4J's stats ask an NTP server on the
     * internet for the time unless told otherwise: the driver is told here, executors need
     * {@link #STATS_CLOCK_OPTION} in {@code spark.executor.extraJavaOptions}.
     */
    public void collectTrainingStats() {
        System.setProperty(TimeSourceProvider.TIMESOURCE_CLASSNAME_PROPERTY, SystemClockTimeSource.class.getName());
        collectStats = true;
    }

    /** DL4J's timings of every fit since {@link #collectTrainingStats()}, one entry per fit. */
    public List<SparkTrainingStats> trainingStats() {
        return List.copyOf(trainingStats);
    }

    /** Reports progress to {@code reporter} from now on. */
    public void setProgress(ProgressReporter reporter) {
        this.progress = reporter;
    }

    /**
     * Called on the driver after every averaging round of {@link #fitEpoch}, once the averaged parameters are in
     * {@link #network()} and before the next round starts: a listener may evaluate the network then. An exception
     * it throws ends the fit, wrapped in a {@link TrainingFailedException}.
     */
    public interface RoundListener {
        /** After a round of {@code epoch} (0-based), when {@code epochImagesDone} images of it are fitted. */
        void roundDone(int epoch, long epochImagesDone);
    }

    /** Calls {@code listener} after every averaging round from now on. */
    public void setRoundListener(RoundListener listener) {
        this.roundListener = listener;
    }

    /**
     * Losses of the averaging rounds of the epoch that {@link #fitEpoch} fitted last (of the part it fitted, when
     * it started within the epoch), in order: DL4J's score of each round.
     */
    public List<Double> epochRoundLosses() {
        return List.copyOf(roundLosses);
    }

    private void roundStarting(int round, int rounds) {
        FitPosition f = position;
        if (f != null) {
            int inSegment = partRoundsBefore + round;
            sc.setJobDescription(progress.describeRound(f.epoch(), f.roundsBefore() + inSegment,
                    f.roundsBefore() + f.rounds() + f.roundsAfter(), f.imagesAfterRound(inSegment)));
        }
    }

    private void roundDone(int round, int rounds, double loss) {
        FitPosition f = position;
        if (f != null) {
            int inSegment = partRoundsBefore + round;
            roundLosses.add(loss);
            progress.roundDone(f.epoch(), f.roundsBefore() + inSegment, f.roundsBefore() + f.rounds() + f.roundsAfter(),
                    f.imagesAfterRound(inSegment), loss);
            roundListener.roundDone(f.epoch(), f.imagesAfterRound(inSegment));
        }
    }

    /**
     * Averaging rounds of a fit of {@code batches} minibatches: whole rounds of workers x averaging frequency, and
     * one shorter round for the rest.
     */
    private int roundsOf(int batches) {
        if (cfg.gradientSharing()) {
            return 1;
        }
        return Math.max(1, (batches + workers * cfg.averagingFrequency() - 1) / (workers * cfg.averagingFrequency()));
    }

    /** The driver's view of each round: before its Spark job starts, and after its parameters are averaged. */
    interface RoundStart {
        void starting(int round, int rounds);
    }

    /** See {@link RoundStart}. */
    interface RoundEnd {
        void done(int round, int rounds, double loss);
    }

    /**
     * DL4J's master with its averaging step replaced: the workers' results are summed in partition order
     * ({@link PartitionOrderSum}, so the average does not depend on which task finished first), divided by their
     * count, and the driver's {@link OuterOptimizer} turns the averaged parameters into the next round's (the
     * updater state is the plain average). The hooks see each round before its Spark job starts (which
     * {@code processResults} runs) and after, with the round's mean training loss. Computation graphs, which this
     * project does not train, keep DL4J's own step.
     */
    private static final class ReportingMaster extends ParameterAveragingTrainingMaster {
        private static final long serialVersionUID = 1L;
        private final transient RoundStart onStart;
        private final transient RoundEnd onEnd;
        private final transient OuterOptimizer outer;
        /** Where the trained network keeps its moving statistics; found at the first round, the same for the rest. */
        private transient MovingStatistics statistics;

        ReportingMaster(Builder builder, RoundStart onStart, RoundEnd onEnd, OuterOptimizer outer) {
            super(builder);
            this.onStart = onStart;
            this.onEnd = onEnd;
            this.outer = outer;
        }

        @Override
        protected void processResults(SparkDl4jMultiLayer network, SparkComputationGraph graph,
                                      JavaRDD<ParameterAveragingTrainingResult> results, int splitNum, int totalSplits) {
            onStart.starting(splitNum, totalSplits);
            if (network == null) {
                super.processResults(null, graph, results, splitNum, totalSplits);
                onEnd.done(splitNum, totalSplits, graph.getScore());
                return;
            }
            if (collectTrainingStats) {
                stats.logAggregateStartTime();
            }
            ParameterAveragingAggregationTuple sum = PartitionOrderSum.sum(results);
            if (collectTrainingStats) {
                stats.logAggregationEndTime();
                stats.logProcessParamsUpdaterStart();
            }
            if (sum != null && sum.getParametersSum() != null) {
                MultiLayerNetwork net = network.getNetwork();
                INDArray average = sum.getParametersSum().divi(sum.getAggregationsCount());
                INDArray updaterState = sum.getUpdaterStateSum();
                INDArray next = outer.step(net.params(), average);
                if (statistics == null) {
                    statistics = new MovingStatistics(net);
                }
                statistics.takeAverage(average, next);
                net.setParameters(next);
                if (updaterState != null) {
                    net.getUpdater().setStateViewArray(null, updaterState.divi(sum.getAggregationsCount()), false);
                }
                network.setScore(sum.getScoreSum() / sum.getAggregationsCount());
                MultiLayerConfiguration conf = net.getLayerWiseConfigurations();
                conf.setIterationCount(conf.getIterationCount() + averagingFrequency);
            }
            if (collectTrainingStats) {
                stats.logProcessParamsUpdaterEnd();
                if (sum != null) {
                    stats.addWorkerStats(sum.getSparkTrainingStats());
                }
            }
            Nd4j.getExecutioner().commit();
            onEnd.done(splitNum, totalSplits, network.getScore());
        }
    }

    /**
     * The driver's outer optimizer: its state goes into checkpoints ({@link OuterOptimizer#toBytes()}) and is
     * restored before a resumed run's first fit.
     */
    public OuterOptimizer outerOptimizer() {
        return outer;
    }

    /** The network being trained: the driver's copy, holding the averaged parameters after each fit. */
    public MultiLayerNetwork network() {
        return sparkNet.getNetwork();
    }

    public int workers() {
        return workers;
    }

    /**
     * Fits one epoch (0-based) from its minibatch {@code fromBatch} on: every training image once, in minibatches
     * shuffled with {@code seed + epoch} (or, without {@code shuffleEachEpoch}, in the minibatches of the first
     * epoch). With {@code segmentBatches > 0} the epoch is fitted in segments of that many minibatches, and
     * {@code afterSegment} gets the number of minibatches done after each segment but the last. Each segment is
     * fitted in whole averaging rounds and one shorter round for its rest (see {@link #fit(List, MinibatchLoader)}).
     *
     * @return the number of images fitted
     */
    public long fitEpoch(LabeledImages train, int epoch, int fromBatch, int segmentBatches, IntConsumer afterSegment) {
        startEpoch(epoch);
        List<int[]> batches = epochBatches(train, epoch);
        int step = segmentBatches > 0 ? segmentBatches : batches.size();
        roundLosses.clear();
        int roundsBefore = 0;
        long imagesBefore = 0;
        for (int start = 0; start < fromBatch; start += step) {
            roundsBefore += roundsOf(Math.min(step, fromBatch - start));
            imagesBefore += images(batches.subList(start, Math.min(fromBatch, start + step)));
        }
        long images = 0;
        try {
            for (int start = fromBatch; start < batches.size(); start += step) {
                int end = Math.min(batches.size(), start + step);
                List<int[]> segment = batches.subList(start, end);
                int roundsAfter = 0;
                for (int later = end; later < batches.size(); later += step) {
                    roundsAfter += roundsOf(Math.min(step, batches.size() - later));
                }
                long segmentImages = images(segment);
                int rounds = roundsOf(segment.size());
                position = new FitPosition(epoch, roundsBefore, imagesBefore, segmentImages, rounds, roundsAfter);
                sc.setJobDescription(progress.describeFitStart(epoch, roundsBefore + 1));
                splitSeed = cfg.seed() + epoch + ((long) start << 32);
                fit(MinibatchLoader.paths(segment), augment.enabled() ? augmentedLoader(train, epoch)
                        : MinibatchLoader.plain(broadcast(train), builtInTasks));
                roundsBefore += rounds;
                imagesBefore += segmentImages;
                images += segmentImages;
                if (end < batches.size()) {
                    afterSegment.accept(end);
                }
            }
        } finally {
            position = null;
            sc.setJobDescription(null);
        }
        return images;
    }

    private static long images(List<int[]> batches) {
        return batches.stream().mapToLong(b -> b.length).sum();
    }

    /** Fits one whole epoch (0-based); see {@link #fitEpoch(LabeledImages, int, int, int, IntConsumer)}. */
    public long fitEpoch(LabeledImages train, int epoch) {
        return fitEpoch(train, epoch, 0, 0, done -> { });
    }

    /**
     * Makes {@code epoch} (from 0 in this run) the epoch count of the driver's network and, through {@link EpochCount},
     * of every worker's: DL4J's epoch schedules of the learning rate ({@code model.network.updater.schedule}) read it
     * there.
     */
    public void startEpoch(int epoch) {
        this.epoch = epoch;
        network().getLayerWiseConfigurations().setEpochCount(epoch);
    }

    /**
     * The minibatches of an epoch, as image indices, or with augmentation as version indices: in
     * {@code per-epoch} mode version {@code epoch + 1} of every image, in {@code fixed} mode all {@code copies}
     * versions (index {@code v} is image {@code v % n} in version {@code v / n}, version 0 being the original).
     */
    private List<int[]> epochBatches(LabeledImages train, int epoch) {
        long seed = cfg.seed() + (cfg.shuffleEachEpoch() || augment.enabled() ? epoch : 0);
        int versions = augment.enabled() && augment.mode().equals("fixed") ? augment.copies() : 1;
        return LabeledImages.batchIndices(train.count() * versions, cfg.batchSizePerWorker(), seed);
    }

    /** Fits the minibatches of {@code images} given by their indices once, spread over the workers. */
    public void fit(LabeledImages images, List<int[]> batches) {
        fit(MinibatchLoader.paths(batches), MinibatchLoader.plain(broadcast(images), builtInTasks));
    }

    /**
     * Fits every minibatch whose path is given, once, with DL4J's path-based parameter averaging; the executors
     * build each minibatch from its path with {@code loader} (nothing is written to any filesystem).
     * <p>
     * DL4J splits a fit into {@code floor(minibatches / (workers x averagingFrequency))} rounds and each worker
     * fits at most {@code averagingFrequency} minibatches of its share of a round, so it would leave the rest out.
     * Hence two DL4J fits: the whole rounds, handed over as exactly {@code workers x averagingFrequency x rounds}
     * minibatches in {@code workers} equal partitions (DL4J's random split then gives every worker exactly
     * {@code averagingFrequency} of each round), and the rest as one shorter round, at most
     * {@code ceil(rest / workers)} minibatches per worker.
     */
    private void fit(List<String> paths, MinibatchLoader loader) {
        int perRound = cfg.gradientSharing() ? Math.max(1, paths.size()) : workers * cfg.averagingFrequency();
        int whole = paths.size() / perRound * perRound;
        partRoundsBefore = 0;
        if (whole > 0) {
            fitWith(cfg.averagingFrequency(), paths.subList(0, whole), loader);
            partRoundsBefore = whole / perRound;
        }
        if (whole < paths.size()) {
            int rest = paths.size() - whole;
            fitWith((rest + workers - 1) / workers, paths.subList(whole, paths.size()), loader);
        }
        partRoundsBefore = 0;
    }

    private void fitWith(int averagingFrequency, List<String> paths, MinibatchLoader loader) {
        if (cfg.gradientSharing() && sharing == null) {
            sharing = GradientSharingMaster.create(sc, cfg, workers, collectStats, this::roundStarting, this::roundDone);
        }
        sparkNet = new SparkDl4jMultiLayer(sc, sparkNet.getNetwork(),
                cfg.gradientSharing() ? sharing : master(splitSeed, averagingFrequency));
        try {
            sparkNet.fitPaths(sc.parallelize(new ArrayList<>(paths), Math.min(workers, paths.size())), loader);
            if (collectStats) {
                trainingStats.add(sparkNet.getSparkTrainingStats());
            }
        } catch (Exception e) { // Spark's SparkException is checked, but Scala throws it undeclared
            throw new TrainingFailedException("training failed: " + Failures.rootMessage(e), e);
        }
    }

    /** Average training loss of the last averaging round, as DL4J reports it. */
    public double lastScore() {
        return sparkNet.getScore();
    }

    /** Evaluates the current network on the executors. */
    public Evaluation evaluate(LabeledImages test) {
        return evaluate(test, test.count() + " images");
    }

    /**
     * Evaluates the current network on the executors; its Spark jobs are described as
     * {@code evaluation: <what>} in the Spark UI.
     */
    public Evaluation evaluate(LabeledImages test, String what) {
        sc.setJobDescription("evaluation: " + what);
        try {
            return sparkNet.evaluate(toRdd(test, test.batchIndices(cfg.batchSizePerWorker(), null)), null,
                    cfg.batchSizePerWorker());
        } catch (Exception e) { // Spark's SparkException is checked, but Scala throws it undeclared
            throw new TrainingFailedException("evaluation failed: " + Failures.rootMessage(e), e);
        } finally {
            sc.setJobDescription(null);
        }
    }

    private JavaRDD<DataSet> toRdd(LabeledImages images, List<int[]> batches) {
        Broadcast<ImageBatch> all = broadcast(images);
        return sc.parallelize(new ArrayList<>(batches), Math.min(workers, batches.size()))
                .map(indices -> all.value().select(indices).toDataSet());
    }

    /** Builds augmented minibatches from version indices (see {@link #epochBatches}) on the executors. */
    private MinibatchLoader augmentedLoader(LabeledImages images, int epoch) {
        return MinibatchLoader.augmented(broadcast(images), new Augmenter(augment, images.rows(), images.cols()),
                augment.mode().equals("fixed"), epoch + 1L, augmentedInTasks, builtInTasks);
    }

    /**
     * Images the executors built into training minibatches so far (counted by the tasks, summed on the driver):
     * the images really fitted, every image handed to {@link #fitEpoch} (see {@link #fit(List, MinibatchLoader)}),
     * plus any that a task lost with its executor built again.
     */
    public long imagesBuiltInTasks() {
        return builtInTasks.value();
    }

    /** Images augmented inside Spark tasks so far (counted by the tasks, summed on the driver). */
    public long augmentedInTasks() {
        return augmentedInTasks.value();
    }

    private Broadcast<ImageBatch> broadcast(LabeledImages images) {
        return broadcasts.computeIfAbsent(images, i -> sc.broadcast(ImageBatch.of(i)));
    }

    @Override
    public void close() {
        broadcasts.values().forEach(Broadcast::destroy);
        broadcasts.clear();
    }
}
