package io.sparkcnn.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkcnn.Cli;
import io.sparkcnn.TestData;
import io.sparkcnn.cli.ExitCodes;
import io.sparkcnn.store.ModelRegistry;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The driver is a separate JVM ({@code Main train} on {@code local[2]}), killed with SIGKILL in the middle of
 * epoch 2 of 3 (just after a checkpoint taken every 20 averaging rounds), then resumed from that checkpoint; its
 * accuracy is compared with an uninterrupted run of the same job. Both save the mean of the weights at the ends of
 * the 3 epochs, so the killed run's epoch 1 must come back from the checkpoint.
 */
@Tag("spark-local")
class ResumeAfterKillTest {
    @TempDir
    Path dir;

    private List<String> job(Path output, String... more) {
        List<String> args = new ArrayList<>(List.of("train", "--preset", "seed-fc", "--epochs", "3",
                "--set", "data.dir=" + TestData.mnistDir(), "--set", "data.train-limit=20000",
                "--set", "data.test-limit=5000", "--set", "train.batch-size-per-worker=32",
                "--set", "train.averaging-frequency=5", "--set", "checkpoint.every-rounds=20",
                "--set", "train.average-last-epochs=3", "-o", output.toString()));
        args.addAll(List.of(more));
        return args;
    }

    /** A driver JVM with the test classpath and the project's JVM settings; stdout and stderr merged. */
    private static Process start(List<String> args) throws IOException {
        Path root = TestData.projectRoot();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx2g", "@" + root.resolve("conf/jvm-module.options"),
                "-Dorg.eclipse.deeplearning4j.helpers.disable=false", "-Dspark.master=local[2]",
                "-Dspark.ui.enabled=false", "-Dspark.driver.host=127.0.0.1", "-Dspark.driver.bindAddress=127.0.0.1",
                "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"),
                "-Dlog4j2.configurationFile=" + root.resolve("conf/log4j2.xml"),
                "-cp", System.getProperty("java.class.path"), "io.sparkcnn.cli.Main"));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("OMP_NUM_THREADS", "1");
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        return pb.start();
    }

    /** Runs to the end; returns the exit code and the output. */
    private static Run run(List<String> args) throws Exception {
        Process p = start(args);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES));
        return new Run(p.exitValue(), out);
    }

    private record Run(int code, String out) {
        double accuracy() {
            for (String line : out.split("\n")) {
                if (line.startsWith("Test accuracy: ")) {
                    return Double.parseDouble(line.substring("Test accuracy: ".length()).split(" ")[0]);
                }
            }
            throw new AssertionError("no accuracy in:\n" + out);
        }
    }

    @Test
    void aDriverKilledInTheMiddleOfEpochTwoResumesFromItsCheckpointAndEndsAsAnUninterruptedRun() throws Exception {
        Path output = dir.resolve("killed");
        Process victim = start(job(output));
        StringBuilder seen = new StringBuilder();
        assertTrue(Cli.awaitLine(victim, "Checkpoint in epoch 2 after 200 minibatches saved", 5, seen),
                "no checkpoint in epoch 2:\n" + seen);
        victim.destroyForcibly(); // SIGKILL: no shutdown hooks, no cleanup
        assertTrue(victim.waitFor(1, TimeUnit.MINUTES));
        assertEquals(137, victim.exitValue(), "killed by SIGKILL");
        assertFalse(Files.exists(output), "no model from the killed run");
        ModelRegistry checkpoints = new ModelRegistry(new Configuration(), output + ".checkpoints");
        JsonNode position = checkpoints.manifest(checkpoints.latest().orElseThrow()).get("facts");
        assertEquals(1, position.get("epochsDone").asInt());
        assertEquals(200, position.get("batchesDone").asInt(), "20 rounds x 2 workers x 5 minibatches");
        List<String> files = new ArrayList<>();
        checkpoints.manifest(checkpoints.latest().orElseThrow()).get("files").forEach(f -> files.add(f.get("name").asText()));
        assertTrue(files.contains(Checkpoints.TAIL_AVERAGE_FILE), "the weight average of epoch 1 is saved: " + files);

        Run changed = run(job(output, "--resume", "--set", "train.seed=7"));
        assertEquals(ExitCodes.BAD_CONFIG, changed.code(), changed.out());
        assertTrue(changed.out().contains("written with another configuration"), changed.out());

        Run resumed = run(job(output, "--resume"));
        assertEquals(0, resumed.code(), resumed.out());
        assertTrue(resumed.out().contains("Resuming from checkpoint"), resumed.out());
        assertTrue(resumed.out().contains("the mean of the weights at the ends of epochs 1-3 (stochastic weight "
                + "averaging over 3 epochs)"), "epoch 1 came from the checkpoint: " + resumed.out());
        JsonNode facts = new ObjectMapper().readTree(output.resolve(TrainJob.RUN_FILE).toFile());
        assertEquals(3, facts.get("epochLoss").size(), "three epochs in total");
        assertEquals(20_000 - 200 * 32 + 20_000, facts.at("/training/images").asLong(),
                "the resumed run trained the rest of epoch 2 and epoch 3 only");
        assertFalse(Files.exists(Path.of(output + ".checkpoints")), "checkpoints deleted after the final save");
        JsonNode history = new ObjectMapper().readTree(output.resolve(TrainingHistory.JSON_FILE).toFile());
        assertEquals(3, history.get("epochs").size(), "the history of the killed run's epochs came with the checkpoint");
        for (int e = 0; e < 3; e++) {
            assertEquals(e + 1, history.get("epochs").get(e).get("epoch").asInt());
            assertTrue(history.get("epochs").get(e).get("validationAccuracy").isNumber(), history.toString());
            assertTrue(history.get("epochs").get(e).get("roundLosses").size() > 0, history.toString());
        }
        assertTrue(history.at("/epochs/1/roundLosses").size() >= history.at("/epochs/2/roundLosses").size() - 1,
                "epoch 2 keeps the round losses of its part before the kill (from the checkpoint): " + history);
        assertEquals(4, Files.readAllLines(output.resolve(TrainingHistory.CSV_FILE)).size(), "header and 3 epochs");

        Run uninterrupted = run(job(dir.resolve("uninterrupted")));
        assertEquals(0, uninterrupted.code(), uninterrupted.out());
        LoggerFactory.getLogger(ResumeAfterKillTest.class).info("Test accuracy after 3 epochs: resumed {}, uninterrupted {}",
                resumed.accuracy(), uninterrupted.accuracy());
        assertEquals(uninterrupted.accuracy(), resumed.accuracy(), 0.005,
                "resumed " + resumed.accuracy() + " against uninterrupted " + uninterrupted.accuracy());
    }
}
