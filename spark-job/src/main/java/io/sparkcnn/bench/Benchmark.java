package io.sparkcnn.bench;

import io.sparkcnn.config.JobConfig;
import io.sparkcnn.data.DatasetLoader;
import io.sparkcnn.data.ImageBatch;
import io.sparkcnn.data.LabeledImages;
import io.sparkcnn.model.NetworkFactory;
import io.sparkcnn.model.layers.Bf16ConvHelper;
import io.sparkcnn.model.layers.FastLayers;
import io.sparkcnn.runtime.NativeSetup;
import io.sparkcnn.runtime.SparkSessions;
import io.sparkcnn.train.SparkTrainer;
import io.sparkcnn.train.Throughput;
import io.sparkcnn.train.ThroughputMeter;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.stats.SparkTrainingStats;
import org.deeplearning4j.spark.stats.EventStats;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.dataset.DataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Measures one job configuration on the same images in one run: DL4J training in this process without Spark,
 * then the Spark path (parameter averaging, exactly as {@code train} runs it) on each master, and evaluation on
 * the test set after each. Every training phase is one epoch of {@code data.train-limit} images (all when 0),
 * from the same initial parameters. With repetitions the whole sequence runs again, so every Spark phase has a
 * single-process phase of the same repetition beside it: this machine's speed may drift between phases, and
 * {@link BenchResult#summary()} compares each Spark phase with that neighbour. The single-process phase runs
 * first, after a short warm-up on a throwaway copy of the network, so JIT and oneDNN primitive creation are not
 * counted; in local mode the Spark phases share this JVM and start warm too.
 *
 * <p>Time shares: in process, compute is the time inside {@code fit} and data the time that builds the minibatches.
 * On Spark, DL4J's own training stats give the workers' fit time (compute) and the time they waited for their
 * next minibatch plus the driver's split and repartition (data); the rest of the workers' time,
 * {@code workers x wall}, is the averaging rounds: broadcast, aggregation, serialization and scheduling.</p>
 */
public final class Benchmark {
    private static final Logger LOG = LoggerFactory.getLogger(Benchmark.class);
    private static final int WARMUP_BATCHES = 5;
    /** Averaging rounds a throwaway network trains on each master before its phase is measured. */
    private static final int WARMUP_ROUNDS = 3;

    private Benchmark() {
    }

    /**
     * @param masters Spark masters to run the Spark phases on, one after the other, each in its own session
     * @param repeats how many times to run the whole sequence (one process, then each master), at least 1; the
     *                advice per master comes from the repetition with that master's median images per second
     */
    public static BenchResult run(JobConfig cfg, List<String> masters, int repeats) {
        if (repeats < 1) {
            throw new IllegalArgumentException("repeats must be at least 1, got " + repeats);
        }
        NativeSetup.applyToThisJvm(cfg.natives());
        DatasetLoader.TrainTest data = new DatasetLoader(new Configuration()).load(cfg.data());
        LabeledImages train = data.train();
        LabeledImages test = data.test();
        List<PhaseResult> phases = new ArrayList<>();
        List<Advice> advice = new ArrayList<>();
        LOG.info("Benchmark: {} training and {} test images, {} per minibatch", train.count(), test.count(),
                cfg.train().batchSizePerWorker());
        Map<String, List<PhaseResult[]>> pairs = new LinkedHashMap<>();
        for (int repeat = 1; repeat <= repeats; repeat++) {
            MultiLayerNetwork single = network(cfg, train);
            PhaseResult trained = trainInProcess(repeat, cfg, single, train);
            PhaseResult evaluated = evaluateInProcess(repeat, cfg, single, test);
            PhaseResult process = trained.withAccuracy(evaluated.accuracy());
            phases.add(process);
            phases.add(evaluated);
            for (String master : masters) {
                List<PhaseResult> spark = onSpark(repeat, cfg, master, train, test);
                phases.addAll(spark);
                pairs.computeIfAbsent(master, m -> new ArrayList<>()).add(new PhaseResult[]{spark.get(0), process});
            }
        }
        for (List<PhaseResult[]> runs : pairs.values()) {
            List<PhaseResult[]> byRate = new ArrayList<>(runs);
            byRate.sort(Comparator.comparingDouble(p -> p[0].imagesPerSecond()));
            PhaseResult[] median = byRate.get((byRate.size() - 1) / 2);
            advice.add(Advice.of(median[0], median[1]));
        }
        return new BenchResult(cfg.model().preset(), train.count(), test.count(), cfg.train().batchSizePerWorker(),
                cfg.train().averagingFrequency(), System.getenv().getOrDefault("OMP_NUM_THREADS", ""), repeats,
                phases, advice);
    }

    private static MultiLayerNetwork network(JobConfig cfg, LabeledImages train) {
        MultiLayerNetwork net = new MultiLayerNetwork(NetworkFactory.build(cfg.model().network(), cfg.train().seed(),
                train.rows(), train.cols()));
        net.init();
        return net;
    }

    private static PhaseResult trainInProcess(int repeat, JobConfig cfg, MultiLayerNetwork net, LabeledImages train) {
        ImageBatch all = ImageBatch.of(train);
        List<int[]> batches = LabeledImages.batchIndices(train.count(), cfg.train().batchSizePerWorker(),
                cfg.train().seed());
        Bf16ConvHelper.Mode bf16 = Bf16ConvHelper.Mode.parse(cfg.natives().bf16Convolutions());
        FastLayers.install(net, bf16);
        MultiLayerNetwork warmup = net.clone();
        FastLayers.install(warmup, bf16);
        for (int i = 0; i < Math.min(WARMUP_BATCHES, batches.size()); i++) {
            warmup.fit(all.select(batches.get(i)).toDataSet());
        }
        long dataNs = 0;
        long fitNs = 0;
        long wall0 = System.nanoTime();
        long cpu0 = ThroughputMeter.processCpuNanos();
        for (int[] indices : batches) {
            long t0 = System.nanoTime();
            DataSet minibatch = all.select(indices).toDataSet();
            long t1 = System.nanoTime();
            net.fit(minibatch);
            dataNs += t1 - t0;
            fitNs += System.nanoTime() - t1;
        }
        double wall = (System.nanoTime() - wall0) / 1e9;
        double cpu = (ThroughputMeter.processCpuNanos() - cpu0) / 1e9;
        PhaseResult r = new PhaseResult(repeat, "train", "process", 1, cfg.train().batchSizePerWorker(), 0, 0,
                train.count(), wall, cpu, "process", fitNs / 1e9 / wall, 0, dataNs / 1e9 / wall, Double.NaN,
                Map.of("fit", fitNs / 1e6, "minibatches", dataNs / 1e6));
        LOG.info("In process: {} images in {} s, {} images/CPU-s", r.images(), String.format("%.1f", wall),
                String.format("%.1f", r.imagesPerCpuSecond()));
        return r;
    }

    private static PhaseResult evaluateInProcess(int repeat, JobConfig cfg, MultiLayerNetwork net, LabeledImages test) {
        long wall0 = System.nanoTime();
        long cpu0 = ThroughputMeter.processCpuNanos();
        double accuracy = accuracy(net, test, cfg.train().batchSizePerWorker());
        double wall = (System.nanoTime() - wall0) / 1e9;
        double cpu = (ThroughputMeter.processCpuNanos() - cpu0) / 1e9;
        return new PhaseResult(repeat, "evaluate", "process", 1, cfg.train().batchSizePerWorker(), 0, 0, test.count(),
                wall, cpu, "process", Double.NaN, 0, Double.NaN, accuracy, Map.of());
    }

    private static double accuracy(MultiLayerNetwork net, LabeledImages test, int batchSize) {
        ImageBatch all = ImageBatch.of(test);
        Evaluation eval = new Evaluation(LabeledImages.NUM_CLASSES);
        for (int[] indices : test.batchIndices(batchSize, null)) {
            DataSet minibatch = all.select(indices).toDataSet();
            eval.eval(minibatch.getLabels(), net.output(minibatch.getFeatures(), false));
        }
        return eval.accuracy();
    }

    private static List<PhaseResult> onSpark(int repeat, JobConfig cfg, String master, LabeledImages train,
                                             LabeledImages test) {
        SparkSession.clearActiveSession();
        SparkSession.clearDefaultSession();
        SparkConf conf = SparkSessions.configure(new SparkConf().setMaster(master), cfg);
        conf.set("spark.executor.extraJavaOptions",
                (conf.get("spark.executor.extraJavaOptions", "") + " " + SparkTrainer.STATS_CLOCK_OPTION).trim());
        SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
        try {
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            warmUp(sc, cfg, train);
            try (SparkTrainer trainer = new SparkTrainer(sc, network(cfg, train), cfg.train(), cfg.augment(),
                    cfg.natives())) {
                trainer.collectTrainingStats();
                ThroughputMeter meter = new ThroughputMeter(sc.sc());
                meter.start();
                trainer.fitEpoch(train, 0);
                long images = trainer.imagesBuiltInTasks();
                Throughput t = meter.stop(images);
                int rounds = trainer.epochRoundLosses().size();
                Map<String, Double> breakdown = totalMs(trainer.trainingStats());
                Shares shares = Shares.of(breakdown, trainer.workers(), t.wallSeconds());
                ThroughputMeter evalMeter = new ThroughputMeter(sc.sc());
                evalMeter.start();
                double accuracy = trainer.evaluate(test).accuracy();
                Throughput e = evalMeter.stop(test.count());
                PhaseResult trained = new PhaseResult(repeat, "train", master, trainer.workers(),
                        cfg.train().batchSizePerWorker(), trainer.settings().averagingFrequency(), rounds, images,
                        t.wallSeconds(), t.cpuSeconds(), t.cpuSource(), shares.compute(), shares.averaging(),
                        shares.data(), accuracy, breakdown);
                LOG.info("{}: {}, test accuracy {}", master, t, accuracy);
                return List.of(trained, new PhaseResult(repeat, "evaluate", master, trainer.workers(),
                        cfg.train().batchSizePerWorker(), 0, 0, test.count(), e.wallSeconds(), e.cpuSeconds(),
                        e.cpuSource(), Double.NaN, 0, Double.NaN, accuracy, Map.of()));
            }
        } finally {
            spark.stop();
        }
    }

    /**
     * Trains a throwaway network for a few averaging rounds on this master, so that the JIT compilation of Spark's
     * and DL4J-Spark's code (measured by {@code perf} at 10-12 % of the CPU in a cold first epoch) is not counted,
     * as the single-process phase is measured after its own warm-up.
     */
    private static void warmUp(JavaSparkContext sc, JobConfig cfg, LabeledImages train) {
        try (SparkTrainer warm = new SparkTrainer(sc, network(cfg, train), cfg.train(), cfg.augment(),
                cfg.natives())) {
            List<int[]> batches = LabeledImages.batchIndices(train.count(), cfg.train().batchSizePerWorker(),
                    cfg.train().seed());
            int count = Math.min(batches.size(), WARMUP_ROUNDS * warm.workers() * warm.settings().averagingFrequency());
            warm.fit(train, batches.subList(0, count));
        }
    }

    /** Shares of the workers' time ({@code workers x wall}) from the total milliseconds of DL4J's training stats. */
    record Shares(double compute, double averaging, double data) {
        static final String WORKER_FIT = "ParameterAveragingWorkerFitTimesMs";
        static final String WORKER_DATA = "WorkerFlatMapDataSetGetTimesMs";
        static final List<String> DRIVER_DATA = List.of("parameterAveragingMasterExportTimesMs",
                "ParameterAveragingMasterCountRddSizeTimesMs", "ParameterAveragingMasterSplitTimesMs",
                "ParameterAveragingMasterRepartitionTimesMs");

        static Shares of(Map<String, Double> totalMs, int workers, double wallSeconds) {
            double slotMs = workers * wallSeconds * 1000;
            double compute = totalMs.getOrDefault(WORKER_FIT, 0.0);
            double data = totalMs.getOrDefault(WORKER_DATA, 0.0);
            for (String key : DRIVER_DATA) {
                data += workers * totalMs.getOrDefault(key, 0.0);
            }
            double c = Math.min(1, compute / slotMs);
            double d = Math.min(1 - c, data / slotMs);
            return new Shares(c, 1 - c - d, d);
        }
    }

    /**
     * Total milliseconds per DL4J training-stats key over all fits, nested stats included (driver keys such as
     * {@code ParameterAveragingMasterBroadcastCreateTimesMs}, worker keys such as
     * {@code ParameterAveragingWorkerInitTimeMs}); worker times are summed over the workers.
     */
    static Map<String, Double> totalMs(List<SparkTrainingStats> fits) {
        Map<String, Double> totals = new TreeMap<>();
        for (SparkTrainingStats fit : fits) {
            Set<String> seen = new HashSet<>();
            for (SparkTrainingStats s = fit; s != null; s = s.getNestedTrainingStats()) {
                for (String key : s.getKeySet()) {
                    if (seen.add(key)) { // an outer stats object also answers for the keys of those it nests
                        List<EventStats> events = s.getValue(key);
                        double ms = events == null ? 0 : events.stream().mapToDouble(EventStats::getDurationMs).sum();
                        totals.merge(key, ms, Double::sum);
                    }
                }
            }
        }
        return totals;
    }
}
