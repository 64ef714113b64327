package io.sparkcnn.train;

import io.sparkcnn.LocalSpark;
import io.sparkcnn.TestData;
import io.sparkcnn.config.ConfigLoader;
import io.sparkcnn.config.JobConfig;
import io.sparkcnn.data.DatasetLoader;
import io.sparkcnn.data.LabeledImages;
import io.sparkcnn.eval.EvaluationReport;
import io.sparkcnn.store.LockedException;
import io.sparkcnn.store.ModelRegistry;
import io.sparkcnn.store.ModelStore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The whole job on {@code local[2]} with a subset of the real MNIST files. */
@Tag("spark-local")
class TrainJobLocalTest {
    private static SparkSession spark;

    @TempDir
    static Path out;

    @BeforeAll
    static void startSpark() {
        spark = LocalSpark.start(2);
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    static JobConfig subsetConfig(Path output, String... more) {
        List<String> overrides = new java.util.ArrayList<>(List.of(
                "data.dir=" + TestData.mnistDir(), "data.train-limit=6000", "data.test-limit=1000",
                "train.epochs=1", "train.batch-size-per-worker=32", "train.averaging-frequency=5",
                "output.path=" + output));
        overrides.addAll(List.of(more));
        return ConfigLoader.load(null, overrides);
    }

    @Test
    void seedCnnLearnsOnASubsetAndItsSavedModelReproducesTheEvaluation() throws IOException {
        Path output = out.resolve("model");
        TrainResult result = TrainJob.run(subsetConfig(output), spark);

        assertEquals(2, result.workers());
        assertEquals(1000, result.evaluation().examples());
        assertTrue(result.evaluation().accuracy() >= 0.85, "accuracy " + result.evaluation().accuracy());
        assertEquals(6000, result.training().images());
        assertTrue(result.training().imagesPerCpuSecond() > 0);

        // The saved model, reloaded, classifies the 1000 test images exactly as the executors' evaluation did.
        MultiLayerNetwork reloaded = new ModelStore(spark.sparkContext().hadoopConfiguration()).load(output.toString());
        assertArrayEquals(result.evaluation().confusion(), localConfusion(reloaded));

        JsonNode evaluation = new ObjectMapper().readTree(output.resolve(TrainJob.EVALUATION_FILE).toFile());
        assertEquals(result.evaluation().accuracy(), evaluation.get("accuracy").asDouble(), 0);
        JsonNode run = new ObjectMapper().readTree(output.resolve(TrainJob.RUN_FILE).toFile());
        assertEquals("local[2]", run.get("master").asText());
        assertEquals(1_199_882, run.get("parameters").asLong());
        assertEquals(EvaluationReport.class, result.evaluation().getClass());
    }

    @Test
    void registryRunsPublishVersionsUnderALockAndKeepTheNewest() throws IOException {
        Path location = out.resolve("registry");
        String[] registry = {"model.preset=seed-fc", "output.registry=true", "output.keep-versions=2"};
        TrainResult first = TrainJob.run(subsetConfig(location, registry), spark);
        TrainResult second = TrainJob.run(subsetConfig(location, registry), spark);
        ModelRegistry reader = new ModelRegistry(new org.apache.hadoop.conf.Configuration(), location.toString());
        List<String> versions = reader.versions();
        assertEquals(2, versions.size());
        assertTrue(second.outputDir().endsWith(versions.get(1)), second.outputDir());
        assertTrue(first.outputDir().endsWith(versions.get(0)), first.outputDir());
        assertEquals(versions.get(1), reader.latest().orElseThrow());

        JsonNode manifest = new ObjectMapper().readTree(location.resolve("versions").resolve(versions.get(1))
                .resolve(ModelRegistry.MANIFEST_FILE).toFile());
        assertEquals(second.evaluation().accuracy(), manifest.at("/facts/metrics/accuracy").asDouble(), 0);
        assertEquals(64, manifest.at("/facts/configSha256").asText().length());
        java.util.Set<String> files = new java.util.TreeSet<>();
        manifest.get("files").forEach(f -> files.add(f.get("name").asText()));
        assertEquals(java.util.Set.of("model.zip", "evaluation.json", "run.json", "history.json", "history.csv",
                "report.ipynb", "report.html", "input.json"), files,
                "model, evaluation, run facts, history, report and input contract, each with its SHA-256");

        // A second run on a locked location fails before training, naming the holder (exit code 5 in the CLI).
        try (ModelRegistry.Lock held = reader.lock("another run", 0)) {
            LockedException e = org.junit.jupiter.api.Assertions.assertThrows(LockedException.class,
                    () -> TrainJob.run(subsetConfig(location, registry), spark));
            assertTrue(e.getMessage().contains("locked by another run"), e.getMessage());
        }
        TrainJob.run(subsetConfig(location, registry), spark);
        assertEquals(2, reader.versions().size(), "retention kept the newest two");
        assertEquals(reader.versions().get(1), reader.latest().orElseThrow());
        assertEquals(reader.load(ModelRegistry.LATEST_FILE).params(),
                new ModelStore(spark.sparkContext().hadoopConfiguration()).load(location.toString()).params(),
                "a registry location loads as its LATEST version");
    }

    @Test
    void thePromotionGateKeepsTheChampionAgainstAWorseChallengerAndPromotesABetterOne() throws IOException {
        Path location = out.resolve("gated");
        String[] gated = {"model.preset=seed-fc", "output.registry=true", "output.promote=if-no-worse",
                "output.promotion-tolerance=0.03"};
        TrainJob.run(subsetConfig(location, gated), spark);
        ModelRegistry registry = new ModelRegistry(new org.apache.hadoop.conf.Configuration(), location.toString());
        String champion = registry.latest().orElseThrow();

        List<String> worse = new java.util.ArrayList<>(List.of(gated));
        worse.add("data.train-limit=64");
        TrainJob.run(subsetConfig(location, worse.toArray(String[]::new)), spark);
        assertEquals(2, registry.versions().size(), "the rejected challenger is kept for inspection");
        assertEquals(champion, registry.latest().orElseThrow(), "LATEST still names the champion");
        JsonNode rejected = registry.manifest(registry.versions().get(1)).at("/facts/promotion");
        assertEquals(false, rejected.get("promoted").asBoolean());
        assertTrue(rejected.get("reason").asText().contains("below the champion's"), rejected.toString());

        List<String> better = new java.util.ArrayList<>(List.of(gated));
        better.addAll(List.of("model.warm-start=true", "train.epochs=2"));
        TrainResult retrained = TrainJob.run(subsetConfig(location, better.toArray(String[]::new)), spark);
        String promoted = registry.latest().orElseThrow();
        assertTrue(retrained.outputDir().endsWith(promoted), retrained.outputDir());
        assertEquals(true, registry.manifest(promoted).at("/facts/promotion/promoted").asBoolean());
    }

    /** The confusion matrix of {@code net} on the first 1000 test images, computed in this JVM. */
    private static long[][] localConfusion(MultiLayerNetwork net) {
        LabeledImages test = new DatasetLoader(new org.apache.hadoop.conf.Configuration()).idx(
                TestData.mnistDir().resolve("t10k-images-idx3-ubyte").toString(),
                TestData.mnistDir().resolve("t10k-labels-idx1-ubyte").toString(), 28, 28).limit(1000);
        long[][] confusion = new long[10][10];
        for (var batch : test.batches(250, null)) {
            DataSet ds = batch.toDataSet();
            INDArray predicted = net.output(ds.getFeatures(), false).argMax(1);
            for (int i = 0; i < batch.size(); i++) {
                confusion[batch.labels()[i]][predicted.getInt(i)]++;
            }
        }
        return confusion;
    }

    @Test
    void averagingTheLastTwoEpochsSavesAndEvaluatesTheMeanOfTheirEndWeights() {
        ModelStore store = new ModelStore(spark.sparkContext().hadoopConfiguration());
        List<String> small = List.of("model.preset=seed-fc", "data.train-limit=3000", "history.enabled=false");
        Path one = out.resolve("swa-one-epoch");
        Path two = out.resolve("swa-two-epochs");
        Path mean = out.resolve("swa-mean");
        TrainJob.run(subsetConfig(one, with(small, "train.epochs=1")), spark);
        TrainJob.run(subsetConfig(two, with(small, "train.epochs=2")), spark);
        TrainResult averaged = TrainJob.run(subsetConfig(mean, with(small, "train.epochs=2",
                "train.average-last-epochs=2")), spark);

        // Epoch e shuffles and seeds from e alone, so the 2-epoch runs pass through the 1-epoch run's weights.
        INDArray first = store.load(one.toString()).params().castTo(DataType.DOUBLE);
        INDArray second = store.load(two.toString()).params().castTo(DataType.DOUBLE);
        MultiLayerNetwork saved = store.load(mean.toString());
        INDArray expected = first.add(second).div(2);
        double off = Transforms.abs(saved.params().castTo(DataType.DOUBLE).sub(expected)).maxNumber().doubleValue();
        assertTrue(off <= 1e-6, "saved weights differ from the mean of the two epoch ends by " + off);
        double moved = Transforms.abs(second.sub(expected)).maxNumber().doubleValue();
        assertTrue(moved > 1e-3, "the mean should differ from epoch 2's weights, by " + moved);
        assertArrayEquals(averaged.evaluation().confusion(), localConfusion(saved),
                "the executors evaluated the averaged weights");
    }

    private static String[] with(List<String> base, String... more) {
        List<String> all = new java.util.ArrayList<>(base);
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }
}
