package io.sparkcnn.model.regularization;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.learning.regularization.Regularization.ApplyStep;

import static io.sparkcnn.model.regularization.PenaltyChecks.BETA;
import static io.sparkcnn.model.regularization.PenaltyChecks.TOL;
import static io.sparkcnn.model.regularization.PenaltyChecks.vector;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("unit")
class LpPenaltyTest {
    private static final double EPS = 1e-8;
    private final LpPenalty half = new LpPenalty(0.1, 0.5, EPS);

    @Test
    void scoreIsLambdaTimesSumOfSmoothedPowers() {
        double expected = 0.1 * (Math.pow(0.25 + EPS, 0.25) + Math.pow(1 + EPS, 0.25) + Math.pow(EPS, 0.25)
                + Math.pow(4 + EPS, 0.25) + Math.pow(0.0625 + EPS, 0.25));
        assertEquals(expected, half.score(vector(BETA), 0, 0), TOL);
    }

    @Test
    void applyAddsLambdaPBetaTimesSmoothedPower() {
        PenaltyChecks.assertApplyAdds(half, BETA, new double[] {
                0.1 * 0.5 * 0.5 * Math.pow(0.25 + EPS, -0.75),
                0.1 * 0.5 * -1.0 * Math.pow(1 + EPS, -0.75),
                0.0,
                0.1 * 0.5 * 2.0 * Math.pow(4 + EPS, -0.75),
                0.1 * 0.5 * -0.25 * Math.pow(0.0625 + EPS, -0.75)});
    }

    @Test
    void atZeroTheScoreIsLambdaEpsilonToTheHalfPAndTheGradientZero() {
        // ε^{p/2} = (1e-8)^{0.25} = 1e-2 per element.
        assertEquals(3 * 0.1 * 1e-2, half.score(vector(0, 0, 0), 0, 0), TOL);
        PenaltyChecks.assertApplyAdds(half, new double[] {0, 0, 0}, new double[] {0, 0, 0});
        assertEquals(1e-8, LpPenalty.DEFAULT_EPSILON);
    }

    @Test
    void gradientMatchesCentralDifferencesOfScoreAwayFromZero() {
        PenaltyChecks.assertGradientMatchesScore(new LpPenalty(0.2, 0.3, EPS), PenaltyChecks.randomVector(15, 20, 0.05), 1e-6, 1e-7);
    }

    @Test
    void gradientMatchesCentralDifferencesOfScoreAtAndNearZero() {
        PenaltyChecks.assertGradientMatchesScore(new LpPenalty(0.2, 0.7, 1e-3),
                vector(0, 1e-3, -1e-3, 0.02, -0.03, 0.5), 1e-6, 1e-6);
    }

    @Test
    void isAppliedBeforeTheUpdater() {
        assertEquals(ApplyStep.BEFORE_UPDATER, half.applyStep());
    }

    @Test
    void rejectsBadArguments() {
        for (double bad : new double[] {0, -0.5, Double.NaN, Double.POSITIVE_INFINITY}) {
            String message = assertThrows(IllegalArgumentException.class, () -> new LpPenalty(bad, 0.5, EPS)).getMessage();
            assertTrue(message.contains("lambda") && message.contains(String.valueOf(bad)), message);
        }
        for (double bad : new double[] {0, 1, 1.5, -0.5, Double.NaN}) {
            String message = assertThrows(IllegalArgumentException.class, () -> new LpPenalty(0.1, bad, EPS)).getMessage();
            assertTrue(message.contains("p ") && message.contains(String.valueOf(bad)), message);
        }
        for (double bad : new double[] {0, -1e-8, Double.NaN, Double.POSITIVE_INFINITY}) {
            String message = assertThrows(IllegalArgumentException.class, () -> new LpPenalty(0.1, 0.5, bad)).getMessage();
            assertTrue(message.contains("epsilon") && message.contains(String.valueOf(bad)), message);
        }
    }
}
