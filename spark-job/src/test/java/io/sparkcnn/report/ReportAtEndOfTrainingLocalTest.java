package io.sparkcnn.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkcnn.LocalSpark;
import io.sparkcnn.TestData;
import io.sparkcnn.config.ConfigLoader;
import io.sparkcnn.store.ModelRegistry;
import io.sparkcnn.train.TrainJob;
import io.sparkcnn.train.TrainResult;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The training job stores the report with the model: inside the published registry version, in its manifest. */
@Tag("spark-local")
class ReportAtEndOfTrainingLocalTest {
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

    private static TrainResult train(Path output, String... more) {
        List<String> overrides = new ArrayList<>(List.of("data.dir=" + TestData.mnistDir(), "model.preset=seed-fc",
                "data.train-limit=2000", "data.test-limit=500", "train.epochs=1", "train.batch-size-per-worker=32",
                "train.averaging-frequency=5", "preflight.enabled=false", "output.path=" + output));
        overrides.addAll(List.of(more));
        return TrainJob.run(ConfigLoader.load(null, overrides), spark);
    }

    @Test
    void aPublishedVersionHoldsItsReportInItsManifest() {
        Path registry = out.resolve("registry");
        train(registry, "output.registry=true");
        ModelRegistry reg = new ModelRegistry(spark.sparkContext().hadoopConfiguration(), registry.toString());
        String id = reg.latest().orElseThrow();
        List<String> listed = new ArrayList<>();
        for (JsonNode f : reg.manifest(id).get("files")) {
            listed.add(f.get("name").asText());
        }
        assertTrue(listed.containsAll(List.of(RunReport.NOTEBOOK_FILE, RunReport.HTML_FILE)), listed.toString());
        assertTrue(reg.verify(id).get(RunReport.HTML_FILE).length > 10_000);
    }

    @Test
    void reportEnabledFalseLeavesItOut() {
        Path plain = out.resolve("plain-no-report");
        train(plain, "report.enabled=false");
        assertTrue(Files.exists(plain.resolve("model.zip")));
        assertFalse(Files.exists(plain.resolve(RunReport.HTML_FILE)));
    }
}
