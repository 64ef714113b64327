package io.sparkcnn.ml;

import io.sparkcnn.LocalSpark;
import io.sparkcnn.TestData;
import io.sparkcnn.config.ConfigLoader;
import io.sparkcnn.data.DatasetLoader;
import io.sparkcnn.data.LabeledImages;
import io.sparkcnn.frames.ImageFrames;
import io.sparkcnn.store.ModelStore;
import io.sparkcnn.train.TrainJob;
import io.sparkcnn.train.TrainResult;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Spark ML estimator and model on {@code local[2]}: a {@code Pipeline} fitted on a DataFrame of MNIST trains
 * the same parameters as the job on the same images, and {@code MulticlassClassificationEvaluator} on its
 * predictions gives the job's own test accuracy; the model and the pipeline round-trip through ML persistence
 * with identical predictions, and an existing path is refused without {@code overwrite()}.
 */
@Tag("spark-local")
class SparkMlLocalTest {
    private static SparkSession spark;
    private static Dataset<Row> train;
    private static Dataset<Row> test;

    @TempDir
    static Path dir;

    @BeforeAll
    static void startSpark() {
        spark = LocalSpark.start(2);
        DatasetLoader loader = new DatasetLoader(new Configuration());
        Path mnist = TestData.mnistDir();
        LabeledImages trainImages = loader.idx(mnist.resolve("train-images-idx3-ubyte").toString(),
                mnist.resolve("train-labels-idx1-ubyte").toString(), 28, 28).limit(2000);
        LabeledImages testImages = loader.idx(mnist.resolve("t10k-images-idx3-ubyte").toString(),
                mnist.resolve("t10k-labels-idx1-ubyte").toString(), 28, 28).limit(500);
        train = ImageFrames.frame(spark, trainImages, "label", "image", 2).cache();
        test = ImageFrames.frame(spark, testImages, "label", "image", 2).cache();
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    private static CnnClassifier classifier() {
        return new CnnClassifier().setFeaturesCol("image").setEpochs(1).setBatchSizePerWorker(32).setAveragingFrequency(5);
    }

    private static double accuracy(Dataset<Row> predictions) {
        return new MulticlassClassificationEvaluator().setLabelCol("label").setPredictionCol("prediction")
                .setMetricName("accuracy").evaluate(predictions);
    }

    @Test
    void aPipelineTrainsAsTheJobAndTheEvaluatorAgreesWithTheJobsEvaluation() {
        TrainResult job = TrainJob.run(ConfigLoader.load(null, List.of("data.dir=" + TestData.mnistDir(),
                "data.train-limit=2000", "data.test-limit=500", "train.epochs=1", "train.batch-size-per-worker=32",
                "train.averaging-frequency=5", "report.enabled=false", "output.path=" + dir.resolve("job"))), spark);

        PipelineModel fitted = new Pipeline().setStages(new PipelineStage[] {classifier()}).fit(train);
        CnnClassificationModel model = (CnnClassificationModel) fitted.stages()[0];
        MultiLayerNetwork jobs = new ModelStore(new Configuration()).load(job.outputDir());
        assertArrayEquals(jobs.params().data().asFloat(), model.network().params().data().asFloat(),
                "fit trains the job's parameters, bit for bit");

        Dataset<Row> predictions = fitted.transform(test);
        assertEquals(List.of("label", "image", "rawPrediction", "probability", "prediction"), List.of(predictions.columns()));
        assertEquals(job.evaluation().accuracy(), accuracy(predictions), 0, "the evaluator's accuracy is the job's");
        Row first = predictions.first();
        Vector p = first.getAs("probability");
        assertEquals(1.0, java.util.Arrays.stream(p.toArray()).sum(), 1e-5);
        assertEquals(p.argmax(), first.<Double>getAs("prediction"), 0);
    }

    @Test
    void theModelAndThePipelineRoundTripThroughMlPersistence() throws IOException {
        CnnClassifier small = classifier().setPreset("seed-fc");
        PipelineModel fitted = new Pipeline().setStages(new PipelineStage[] {small}).fit(train.limit(640));
        CnnClassificationModel model = (CnnClassificationModel) fitted.stages()[0];
        List<Row> before = model.transform(test).select("probability", "prediction").collectAsList();

        String path = dir.resolve("model").toUri().toString();
        model.write().save(path);
        CnnClassificationModel loaded = CnnClassificationModel.load(path);
        assertEquals(model.uid(), loaded.uid());
        assertEquals("image", loaded.getOrDefault(loaded.featuresCol()));
        assertEquals(before, loaded.transform(test).select("probability", "prediction").collectAsList());

        IOException exists = assertThrows(IOException.class, () -> model.write().save(path));
        assertTrue(exists.getMessage().contains("already exists"), exists.getMessage());
        model.write().overwrite().save(path);

        String pipelinePath = dir.resolve("pipeline").toUri().toString();
        fitted.write().save(pipelinePath);
        PipelineModel reloaded = PipelineModel.load(pipelinePath);
        assertEquals(before, reloaded.transform(test).select("probability", "prediction").collectAsList());
    }
}
