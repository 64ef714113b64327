package io.sparkcnn.bench;

import io.sparkcnn.Cli;
import io.sparkcnn.LocalSpark;
import io.sparkcnn.TestData;
import io.sparkcnn.cli.ExitCodes;
import io.sparkcnn.config.ConfigLoader;
import io.sparkcnn.config.JobConfig;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Time to accuracy on {@code local[2]} with 2,000 MNIST images: evaluations after rounds, the clock, the stop. */
@Tag("spark-local")
class TimeToAccuracyLocalTest {
    private static List<String> subset(String... more) {
        List<String> all = new java.util.ArrayList<>(List.of("data.dir=" + TestData.mnistDir(), "data.train-limit=2000",
                "data.test-limit=300", "train.epochs=2", "train.batch-size-per-worker=32", "train.averaging-frequency=5"));
        all.addAll(List.of(more));
        return all;
    }

    @Test
    void anUnreachableTargetEvaluatesAfterTheRoundPastEveryIntervalAndAtEveryEpochEnd() {
        SparkSession spark = LocalSpark.start(2);
        try {
            JobConfig cfg = ConfigLoader.load(null, subset());
            TimeToAccuracy.Result result = TimeToAccuracy.run(spark, cfg, 1.0, 640);
            assertNull(result.reached());
            // 63 minibatches of 32 per epoch in 7 rounds of 2 x 5 minibatches (the last one shorter), 2,000 images:
            // after the first round past every 640 images (rounds counted at 2,000 x k / 7), and at each epoch's end.
            assertEquals(List.of(857L, 1428L, 2000L, 2857L, 3428L, 4000L),
                    result.points().stream().map(TimeToAccuracy.Point::images).toList(), result.points().toString());
            assertEquals(1.0, result.points().get(2).epochs(), 1e-9);
            assertEquals(2.0, result.points().get(5).epochs(), 1e-9);
            for (int i = 1; i < result.points().size(); i++) {
                assertTrue(result.points().get(i).trainSeconds() > result.points().get(i - 1).trainSeconds());
            }
            assertTrue(result.resultLine().startsWith("RESULT time-to-accuracy target=1.0000 not reached after 2.00 epochs"),
                    result.resultLine());
        } finally {
            spark.stop();
        }
    }

    @Test
    void theBenchCommandStopsAtTheFirstEvaluationAtOrAboveTheTarget() {
        List<String> args = new java.util.ArrayList<>(List.of("bench", "--set", "spark.fallback-master=local[2]",
                "--time-to-accuracy", "0.5", "--eval-every-images", "640"));
        subset().forEach(s -> args.addAll(List.of("--set", s)));
        Cli.Run run = Cli.run(args);
        assertEquals(ExitCodes.OK, run.code(), run.all());
        assertTrue(run.out().matches("(?s).*RESULT time-to-accuracy target=0.5000 reached=0\\.[5-9][0-9]{3} seconds=[0-9.]+ "
                + "epochs=[0-9.]+ images=[0-9]+\\s*"), run.out());
        String[] lines = run.out().trim().split("\n");
        double last = Double.parseDouble(lines[lines.length - 2].trim().split("\\s+")[3]);
        assertTrue(last >= 0.5, "the run stopped at the first evaluation at or above the target: " + run.out());
        for (int i = 1; i < lines.length - 2; i++) {
            assertTrue(Double.parseDouble(lines[i].trim().split("\\s+")[3]) < 0.5, "earlier evaluations were below: " + run.out());
        }
    }
}
