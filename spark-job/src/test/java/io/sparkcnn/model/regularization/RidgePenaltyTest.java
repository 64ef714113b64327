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
class RidgePenaltyTest {
    private final RidgePenalty ridge = new RidgePenalty(0.1);

    @Test
    void scoreIsLambdaTimesSumOfSquares() {
        assertEquals(0.1 * (0.25 + 1 + 0 + 4 + 0.0625), ridge.score(vector(BETA), 0, 0), TOL);
    }

    @Test
    void applyAddsTwoLambdaBeta() {
        PenaltyChecks.assertApplyAdds(ridge, BETA, new double[] {0.1, -0.2, 0.0, 0.4, -0.05});
    }

    @Test
    void gradientMatchesCentralDifferencesOfScore() {
        PenaltyChecks.assertGradientMatchesScore(new RidgePenalty(0.37), PenaltyChecks.randomVector(11, 20, 0), 1e-4, 1e-8);
    }

    @Test
    void isAppliedBeforeTheUpdater() {
        assertEquals(ApplyStep.BEFORE_UPDATER, ridge.applyStep());
    }

    @Test
    void rejectsNonPositiveOrNonFiniteLambda() {
        for (double bad : new double[] {0, -0.5, Double.NaN, Double.POSITIVE_INFINITY}) {
            String message = assertThrows(IllegalArgumentException.class, () -> new RidgePenalty(bad)).getMessage();
            assertTrue(message.contains("lambda") && message.contains(String.valueOf(bad)), message);
        }
    }
}
