package io.sparkcnn.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.sparkcnn.TestData;
import io.sparkcnn.config.ConfigLoader;
import io.sparkcnn.config.JobConfig;
import io.sparkcnn.data.DatasetLoader;
import io.sparkcnn.data.ImageBatch;
import io.sparkcnn.data.LabeledImages;
import io.sparkcnn.eval.EvaluationReport;
import io.sparkcnn.model.NetworkFactory;
import io.sparkcnn.train.TrainingHistory;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * A tiny trained run without Spark: seed-fc trained in this JVM for one epoch on 2,000 MNIST training images,
 * evaluated on 1,000 test images, with the side files the training job writes ({@code evaluation.json},
 * {@code run.json}) and optionally a {@code history.json}: of four epochs in the format written before round
 * losses were recorded, or of one epoch with its round losses.
 */
final class ReportFixture {
    static final int TEST_IMAGES = 1000;

    final JobConfig config;
    final MultiLayerNetwork net;
    final LabeledImages test;
    final EvaluationReport evaluation;
    final double loss;

    private ReportFixture(JobConfig config, MultiLayerNetwork net, LabeledImages test, EvaluationReport evaluation,
                          double loss) {
        this.config = config;
        this.net = net;
        this.test = test;
        this.evaluation = evaluation;
        this.loss = loss;
    }

    static ReportFixture train() {
        JobConfig cfg = ConfigLoader.load(null, List.of("data.dir=" + TestData.mnistDir(), "model.preset=seed-fc",
                "data.train-limit=2000", "data.test-limit=" + TEST_IMAGES, "train.epochs=1",
                "report.compare-with=[{ name = \"the lecture\", accuracy = 0.9817, epochs = 20, note = \"tf.keras\" }]"));
        DatasetLoader.TrainTest data = new DatasetLoader(new Configuration()).load(cfg.data());
        MultiLayerNetwork net = new MultiLayerNetwork(NetworkFactory.build(cfg.model().network(), 7, 28, 28));
        net.init();
        for (ImageBatch batch : data.train().batches(64, 1L)) {
            net.fit(batch.toDataSet());
        }
        long[][] confusion = new long[10][10];
        for (ImageBatch batch : data.test().batches(500, null)) {
            INDArray predicted = net.output(batch.toDataSet().getFeatures(), false).argMax(1);
            for (int i = 0; i < batch.size(); i++) {
                confusion[batch.labels()[i]][predicted.getInt(i)]++;
            }
        }
        return new ReportFixture(cfg, net, data.test(), EvaluationReport.fromConfusion(confusion), net.score());
    }

    /** evaluation.json and run.json as TrainJob writes them, plus history.json when {@code withHistory}. */
    Map<String, byte[]> sideFiles(boolean withHistory) {
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("started", "2026-11-27T00:00:00Z");
        run.put("finished", "2026-11-27T00:00:05Z");
        run.put("master", "local[2]");
        run.put("applicationId", "local-test");
        run.put("workers", 2);
        run.put("config", config);
        run.put("parameters", net.numParams());
        run.put("epochLoss", new double[] {loss});
        run.put("training", Map.of("images", 2000, "wallSeconds", 4.2, "cpuSeconds", 7.9, "cpuSource", "process",
                "imagesPerSecond", 476.2, "imagesPerCpuSecond", 253.2));
        run.put("versions", Map.of("spark", "3.5.7", "java", System.getProperty("java.version"), "nd4jBackend", "CpuBackend"));
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(RunReport.EVALUATION_FILE, json(evaluation));
        files.put(RunReport.RUN_FILE, json(run));
        if (withHistory) {
            List<Map<String, Object>> epochs = new java.util.ArrayList<>();
            double[][] values = {{0.61, 0.83, 0.88}, {0.35, 0.90, 0.91}, {0.27, 0.93, Double.NaN}, {loss, 0.95, evaluation.accuracy()}};
            for (int e = 0; e < values.length; e++) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("epoch", e + 1);
                m.put("trainLoss", values[e][0]);
                m.put("trainAccuracy", values[e][1]);
                m.put("validationAccuracy", Double.isNaN(values[e][2]) ? null : values[e][2]);
                m.put("wallSeconds", 80.1 + e);
                m.put("imagesPerSecond", 750.2 - e);
                m.put("imagesPerCpuSecond", null);
                epochs.add(m);
            }
            files.put(RunReport.HISTORY_FILE, json(Map.of("heldOut", "test", "epochs", epochs)));
        }
        return files;
    }

    /**
     * The side files of a one-epoch run as the training job writes them now: {@link #sideFiles(boolean)} without
     * history, and a {@code history.json} with the losses of the epoch's 16 averaging rounds.
     */
    Map<String, byte[]> sideFilesOfAShortRun() {
        Map<String, byte[]> files = sideFiles(false);
        files.put(RunReport.HISTORY_FILE, oneEpoch(fallingLosses(16), evaluation.accuracy()).json());
        return files;
    }

    /** A one-epoch history whose loss is the mean of {@code roundLosses}. */
    static TrainingHistory oneEpoch(List<Double> roundLosses, double heldOutAccuracy) {
        double mean = roundLosses.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        return TrainingHistory.empty("test").with(new TrainingHistory.Epoch(1, mean, 0.9, heldOutAccuracy, 5.4, 1107.8,
                570.3, roundLosses));
    }

    /** {@code n} round losses falling from 2.3 towards 0.25, as in a first epoch. */
    static List<Double> fallingLosses(int n) {
        return IntStream.range(0, n).mapToObj(k -> 0.25 + 2.05 * Math.exp(-k / 4.0)).toList();
    }

    static byte[] json(Object value) {
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
