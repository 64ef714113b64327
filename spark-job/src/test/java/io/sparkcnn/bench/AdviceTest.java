package io.sparkcnn.bench;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("unit")
class AdviceTest {
    @Test
    void theRecommendedFrequencyKeepsTheRoundsAtTenPercentOrLess() {
        // 100 ms per minibatch, 90 ms per round: one minibatch per round costs 90 / 190 = 47 %; 9 cost 90 / 990.
        assertEquals(9, Advice.recommendedFrequency(100, 90));
        assertEquals(9, Advice.recommendedFrequency(100, 100)); // exactly 10 %
        assertEquals(10, Advice.recommendedFrequency(100, 101));
        assertEquals(1, Advice.recommendedFrequency(1000, 10));
        assertEquals(Advice.MAX_FREQUENCY, Advice.recommendedFrequency(1, 1000));
        for (double r : new double[]{5, 50, 150}) {
            int f = Advice.recommendedFrequency(40, r);
            assertTrue(r / (f * 40 + r) <= Advice.MAX_ROUND_SHARE + 1e-12, "round share at F=" + f);
            assertTrue(f == 1 || r / ((f - 1) * 40 + r) > Advice.MAX_ROUND_SHARE, "F=" + f + " is the smallest");
        }
    }

    @Test
    void adviceComesFromTheMeasuredSharesAndComparesWithOneProcess() {
        // 2 workers, 100 s, 40 rounds of 10 minibatches of 100 images each (800 minibatches, 400 per worker):
        // compute 80 % of 200 worker-seconds = 200 ms per minibatch, data 10 % = 25 ms, rounds 10 % of 100 s = 250 ms.
        PhaseResult spark = new PhaseResult(1, "train", "local[2]", 2, 100, 10, 40, 80_000, 100, 180, "process",
                0.8, 0.1, 0.1, 0.98, Map.of());
        PhaseResult single = new PhaseResult(1, "train", "process", 1, 100, 0, 0, 80_000, 160, 160, "process",
                0.99, 0, 0.01, 0.98, Map.of());
        Advice a = Advice.of(spark, single);
        assertEquals(200, a.computeMsPerBatch(), 1e-9);
        assertEquals(25, a.dataMsPerBatch(), 1e-9);
        assertEquals(250, a.overheadMsPerRound(), 1e-9);
        assertEquals(10, a.recommendedFrequency()); // 9 x 250 / 225 = 10
        assertEquals(2 * 100 * 10 * 1000.0 / (10 * 225 + 250), a.predictedImagesPerSec(), 1e-9);
        assertTrue(a.pays(), "800 images/s against 500 in one process");
        assertTrue(a.text().contains("pays off"), a.text());

        // One process: 1,000 images/s. A cluster whose rounds take 8.9 s: 10 rounds of 2 x 10 minibatches in
        // 100 s, 10 % compute (100 ms per minibatch), 1.25 % data (12.5 ms); even every 50 minibatches it makes
        // 2 x 100 x 50 / (50 x 112.5 + 8875) = 0.69 images per ms.
        PhaseResult fast = new PhaseResult(1, "train", "process", 1, 100, 0, 0, 20_000, 20, 20, "process",
                0.99, 0, 0.01, 0.98, Map.of());
        PhaseResult slowRounds = new PhaseResult(1, "train", "spark://h:7077", 2, 100, 10, 10, 20_000, 100, 180,
                "driver+tasks", 0.1, 0.8875, 0.0125, 0.98, Map.of());
        Advice b = Advice.of(slowRounds, fast);
        assertEquals(8875, b.overheadMsPerRound(), 1e-6);
        assertEquals(Advice.MAX_FREQUENCY, b.recommendedFrequency());
        assertEquals(1e7 / (50 * 112.5 + 8875), b.predictedImagesPerSec(), 1e-6);
        assertFalse(b.pays(), b.text());
        assertTrue(b.text().contains("does not pay off"), b.text());
    }
}
