package io.sparkcnn.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkcnn.Cli;
import io.sparkcnn.TestData;
import io.sparkcnn.cli.ExitCodes;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bench --scale} end to end through the command line on 960 MNIST images: two variants, one and three
 * workers, two epochs; the JSON, the table and the chart.
 */
@Tag("spark-local")
class ScalingStudyLocalTest {
    @TempDir
    Path dir;

    @Test
    void studiesEveryVariantAtEveryWorkerCountAndWritesJsonAndChart() throws Exception {
        Path json = dir.resolve("scale.json");
        Path chart = dir.resolve("scale.png");
        Cli.Run run = Cli.run("bench", "--scale", "1,3", "--epochs", "2", "--preset", "seed-fc",
                "--set", "data.dir=" + TestData.mnistDir(), "--set", "data.train-limit=960",
                "--set", "data.test-limit=500", "--set", "train.batch-size-per-worker=32",
                "--set", "train.averaging-frequency=5", "--set", "spark.fallback-master=local[2]",
                "--variant", "plain:train.scaling.adapt=false", "--variant", "default:",
                "--targets", "0.5,0.999", "--json", json.toString(), "--chart", chart.toString());
        assertEquals(ExitCodes.OK, run.code(), run.all());
        assertTrue(run.out().contains("Variant plain {train.scaling.adapt=false}"), run.out());

        JsonNode root = new ObjectMapper().readTree(json.toFile());
        assertEquals(960, root.get("trainImages").asInt());
        assertEquals(500, root.get("testImages").asInt());
        JsonNode variants = root.get("variants");
        assertEquals(2, variants.size());
        assertEquals("plain", variants.get(0).get("name").asText());
        // 30 minibatches of 32. One worker averages every 5 (6 rounds). Three workers: plain, every 3 x 5 (2 rounds);
        // adapted to 3 workers from the settings for 2, every round(5 x 2 / 3) = 3 per worker (4 rounds).
        List<List<Integer>> shapes = List.of(List.of(1, 5, 6, 160), List.of(3, 5, 2, 160), List.of(1, 5, 6, 160),
                List.of(3, 3, 4, 96));
        int i = 0;
        for (JsonNode variant : variants) {
            JsonNode runs = variant.get("runs");
            assertEquals(2, runs.size());
            for (JsonNode r : runs) {
                assertEquals(shapes.get(i++), List.of(r.get("workers").asInt(), r.get("averagingFrequency").asInt(),
                        r.get("roundsPerEpoch").asInt(), r.get("imagesPerWorkerPerRound").asInt()), r.toString());
                assertEquals(2, r.get("epochs").size());
                for (JsonNode e : r.get("epochs")) {
                    assertEquals(960, e.get("images").asLong());
                    assertTrue(e.get("accuracy").asDouble() > 0.3 && e.get("accuracy").asDouble() <= 1, e.toString());
                }
                JsonNode reached = r.get("reached");
                assertTrue(reached.get("0.999").isNull(), "not reached within two epochs: " + r);
                JsonNode half = reached.get("0.5");
                int epoch = half.get("epoch").asInt();
                assertTrue(r.get("epochs").get(epoch - 1).get("accuracy").asDouble() >= 0.5, r.toString());
                assertTrue(epoch == 1 || r.get("epochs").get(0).get("accuracy").asDouble() < 0.5, r.toString());
                assertEquals(960L * epoch, half.get("images").asLong());
            }
        }
        assertEquals("none", variants.get(0).get("runs").get(1).get("outer").asText());
        assertEquals("none", variants.get(1).get("runs").get(0).get("outer").asText(), "nothing adapts at one worker");
        assertEquals("nesterov lr 1 mom 0.3333", variants.get(1).get("runs").get(1).get("outer").asText());
        assertEquals(losses(variants.get(0).get("runs").get(0)), losses(variants.get(1).get("runs").get(0)),
                "one worker trains the same in both variants");
        assertEquals("plain", variants.get(1).get("runs").get(0).get("sameAs").asText(),
                "so it is not trained again: " + variants.get(1));
        assertTrue(variants.get(1).get("runs").get(1).get("sameAs").isNull(), variants.get(1).toString());
        assertTrue(run.out().contains("1*"), "the table marks the copied run: " + run.out());
        assertNotEquals(losses(variants.get(0).get("runs").get(1)), losses(variants.get(1).get("runs").get(1)),
                "adapting changes three workers' run");

        BufferedImage png = ImageIO.read(chart.toFile());
        assertTrue(png.getWidth() >= 720 && png.getHeight() > 300, png.getWidth() + "x" + png.getHeight());
    }

    /** A run's mean training loss and test accuracy per epoch. */
    private static List<List<Double>> losses(JsonNode run) {
        List<List<Double>> out = new java.util.ArrayList<>();
        run.get("epochs").forEach(e -> out.add(List.of(e.get("loss").asDouble(), e.get("accuracy").asDouble())));
        return out;
    }

    @Test
    void aVariantWithoutANameIsRefusedBeforeAnyTraining() {
        Cli.Run run = Cli.run("bench", "--scale", "2", "--variant", "train.outer.method=nesterov");
        assertEquals(ExitCodes.BAD_CONFIG, run.code(), run.all());
        assertTrue(run.err().contains("--variant must be NAME:KEY=VALUE"), run.err());
    }
}
