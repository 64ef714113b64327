package io.sparkcnn.model.regularization;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.regularization.Regularization.ApplyStep;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.ArrayList;
import java.util.List;

import static io.sparkcnn.model.regularization.PenaltyChecks.BETA;
import static io.sparkcnn.model.regularization.PenaltyChecks.TOL;
import static io.sparkcnn.model.regularization.PenaltyChecks.vector;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("unit")
class IndexPowerPenaltyTest {
    private final IndexPowerPenalty squareIndex = new IndexPowerPenalty(0.1, 2);

    @Test
    void scoreWeightsTheIthSquareByIPlusOneToTheK() {
        assertEquals(0.1 * (1 * 0.25 + 4 * 1 + 9 * 0 + 16 * 4 + 25 * 0.0625), squareIndex.score(vector(BETA), 0, 0), TOL);
    }

    @Test
    void applyAddsTwoLambdaIndexWeightBeta() {
        PenaltyChecks.assertApplyAdds(squareIndex, BETA, new double[] {
                2 * 0.1 * 1 * 0.5, 2 * 0.1 * 4 * -1.0, 0.0, 2 * 0.1 * 16 * 2.0, 2 * 0.1 * 25 * -0.25});
    }

    @Test
    void nonIntegerExponent() {
        IndexPowerPenalty p = new IndexPowerPenalty(0.1, 1.5);
        double w2 = Math.pow(2, 1.5);
        double w4 = Math.pow(4, 1.5);
        double w5 = Math.pow(5, 1.5);
        assertEquals(0.1 * (0.25 + w2 * 1 + w4 * 4 + w5 * 0.0625), p.score(vector(BETA), 0, 0), TOL);
        PenaltyChecks.assertApplyAdds(p, BETA, new double[] {0.2 * 0.5, 0.2 * w2 * -1.0, 0.0, 0.2 * w4 * 2.0, 0.2 * w5 * -0.25});
    }

    @Test
    void exponentZeroIsRidge() {
        IndexPowerPenalty p = new IndexPowerPenalty(0.1, 0);
        assertEquals(0.1 * (0.25 + 1 + 0 + 4 + 0.0625), p.score(vector(BETA), 0, 0), TOL);
        PenaltyChecks.assertApplyAdds(p, BETA, new double[] {0.1, -0.2, 0.0, 0.4, -0.05});
    }

    @Test
    void indexFollowsTheArraysOwnOrdering() {
        double[][] rows = {{1, 2, 3}, {4, 5, 6}};
        IndexPowerPenalty p = new IndexPowerPenalty(1, 1);
        // 'c' order reads 1 2 3 4 5 6; 'f' order (DL4J's dense weights) reads 1 4 2 5 3 6.
        INDArray c = Nd4j.create(rows).dup('c');
        INDArray f = Nd4j.create(rows).dup('f');
        assertEquals(1 * 1 + 2 * 4 + 3 * 9 + 4 * 16 + 5 * 25 + 6 * 36, p.score(c, 0, 0), TOL);
        assertEquals(1 * 1 + 2 * 16 + 3 * 4 + 4 * 25 + 5 * 9 + 6 * 36, p.score(f, 0, 0), TOL);
        INDArray grad = f.like();
        p.apply(f, grad, 0, 0, 0);
        assertArrayEquals(new double[] {2 * 1 * 1, 2 * 3 * 2, 2 * 5 * 3, 2 * 2 * 4, 2 * 4 * 5, 2 * 6 * 6},
                grad.dup('c').reshape(6).toDoubleVector(), TOL);
        PenaltyChecks.assertGradientMatchesScore(p, f, 1e-4, 1e-8);
    }

    @Test
    void gradientMatchesCentralDifferencesOfScore() {
        PenaltyChecks.assertGradientMatchesScore(new IndexPowerPenalty(0.05, 2.5), PenaltyChecks.randomVector(14, 20, 0), 1e-4, 1e-8);
    }

    @Test
    void cachedWeightsServeEveryLengthAndTypeAndConcurrentCallers() throws Exception {
        IndexPowerPenalty p = new IndexPowerPenalty(1, 1);
        assertEquals(1 * 4.0, p.score(vector(2.0), 0, 0), TOL);
        assertEquals(1 * 1 + 2 * 1 + 3 * 1, p.score(vector(1, 1, 1), 0, 0), TOL);
        assertEquals(1 * 4.0, p.score(vector(2.0), 0, 0), TOL);
        assertEquals(1 + 2 + 3, p.score(Nd4j.ones(DataType.FLOAT, 3), 0, 0), 1e-6);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<Double>> calls = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                int n = 50 + t % 3;
                calls.add(() -> p.score(Nd4j.ones(DataType.DOUBLE, n), 0, 0));
            }
            List<Future<Double>> results = pool.invokeAll(calls);
            for (int t = 0; t < results.size(); t++) {
                int n = 50 + t % 3;
                assertEquals(n * (n + 1) / 2.0, results.get(t).get(), TOL);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void isAppliedBeforeTheUpdater() {
        assertEquals(ApplyStep.BEFORE_UPDATER, squareIndex.applyStep());
    }

    @Test
    void rejectsBadLambdaOrExponent() {
        for (double bad : new double[] {0, -0.5, Double.NaN, Double.POSITIVE_INFINITY}) {
            String message = assertThrows(IllegalArgumentException.class, () -> new IndexPowerPenalty(bad, 1)).getMessage();
            assertTrue(message.contains("lambda") && message.contains(String.valueOf(bad)), message);
        }
        for (double bad : new double[] {-0.5, Double.NaN, Double.POSITIVE_INFINITY}) {
            String message = assertThrows(IllegalArgumentException.class, () -> new IndexPowerPenalty(0.1, bad)).getMessage();
            assertTrue(message.contains("k ") && message.contains(String.valueOf(bad)), message);
        }
    }
}
