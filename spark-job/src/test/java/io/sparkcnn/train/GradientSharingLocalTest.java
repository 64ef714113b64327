package io.sparkcnn.train;

import io.sparkcnn.LocalSpark;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code train.approach = gradient-sharing} (DL4J's SharedTrainingMaster) through the job's own entry point on
 * {@code local[2]}, with a few hundred MNIST images: the driver's parameter server binds to 127.0.0.1.
 */
@Tag("spark-local")
class GradientSharingLocalTest {
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

    @Test
    void seedCnnLearnsWithGradientSharing() {
        Path output = out.resolve("model");
        TrainResult result = TrainJob.run(TrainJobLocalTest.subsetConfig(output, "data.train-limit=640",
                "data.test-limit=500", "train.epochs=2", "train.approach=gradient-sharing",
                "train.sharing.port=40311", "report.enabled=false"), spark);

        assertEquals(2, result.workers());
        assertEquals(500, result.evaluation().examples());
        assertEquals(1280, result.training().images());
        assertTrue(result.evaluation().accuracy() >= 0.5, "accuracy " + result.evaluation().accuracy()
                + " (chance is about 0.1)");
    }
}
