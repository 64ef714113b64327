package io.sparkcnn.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkcnn.LocalSpark;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The training history and the progress output of a real 2-epoch run on {@code local[2]}. */
@Tag("spark-local")
class HistoryLocalTest {
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
    void twoEpochsGiveTwoHistoryRowsProgressLinesAndDescribedSparkJobs() throws Exception {
        Set<String> descriptions = ConcurrentHashMap.newKeySet();
        SparkListener jobs = new SparkListener() {
            @Override
            public void onJobStart(SparkListenerJobStart start) {
                String d = start.properties().getProperty("spark.job.description");
                descriptions.add(d == null ? "(none)" : d);
            }
        };
        spark.sparkContext().addSparkListener(jobs);
        StringWriter log = new StringWriter();
        Logger progressLog = (Logger) LogManager.getLogger(ProgressReporter.class);
        WriterAppender appender = WriterAppender.newBuilder().setName("history-test").setTarget(log)
                .setLayout(PatternLayout.newBuilder().withPattern("%msg%n").build()).build();
        appender.start();
        progressLog.addAppender(appender);
        Path output = out.resolve("model");
        TrainResult result;
        try {
            // 6000 images in minibatches of 32 on 2 workers averaging every 5: 188 minibatches, cut by checkpoints
            // after every 5 rounds (50 minibatches) into fits of 5, 5, 5 and 4 rounds (38 minibatches: 3 whole
            // rounds and one of the 8 left).
            result = TrainJob.run(TrainJobLocalTest.subsetConfig(output, "model.preset=seed-fc", "train.epochs=2",
                    "history.train-sample=2000", "checkpoint.every-rounds=5", "progress.mode=lines",
                    "progress.log-interval-seconds=0"), spark);
            spark.sparkContext().listenerBus().waitUntilEmpty();
        } finally {
            progressLog.removeAppender(appender);
            appender.stop();
            spark.sparkContext().removeSparkListener(jobs);
        }

        TrainingHistory history = result.history();
        assertEquals("test", history.heldOut());
        assertEquals(2, history.epochs().size());
        for (TrainingHistory.Epoch e : history.epochs()) {
            assertNotNull(e.trainAccuracy());
            assertNotNull(e.validationAccuracy());
            assertTrue(e.trainAccuracy() >= 0 && e.trainAccuracy() <= 1, e.toString());
            assertTrue(e.validationAccuracy() > 0.5 && e.validationAccuracy() <= 1, e.toString());
            assertTrue(e.trainLoss() > 0 && e.wallSeconds() > 0 && e.imagesPerSecond() > 0
                    && e.imagesPerCpuSecond() > 0, e.toString());
            assertEquals(19, e.roundLosses().size(), "a loss per averaging round, across the checkpoints' cuts: " + e);
            assertEquals(e.trainLoss(), e.roundLosses().stream().mapToDouble(Double::doubleValue).average().orElseThrow(),
                    1e-12, "the epoch's loss is the mean of its rounds'");
        }
        assertEquals(result.evaluation().accuracy(), history.epochs().get(1).validationAccuracy(), 0,
                "the last epoch's validation accuracy is the final model's, evaluated separately");
        assertTrue(history.epochs().get(1).trainLoss() < history.epochs().get(0).trainLoss(), history.toString());

        assertEquals(history, TrainingHistory.fromJson(new ObjectMapper().readTree(
                output.resolve(TrainingHistory.JSON_FILE).toFile())));
        List<String> csv = Files.readAllLines(output.resolve(TrainingHistory.CSV_FILE));
        assertEquals(3, csv.size(), String.join("\n", csv));
        assertEquals(TrainingHistory.CSV_HEADER, csv.get(0));
        assertTrue(csv.get(2).startsWith("2," + history.epochs().get(1).trainLoss()), csv.get(2));

        assertTrue(descriptions.contains("epoch 1/2, round 1/19 (images 320/6,000)"), descriptions.toString());
        assertTrue(descriptions.contains("epoch 2/2, round 19/19 (images 6,000/6,000)"), descriptions.toString());
        assertTrue(descriptions.contains("evaluation: test accuracy after epoch 2 (1,000 images)"), descriptions.toString());
        assertTrue(descriptions.contains("evaluation: training accuracy after epoch 1 (2,000 sampled images)"),
                descriptions.toString());
        assertTrue(log.toString().contains("Epoch 2/2, round 19/19: images 6,000/6,000 of the epoch, 12,000/12,000 of the run;"),
                log.toString());
        assertEquals(38, log.toString().lines().count(), "a line per round (interval 0), none repeated at epoch ends:\n" + log);
    }
}
