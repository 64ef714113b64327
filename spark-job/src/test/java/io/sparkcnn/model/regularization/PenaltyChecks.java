package io.sparkcnn.model.regularization;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.regularization.Regularization;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Checks shared by the penalty tests: apply() against expected values, and score vs apply by central differences. */
final class PenaltyChecks {
    /** The parameter vector of the closed-form tests. */
    static final double[] BETA = {0.5, -1.0, 0.0, 2.0, -0.25};
    static final double TOL = 1e-12;

    private PenaltyChecks() {
    }

    static INDArray vector(double... values) {
        return Nd4j.createFromArray(values);
    }

    /** apply() adds {@code expected} both to a zero gradient and to a non-zero one, leaving the parameters alone. */
    static void assertApplyAdds(Regularization r, double[] beta, double[] expected) {
        INDArray param = vector(beta);
        INDArray zero = Nd4j.zeros(DataType.DOUBLE, beta.length);
        r.apply(param, zero, 0.01, 3, 1);
        assertArrayEquals(expected, zero.toDoubleVector(), TOL);

        double[] base = new double[beta.length];
        double[] sum = new double[beta.length];
        for (int i = 0; i < beta.length; i++) {
            base[i] = 0.75 - 0.5 * i;
            sum[i] = base[i] + expected[i];
        }
        INDArray grad = vector(base);
        r.apply(param, grad, 0.01, 3, 1);
        assertArrayEquals(sum, grad.toDoubleVector(), TOL);
        assertArrayEquals(beta, param.toDoubleVector(), 0.0);
    }

    /** A random DOUBLE vector of {@code n} values with {@code minAbs <= |v| <= 2}. */
    static INDArray randomVector(long seed, int n, double minAbs) {
        Random random = new Random(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            double magnitude = minAbs + (2 - minAbs) * random.nextDouble();
            v[i] = random.nextBoolean() ? magnitude : -magnitude;
        }
        return vector(v);
    }

    /**
     * apply() equals the central difference of score() with step {@code h}, to {@code tol} relative to max(1, |g|).
     * Central differences are exact for quadratic and (away from the kink) linear penalties, so those use a large
     * {@code h}, keeping the rounding error of the summed score small.
     */
    static void assertGradientMatchesScore(Regularization r, INDArray param, double h, double tol) {
        INDArray analytic = param.like();
        r.apply(param, analytic, 0.01, 0, 0);
        for (long i = 0; i < param.length(); i++) {
            double original = param.getDouble(i);
            param.putScalar(i, original + h);
            double plus = r.score(param, 0, 0);
            param.putScalar(i, original - h);
            double minus = r.score(param, 0, 0);
            param.putScalar(i, original);
            double numeric = (plus - minus) / (2 * h);
            double g = analytic.getDouble(i);
            assertEquals(numeric, g, tol * Math.max(1, Math.abs(g)), "element " + i + " = " + original);
        }
    }
}
